import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Invoicing
import Kernel
import TestSupport
import Testing

/// The VAT return through the API and the pages: the settings, the period's D300 (rows, checks, draft XML), generating
/// and keeping it, filing it as an accountant, closing and reopening the period's VAT.
@Suite struct VATWebTests {
    static func ids(_ response: TestResponse) -> [String] {
        ((response.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    /// An accountant `contabil@alfa.ro` (password `Fixtures.password`) and an API token of theirs.
    static func accountantToken(_ culise: Culise, _ setup: InvoicingSetup) async throws -> String {
        let accountant = try await culise.addUser(
            email: "contabil@alfa.ro", displayName: "Contabil", password: Fixtures.password, company: setup.company, role: .accountant,
            actor: setup.actor)
        return try await culise.createToken(user: accountant, company: setup.company, name: "t", actor: .system("test")).1
    }

    @Test(arguments: Engine.available)
    func aReturnThroughTheAPIAndThePages(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let token = try await Self.accountantToken(culise, setup)
            _ = try await InvoicingFixtures.issue(culise, setup, product: "LAPTOP", quantity: "2", on: "2026-03-05")
            _ = try await InvoicingFixtures.issue(culise, setup, product: "CARTE", quantity: "10", on: "2026-03-06")

            let bad = try await browser.api(.put, "/api/v1/vat/settings", token: token, json: #"{"vat_period":"yearly","caen":"62"}"#)
            #expect(bad.status == .unprocessableContent && Self.ids(bad) == ["filing.vat_period"], "\(bad.text)")
            let settings = try await browser.api(
                .put, "/api/v1/vat/settings", token: token,
                json:
                    #"{"vat_period":"monthly","caen":"6201","declarant_last_name":"Popescu","declarant_first_name":"Maria","declarant_function":"Administrator","bank_name":"Banca Exemplu","iban":"RO49AAAA1B31007593840000"}"#
            )
            #expect(settings.status == .ok && settings.json["caen"] as? String == "6201", "\(settings.text)")
            let shown = try await browser.api(.get, "/api/v1/vat/returns/2026-03", token: token)
            let rows = shown.json["rows"] as? [String: Any] ?? [:]
            #expect(shown.status == .ok && rows["R9_2"] as? Int == 1_470 && rows["R10_2"] as? Int == 88, "\(shown.text)")
            #expect((shown.json["blockers"] as? [Any])?.isEmpty == true && shown.json["payable"] as? Int == 1_558)
            let draft = try await browser.api(.get, "/api/v1/vat/returns/2026-03/d300", token: token)
            #expect(draft.status == .ok && (draft.json["xml"] as? String ?? "").contains("<declaratie300"), "\(draft.text)")
            let generated = try await browser.api(.post, "/api/v1/vat/returns/2026-03/d300", token: token, json: "{}")
            #expect(generated.status == .created && generated.json["state"] as? String == "validated", "\(generated.text)")
            let id = generated.json["id"] as? String ?? ""
            let closed = try await browser.api(.post, "/api/v1/vat/returns/2026-03/close", token: token, json: "{}")
            #expect(closed.status == .created && closed.json["entry"] as? String != nil, "\(closed.text)")
            let twice = try await browser.api(.post, "/api/v1/vat/returns/2026-03/close", token: token, json: "{}")
            #expect(twice.status == .conflict && Self.ids(twice) == ["vat.closed"], "\(twice.text)")
            let filed = try await browser.api(
                .post, "/api/v1/vat/filings/\(id)/actions", token: token,
                json: #"{"action":"file","number":"INTERNT-7","date":"2026-04-20"}"#)
            #expect(filed.status == .ok && filed.json["state"] as? String == "filed", "\(filed.text)")
            // The D394 needs the company's phone, which these settings lack: the lines are there, the XML is not.
            let d394 = try await browser.api(.get, "/api/v1/vat/returns/2026-03/d394", token: token)
            #expect(
                d394.status == .ok && (d394.json["lines"] as? [Any])?.count == 2 && (d394.json["xml"] as? String) == nil, "\(d394.text)")
            let noPhone = try await browser.api(.post, "/api/v1/vat/returns/2026-03/d394", token: token, json: "{}")
            #expect(noPhone.status == .unprocessableContent && Self.ids(noPhone) == ["filing.settings"], "\(noPhone.text)")
            // No partner in another member state this month: the D390 has nothing to declare.
            let vies = try await browser.api(.get, "/api/v1/vat/returns/2026-03/d390", token: token)
            #expect(vies.status == .ok && (vies.json["operations"] as? [Any])?.isEmpty == true, "\(vies.text)")
            let noVies = try await browser.api(.post, "/api/v1/vat/returns/2026-03/d390", token: token, json: "{}")
            #expect(noVies.status == .conflict && Self.ids(noVies) == ["filing.d390_empty"], "\(noVies.text)")
            let calendar = try await browser.api(.get, "/api/v1/filing-calendar?from=2026-03&to=2026-03", token: token)
            let items = calendar.json["items"] as? [[String: Any]] ?? []
            #expect(
                calendar.status == .ok && items.contains { $0["form"] as? String == "d300" && $0["state"] as? String == "filed" },
                "\(calendar.text)")
            // Accountants read payroll too (docs/security.md): they see D112 among the obligations.
            #expect(items.contains { $0["form"] as? String == "d112" && $0["written_by_culise"] as? Bool == true }, "\(calendar.text)")
            let badRange = try await browser.api(.get, "/api/v1/filing-calendar?from=2026-05&to=2026-01", token: token)
            #expect(badRange.status == .unprocessableContent && Self.ids(badRange) == ["filing.calendar_range"], "\(badRange.text)")
            let badPeriod = try await browser.api(.get, "/api/v1/vat/returns/2026-13", token: token)
            #expect(badPeriod.status == .unprocessableContent || badPeriod.status == .badRequest, "\(badPeriod.text)")

            // The pages: the return with its rows and state, reopening, the settings form naming a bad CAEN code.
            try await browser.login("contabil@alfa.ro", Fixtures.password)
            let page = try await browser.get("/vat?period=2026-03")
            #expect(page.status == .ok && page.text.contains("R9_2") && page.text.contains("1.470") && page.text.contains("închisă"))
            let reopened = try await browser.post("/vat/2026-03/actions", ["action": "reopen"], from: "/vat?period=2026-03")
            #expect(reopened.status == .seeOther)
            #expect(try await browser.get("/vat?period=2026-03").text.contains("neînchisă"))
            #expect(try await browser.get("/vat/2026-03/d300.xml").text.contains("nr_evid=\"10301010326250426000036\""))
            let form = try await browser.get("/vat/settings")
            #expect(form.status == .ok && form.text.contains("Banca Exemplu"))
            let refused = try await browser.post(
                "/vat/settings", ["vat_period": "monthly", "caen": "62.01", "iban": "RO49AAAA1B31007593840000"], from: "/vat/settings")
            #expect(refused.status == .unprocessableContent && refused.text.contains("patru cifre"), "\(refused.text.prefix(300))")
            let calendarPage = try await browser.get("/filing-calendar?from=2026-03&to=2026-03")
            #expect(calendarPage.status == .ok && calendarPage.text.contains("D300") && calendarPage.text.contains("D406"))
            let filing = try await browser.get("/filings/\(id)")
            #expect(filing.status == .ok && filing.text.contains("/vat/filings/\(id)"))
            let answered = try await browser.post(
                "/vat/filings/\(id)", ["action": "accept", "message": ""], from: "/filings/\(id)")
            #expect(answered.status == .seeOther, "\(answered.text.prefix(300))")
        }
    }
}
