import Application
import Foundation
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// The people context on both engines: organisation, employees with contracts, contract events and REGES-ONLINE,
/// the import, and each refusal by its id.
@Suite struct PeopleAppTests {
    static func date(_ text: String) throws -> LocalDate { try LocalDate(iso: text) }

    static func employee(
        _ code: String, cnp: String, department: String? = "VANZ", position: String? = "AGENT", manager: String? = nil
    )
        -> EmployeeInput
    {
        EmployeeInput(
            code: code, lastName: "Popescu", firstName: "Ana", cnp: cnp, email: "\(code.lowercased())@alfa.ro", department: department,
            position: position, manager: manager)
    }

    static func terms(_ number: String, start: String = "2026-01-05") throws -> ContractTerms {
        ContractTerms(
            number: number, signed: try date("2025-12-20"), start: try date(start), duration: .indefinite, normHours: 8,
            baseSalary: Money(minorUnits: 500_000, currency: .ron), position: "AGENT", corCode: "332202")
    }

    @Test(arguments: Engine.available)
    func employeesContractsAndREGES(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addDepartment(company: company, Department(code: "VANZ", name: "Vânzări"), actor: actor)
            _ = try await culise.addPosition(
                company: company, Position(code: "AGENT", title: "Agent comercial", corCode: "332202", department: "VANZ"), actor: actor)
            let ana = try await culise.addEmployee(
                company: company, Self.employee("E1", cnp: PeopleSamples.cnp(2, 90, 5, 17)), contract: try Self.terms("CIM-1"), actor: actor
            )
            #expect(ana.employee.birthDate == (try Self.date("1990-05-17")) && ana.contracts.count == 1)
            // Amended twice and suspended once, through the use case; the terms on five days come back from the database.
            _ = try await culise.recordContractEvent(
                company: company, employee: "e1",
                ContractEventInput(
                    kind: .amendment, date: "2026-03-02", change: ContractChange(baseSalary: Money(minorUnits: 550_000, currency: .ron))),
                actor: actor)
            _ = try await culise.recordContractEvent(
                company: company, employee: "E1",
                ContractEventInput(kind: .amendment, date: "2026-05-04", change: ContractChange(normHours: 6)),
                actor: actor)
            let suspended = try await culise.recordContractEvent(
                company: company, employee: "E1", ContractEventInput(kind: .suspension, date: "2026-07-01", reason: "art. 54"), actor: actor
            )
            #expect(
                suspended.reges.map(\.deadline) == [
                    try Self.date("2025-12-31"), try Self.date("2026-02-27"), try Self.date("2026-04-30"), try Self.date("2026-06-30"),
                ])
            let on = { (day: String) in
                try await culise.contractTerms(company: company, employee: "E1", on: try Self.date(day), actor: actor)
            }
            #expect(try await on("2026-01-04") == nil)
            #expect(try await on("2026-02-01")?.terms.baseSalary.minorUnits == 500_000)
            #expect(try await on("2026-04-01")?.terms.baseSalary.minorUnits == 550_000)
            #expect(try await on("2026-06-01")?.terms.normHours == 6)
            #expect(try await on("2026-07-02")?.state == .suspended)
            await expectRefusal("contract.illegal_transition", field: "kind") {
                try await culise.recordContractEvent(
                    company: company, employee: "E1", ContractEventInput(kind: .suspension, date: "2026-08-01", reason: "art. 54"),
                    actor: actor)
            }
            // REGES-ONLINE: four events wait, the earliest deadline first; one is marked with its receipt.
            let pending = try await culise.regesPending(company: company, actor: actor)
            #expect(pending.map(\.kind) == [.hire, .amendment, .amendment, .suspension] && pending.allSatisfy(\.overdue))
            try await culise.markRegesTransmitted(company: company, contract: pending[0].contract, seq: 1, receipt: "R-1", actor: actor)
            #expect(try await culise.regesPending(company: company, actor: actor).count == 3)
            await expectRefusal("reges.not_pending") {
                try await culise.markRegesTransmitted(company: company, contract: pending[0].contract, seq: 1, receipt: "R-1", actor: actor)
            }
            await expectRefusal("reges.receipt", field: "receipt") {
                try await culise.markRegesTransmitted(company: company, contract: pending[0].contract, seq: 2, receipt: " ", actor: actor)
            }
            // Refusals that need the company's records.
            await expectRefusal("employee.code_taken", field: "code") {
                try await culise.addEmployee(
                    company: company, Self.employee("E1", cnp: PeopleSamples.cnp(1, 80, 1, 1)), contract: nil, actor: actor)
            }
            await expectRefusal("employee.cnp_taken", field: "cnp") {
                try await culise.addEmployee(
                    company: company, Self.employee("E2", cnp: PeopleSamples.cnp(2, 90, 5, 17)), contract: nil, actor: actor)
            }
            await expectRefusal("department.not_found", field: "department") {
                try await culise.addEmployee(
                    company: company, Self.employee("E3", cnp: PeopleSamples.cnp(1, 81, 1, 1), department: "NU"), contract: nil,
                    actor: actor)
            }
            await expectRefusal("position.not_found", field: "position") {
                try await culise.addEmployee(
                    company: company, Self.employee("E3", cnp: PeopleSamples.cnp(1, 81, 1, 1), position: "NU"), contract: nil, actor: actor)
            }
            await expectRefusal("employee.manager_unknown", field: "manager") {
                try await culise.addEmployee(
                    company: company, Self.employee("E3", cnp: PeopleSamples.cnp(1, 81, 1, 1), manager: "E9"), contract: nil, actor: actor)
            }
            await expectRefusal("contract.number_taken", field: "contract_number") {
                try await culise.addEmployee(
                    company: company, Self.employee("E3", cnp: PeopleSamples.cnp(1, 81, 1, 1)), contract: try Self.terms("CIM-1"),
                    actor: actor)
            }
            _ = try await culise.addEmployee(
                company: company, Self.employee("E3", cnp: PeopleSamples.cnp(1, 81, 1, 1), manager: "E1"), contract: nil, actor: actor)
            await expectRefusal("contract.not_found", field: "employee") {
                try await culise.recordContractEvent(
                    company: company, employee: "E3", ContractEventInput(kind: .resumption, date: "2026-08-01"), actor: actor)
            }
            await expectRefusal("employee.not_found") { try await culise.employee(company: company, code: "E404", actor: actor) }
            await expectRefusal("department.code_taken", field: "code") {
                try await culise.addDepartment(company: company, Department(code: "vanz", name: "Alt"), actor: actor)
            }
            await expectRefusal("department.parent_unknown", field: "parent") {
                try await culise.addDepartment(company: company, Department(code: "X", name: "X", parent: "NU"), actor: actor)
            }
            await expectRefusal("position.code_taken", field: "code") {
                try await culise.addPosition(company: company, Position(code: "AGENT", title: "Agent", corCode: "332202"), actor: actor)
            }
            await expectRefusal("position.cor_unknown", field: "cor_code") {
                try await culise.addPosition(company: company, Position(code: "P2", title: "Agent", corCode: "999901"), actor: actor)
            }
            try await culise.setDepartmentManager(company: company, department: "VANZ", manager: "E1", actor: actor)
            #expect(try await culise.departments(company: company, actor: actor).first?.manager == "E1")
            // The audit trail has each step; the list shows both employees.
            #expect(try await culise.employees(company: company, department: "vanz", page: .first, actor: actor).total == 2)
        }
    }

    /// 1,000 employees with 3 bad rows: those 3 rows reported, nothing written; the corrected file imports whole.
    @Test(arguments: Engine.available)
    func importIsAllOrNothing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let before = try await culise.tableCounts()
            let bad = PeopleSamples.file(
                1_000, change: [3: { $0[3] = "1234567890123" }, 400: { $0[12] = "9" }, 999: { $0[7] = "99" }])
            do {
                _ = try await culise.importEmployees(company: company, csv: bad, actor: actor)
                Issue.record("the file was imported")
            } catch let error as ValidationErrors {
                #expect(Set(error.problems.compactMap(\.field)) == ["rows[5].cnp", "rows[402].norm_hours", "rows[1001].cor_code"])
            }
            #expect(try await culise.tableCounts() == before)
            let report = try await culise.importEmployees(company: company, csv: PeopleSamples.file(1_000), actor: actor)
            #expect(report.employees == 1_000 && report.departmentsCreated == ["VANZARI", "LOGISTICA"])
            #expect(report.positionsCreated == ["AGENT-COMERCIAL"])
            #expect(try await culise.employees(company: company, department: nil, page: .first, actor: actor).total == 1_000)
            #expect(try await culise.regesPending(company: company, actor: actor).count == 1_000)
            // Every employee's terms on a day, in two queries: what timesheets and payroll read.
            let march = try await culise.contractsInForce(company: company, on: try Self.date("2026-03-15"), actor: actor)
            #expect(march.count == 1_000 && march.allSatisfy { $0.state == .active && $0.terms.baseSalary.minorUnits == 450_000 })
            let next = try await culise.contractsInForce(company: company, on: try Self.date("2027-01-15"), actor: actor)
            #expect(next.filter { $0.state == .ended }.count == 334)  // the fixed-term third ended on 2026-12-31
            #expect(try await culise.contractsInForce(company: company, on: try Self.date("2026-01-05"), actor: actor).isEmpty)
            // The same file again: every row's code is taken, named by its row; still nothing written.
            let again = try await culise.tableCounts()
            await expectRefusal("employee.code_taken", field: "rows[2].code") {
                try await culise.importEmployees(company: company, csv: PeopleSamples.file(2), actor: actor)
            }
            #expect(try await culise.tableCounts() == again)
        }
    }

    /// The bounds of the lists the people pages read whole.
    @Test(arguments: Engine.available)
    func listsHaveTheirBounds(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let cid = company.description
            try await culise.transaction { db in
                try await SQLBulk.insert(
                    db, into: "departments", columns: ["company_id", "code", "name", "created_at"],
                    values: (0...Limits.departments).map { [.text(cid), .text("D\($0)"), .text("D"), .text("2026-01-01T00:00:00Z")] })
                try await SQLBulk.insert(
                    db, into: "employees",
                    columns: [
                        "company_id", "code", "last_name", "first_name", "cnp", "sex", "birth_date", "declared_dependants", "created_at",
                    ],
                    values: [
                        [
                            .text(cid), .text("E1"), .text("A"), .text("B"), .text("2900517400017"), .text("female"), .text("1990-05-17"),
                            .int(0), .text("x"),
                        ]
                    ])
                try await SQLBulk.insert(
                    db, into: "contracts", columns: ["company_id", "id", "employee", "number", "start_date", "created_at"],
                    values: [
                        [
                            .text(cid), .text(ContractID.generate(now: Date()).description), .text("E1"), .text("C1"), .text("2026-01-05"),
                            .text("x"),
                        ]
                    ])
            }
            await expectRefusal("department.too_many") { try await culise.departments(company: company, actor: actor) }
            let contract = try await culise.transaction { db in
                try await db.raw("SELECT id FROM contracts WHERE company_id = \(bind: cid)").first()?.decode(column: "id", as: String.self)
                    ?? ""
            }
            try await culise.transaction { db in
                try await SQLBulk.insert(
                    db, into: "contract_events",
                    columns: [
                        "company_id", "contract_id", "seq", "kind", "effective", "reges_state", "reges_deadline", "created_at",
                        "created_by",
                    ],
                    values: (1...(Limits.regesPendingListed + 1)).map {
                        [
                            .text(cid), .text(contract), .int(Int64($0)), .text("amendment"), .text("2026-02-02"), .text("pending"),
                            .text("2026-01-30"), .text("x"), .text("t"),
                        ]
                    })
            }
            await expectRefusal("reges.too_many_pending") { try await culise.regesPending(company: company, actor: actor) }
        }
    }
}
