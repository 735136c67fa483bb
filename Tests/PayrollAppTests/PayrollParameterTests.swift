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

/// Payroll parameters an administrator sets from a month (issue 15 item 8): the run of that month uses them, every
/// bad value is named, months already approved keep theirs, only administrators change them, and the change is audited.
@Suite struct PayrollParameterTests {
    @Test(arguments: Engine.available)
    func anAdministratorSetsTheParametersFromAMonth(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addEmployee(
                company: company, EmployeeInput(code: "E1", lastName: "Pop", firstName: "Ana", cnp: PeopleSamples.cnp(1, 85, 3, 2)),
                contract: ContractTerms(
                    number: "CIM-1", signed: try LocalDate(iso: "2026-01-02"), start: try LocalDate(iso: "2026-01-05"),
                    duration: .indefinite, normHours: 8, baseSalary: .ron(500_000), position: "AGENT", corCode: "332202"),
                actor: actor)
            let march = try YearMonth(year: 2026, month: 3)
            let april = try YearMonth(year: 2026, month: 4)
            for month in [march, april] {
                _ = try await culise.generateTimesheets(company: company, month: month, employee: nil, actor: actor)
                _ = try await culise.approveTimesheets(company: company, month: month, actor: actor)
            }
            _ = try await culise.computePayroll(company: company, month: march, actor: actor)
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: .system("test approve"))

            let shipped = try PayrollParameterTable.inForce(april)
            // Every bad value at once; a set starts on the first of a month.
            var bad = shipped
            bad.from = try LocalDate(iso: "2026-04-15")
            bad.camPercent = Decimal(string: "2.255") ?? 0
            bad.minimumWage = .ron(0)
            bad.deductionPercents = []
            await expectRefusals(["payroll.parameter", "payroll.parameter", "payroll.parameter", "payroll.parameter"]) {
                try await culise.setPayrollParameters(company: company, bad, actor: actor)
            }
            // March is approved with the shipped values: a set from March is refused, from April accepted.
            var mine = shipped
            mine.from = march.firstDay
            mine.camPercent = 3
            await expectRefusal("payroll.parameters_posted", field: "from") {
                try await culise.setPayrollParameters(company: company, mine, actor: actor)
            }
            let clerk = Actor.user(
                Principal(userID: UserID.generate(), email: "s@alfa.ro", displayName: "S", companyID: company, role: .payroll))
            mine.from = april.firstDay
            await expectRefusal("auth.forbidden") { try await culise.setPayrollParameters(company: company, mine, actor: clerk) }
            let set = try await culise.setPayrollParameters(company: company, mine, actor: actor)
            #expect(set.source == "company")
            let sets = try await culise.payrollParameterSets(company: company, actor: clerk)
            #expect(sets.map(\.parameters.from.iso) == ["2025-01-01", "2026-04-01", "2026-07-01"])
            #expect(sets.map(\.source) == ["culise", "company", "culise"])

            // April's run uses CAM 3 %: 150 on 5,000 (March kept 2.25 %: 113).
            let run = try await culise.computePayroll(company: company, month: april, actor: actor)
            #expect(run.lines.first?.result.cam == .ron(15_000))
            #expect(run.lines.first?.result.lines.contains { $0.explanation.hasPrefix("CAM 3 % of 5000.00") } == true)
            #expect(
                try await culise.payrollRuns(company: company, month: march, actor: actor).last?.lines.first?.result.cam == .ron(11_300))
            let audited = try await culise.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'payroll.parameters'").first()?.decode(
                    column: "n", as: Int64.self)
            }
            #expect(audited == 1)
        }
    }
}
