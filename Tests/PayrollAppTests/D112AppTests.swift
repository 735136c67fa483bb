import Application
import Filings
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

/// D112 from a posted run on both engines (issue 15 item 7): the XML compared byte for byte with a golden file and
/// checked against ANAF's XSD by the conformance kit, its totals equal to the posted amounts account by account, and
/// the filing's lifecycle (filed, rejected, rectified by a `d_rec="1"` declaration).
@Suite struct D112AppTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/d112-2026-03-three-employees.xml")

    static func lei(_ whole: Int64) -> Money { .ron(whole * 100) }

    /// Three employees in March 2026: E1 at the minimum wage (the 300-lei untaxed amount), E2 at 5,000 with two
    /// dependants, E3 part time 4 h from Tuesday 10 March at 3,000, under 26; meal vouchers of 40 lei each.
    static func threeEmployees(_ culise: Culise, _ company: CompanyID, _ actor: Actor) async throws {
        for (code, last, cnp, salary, norm, start, dependants) in [
            ("E1", "Ionescu", PeopleSamples.cnp(2, 80, 1, 10), Int64(4_050), 8, "2023-09-01", 0),
            ("E2", "Marin", PeopleSamples.cnp(1, 85, 3, 2), 5_000, 8, "2025-01-15", 2),
            ("E3", "Pop", PeopleSamples.cnp(5, 2, 5, 14), 3_000, 4, "2026-03-10", 0),
        ] {
            _ = try await culise.addEmployee(
                company: company,
                EmployeeInput(code: code, lastName: last, firstName: "Ana", cnp: cnp, county: "RO-CJ", declaredDependants: dependants),
                contract: ContractTerms(
                    number: "CIM-\(code)", signed: try LocalDate(iso: start).adding(days: -3), start: try LocalDate(iso: start),
                    duration: .indefinite, normHours: norm, baseSalary: lei(salary), position: "AGENT", corCode: "332202"),
                actor: actor)
        }
        try await culise.setMealVoucherValue(company: company, lei(40), actor: actor)
    }

    @Test(arguments: Engine.available)
    func d112OfAPostedRun(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let march = try YearMonth(year: 2026, month: 3)
            try await Self.threeEmployees(culise, company, actor)
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            _ = try await culise.approveTimesheets(company: company, month: march, actor: actor)
            _ = try await culise.computePayroll(company: company, month: march, actor: actor)

            // Without the CAEN code and the declarant, both are named; a computed run gives a draft, not a filing.
            await expectRefusals(["payroll.d112_settings", "payroll.d112_settings"]) {
                try await culise.d112Draft(company: company, month: march, actor: actor)
            }
            await expectRefusals(["payroll.caen", "payroll.declarant"]) {
                try await culise.setPayrollFilingSettings(
                    company: company,
                    PayrollFilingSettings(caen: "46.90", declarantLastName: String(repeating: "x", count: 76)), actor: actor)
            }
            try await culise.setPayrollFilingSettings(
                company: company,
                PayrollFilingSettings(
                    caen: "4690", declarantLastName: "Popescu", declarantFirstName: "Maria", declarantFunction: "Administrator"),
                actor: actor)
            let draft = try await culise.d112Draft(company: company, month: march, actor: actor)
            #expect(draft.problems.isEmpty && !draft.rectifying)
            await expectRefusal("payroll.d112_unposted", field: "month") {
                try await culise.generateD112(company: company, month: march, actor: actor)
            }
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: .system("test approve"))
            let run = try await culise.postPayroll(company: company, month: march, actor: actor)

            var filing = try await culise.generateD112(company: company, month: march, actor: actor)
            #expect(filing.state == .validated && filing.problems.isEmpty && filing.xml == draft.xml && filing.due.iso == "2026-04-27")
            // Overdue (April 2026) and not filed: the daily reminder tells the administrator.
            #expect(try await culise.remindPayrollDeclarations(company: company, actor: .system("job filings.reminders")) == 1)
            let reminded = try await culise.database.read { db in
                try await db.raw("SELECT title FROM notifications WHERE kind = 'filing.due'").all().map {
                    try $0.decode(column: "title", as: String.self)
                }
            }
            #expect(reminded == ["D112 pentru 2026-03: termen 2026-04-27"])
            // The golden file: regenerate with CULISE_UPDATE_GOLDEN=1 and review the diff.
            if ProcessInfo.processInfo.environment["CULISE_UPDATE_GOLDEN"] == "1" {
                try Data(filing.xml.utf8).write(to: Self.golden)
            }
            #expect(filing.xml == (try String(contentsOf: Self.golden, encoding: .utf8)), "D112 differs from Tests/Golden")
            try DeclarationFiles.validate(filing.xml, name: "d112-2026-03-\(engine)", form: "d112")

            // The declaration's totals equal the posted amounts account by account.
            let totals = D112.totals(try Self.declaration(filing.xml))
            let books = try await PayrollRunAppTests.ledger(culise, company)
            #expect(books.contains("4315 C \(totals.cas).00") && books.contains("4316 C \(totals.cass).00"))
            #expect(books.contains("444 C \(totals.incomeTax).00") && books.contains("436 C \(totals.cam).00"))
            #expect(run.total(\.cas) == Self.lei(totals.cas) && run.total(\.tax) == Self.lei(totals.incomeTax))

            // The taxes paid to the Treasury: one transfer of what the D112 declares, to a TREZ account, valid pain.001.
            await expectRefusals(["payroll.treasury_iban", "payroll.execution_date"]) {
                try await culise.treasuryPaymentFile(
                    company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840000", treasuryIBAN: "RO80RNCB0091735402618001",
                    executionDate: culise.today.adding(days: -1), actor: actor)
            }
            await expectRefusal("payroll.d112_missing", field: "month") {
                try await culise.treasuryPaymentFile(
                    company: company, month: try YearMonth(year: 2026, month: 2), debtorIBAN: "RO49AAAA1B31007593840000",
                    treasuryIBAN: "RO14TREZ2165503XXXXXXXXX", executionDate: culise.today, actor: actor)
            }
            let taxes = try await culise.treasuryPaymentFile(
                company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840000", treasuryIBAN: "RO14 TREZ 2165 503X XXXX XXXX",
                executionDate: culise.today, actor: actor)
            #expect(taxes.contains("<NbOfTxs>1</NbOfTxs>") && taxes.contains("<CtrlSum>\(totals.total).00</CtrlSum>"))
            #expect(taxes.contains("<IBAN>RO14TREZ2165503XXXXXXXXX</IBAN>") && taxes.contains("<EndToEndId>D112-202603</EndToEndId>"))
            try DeclarationFiles.validate(taxes, name: "treasury-2026-03-\(engine)", form: "pain001")

            // Filed, rejected, then rectified: the new declaration carries d_rec="1"; the rejected one is kept.
            await expectRefusal("filing.illegal_transition", field: "action") {
                try await culise.recordFilingAnswer(company: company, id: filing.id, accepted: true, message: nil, actor: actor)
            }
            await expectRefusals(["filing.registration_number", "filing.filed_on"]) {
                try await culise.markFiled(company: company, id: filing.id, number: " ", date: culise.today.adding(days: 1), actor: actor)
            }
            filing = try await culise.markFiled(
                company: company, id: filing.id, number: "INTERNT-123456789", date: try LocalDate(iso: "2026-04-20"), actor: actor)
            #expect(filing.state == .filed && filing.registrationNumber == "INTERNT-123456789")
            await expectRefusal("filing.awaiting_answer", field: "period") {
                try await culise.generateD112(company: company, month: march, actor: actor)
            }
            await expectRefusal("filing.answer", field: "message") {
                try await culise.recordFilingAnswer(company: company, id: filing.id, accepted: false, message: "", actor: actor)
            }
            filing = try await culise.recordFilingAnswer(
                company: company, id: filing.id, accepted: false, message: "Eroare validare: A_codBugetar", actor: actor)
            #expect(filing.state == .rejected)
            let rectifying = try await culise.generateD112(company: company, month: march, actor: actor)
            #expect(rectifying.rectifies == filing.id && rectifying.xml.contains("d_rec=\"1\"") && rectifying.state == .validated)
            try DeclarationFiles.validate(rectifying.xml, name: "d112-2026-03-rectifying-\(engine)", form: "d112")
            let all = try await culise.filings(company: company, actor: actor)
            #expect(all.map(\.state) == [.validated, .rectified] || all.map(\.state) == [.rectified, .validated])
            #expect(try await culise.payrollDeclarations(company: company, actor: actor).first?.filing?.id == rectifying.id)

            // Nothing unknown opens; nothing over the limit is kept; a run line whose employee no longer has a contract in
            // the month cannot be declared.
            await expectRefusal("filing.not_found", field: "id") {
                try await culise.filing(company: company, id: FilingID.generate(), actor: actor)
            }
            await expectRefusal("filing.too_large", field: "period") {
                try await culise.transaction { db in
                    try await culise.recordFiling(
                        db, company: company, form: .d112, period: try YearMonth(year: 2026, month: 2), actor: actor
                    ) { _ in
                        (String(repeating: "x", count: Limits.filingBytes + 1), [])
                    }
                }
            }
            try await culise.database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO payroll_lines SELECT company_id, run_id, 'E9', name, department, worked_days, base_pay, bonuses, gross,
                        untaxed, cas, cass, deduction, taxable, tax, net, meal_vouchers, advance, garnishments, net_to_pay, cam, cost, explanation
                    FROM payroll_lines WHERE employee = 'E1'
                    """
                ).run()
            }
            await expectRefusal("payroll.d112_employee", field: "E9") {
                try await culise.d112Draft(company: company, month: march, actor: actor)
            }

            // Roles: the accountant reads payroll, so sees D112 but cannot file it; HR reads payroll too; IT sees nothing.
            let accountant = Actor.user(
                Principal(userID: UserID.generate(), email: "c@alfa.ro", displayName: "C", companyID: company, role: .accountant))
            #expect(try await culise.filings(company: company, actor: accountant).count == 2)
            await expectRefusal("auth.forbidden") {
                try await culise.markFiled(
                    company: company, id: rectifying.id, number: "1", date: try LocalDate(iso: "2026-04-21"), actor: accountant)
            }
            let it = Actor.user(Principal(userID: UserID.generate(), email: "i@alfa.ro", displayName: "I", companyID: company, role: .it))
            await expectRefusal("auth.forbidden") { try await culise.filings(company: company, actor: it) }
        }
    }

    /// The figures back from the XML, to compare with the books (the writer's own types, filled from the attributes).
    static func declaration(_ xml: String) throws -> D112Declaration {
        func attribute(_ name: String, in text: Substring) -> Int64 {
            guard let range = text.range(of: " \(name)=\"") else { return 0 }
            return Int64(text[range.upperBound...].prefix { $0 != "\"" }) ?? 0
        }
        let people: [Substring] = Array(xml.components(separatedBy: "<asigurat ").dropFirst()).map { Substring($0) }
        return D112Declaration(
            period: try YearMonth(year: 2026, month: 3),
            employer: D112Employer(cif: "1", name: "", caen: "", healthFund: ""),
            declarant: Declarant(lastName: "", firstName: "", function: ""),
            insured: try people.map { p in
                D112Insured(
                    cnp: "", lastName: "", firstName: "", hired: try LocalDate(iso: "2026-01-01"), healthFund: "", normHours: 8,
                    workedDays: 0, workedHours: 0, baseSalary: 0, gross: attribute("A_5", in: p) * 100, cas: attribute("A_14", in: p) * 100,
                    cass: attribute("A_12", in: p) * 100, basicDeduction: 0, taxable: 0, tax: attribute("E3_15", in: p) * 100, net: 0)
            },
            casRate: 2_500, cassRate: 1_000, taxRate: 1_000, camRate: 225)
    }
}
