import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@testable import Web

@Suite struct LedgerWebTests {
    @Test(arguments: Engine.available)
    func manualEntryFormShowsEveryErrorThenPosts(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let form = try await browser.get("/ledger/entries/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("data-add-line"))
            let bad = try await browser.post(
                "/ledger/entries",
                [
                    "journal": "GEN", "date": "2025-04-01", "description": "Comision", "lines[0].account": "627", "lines[0].debit": "10,50",
                    "lines[1].account": "9999", "lines[1].credit": "10.00", "lines[2].account": "4111", "lines[2].debit": "1.x",
                ],
                from: "/ledger/entries/new")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("f-lines[2].debit-error"))
            #expect(bad.text.contains("value=\"10,50\""), "values are kept")
            let badAccounts = try await browser.post(
                "/ledger/entries",
                [
                    "journal": "GEN", "date": "2025-04-01", "description": "Comision", "lines[0].account": "627", "lines[0].debit": "10.50",
                    "lines[1].account": "9999", "lines[1].credit": "10.00", "lines[2].account": "4111", "lines[2].debit": "1",
                ],
                from: "/ledger/entries/new")
            #expect(badAccounts.status == .unprocessableContent)
            #expect(badAccounts.text.contains("f-lines[1].account-error"))
            #expect(badAccounts.text.contains("f-lines[2].partner") && badAccounts.text.contains("Nota nu este echilibrată"))
            #expect(try await culise.entries(company: company, page: .first, actor: .user(admin)).total == 0)
            let good = try await browser.post(
                "/ledger/entries",
                [
                    "journal": "GEN", "date": "2025-04-01", "description": "Comision", "lines[0].account": "627", "lines[0].debit": "10.50",
                    "lines[1].account": "5121", "lines[1].credit": "10.50", "action": "post",
                ],
                from: "/ledger/entries/new")
            #expect(good.status == .seeOther)
            let location = try #require(good.headers[.location])
            let detail = try await browser.get(location)
            #expect(detail.text.contains("GEN-000001"))
            let balance = try await browser.get("/ledger/trial-balance?from=2025-04-01&to=2025-04-30")
            #expect(balance.text.contains("/ledger/account-sheet?account=627"))
            #expect(balance.text.contains("10,50"))
            // The CSV downloads with the page's session, in the reader's format (issue 13, item 4).
            #expect(balance.text.contains("/ledger/trial-balance?format=csv&amp;from=2025-04-01&amp;to=2025-04-30"))
            let csv = try await browser.get("/ledger/trial-balance?format=csv&from=2025-04-01&to=2025-04-30")
            #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("\u{FEFF}Cont;") && csv.text.contains(";10,50"))
            let english = try await browser.get("/ledger/trial-balance?format=csv&from=2025-04-01&to=2025-04-30&lang=en")
            #expect(english.text.contains(",10.50"))
            // A paged list offers no CSV of one page: that would cut the data silently.
            let paged = Table(
                caption: "", columns: [], rows: [[Table.cell("a")]], basePath: "/x", query: [:], sort: nil, descending: false, offset: 0,
                limit: 1, total: 2)
            #expect(paged.dictionary([:])["csv_href"] == nil)
            #expect(
                Table(
                    caption: "", columns: [], rows: [[Table.cell("a")]], basePath: "/x", query: [:], sort: nil, descending: false,
                    offset: 0, limit: 1, total: 1
                ).dictionary([:])["csv_href"] as? String == "/x?dir=asc&format=csv")
            #expect(!balance.text.contains("class=\"inline\""), "no row actions leak into report cells")
            let sheet = try await browser.get("/ledger/account-sheet?account=627")
            #expect(sheet.text.contains("/ledger/entries/1"))
            for path in [
                "/ledger/entries", "/ledger/accounts", "/ledger/balance-sheet", "/ledger/profit-loss?from=2025-01-01",
                "/ledger/partner-balances",
            ] {
                #expect(try await browser.get(path).status == .ok, "\(path)")
            }
            let renamed = try await browser.post(
                "/ledger/accounts/rename", ["rename_code": "627", "rename_name": "Comisioane bancare"], from: "/ledger/accounts")
            #expect(renamed.status == .seeOther)
            #expect(try await browser.get("/ledger/accounts").text.contains("Comisioane bancare"))
            #expect(try await browser.post("/ledger/accounts/5124/update?active=false", [:], from: "/ledger/accounts").status == .seeOther)
            #expect(try await culise.accounts(company: company, actor: .user(admin)).first { $0.code.value == "5124" }?.isActive == false)
            let reversed = try await browser.post("/ledger/entries/1/reverse", ["date": "2025-04-02"], from: location)
            #expect(reversed.status == .seeOther)
            #expect(try await culise.entry(company: company, EntryID(1), actor: .user(admin)).state == .reversed)
        }
    }

    @Test(arguments: Engine.available)
    func entriesThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: userID, company: company, name: "t", actor: .user(admin))
            let body =
                #"{"journal":"VZ","date":"2025-05-02","description":"Factura EXD-7","external_ref":"EXD-7","lines":[{"account":"4111","debit":"1210.00","partner":"C7"},{"account":"707","credit":"1000.00"},{"account":"4427","credit":"210.00"}]}"#
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "entry-7"]
            let first = try await browser.api(.post, "/api/v1/entries", token: token, json: body, headers: key)
            #expect(first.status == .created)
            #expect(first.json["number"] as? String == "VZ-000001")
            let again = try await browser.api(.post, "/api/v1/entries", token: token, json: body, headers: key)
            #expect(again.text == first.text)
            let duplicate = try await browser.api(.post, "/api/v1/entries", token: token, json: body)
            #expect(duplicate.status == .conflict)
            let invalid = try await browser.api(
                .post, "/api/v1/entries", token: token,
                json: #"{"journal":"VZ","date":"2025-13-02","description":"x","lines":[{"account":"4111","debit":"12.345"}]}"#)
            #expect(invalid.status == .unprocessableContent)
            let fields = Set((invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["date", "lines[0].debit"])
            let list = try await browser.api(.get, "/api/v1/entries?limit=10", token: token)
            #expect(list.json["total"] as? Int == 1)
            let report = try await browser.api(.get, "/api/v1/reports/trial-balance?format=csv", token: token)
            #expect(report.text.hasPrefix(TrialBalance.csvHeader))
            #expect(report.text.contains("4111,Clienți,0.00,0.00,1210.00,0.00,1210.00,0.00,1210.00,0.00"))
            let reversal = try await browser.api(.post, "/api/v1/entries/1/reverse", token: token, json: #"{"date":"2025-05-03"}"#)
            #expect(reversal.status == .created)
            #expect(try await browser.api(.delete, "/api/v1/entries/1", token: token).status == .conflict)
            #expect(try await browser.api(.get, "/api/v1/entries/999", token: token).status == .notFound)
            #expect(try await browser.api(.post, "/api/v1/periods/2025-05/close", token: token).status == .noContent)
            #expect(
                try await browser.api(.post, "/api/v1/entries", token: token, json: body.replacingOccurrences(of: "EXD-7", with: "EXD-8"))
                    .status == .unprocessableContent)
            #expect(try await browser.api(.post, "/api/v1/periods/2025-13/close", token: token).status == .unprocessableContent)
            let journal = try await browser.api(.post, "/api/v1/journals", token: token, json: #"{"code":"VZX","name":"Export"}"#)
            #expect(journal.status == .created)
            #expect(journal.json["next_number"] as? Int == 1)
        }
    }

    @Test(arguments: Engine.available)
    func settingsAndSourceReferencesThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: userID, company: company, name: "t", actor: .user(admin))
            let saved = try await browser.api(
                .put, "/api/v1/ledger/settings", token: token, json: #"{"lock_date":null,"reversal_style":"swapped"}"#)
            #expect(saved.status == .ok)
            let bad = try await browser.api(
                .put, "/api/v1/ledger/settings", token: token, json: #"{"lock_date":"2025-02-30","reversal_style":"sideways"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(
                Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }) == [
                    "lock_date", "reversal_style",
                ])
            let body =
                #"{"journal":"VZ","date":"2025-05-02","description":"Factura EXD-9","lines":[{"account":"4111","debit":"121.00","partner":"C9","source_type":"invoice","source_id":"EXD-9"},{"account":"707","credit":"100.00"},{"account":"4427","credit":"21.00"}]}"#
            let posted = try await browser.api(.post, "/api/v1/entries", token: token, json: body)
            #expect(posted.status == .created)
            let lines = posted.json["lines"] as? [[String: Any]] ?? []
            #expect(lines.first?["source_type"] as? String == "invoice")
            #expect(lines.first?["source_id"] as? String == "EXD-9")
            let reversal = try await browser.api(.post, "/api/v1/entries/1/reverse", token: token)
            #expect(reversal.status == .created)
            let reversed = reversal.json["lines"] as? [[String: Any]] ?? []
            #expect(reversed.first?["credit"] as? String == "121.00", "swapped sides")
            let locked = try await browser.api(
                .put, "/api/v1/ledger/settings", token: token, json: #"{"lock_date":"2025-05-31","reversal_style":"negative"}"#)
            #expect(locked.status == .ok)
            let refused = try await browser.api(.post, "/api/v1/entries", token: token, json: body)
            #expect(refused.status == .unprocessableContent)
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["id"] as? String == "ledger.locked")
        }
    }

    @Test(arguments: Engine.available)
    func partnersThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, userID, admin) = try await Fixtures.companyWithAdmin(culise, cuiBody: 2_222_222)
            let (_, token) = try await culise.createToken(user: userID, company: company, name: "t", actor: .user(admin))
            let body =
                #"{"code":"C1","kind":"company","name":"Alfa SRL","cui":"RO18547290","vat_payer":true,"ibans":["RO49AAAA1B31007593840000"],"address":{"line":"Str. 1","city":"Sector 2","county":"RO-B","country":"RO"}}"#
            let created = try await browser.api(.post, "/api/v1/partners", token: token, json: body)
            #expect(created.status == .created)
            #expect(created.json["fiscal_identifier"] as? String == "RO18547290")
            #expect((created.json["address"] as? [String: Any])?["city"] as? String == "SECTOR2")
            let bad = try await browser.api(
                .post, "/api/v1/partners", token: token,
                json: #"{"code":"C2","kind":"company","name":"Beta","cui":"RO18547291","ibans":["RO48AAAA1B31007593840000"]}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }) == ["cui", "ibans[0]"])
            let found = try await browser.api(.get, "/api/v1/partners?q=RO49AAAA1B31007593840000", token: token)
            #expect(found.json["total"] as? Int == 1)
            #expect(try await browser.api(.get, "/api/v1/partners/C1", token: token).status == .ok)
            #expect(try await browser.api(.get, "/api/v1/partners/C9", token: token).status == .notFound)
        }
    }

    @Test(arguments: Engine.available)
    func partnersPage(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise, cuiBody: 2_222_222)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(try await browser.get("/partners").status == .ok)
            let bad = try await browser.post(
                "/partners",
                [
                    "code": "C1", "kind": "company", "name": "Alfa SRL", "cui": "18547291", "ibans[0]": "RO48AAAA1B31007593840000",
                    "is_customer": "true",
                ],
                from: "/partners")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("f-cui-error") && bad.text.contains("f-ibans[0]-error"))
            #expect(bad.text.contains("Cifra de control a CUI-ului este greșită"))
            let good = try await browser.post(
                "/partners",
                [
                    "code": "C1", "kind": "company", "name": "Alfa SRL", "cui": "RO18547290", "vat_payer": "true",
                    "ibans[0]": "RO49AAAA1B31007593840000",
                    "address.line": "Str. 1", "address.city": "Cluj-Napoca", "address.county": "RO-CJ", "address.country": "RO",
                    "is_customer": "true",
                ],
                from: "/partners")
            #expect(good.status == .seeOther)
            let search = try await browser.get("/partners?q=18547290")
            #expect(search.text.contains("Alfa SRL") && search.text.contains("RO18547290"))
        }
    }
}
