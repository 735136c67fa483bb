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
            // Parameters: everyone in payroll reads them, only an administrator sets them (after the posted March).
            let parameters = try await browser.api(.get, "/api/v1/payroll/parameters", token: tokens["salarii@alfa.ro"])
            #expect((parameters.json["items"] as? [[String: Any]])?.first?["minimum_wage"] as? String == "4050.00", "\(parameters.text)")
            let clerkSets = try await browser.api(
                .put, "/api/v1/payroll/parameters/2026-05", token: tokens["salarii@alfa.ro"], json: #"{"cam_percent":"3"}"#)
            #expect(clerkSets.status == .forbidden)
            let adminSets = try await browser.api(
                .put, "/api/v1/payroll/parameters/2026-05", token: adminToken, json: #"{"cam_percent":"3"}"#)
            #expect(adminSets.status == .ok && adminSets.json["cam_percent"] as? String == "3", "\(adminSets.text)")
            let tooEarly = try await browser.api(
                .put, "/api/v1/payroll/parameters/2026-03", token: adminToken, json: #"{"cam_percent":"3"}"#)
            #expect(tooEarly.status == .conflict && Self.ids(tooEarly) == ["payroll.parameters_posted"], "\(tooEarly.text)")
            let summary = try await browser.api(.get, "/api/v1/payroll/runs/2026-03/summary", token: tokens["salarii@alfa.ro"])
            #expect((summary.json["items"] as? [[String: Any]])?.first?["employees"] as? Int == 2, "\(summary.text)")
            let badSummary = try await browser.api(.get, "/api/v1/payroll/runs/2026-03/summary?by=team", token: tokens["salarii@alfa.ro"])
            #expect(badSummary.status == .unprocessableContent)
            // Payslips as files, and by e-mail (nobody here has an address on record: each is named).
            let htmlSlip = try await browser.api(
                .get, "/api/v1/payroll/payslips/2026-03/E2?format=html&lang=en", token: tokens["salarii@alfa.ro"])
            #expect(htmlSlip.status == .ok && htmlSlip.text.contains("PAYSLIP · March 2026"), "\(htmlSlip.text.prefix(200))")
            let mailed = try await browser.api(
                .post, "/api/v1/payroll/runs/2026-03/payslip-emails", token: tokens["salarii@alfa.ro"], json: "{}")
            #expect(mailed.status == .ok && mailed.json["queued"] as? Int == 0, "\(mailed.text)")
            #expect(mailed.json["without_email"] as? [String] == ["E1", "E2"])
            // The employee's own payslips, and nobody else's.
            let mine = try await browser.api(.get, "/api/v1/me/payslips", token: tokens["ion@alfa.ro"])
            let slips = (mine.json["items"] as? [[String: Any]]) ?? []
            #expect(slips.count == 1 && (slips.first?["payslip"] as? [String: Any])?["employee"] as? String == "E1", "\(mine.text)")

            // The pages: the register, a payslip in Romanian, the employee's own payslip.
            try await browser.login(admin.email, Fixtures.password)
            let register = try await browser.get("/payroll?month=2026-03")
            // The home page lists the month's D112, not generated yet and overdue (April 2026).
            let home = try await browser.get("/home")
            #expect(home.text.contains("href=\"/payroll?month=2026-03\">D112") && home.text.contains("întârziată"))
            #expect(register.status == .ok && register.text.contains("NumeE2") && register.text.contains("plătit"))
            let payslip = try await browser.get("/payroll/2026-03/E1")
            #expect(payslip.status == .ok && payslip.text.contains("/payroll/2026-03/E1/pdf"))
            let parameterPage = try await browser.get("/payroll/parameters")
            #expect(parameterPage.status == .ok && parameterPage.text.contains("4325.00") && parameterPage.text.contains("companie"))
            let badParameters = try await browser.post(
                "/payroll/parameters", ["from": "2026-06", "cam_percent": "abc"], from: "/payroll/parameters")
            #expect(badParameters.status == .unprocessableContent)
            let csv = try await browser.get("/payroll?month=2026-03&export=register")
            #expect(csv.status == .ok && csv.text.contains("NumeE2") && csv.text.contains(";"))
            #expect(try await browser.get("/payroll?month=2026-03&export=cost_centre").status == .ok)
            #expect(try await browser.get("/payroll?month=2026-03&export=bogus").status == .notFound)
            #expect(try await browser.get("/payroll/2026-02/E1").status == .notFound)
            #expect(try await browser.get("/payroll/2026-03/E9").status == .notFound)
            let pdf = try await browser.get("/payroll/2026-03/E1/pdf")
            #expect(pdf.status == .ok && pdf.text.hasPrefix("%PDF-"))
            #expect(payslip.text.contains("Deducere personală") && payslip.text.contains("suma netaxabilă"))
            browser.setCookie("culise_session", nil)
            try await browser.login("ion@alfa.ro", Fixtures.password)
            let me = try await browser.get("/me")
            #expect(me.text.contains("/me/payslips/2026-03"))
            #expect(try await browser.get("/me/payslips/2026-03").status == .ok)
            #expect(try await browser.get("/me/payslips/2026-03/pdf").text.hasPrefix("%PDF-"))
            #expect(try await browser.get("/me/payslips/2026-02/pdf").status == .notFound)
            #expect(try await browser.get("/me/payslips/2026-02").status == .notFound)
            #expect(try await browser.get("/payroll/2026-03/E2").status == .forbidden)

            // D112 through the API: the settings (refused, then set), the draft, the declaration kept, its XML, and the
            // lifecycle's steps; an unknown step names the field.
            let clerk = tokens["salarii@alfa.ro"]
            let badSettings = try await browser.api(.put, "/api/v1/payroll/settings", token: clerk, json: #"{"caen":"46A"}"#)
            #expect(badSettings.status == .unprocessableContent && Self.ids(badSettings) == ["payroll.caen"], "\(badSettings.text)")
            let settings = try await browser.api(
                .put, "/api/v1/payroll/settings", token: clerk,
                json:
                    #"{"caen":"4690","declarant_last_name":"Popescu","declarant_first_name":"Maria","declarant_function":"Administrator"}"#)
            #expect(settings.status == .ok && settings.json["caen"] as? String == "4690", "\(settings.text)")
            let draft = try await browser.api(.get, "/api/v1/payroll/runs/2026-03/d112", token: clerk)
            #expect(draft.status == .ok && (draft.json["xml"] as? String ?? "").contains("<declaratieUnica"), "\(draft.text)")
            let generated = try await browser.api(.post, "/api/v1/payroll/runs/2026-03/d112", token: clerk, json: "{}")
            #expect(generated.status == .created && generated.json["state"] as? String == "validated", "\(generated.text)")
            #expect(generated.json["due"] as? String == "2026-04-27")
            let id = generated.json["id"] as? String ?? ""
            let xml = try await browser.api(.get, "/api/v1/filings/\(id)/xml", token: clerk)
            #expect(xml.status == .ok && xml.text.contains("A_codOblig=\"602\""))
            let listed = try await browser.api(.get, "/api/v1/filings?form=d112", token: adminToken)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 1, "\(listed.text)")
            func step(_ json: String) async throws -> TestResponse {
                try await browser.api(.post, "/api/v1/filings/\(id)/actions", token: clerk, json: json)
            }
            let unknown = try await step(#"{"action":"withdraw"}"#)
            #expect(unknown.status == .unprocessableContent && Self.ids(unknown) == ["filing.action"], "\(unknown.text)")
            let early = try await step(#"{"action":"accept"}"#)
            #expect(early.status == .conflict && Self.ids(early) == ["filing.illegal_transition"], "\(early.text)")
            let filed = try await step(#"{"action":"file","number":"INTERNT-42","date":"2026-04-20"}"#)
            #expect(filed.status == .ok && filed.json["state"] as? String == "filed", "\(filed.text)")
            #expect(try await browser.api(.get, "/api/v1/filings", token: tokens["ion@alfa.ro"]).status == .forbidden)

            // The pages: the payroll page shows the declaration, the list and the filing; ANAF's answer by form.
            browser.setCookie("culise_session", nil)
            try await browser.login(admin.email, Fixtures.password)
            #expect(try await browser.get("/payroll?month=2026-03").text.contains("/filings/\(id)"))
            let list = try await browser.get("/filings")
            #expect(list.status == .ok && list.text.contains("INTERNT-42") && list.text.contains("depusă, așteaptă ANAF"))
            let rejected = try await browser.post("/filings/\(id)", ["action": "reject", "message": ""], from: "/filings/\(id)")
            #expect(rejected.status == .unprocessableContent && rejected.text.contains("mesajul ANAF"), "\(rejected.text.prefix(300))")
            let answered = try await browser.post(
                "/filings/\(id)", ["action": "reject", "message": "Eroare: A_codBugetar"], from: "/filings/\(id)")
            #expect(answered.status == .seeOther)
            let page = try await browser.get("/filings/\(id)")
            #expect(page.text.contains("respinsă") && page.text.contains("Eroare: A_codBugetar"))
            #expect(try await browser.get("/filings/\(id)/xml").status == .ok)
            #expect(try await browser.get("/filings/d112/2026-03/draft").text.contains("d_rec=\"1\""))
            let again = try await browser.post("/payroll", ["month": "2026-03", "action": "d112"], from: "/payroll?month=2026-03")
            #expect(again.status == .seeOther)

            // Payment files: the salaries need every IBAN (named), the taxes go where the rectifying D112 says.
            let salaries = try await browser.api(
                .get, "/api/v1/payroll/runs/2026-03/payment-file?account=RO49AAAA1B31007593840000", token: clerk)
            #expect(salaries.status == .conflict && Set(Self.ids(salaries)) == ["payroll.iban_missing"], "\(salaries.text)")
            let taxes = try await browser.api(
                .get, "/api/v1/payroll/runs/2026-03/tax-file?account=RO49AAAA1B31007593840000&treasury=RO14TREZ2165503XXXXXXXXX",
                token: clerk)
            #expect(taxes.status == .ok && taxes.text.contains("<CtgyPurp><Cd>TAXS</Cd></CtgyPurp>"), "\(taxes.text.prefix(300))")
            let taxPage = try await browser.get(
                "/payroll?month=2026-03&export=treasury&account=RO49AAAA1B31007593840000&treasury=RO14TREZ2165503XXXXXXXXX")
            #expect(taxPage.status == .ok && taxPage.text.contains("D112-202603"))
            let refusedPage = try await browser.get("/payroll?month=2026-03&export=pain001&account=RO49AAAA1B31007593840000")
            #expect(refusedPage.status == .unprocessableContent && refusedPage.text.contains("IBAN"))
        }
    }
}
