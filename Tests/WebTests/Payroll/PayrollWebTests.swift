import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Kernel
import People
import PeopleApp
import TestSupport
import Testing

/// Payroll through the API and the pages: a run computed by one person and approved by another, posted and paid; the
/// register and each payslip with its explanations; the employee sees their own payslip and nobody else's.
@Suite struct PayrollWebTests {
    static func ids(_ response: TestResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test(arguments: Engine.available)
    func aRunThroughTheAPIAndThePages(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let (_, adminToken) = try await culise.createToken(user: admin.userID, company: company, name: "admin", actor: actor)
            var tokens: [String: String] = [:]
            for (email, role) in [("salarii@alfa.ro", Role.payroll), ("ion@alfa.ro", Role.employee), ("ana@alfa.ro", Role.employee)] {
                let user = try await culise.addUser(
                    email: email, displayName: email, password: Fixtures.password, company: company, role: role, actor: actor)
                tokens[email] = try await culise.createToken(user: user, company: company, name: "t", actor: .system("test")).1
            }
            for (code, cnp, salary, email) in [
                ("E1", PeopleSamples.cnp(2, 80, 1, 10), Int64(4_050), "ion@alfa.ro"),
                ("E2", PeopleSamples.cnp(1, 85, 3, 2), 5_000, "ana@alfa.ro"),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2026-01-02"), start: try LocalDate(iso: "2026-01-05"),
                        duration: .indefinite, normHours: 8, baseSalary: .ron(salary * 100), position: "AGENT", corCode: "332202"),
                    actor: actor)
                try await culise.linkEmployeeUser(company: company, employee: code, email: email, actor: actor)
            }
            let march = try YearMonth(year: 2026, month: 3)
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            for code in ["E1", "E2"] {
                _ = try await culise.decideTimesheet(company: company, employee: code, month: march, .approve, actor: actor)
            }

            let items = try await browser.api(
                .put, "/api/v1/payroll/items/2026-03/E2", token: adminToken, json: #"{"bonuses":"250","advance":"500"}"#)
            #expect(items.status == .ok, "\(items.text)")
            func act(_ action: String, _ token: String?, extra: String = "") async throws -> TestResponse {
                try await browser.api(
                    .post, "/api/v1/payroll/runs/2026-03/actions", token: token, json: #"{"action":"\#(action)"\#(extra)}"#)
            }
            let wrong = try await act("undo", adminToken)
            #expect(wrong.status == .unprocessableContent && Self.ids(wrong) == ["payroll.action"], "\(wrong.text)")
            let computed = try await act("compute", adminToken)
            #expect(computed.status == .ok && computed.json["state"] as? String == "computed", "\(computed.text)")
            #expect(computed.json["gross"] as? String == "9300.00")
            let own = try await act("approve", adminToken)
            #expect(own.status == .forbidden && Self.ids(own) == ["payroll.own_run"], "\(own.text)")
            #expect(try await act("approve", tokens["salarii@alfa.ro"]).json["state"] as? String == "approved")
            #expect(try await act("post", tokens["salarii@alfa.ro"]).json["state"] as? String == "posted")
            let paid = try await act("pay", tokens["salarii@alfa.ro"], extra: #","date":"2026-04-10""#)
            #expect(paid.json["state"] as? String == "paid", "\(paid.text)")
            let runs = try await browser.api(.get, "/api/v1/payroll/runs/2026-03", token: tokens["salarii@alfa.ro"])
            let employees = ((runs.json["items"] as? [[String: Any]])?.first?["employees"] as? [[String: Any]]) ?? []
            // E2: 5,250 is 1,200 above the minimum: 24 steps → 8 % → 324; CAS 1,312.5 → 1,313, CASS 525; taxable 3,088 →
            // 309; net 3,103, less the 500 advance.
            #expect(employees.compactMap { $0["net"] as? String } == ["2574.00", "3103.00"], "\(runs.text)")
            #expect(employees.compactMap { $0["net_to_pay"] as? String } == ["2574.00", "2603.00"])
            #expect(try await browser.api(.get, "/api/v1/payroll/runs/2026-03", token: tokens["ion@alfa.ro"]).status == .forbidden)
            // The employee's own payslips, and nobody else's.
            let mine = try await browser.api(.get, "/api/v1/me/payslips", token: tokens["ion@alfa.ro"])
            let slips = (mine.json["items"] as? [[String: Any]]) ?? []
            #expect(slips.count == 1 && (slips.first?["payslip"] as? [String: Any])?["employee"] as? String == "E1", "\(mine.text)")

            // The pages: the register, a payslip in Romanian, the employee's own payslip.
            try await browser.login(admin.email, Fixtures.password)
            let register = try await browser.get("/payroll?month=2026-03")
            #expect(register.status == .ok && register.text.contains("NumeE2") && register.text.contains("plătit"))
            let payslip = try await browser.get("/payroll/2026-03/E1")
            #expect(payslip.status == .ok)
            #expect(payslip.text.contains("Deducere personală") && payslip.text.contains("suma netaxabilă"))
            browser.setCookie("culise_session", nil)
            try await browser.login("ion@alfa.ro", Fixtures.password)
            let me = try await browser.get("/me")
            #expect(me.text.contains("/me/payslips/2026-03"))
            #expect(try await browser.get("/me/payslips/2026-03").status == .ok)
            #expect(try await browser.get("/me/payslips/2026-02").status == .notFound)
            #expect(try await browser.get("/payroll/2026-03/E2").status == .forbidden)
        }
    }
}
