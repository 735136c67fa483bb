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

/// SAF-T (D406) through the API and the pages: the period's file in figures with its blockers, the draft XML, generating
/// and keeping it; a role without accounting is refused on the server.
@Suite struct SAFTWebTests {
    @Test(arguments: Engine.available)
    func theFileThroughTheAPIAndThePages(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let token = try await VATWebTests.accountantToken(culise, setup)
            _ = try await InvoicingFixtures.issue(culise, setup, product: "LAPTOP", quantity: "2", on: "2026-03-05")

            // Without the declarant and the phone the figures are there, the XML is not: each missing setting named.
            let shown = try await browser.api(.get, "/api/v1/saft/2026-03", token: token)
            let blockers = (shown.json["blockers"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(shown.status == .ok && blockers == ["declarant_last_name", "declarant_first_name", "phone", "iban"], "\(shown.text)")
            let accounts = shown.json["accounts"] as? [[String: Any]] ?? []
            #expect(accounts.contains { $0["code"] as? String == "4111" && $0["type"] as? String == "Activ" }, "\(shown.text)")
            let refused = try await browser.api(.post, "/api/v1/saft/2026-03/d406", token: token, json: "{}")
            #expect(refused.status == .unprocessableContent && VATWebTests.ids(refused).first == "filing.settings", "\(refused.text)")
            let settings = try await browser.api(
                .put, "/api/v1/vat/settings", token: token,
                json:
                    #"{"vat_period":"monthly","caen":"6201","declarant_last_name":"Popescu","declarant_first_name":"Maria","declarant_function":"Administrator","bank_name":"Banca Exemplu","iban":"RO49AAAA1B31007593840000","phone":"0264000111"}"#
            )
            #expect(settings.status == .ok, "\(settings.text)")
            let draft = try await browser.api(.get, "/api/v1/saft/2026-03/d406", token: token)
            let xml = draft.json["xml"] as? String ?? ""
            #expect(
                draft.status == .ok && xml.contains("<AuditFile xmlns=\"mfp:anaf:dgti:d406:declaratie:v1\">"), "\(draft.text.prefix(300))")
            try DeclarationFiles.validate(xml, name: "d406-web-\(engine)", form: "d406")
            let generated = try await browser.api(.post, "/api/v1/saft/2026-03/d406", token: token, json: "{}")
            #expect(generated.status == .created && generated.json["state"] as? String == "validated", "\(generated.text)")
            #expect(generated.json["form"] as? String == "d406")

            // The pages: the accounts with their balances, the download, generating again (the first one discarded).
            try await browser.login("contabil@alfa.ro", Fixtures.password)
            let page = try await browser.get("/saft?period=2026-03")
            #expect(
                page.status == .ok && page.text.contains("4111") && page.text.contains("/saft/2026-03/d406.xml"), "\(page.text.prefix(200))"
            )
            #expect(try await browser.get("/saft/2026-03/d406.xml").text.contains("<HeaderComment>L</HeaderComment>"))
            let again = try await browser.post("/saft/2026-03/actions", ["action": "generate"], from: "/saft?period=2026-03")
            #expect(again.status == .seeOther)
            let filings = try await culise.filings(company: setup.company, form: .d406, actor: .user(setup.admin))
            #expect(filings.map(\.state).sorted { $0.rawValue < $1.rawValue } == [.discarded, .validated])

            // Filed on the filing's page with ANAF's receipt (a multipart form), which the page then lists.
            let kept = try #require(filings.first { $0.state == .validated })
            let csrf = try await browser.csrf(from: "/filings/\(kept.id)")
            let (headers, body) = BankWebTests.multipart(
                ["_csrf": csrf, "action": "file", "number": "INTERNT-406", "date": "2026-04-28"],
                file: (name: "receipt", filename: "recipisa.pdf", data: Data("%PDF-1.4\nrecipisa\n".utf8)))
            let filed = try await browser.request(.post, "/vat/filings/\(kept.id)", headers: headers, body: body)
            #expect(filed.status == .seeOther, "\(filed.text.prefix(300))")
            let receipts = try await culise.filingReceipts(company: setup.company, id: kept.id, actor: .user(setup.admin))
            #expect(receipts.map(\.fileName) == ["recipisa.pdf"])
            let detail = try await browser.get("/filings/\(kept.id)")
            #expect(detail.text.contains("/documents/\(receipts.first?.id.description ?? "-")") && detail.text.contains("INTERNT-406"))
            // Another of ANAF's files through the API; the list has both.
            let added = try await browser.client.execute(
                uri: "/api/v1/vat/filings/\(kept.id)/receipts?filename=confirmare.xml", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"],
                body: ByteBuffer(string: "<?xml version=\"1.0\"?><confirmare/>"))
            #expect(added.status == .created, "\(String(buffer: added.body))")
            let listed = try await browser.api(.get, "/api/v1/vat/filings/\(kept.id)/receipts", token: token)
            #expect((listed.json["items"] as? [Any])?.count == 2, "\(listed.text)")

            // HR staff have no accounting: refused on the server.
            let hr = try await culise.addUser(
                email: "hr@alfa.ro", displayName: "HR", password: Fixtures.password, company: setup.company, role: .hr, actor: setup.actor)
            let hrToken = try await culise.createToken(user: hr, company: setup.company, name: "t", actor: .system("test")).1
            let forbidden = try await browser.api(.get, "/api/v1/saft/2026-03", token: hrToken)
            #expect(forbidden.status == .forbidden, "\(forbidden.status)")
            let forbiddenWrite = try await browser.api(.post, "/api/v1/saft/2026-03/d406", token: hrToken, json: "{}")
            #expect(forbiddenWrite.status == .forbidden, "\(forbiddenWrite.status)")
        }
    }
}
