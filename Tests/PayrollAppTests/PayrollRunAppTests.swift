import Application
import Foundation
import Identity
import Kernel
import Payroll
import PayrollApp
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// A payroll run on both engines (issue 15 items 3 and 4): computed from the approved timesheets and the contracts,
/// approved by a second person, posted, paid (421 back to zero), and after posting corrected only by a correcting run
/// that posts the differences.
@Suite struct PayrollRunAppTests {
    static func lei(_ whole: Int64) -> Money { .ron(whole * 100) }

    /// The ledger's totals by account: "641 D 12686.00" (debits and credits shown separately when both).
    static func ledger(_ culise: Culise, _ company: CompanyID) async throws -> [String] {
        try await culise.database.read { db in
            try await db.raw(
                """
                SELECT account, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines WHERE company_id = \(bind: company.description)
                GROUP BY account ORDER BY account
                """
            ).all().flatMap { row -> [String] in
                let account = try row.decode(column: "account", as: String.self)
                let debit = try row.decode(column: "d", as: Int64.self)
                let credit = try row.decode(column: "c", as: Int64.self)
                return [(debit, "D"), (credit, "C")].filter { $0.0 != 0 }.map { "\(account) \($0.1) \(Money.ron($0.0).decimalString)" }
            }
        }
    }

    @Test(arguments: Engine.available)
    func computeApprovePostPayAndCorrect(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let clerkID = try await culise.addUser(
                email: "salarii@alfa.ro", displayName: "Salarii", password: Fixtures.password, company: company, role: .payroll,
                actor: actor)
            let clerk = Actor.user(
                Principal(userID: clerkID, email: "salarii@alfa.ro", displayName: "Salarii", companyID: company, role: .payroll))
            let march = try YearMonth(year: 2026, month: 3)
            for (code, cnp, salary, start) in [
                ("E1", PeopleSamples.cnp(2, 80, 1, 10), Int64(4_050), "2026-01-05"),
                ("E2", PeopleSamples.cnp(1, 85, 3, 2), 5_000, "2026-01-05"),
                ("E3", PeopleSamples.cnp(1, 88, 7, 9), 5_000, "2026-03-10"),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: start).adding(days: -3), start: try LocalDate(iso: start),
                        duration: .indefinite, normHours: 8, baseSalary: Self.lei(salary), position: "AGENT", corCode: "332202"),
                    actor: actor)
            }
            // No approved timesheet yet: every employee is named.
            await expectRefusal("payroll.timesheet", field: "E3.timesheet") {
                try await culise.computePayroll(company: company, month: march, actor: actor)
            }
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            #expect(try await culise.approveTimesheets(company: company, month: march, actor: actor) == 3)
            #expect(try await culise.approveTimesheets(company: company, month: march, actor: actor) == 0)
            try await culise.setPayrollItems(
                company: company, month: march, employee: "E2", PayrollItems(advance: Self.lei(1_000), garnishments: Self.lei(300)),
                actor: actor)

            // Computed: E1 the published minimum-wage month, E2 5,000 less the advance and garnishment, E3 a joiner on
            // Tuesday 10 March (16 of 22 days: 3,636).
            var run = try await culise.computePayroll(company: company, month: march, actor: actor)
            #expect(run.state == .computed && run.kind == "regular")
            #expect(
                run.lines.map {
                    "\($0.employee) \($0.result.gross.decimalString) \($0.result.net.decimalString) \($0.result.netToPay.decimalString)"
                } == [
                    "E1 4050.00 2574.00 2574.00", "E2 5000.00 2967.00 1667.00", "E3 3636.00 2208.00 2208.00",
                ])
            #expect(run.lines[2].workedDays == 16 && run.total(\.employerCost) == Self.lei(4_134 + 5_113 + 3_718))
            // Computing again replaces the lines; correcting is for posted months only.
            run = try await culise.computePayroll(company: company, month: march, actor: actor)
            #expect(try await culise.payrollRuns(company: company, month: march, actor: actor).count == 1)
            await expectRefusal("payroll.correction", field: "month") {
                try await culise.correctPayroll(company: company, month: march, actor: actor)
            }

            // The one who computed cannot approve; another person can, then nothing recomputes it.
            await expectRefusal("payroll.own_run") {
                try await culise.decidePayroll(company: company, month: march, approve: true, actor: actor)
            }
            await expectRefusal("payroll.comment", field: "comment") {
                try await culise.decidePayroll(
                    company: company, month: march, approve: false, comment: String(repeating: "x", count: 501), actor: clerk)
            }
            #expect(try await culise.decidePayroll(company: company, month: march, approve: true, actor: clerk).state == .approved)
            await expectRefusal("payroll.illegal_transition") {
                try await culise.computePayroll(company: company, month: march, actor: actor)
            }

            // Posted on 31 March: one entry, balanced; what 421 keeps is the nets to pay (2,574 + 1,667 + 2,208).
            run = try await culise.postPayroll(company: company, month: march, actor: clerk)
            #expect(run.state == .posted && run.entry != nil)
            #expect(
                try await Self.ledger(culise, company) == [
                    "421 D 6237.00", "421 C 12686.00", "425 C 1000.00", "427 C 300.00", "4315 C 3097.00", "4316 C 1239.00", "436 C 279.00",
                    "444 C 601.00", "641 D 12686.00", "646 D 279.00",
                ])
            await expectRefusal("payroll.illegal_transition") {
                try await culise.computePayroll(company: company, month: march, actor: actor)
            }
            run = try await culise.payPayroll(company: company, month: march, date: try LocalDate(iso: "2026-04-10"), actor: clerk)
            #expect(run.state == .paid)
            var books = try await Self.ledger(culise, company)
            #expect(books.contains("421 D 12686.00") && books.contains("5121 C 6449.00"))

            // A bonus found after posting: a correcting run, which posts only the differences (E2 at 5,500: CAS +125,
            // CASS +50, tax 335 − 283 = +52, CAM 124 − 113 = +11, to pay 1,940 − 1,667 = +273), and 421 is zero again
            // once it is paid.
            try await culise.setPayrollItems(
                company: company, month: march, employee: "E2",
                PayrollItems(bonuses: Self.lei(500), advance: Self.lei(1_000), garnishments: Self.lei(300)), actor: actor)
            let correction = try await culise.correctPayroll(company: company, month: march, actor: actor)
            #expect(correction.kind == "correction" && correction.state == .computed)
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: clerk)
            _ = try await culise.postPayroll(company: company, month: march, actor: clerk)
            _ = try await culise.payPayroll(company: company, month: march, date: try LocalDate(iso: "2026-04-20"), actor: clerk)
            books = try await Self.ledger(culise, company)
            #expect(books.contains("641 D 13186.00") && books.contains("4315 C 3222.00") && books.contains("444 C 653.00"))
            #expect(books.contains("436 C 290.00") && books.contains("5121 C 6722.00"))
            #expect(books.filter { $0.hasPrefix("421 ") } == ["421 D 13186.00", "421 C 13186.00"])
            #expect(try await culise.payrollRuns(company: company, month: march, actor: actor).map(\.state) == [.paid, .paid])
        }
    }

    @Test(arguments: Engine.available)
    func monthsThatCannotBeComputed(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addEmployee(
                company: company, EmployeeInput(code: "E1", lastName: "Pop", firstName: "Ana", cnp: PeopleSamples.cnp(2, 80, 1, 10)),
                contract: ContractTerms(
                    number: "CIM-1", signed: try LocalDate(iso: "2026-01-02"), start: try LocalDate(iso: "2026-01-05"),
                    duration: .indefinite,
                    normHours: 8, baseSalary: Self.lei(6_000), position: "AGENT", corCode: "332202"),
                actor: actor)
            // Before any contract: nobody to pay; a month never computed has no run to approve, post, pay or correct.
            await expectRefusal("payroll.nobody", field: "month") {
                try await culise.computePayroll(company: company, month: try YearMonth(year: 2025, month: 12), actor: actor)
            }
            let april = try YearMonth(year: 2026, month: 4)
            await expectRefusal("payroll.no_run", field: "month") {
                try await culise.postPayroll(company: company, month: april, actor: actor)
            }
            // Medical leave is not computed yet: the month is refused rather than paid wrong.
            let leave = try await culise.requestLeave(
                company: company, employee: "E1",
                LeaveInput(
                    type: "medical", from: "2026-04-20", to: "2026-04-24",
                    certificate: MedicalCertificate(series: "CCMAI", number: "1234567", indemnityCode: "01")),
                actor: .system("test"))
            _ = try await culise.decideLeave(company: company, id: leave.id, .approve, actor: .system("test"))
            _ = try await culise.generateTimesheets(company: company, month: april, employee: nil, actor: actor)
            _ = try await culise.decideTimesheet(company: company, employee: "E1", month: april, .approve, actor: actor)
            await expectRefusal("payroll.medical_leave", field: "E1.timesheet") {
                try await culise.computePayroll(company: company, month: april, actor: actor)
            }
            // Items are checked.
            await expectRefusals(["payroll.amount", "payroll.overtime"]) {
                try await culise.setPayrollItems(
                    company: company, month: april, employee: "E1", PayrollItems(bonuses: .ron(-1), overtimeHours: 999), actor: actor)
            }
            await expectRefusal("employee.not_found") {
                try await culise.setPayrollItems(company: company, month: april, employee: "E9", PayrollItems(), actor: actor)
            }
            await expectRefusal("payroll.meal_voucher_value", field: "meal_voucher_value") {
                try await culise.setMealVoucherValue(company: company, Self.lei(46), actor: actor)
            }
        }
    }

    /// The demo company has three months of payroll: two paid (421 back to zero), the newest waiting for approval.
    @Test(arguments: Engine.available)
    func theDemoHasThreeMonthsOfPayroll(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let demo = try await culise.seedDemo()
            var month = YearMonth(culise.today)
            var states: [[PayrollRunState]] = []
            for _ in 0..<5 {
                month = YearMonth(month.firstDay.adding(days: -1))
                states.append(try await culise.payrollRuns(company: demo.company.id, month: month, actor: .system("test")).map(\.state))
            }
            #expect(states == [[], [.computed], [.paid], [.paid], []])
            let payable = try await Self.ledger(culise, demo.company.id).filter { $0.hasPrefix("421 ") }
            #expect(payable.count == 2 && payable[0].dropFirst(6) == payable[1].dropFirst(6), "\(payable)")
            // The two posted months are declared: the older D112 accepted, the newer filed and awaiting ANAF; the
            // computed month's D112 is still open (a draft).
            let filings = try await culise.filings(company: demo.company.id, form: .d112, actor: .system("test"))
            #expect(filings.map(\.state) == [.filed, .accepted] && filings.allSatisfy { $0.problems.isEmpty })
            let open = try await culise.payrollDeclarations(company: demo.company.id, actor: .system("test")).filter(\.open)
            #expect(open.map(\.runState) == [.computed])
            // The register summed by cost centre (the departments' own) adds up to the run.
            let paidMonth = try #require(filings.last?.period)
            let run = try #require(try await culise.payrollRuns(company: demo.company.id, month: paidMonth, actor: .system("test")).last)
            let centres = try await culise.payrollSummary(
                company: demo.company.id, month: paidMonth, by: .costCentre, actor: .system("test"))
            #expect(centres.map(\.key) == ["CC-G", "CC-IT", "CC-V"])
            #expect(centres.reduce(0) { $0 + $1.employees } == run.lines.count)
            #expect(centres.reduce(0) { $0 + $1.gross.minorUnits } == run.total(\.gross).minorUnits)
            let departments = try await culise.payrollSummary(
                company: demo.company.id, month: paidMonth, by: .department, actor: .system("test"))
            #expect(departments.count == 4 && departments.first { $0.key == "VANZARI" }?.name == "Vânzări")
        }
    }

    /// The salary payment file (issue 15 item 6): ISO 20022 pain.001.001.03 with one transfer per employee to pay, its
    /// counts and sums right, valid against the XSD of the conformance kit (and in CI, with every file the tests write).
    @Test(arguments: Engine.available)
    func salaryPaymentFile(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let march = try YearMonth(year: 2026, month: 3)
            for (code, cnp, salary, iban) in [
                ("E1", PeopleSamples.cnp(2, 80, 1, 10), Int64(4_050), "RO44BTRLRONCRT0589314702"),
                ("E2", PeopleSamples.cnp(1, 85, 3, 2), 5_000, "RO80RNCB0091735402618001"),
                ("E3", PeopleSamples.cnp(1, 88, 7, 9), 6_000, ""),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Șerban\(code)", firstName: "Ana", cnp: cnp, iban: iban),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2026-01-02"), start: try LocalDate(iso: "2026-01-05"),
                        duration: .indefinite, normHours: 8, baseSalary: Self.lei(salary), position: "AGENT", corCode: "332202"),
                    actor: actor)
            }
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            _ = try await culise.approveTimesheets(company: company, month: march, actor: actor)
            _ = try await culise.computePayroll(company: company, month: march, actor: actor)
            let today = culise.today
            await expectRefusal("payroll.not_posted", field: "month") {
                try await culise.salaryPaymentFile(
                    company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840000", executionDate: today, actor: actor)
            }
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: .system("test approve"))
            _ = try await culise.postPayroll(company: company, month: march, actor: actor)
            await expectRefusal("payroll.iban_missing", field: "E3.iban") {
                try await culise.salaryPaymentFile(
                    company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840000", executionDate: today, actor: actor)
            }
            await expectRefusals(["partner.iban_check", "payroll.execution_date"]) {
                try await culise.salaryPaymentFile(
                    company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840001", executionDate: today.adding(days: -1),
                    actor: actor)
            }
            var e3 = try await culise.employee(company: company, code: "E3", actor: actor).employee
            e3.iban = "RO81BRDE441SV72635018440"
            _ = try await culise.updateEmployee(
                company: company, code: "E3",
                EmployeeInput(code: "E3", lastName: e3.lastName, firstName: e3.firstName, cnp: e3.cnp, iban: e3.iban), actor: actor)
            let xml = try await culise.salaryPaymentFile(
                company: company, month: march, debtorIBAN: "RO49 AAAA 1B31 0075 9384 0000", debtorBIC: "AAAAROBU", executionDate: today,
                actor: actor)
            // Nets: 2,574 (the minimum wage), 2,967 (5,000) and 6,000's 3,512: 9,053 in three transfers, names in ASCII.
            #expect(xml.components(separatedBy: "<CdtTrfTxInf>").count == 4)
            #expect(xml.contains("<NbOfTxs>3</NbOfTxs>") && xml.contains("<CtrlSum>9053.00</CtrlSum>"))
            #expect(xml.contains("<Nm>SerbanE1 Ana</Nm>") && xml.contains("<EndToEndId>SAL202603-E2</EndToEndId>"))
            #expect(xml.contains("<IBAN>RO49AAAA1B31007593840000</IBAN>") && xml.contains("<ReqdExctnDt>\(today.iso)</ReqdExctnDt>"))
            let csv = try await culise.salaryPaymentCSV(company: company, month: march, actor: actor)
            #expect(csv.split(separator: "\n").count == 4 && csv.contains("E3,SerbanE3 Ana,RO81BRDE441SV72635018440,3512.00") == false)
            #expect(csv.contains("E3,Șerban") && csv.contains("3512.00"))
            // Written for CI's validation of every document, and validated here when the kit is installed.
            if let root = ProcessInfo.processInfo.environment["CULISE_TEST_OUTPUT"], !root.isEmpty {
                let folder = URL(fileURLWithPath: root).appendingPathComponent("pain001")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(xml.utf8).write(to: folder.appendingPathComponent("salaries-2026-03-\(engine).xml"))
            }
            let validator = InvoicingFixtures.conformanceKit.appendingPathComponent("validate-declaration")
            if FileManager.default.isExecutableFile(atPath: validator.path) {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("pain001-\(UUID().uuidString).xml")
                try Data(xml.utf8).write(to: file)
                let process = Process()
                process.executableURL = validator
                process.arguments = ["--form", "pain001", "-q", file.path]
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "validate-declaration refused the salary file")
                try? FileManager.default.removeItem(at: file)
            }
        }
    }
}
