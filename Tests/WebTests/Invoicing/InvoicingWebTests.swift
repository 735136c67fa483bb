import Application
import Assembly
import Banking
import BankingApp
import Companies
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@testable import Web

@Suite struct InvoicingWebTests {
    static func fields(_ response: TestResponse) -> Set<String> {
        Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
    }

    /// Bad input gets a 422 naming the field, and nothing is written.
    @Test(arguments: Engine.available)
    func badInputIsRefusedWholeAndNamesTheField(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let before = try await culise.tableCounts()
            let cases: [(String, String, Set<String>)] = [
                (
                    "/api/v1/partners",
                    #"{"code":"X1","kind":"company","name":"X SRL","cui":"RO18547291","vat_payer":true,"is_customer":true,"is_supplier":false,"ibans":[]}"#,
                    ["cui"]
                ),
                (
                    "/api/v1/partners",
                    #"{"code":"X2","kind":"company","name":"X SRL","cui":"18547290","address":{"line":"Str. A 1","city":"Cluj","county":"RO-XX","country":"RO"},"is_customer":true,"is_supplier":false,"ibans":[]}"#,
                    ["address.county"]
                ),
                (
                    "/api/v1/partners",
                    #"{"code":"X3","kind":"company","name":"X SRL","cui":"18547290","ibans":["RO49AAAA1B31007593840001"],"is_customer":true,"is_supplier":false}"#,
                    ["ibans[0]"]
                ),
                ("/api/v1/products", #"{"code":"P1","name":"Ceva","unit":"BUC","unit_price":"10","vat_category":"S"}"#, ["unit"]),
                ("/api/v1/invoices", #"{"partner":"BETA","lines":[{"product":"CONSULT","quantity":"-2"}]}"#, ["lines[0].quantity"]),
                (
                    "/api/v1/invoices",
                    #"{"partner":"BETA","lines":[{"description":"X","quantity":"1","unit_price":"5","unit":"XYZ"},{"product":"NOPE","quantity":"1"}]}"#,
                    ["lines[0].unit", "lines[1].product"]
                ),
            ]
            for (path, body, expected) in cases {
                let response = try await browser.api(.post, path, token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(path) \(body)")
                #expect(Self.fields(response) == expected, "\(path): \(response.text)")
            }
            // Over the line limit.
            let line = #"{"product":"CONSULT","quantity":"1"}"#
            let many =
                "{\"partner\":\"BETA\",\"lines\":[" + Array(repeating: line, count: Limits.linesPerDocument + 1).joined(separator: ",")
                + "]}"
            let tooMany = try await browser.api(.post, "/api/v1/invoices", token: token, json: many)
            #expect(tooMany.status == .unprocessableContent || tooMany.status == .contentTooLarge)
            #expect(Self.fields(tooMany) == ["lines"])
            #expect(try await culise.tableCounts() == before)
            // At the limit it works.
            let atLimit =
                "{\"partner\":\"BETA\",\"lines\":[" + Array(repeating: line, count: Limits.linesPerDocument).joined(separator: ",") + "]}"
            let issued = try await browser.api(.post, "/api/v1/invoices", token: token, json: atLimit)
            #expect(issued.status == .created, "\(issued.text)")
        }
    }

    @Test(arguments: Engine.available)
    func invoiceLifecycleThroughTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let body =
                #"{"partner":"BETA","series":"EXD","issue_date":"2026-03-02","lines":[{"product":"LAPTOP","quantity":"1"},{"product":"CARTE","quantity":"2"}]}"#
            var key = HTTPFields()
            key[HTTPField.Name("Idempotency-Key")!] = "inv-1"
            let created = try await browser.api(.post, "/api/v1/invoices", token: token, json: body, headers: key)
            #expect(created.status == .created)
            #expect(created.json["number"] as? String == "EXD-1")
            #expect((created.json["totals"] as? [String: Any])?["total"] as? String == "4412.60")
            // A retried POST with the same key replays; it does not issue a second number.
            let replay = try await browser.api(.post, "/api/v1/invoices", token: token, json: body, headers: key)
            #expect(replay.json["number"] as? String == "EXD-1")
            let id = created.json["id"] as! String
            let xml = try await browser.api(.get, "/api/v1/invoices/\(id)/ubl", token: token)
            #expect(xml.status == .ok && xml.text.contains("<cbc:ID>EXD-1</cbc:ID>"))
            let byNumber = try await browser.api(.get, "/api/v1/invoices/EXD-1", token: token)
            #expect(byNumber.json["id"] as? String == id)
            // Draft, then issue.
            let draft = try await browser.api(
                .post, "/api/v1/invoices", token: token,
                json: #"{"draft":true,"partner":"ION","lines":[{"product":"CONSULT","quantity":"1"}]}"#)
            #expect(draft.json["state"] as? String == "draft" && (draft.json["number"] == nil || draft.json["number"] is NSNull))
            let issued = try await browser.api(.post, "/api/v1/invoices/\(draft.json["id"] as! String)/issue", token: token)
            #expect(issued.json["state"] as? String == "issued")
            // Payment, aging, credit note.
            let paid = try await browser.api(
                .post, "/api/v1/payments", token: token,
                json: #"{"direction":"in","partner":"BETA","amount":"1000","allocations":[{"document":"EXD-1","amount":"1000"}]}"#)
            #expect(paid.status == .created)
            let shown = try await browser.api(.get, "/api/v1/invoices/\(id)", token: token)
            #expect(shown.json["state"] as? String == "partially_paid" && shown.json["open"] as? String == "3412.60")
            let aging = try await browser.api(.get, "/api/v1/reports/aging?side=receivable&as_of=2026-12-31", token: token)
            #expect(aging.status == .ok && aging.json["total"] as? String == "3594.10")
            let credit = try await browser.api(
                .post, "/api/v1/invoices/\(id)/credit-notes", token: token, json: #"{"lines":[{"line":2,"quantity":"1"}],"reason":"Retur"}"#
            )
            #expect(credit.status == .created && credit.json["type"] as? String == "381")
            // Sending without an ANAF configuration says how to configure it.
            let send = try await browser.api(.post, "/api/v1/invoices/\(id)/efactura/send", token: token)
            #expect(send.status == .conflict && send.text.contains("CULISE_ANAF_URL"))
            // Ingest an e-invoice body.
            let kit = InvoicingFixtures.conformanceKit.appendingPathComponent("examples/valid/kit_invoice_multirate_ron.xml")
            if let data = try? Data(contentsOf: kit) {
                // Addressed to another buyer: refused unless accepted explicitly, then kept with its warning.
                let foreign = try await browser.client.execute(
                    uri: "/api/v1/bills/ingest?filename=kit.xml", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/xml"], body: ByteBuffer(data: data))
                #expect(foreign.status == .unprocessableContent && String(buffer: foreign.body).contains("addressed to"))
                let ingested = try await browser.client.execute(
                    uri: "/api/v1/bills/ingest?filename=kit.xml&accept_other_buyer=true", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/xml"], body: ByteBuffer(data: data))
                #expect(ingested.status == .ok)
                #expect(String(buffer: ingested.body).contains("\"result\":\"created\""))
                #expect(String(buffer: ingested.body).contains("is not this company"))
                let bad = try await browser.client.execute(
                    uri: "/api/v1/bills/ingest", method: .post, headers: [.authorization: "Bearer \(token)"],
                    body: ByteBuffer(string: "<Invoice"))
                #expect(bad.status == .unprocessableContent)
            }
            let dunning = try await browser.api(
                .post, "/api/v1/dunning-runs", token: token, json: #"{"as_of":"2026-12-31","language":"en"}"#)
            #expect(dunning.status == .created && dunning.text.contains("EXD-1"))
        }
    }
}

@Suite struct InvoicingPageTests {
    /// Pages take "today" from the app's clock, not the wall clock: a test sets the date.
    @Test(arguments: Engine.available)
    func pagesUseTheAppClock(_ engine: Engine) async throws {
        let instant = ISO8601DateFormatter().date(from: "2031-02-03T10:00:00Z")!
        try await Web.test(engine, clock: { instant }) { culise, _, browser in
            _ = try await InvoicingFixtures.setUp(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let form = try await browser.request(.get, "/invoices/new")
            #expect(form.text.contains("value=\"03.02.2031\"") && form.text.contains("placeholder=\"zz.ll.aaaa\""))
            let payment = try await browser.request(.get, "/payments")
            #expect(payment.status == .ok && payment.text.contains("03.02.2031"))
        }
    }

    /// A backdated issue whose e-Factura deadline has passed warns in the API answer and on the page.
    @Test(arguments: Engine.available)
    func lateDeadlineWarnsInTheAPIAndOnThePage(_ engine: Engine) async throws {
        let instant = ISO8601DateFormatter().date(from: "2026-12-07T10:00:00Z")!
        try await Web.test(engine, clock: { instant }) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "w", actor: setup.actor)
            let late = try await browser.api(
                .post, "/api/v1/invoices", token: token,
                json: #"{"partner":"BETA","series":"EXD","issue_date":"2026-11-02","lines":[{"product":"CONSULT","quantity":"1"}]}"#)
            #expect(late.status == .created)
            #expect((late.json["warnings"] as? [String])?.first?.contains("has passed") == true)
            let timely = try await browser.api(
                .post, "/api/v1/invoices", token: token,
                json: #"{"partner":"BETA","series":"EXD","issue_date":"2026-12-04","lines":[{"product":"CONSULT","quantity":"1"}]}"#)
            #expect((timely.json["warnings"] as? [String])?.isEmpty == true)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let id = try #require(late.json["id"] as? String)
            let page = try await browser.get("/invoices/\(id)?flash=invoice_issued_late")
            #expect(page.text.contains("termenul de transmitere în e-Factura"))
        }
    }

    /// The invoice page links its PDF; the page route and the API serve it (English on request).
    @Test(arguments: Engine.available)
    func invoicePDFFromThePageAndTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await InvoicingFixtures.issue(culise, setup, quantity: "2")
            try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(try await browser.get("/invoices/\(invoice.id)").text.contains("/invoices/\(invoice.id)/pdf"))
            let page = try await browser.get("/invoices/\(invoice.id)/pdf")
            #expect(page.status == .ok && page.headers[.contentType] == "application/pdf")
            #expect(page.headers[.contentDisposition]?.contains("EXD-1_2026.pdf") == true)
            #expect(Data(buffer: page.body).starts(with: Data("%PDF-1.4".utf8)))
            let token = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "pdf", actor: setup.actor)
                .token
            let api = try await browser.api(.get, "/api/v1/invoices/\(invoice.id)/pdf?lang=en", token: token)
            #expect(api.status == .ok && api.headers[.contentType] == "application/pdf")
            if let text = try pdfText(Data(buffer: api.body)) { #expect(text.contains("INVOICE No. EXD-1") && text.contains("Total due")) }
            #expect(try await browser.api(.get, "/api/v1/invoices/\(invoice.id)/pdf?lang=fr", token: token).status == .unprocessableContent)
        }
    }

    @Test(arguments: Engine.available)
    func pagesWorkEndToEnd(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            for path in [
                "/invoices", "/invoices/new", "/bills", "/bills/new", "/payments", "/aging", "/aging?side=payable", "/dunning", "/efactura",
                "/products", "/home",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path): \(page.status)")
            }
            // The form: one line with every problem shown at once, then a valid issue.
            let bad = try await browser.post(
                "/invoices",
                ["partner": "BETA", "action": "issue", "lines[0].product": "CONSULT", "lines[0].quantity": "-1", "lines[1].quantity": "x"],
                from: "/invoices/new")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("error-summary"))
            let created = try await browser.post(
                "/invoices",
                [
                    "partner": "BETA", "series": "EXD", "action": "issue", "lines[0].product": "LAPTOP", "lines[0].quantity": "1",
                    "lines[1].product": "",
                    "discount": "100", "discount_reason": "Fidelitate",
                ],
                from: "/invoices/new")
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let page = try await browser.get(location)
            #expect(page.status == .ok && page.text.contains("EXD-1") && page.text.contains("Fidelitate"))
            #expect(page.text.contains("/ledger/entries/"))
            // A draft, issued from its page.
            let draft = try await browser.post(
                "/invoices", ["partner": "ION", "action": "draft", "lines[0].product": "CONSULT", "lines[0].quantity": "2"],
                from: "/invoices/new")
            let draftPath = try #require(draft.headers[.location]).split(separator: "?")[0]
            let issued = try await browser.post("\(draftPath)/issue", [:], from: String(draftPath))
            #expect(issued.status == .seeOther)
            // A partial credit note from the invoice page: only the quantity typed is credited.
            let credited = try await browser.post("\(draftPath)/credit", ["credit.1": "1", "reason": "Retur"], from: String(draftPath))
            #expect(credited.status == .seeOther)
            let creditPage = try await browser.get(try #require(credited.headers[.location]))
            #expect(creditPage.text.contains("Retur") && creditPage.text.contains("181,50"))
            #expect(try await browser.get(String(draftPath)).text.contains("EXD-2") == false)
            // A payment through the form, then the aging page shows the rest.
            let paid = try await browser.post(
                "/payments",
                [
                    "direction": "in", "partner": "BETA", "amount": "1000", "method": "bank", "currency": "RON",
                    "allocations[0].document": "EXD-1",
                    "allocations[0].amount": "1000",
                ], from: "/payments")
            #expect(paid.status == .seeOther)
            #expect(try await browser.get("/aging?as_of=2030-01-01").text.contains("BETA"))
            // A multipart upload of an e-invoice, then posting it with a chosen account.
            let kit = InvoicingFixtures.conformanceKit.appendingPathComponent("examples/valid/kit_invoice_multirate_ron.xml")
            if let xml = try? Data(contentsOf: kit) {
                let csrf = try await browser.csrf(from: "/bills")
                let boundary = "culise-test-boundary"
                var body = Data()
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8))
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"accept_other_buyer\"\r\n\r\non\r\n".utf8))
                body.append(
                    Data(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"kit.xml\"\r\nContent-Type: text/xml\r\n\r\n"
                            .utf8))
                body.append(xml)
                body.append(Data("\r\n--\(boundary)--\r\n".utf8))
                var headers = HTTPFields()
                headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
                let uploaded = try await browser.request(.post, "/bills/ingest", headers: headers, body: ByteBuffer(data: body))
                #expect(uploaded.status == .ok)
                #expect(uploaded.text.contains("EXS-2025-0142"))
                let bills = try await culise.bills(company: setup.company, state: "draft", partner: nil, page: .first, actor: setup.actor)
                let bill = try #require(bills.items.first)
                let fields = Dictionary(uniqueKeysWithValues: bill.document.lines.map { ("account.\($0.number)", "371") })
                let posted = try await browser.post("/bills/\(bill.id)/post", fields, from: "/bills/\(bill.id)")
                #expect(posted.status == .seeOther)
                #expect(try await culise.bill(company: setup.company, id: bill.id, actor: setup.actor).state == .posted)
            }
            let product = try await browser.post(
                "/products", ["code": "NOU", "name": "Produs nou", "unit": "H87", "unit_price": "12.5", "vat": "S:standard"],
                from: "/products")
            #expect(product.status == .seeOther)
            // The partner page: log a call, add a contact, edit, merge a duplicate.
            #expect(try await browser.get("/partners/BETA").status == .ok)
            let call = try await browser.post(
                "/partners/BETA/interactions",
                ["kind": "call", "date": "2026-03-01", "summary": "Scadență discutată", "follow_up": "2026-03-08"],
                from: "/partners/BETA")
            #expect(call.status == .seeOther)
            let badContact = try await browser.post(
                "/partners/BETA/contacts", ["contact_name": "", "contact_email": "x"], from: "/partners/BETA")
            #expect(badContact.status == .unprocessableContent)
            let partnerPage = try await browser.get("/partners/BETA")
            #expect(partnerPage.text.contains("Scadență discutată"))
            var values = PartnerPages.values(try await culise.partner(company: setup.company, code: "GAMA", actor: setup.actor))
            values["phone"] = "0264 123 456"
            #expect(try await browser.post("/partners/GAMA", values, from: "/partners/GAMA").status == .seeOther)
            #expect(try await culise.partner(company: setup.company, code: "GAMA", actor: setup.actor).phone == "0264 123 456")
            let rule = try await browser.post(
                "/partners/DELTA/supplier-rule", ["account": "604", "auto_post": "true"], from: "/partners/DELTA")
            #expect(rule.status == .seeOther)
            #expect(try await culise.supplierRule(company: setup.company, partner: "DELTA", actor: setup.actor)?.autoPost == true)
            let merged = try await browser.post("/partners/BETA/merge", ["duplicate": "ION"], from: "/partners/BETA")
            #expect(merged.status == .seeOther)
            // Settings: a wrong IBAN is refused on the page; a series with a first number is used by the next invoice.
            #expect(try await browser.get("/invoicing/settings").status == .ok)
            let badIBAN = try await browser.post(
                "/invoicing/settings", ["default_series": "FCT", "iban": "RO00XXXX", "write_off_limit": "500"], from: "/invoicing/settings")
            #expect(badIBAN.status == .unprocessableContent)
            let series = try await browser.post(
                "/invoicing/series", ["code": "ABC", "name": "Serie nouă", "year": "2026", "first_number": "100"],
                from: "/invoicing/settings")
            #expect(series.status == .seeOther)
            let numbered = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "ABC", issueDate: "2026-05-05", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            #expect(numbered.number == "ABC-100")
            let dunning = try await browser.post("/dunning", ["as_of": "2030-01-01", "language": "ro"], from: "/dunning")
            #expect(dunning.status == .ok && dunning.text.contains("EXD-1"))
        }
    }
}

/// Romanian numbers and dates on pages (issue 13, item 1): a price typed `1.234,56` and a date typed `20.11.2026`
/// issue an invoice at 1,234.56 per unit; the page writes `1.234,56` and `20.11.2026` in Romanian and `1,234.56`
/// in English; a person's `1.234` is refused as ambiguous on its input; the API keeps the machine forms.
@Suite struct RomanianFormatTests {
    @Test(arguments: Engine.available)
    func aRomanianPriceIssuesTheInvoiceAndReadsBackTheReadersWay(_ engine: Engine) async throws {
        let instant = ISO8601DateFormatter().date(from: "2026-11-25T10:00:00Z")!
        try await Web.test(engine, clock: { instant }) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let ambiguous = try await browser.post(
                "/invoices",
                [
                    "partner": "BETA", "series": "EXD", "action": "issue", "issue_date": "20.11.2026", "lines[0].description": "Servicii",
                    "lines[0].quantity": "1", "lines[0].unit": "H87", "lines[0].unit_price": "1.234", "lines[0].vat": "S:standard",
                ], from: "/invoices/new")
            #expect(ambiguous.status == .unprocessableContent)
            #expect(ambiguous.text.contains("poate însemna fie un număr întreg, fie o fracție"))
            #expect(ambiguous.text.contains("aria-describedby=\"f-lines[0].unit_price-error\"") || ambiguous.text.contains("1.234"))
            let created = try await browser.post(
                "/invoices",
                [
                    "partner": "BETA", "series": "EXD", "action": "issue", "issue_date": "20.11.2026", "lines[0].description": "Servicii",
                    "lines[0].quantity": "2", "lines[0].unit": "H87", "lines[0].unit_price": "1.234,56", "lines[0].vat": "S:standard",
                ], from: "/invoices/new")
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location]).split(separator: "?")[0]
            let id = try #require(location.split(separator: "/").last.flatMap { InvoiceID(string: String($0)) })
            let invoice = try await culise.invoice(company: setup.company, id: id, actor: setup.actor)
            #expect(invoice.document.lines.first?.unitPrice == Decimal(string: "1234.56"))
            #expect(invoice.document.issueDate.iso == "2026-11-20")
            #expect(invoice.document.lines.first?.net == 246_912)
            let romanian = try await browser.get(String(location))
            #expect(romanian.text.contains("1.234,56") && romanian.text.contains("2.469,12") && romanian.text.contains("20.11.2026"))
            #expect(!romanian.text.contains("1234.56") && !romanian.text.contains("2026-11-20"))
            let english = try await browser.get("\(location)?lang=en")
            #expect(english.text.contains("1,234.56") && english.text.contains("2,469.12") && english.text.contains("2026-11-20"))
            // The API stays machine format both ways: a quantity "1.250" is 1.25, amounts come back as "2469.12".
            let token = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "fmt", actor: setup.actor)
                .token
            let api = try await browser.api(.get, "/api/v1/invoices/\(id)", token: token)
            #expect(api.text.contains("2469.12") && !api.text.contains("2.469,12"))
            let machine = try await browser.api(
                .post, "/api/v1/invoices", token: token,
                json: #"{"partner":"BETA","series":"EXD","issue_date":"2026-11-20","lines":[{"product":"CONSULT","quantity":"1.250"}]}"#)
            #expect(machine.status == .created)
            let issued = try #require((machine.json["id"] as? String).flatMap { InvoiceID(string: $0) })
            #expect(
                try await culise.invoice(company: setup.company, id: issued, actor: setup.actor).document.lines.first?.quantity
                    == Decimal(string: "1.25"))
        }
    }
}

/// The invoice on paper (issue 13, item 1 and 6): unit names, not codes; the county and the Bucharest sector in words;
/// a legal footer that tells the real e-Factura state.
@Suite struct InvoicePaperTests {
    @Test(arguments: Engine.available)
    func theInvoicePageReadsLikePaper(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await InvoicingFixtures.issue(culise, setup, partner: "GAMA", quantity: "2")
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/invoices/\(invoice.id)")
            #expect(page.text.contains("<td>oră</td>") && !PageRefusalTests.visibleText(page.text).contains("HUR"))
            #expect(page.text.contains("București, Sectorul 3") && page.text.contains("Cluj-Napoca, jud. Cluj"))
            #expect(page.text.contains("România") && !page.text.contains(", RO-B") && !page.text.contains("RO-CJ"))
            #expect(page.text.contains("se transmite în sistemul RO e-Factura"))
            #expect(!page.text.contains("și transmisă în sistemul RO e-Factura"))
            let english = try await browser.get("/invoices/\(invoice.id)?lang=en")
            #expect(english.text.contains("<td>h</td>") && english.text.contains("Bucharest, Sector 3"))
            #expect(english.text.contains("Cluj-Napoca, Cluj County") && english.text.contains("to be sent through RO e-Factura"))
            // Print keeps the invoice's own footer: the stylesheet hides only the page's footer.
            let css = try await browser.get("/static/culise.css")
            #expect(css.text.contains("body > footer") && !css.text.contains("@media print { header.top, footer"))
        }
    }

    /// "Record receipt" from the invoice (issue 13, item 5): the receipt form lists the customer's open invoices with
    /// this one ticked for what is open, in Romanian format; sending it settles the invoice.
    @Test(arguments: Engine.available)
    func recordTheReceiptFromTheInvoice(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let older = try await InvoicingFixtures.issue(culise, setup, quantity: "1", on: "2026-11-02")
            let invoice = try await InvoicingFixtures.issue(culise, setup, quantity: "10")
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/invoices/\(invoice.id)")
            let open = MoneyFormat.amount(invoice.open.minorUnits, locale: .ro)
            let link = "/payments?partner=BETA&amp;document=\(invoice.id)&amp;amount=\(open)#add-payment"
            #expect(page.text.contains(link) && page.text.contains("Înregistrează încasarea"))
            let form = try await browser.get("/payments?partner=BETA&document=\(invoice.id)&amount=\(open)")
            #expect(form.text.contains("Facturile neîncasate ale clientului"))
            #expect(form.text.contains(older.number ?? "-") && form.text.contains(invoice.number ?? "-"))
            #expect(form.text.contains("name=\"allocations[1].amount\" value=\"\(open)\""))
            #expect(form.text.contains("name=\"allocations[0].amount\" value=\"\""))
            let paid = try await browser.post(
                "/payments",
                [
                    "direction": "in", "partner": "BETA", "amount": open, "method": "bank", "currency": "RON", "open_items": "true",
                    "allocations[0].document": older.id.description, "allocations[0].amount": "",
                    "allocations[1].document": invoice.id.description, "allocations[1].amount": open,
                ], from: "/payments?partner=BETA")
            #expect(paid.status == .seeOther)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
            #expect(
                try await culise.invoice(company: setup.company, id: older.id, actor: setup.actor).open.minorUnits == older.open.minorUnits)
            #expect(!(try await browser.get("/invoices/\(invoice.id)")).text.contains("Înregistrează încasarea"))
            // Partly paid invoices stay on the form with what is left; paid ones leave it.
            _ = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(
                    direction: "in", partner: "BETA", date: "2026-11-20", amount: "50",
                    allocations: [.init(document: older.number!, amount: "50")]), actor: setup.actor)
            let again = try await browser.get("/payments?partner=BETA")
            #expect(again.text.contains(older.number ?? "-") && !again.text.contains(">\(invoice.number ?? "-")<"))
            #expect(again.text.contains(MoneyFormat.amount(older.open.minorUnits - 5_000, locale: .ro)))
        }
    }

    /// Texts a person reads: internal ids shortened, timestamps in Romania's time, older English explanations kept.
    @Test func idsTimestampsAndStoredExplanations() {
        #expect(HTMLRoutes.shortIDs("{\"to\":\"01a24d43-e934-7018-af91-ad7bb00913cf\"}") == "{\"to\":\"01a24d43…\"}")
        PageFormat.$locale.withValue(.ro) { #expect(PageFormat.timestamp("2026-12-06T21:30:26.000Z") == "06.12.2026 23:30") }
        PageFormat.$locale.withValue(.en) { #expect(PageFormat.timestamp("2026-07-01T21:05:00.000Z") == "2026-07-02 00:05") }
        #expect(PageFormat.timestamp("not a time") == "not a time")
        #expect(MatchExplanation.text("confirmed by ana@x.ro", language: "ro") == "confirmed by ana@x.ro")
        #expect(MatchExplanation.text(MatchExplanation.confirmed(by: "ana@x.ro"), language: "ro") == "confirmată de ana@x.ro")
    }

    @Test func paperNamesOfUnitsAndPlaces() {
        #expect(UnitCode.paperName("H87") == "buc" && UnitCode.paperName("HUR") == "oră" && UnitCode.paperName("KGM") == "kg")
        #expect(UnitCode.paperName("H87", english: true) == "pcs" && UnitCode.paperName("ZZZ") == "ZZZ")
        #expect(County.paperCityAndCounty(city: "SECTOR1", county: "RO-B") == "București, Sectorul 1")
        #expect(County.paperCityAndCounty(city: "SECTOR1", county: "RO-B", english: true) == "Bucharest, Sector 1")
        #expect(County.paperCityAndCounty(city: "Sibiu", county: "RO-SB") == "Sibiu, jud. Sibiu")
        #expect(County.paperCityAndCounty(city: "Wien", county: nil) == "Wien")
        #expect(County.paperCountry("RO") == "România" && County.paperCountry("AT") == "AT")
        #expect(InvoicePages.legalFooter("accepted", ["inv_legal_footer": "sent"]) == "sent")
    }
}

extension InvoicingWebTests {
    /// `GET /api/v1/invoices` lists summaries (no lines) read from the columns, with the derived payment state, the
    /// partner's name and the total of the whole list; a state filter pages over the matching invoices only, and an
    /// unknown state is refused by the contract.
    @Test(arguments: Engine.available)
    func theInvoiceListIsOfSummaries(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            var issued: [InvoiceRecord] = []
            for _ in 0..<3 {
                issued.append(
                    try await culise.issueInvoice(
                        company: setup.company,
                        DocumentInput(
                            partner: "BETA", issueDate: "2026-02-01", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                        actor: setup.actor))
            }
            _ = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(
                    direction: "in", partner: "BETA", date: "2026-02-10", amount: DecimalText.amount(issued[0].total.minorUnits),
                    allocations: [.init(document: issued[0].number!, amount: DecimalText.amount(issued[0].total.minorUnits))]),
                actor: setup.actor)
            let page = try await browser.api(.get, "/api/v1/invoices?limit=2", token: token)
            #expect(page.status == .ok, "\(page.json)")
            let items = page.json["items"] as? [[String: Any]] ?? []
            #expect(page.json["total"] as? Int == 3 && items.count == 2)
            #expect(items.allSatisfy { $0["lines"] == nil && $0["partner_name"] as? String == "Beta Distribuție SRL" })
            #expect(
                items.first?["number"] as? String == issued[2].number
                    && items.first?["total"] as? String == DecimalText.amount(issued[2].total.minorUnits))
            let paid = try await browser.api(.get, "/api/v1/invoices?state=paid", token: token)
            let paidItems = paid.json["items"] as? [[String: Any]] ?? []
            #expect(paid.json["total"] as? Int == 1 && paidItems.map { $0["id"] as? String } == [issued[0].id.description])
            #expect(paidItems.first?["open"] as? String == "0.00" && paidItems.first?["state"] as? String == "paid")
            #expect(try await browser.api(.get, "/api/v1/invoices?state=unpaid", token: token).status == .unprocessableContent)
            // The whole invoice is one request away.
            let whole = try await browser.api(.get, "/api/v1/invoices/\(issued[0].id)", token: token)
            #expect((whole.json["lines"] as? [[String: Any]])?.count == 1)
        }
    }
}

extension InvoicingWebTests {
    /// Pages that name many documents (the audit log, bank lines) name them in two queries: each invoice and bill by
    /// its kind and number with a link; an unknown id keeps its kind alone; a reader without invoicing sees kinds only.
    @Test(arguments: Engine.available)
    func documentsAreNamedTogether(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(partner: "BETA", issueDate: "2026-02-01", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            let bill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-501", issueDate: "2026-02-01",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "10", account: "604")]), actor: setup.actor)
            let unknown = InvoiceID.generate().description
            let t = ["owner_invoice": "factură", "owner_bill": "factură de furnizor"]
            let documents = [("invoice", invoice.id.description), ("bill", bill.id.description), ("invoice", unknown)]
            let names = await DocumentNames.labels(culise, documents.map { (type: $0.0, id: $0.1) }, setup.admin, t)
            #expect(names[invoice.id.description]?.label == "factură \(invoice.number!)")
            #expect(names[invoice.id.description]?.href == "/invoices/\(invoice.id)")
            #expect(
                names[bill.id.description]?.label == "factură de furnizor F-501" && names[bill.id.description]?.href == "/bills/\(bill.id)")
            #expect(names[unknown]?.label == "factură" && names[unknown]?.href == nil)
            let hrID = try await culise.addUser(
                email: "hr@alfa.ro", displayName: "HR", password: Fixtures.password, company: setup.company, role: .hr,
                actor: .system("test"))
            let hr = Principal(userID: hrID, email: "hr@alfa.ro", displayName: "HR", companyID: setup.company, role: .hr)
            let hidden = await DocumentNames.labels(culise, documents.map { (type: $0.0, id: $0.1) }, hr, t)
            #expect(hidden[invoice.id.description]?.label == "factură" && hidden[invoice.id.description]?.href == nil)
            await expectRefusal("page.limit", field: "limit") {
                try await culise.documentNumbers(
                    company: setup.company, invoices: Array(repeating: unknown, count: Limits.maxPageSize + 1), bills: [],
                    actor: setup.actor)
            }
        }
    }
}

extension InvoicingWebTests {
    /// Issue 12, item 3: API reads carry caching headers: a 200 is private and revalidated by its ETag, a GET naming
    /// that tag gets 304 without a body until the data changes, and writes and refusals are not kept.
    @Test(arguments: Engine.available)
    func apiReadsRevalidateWithTheirETag(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let first = try await browser.api(.get, "/api/v1/invoices?limit=50", token: token)
            #expect(first.status == .ok)
            #expect(first.headers[.cacheControl] == "private, no-cache")
            let tag = try #require(first.headers[.eTag])
            #expect(tag.hasPrefix("\"") && tag.count == 34)
            let again = try await browser.api(.get, "/api/v1/invoices?limit=50", token: token, headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified && again.body.readableBytes == 0 && again.headers[.eTag] == tag)
            // A list of tags, a weak form, or `*` match too; another tag does not.
            for header in ["\"x\", \(tag)", "W/\(tag)", "*"] {
                #expect(
                    try await browser.api(.get, "/api/v1/invoices?limit=50", token: token, headers: [.ifNoneMatch: header]).status
                        == .notModified)
            }
            #expect(try await browser.api(.get, "/api/v1/invoices?limit=50", token: token, headers: [.ifNoneMatch: "\"x\""]).status == .ok)
            // A write: not kept, and the list's tag changes.
            let created = try await browser.api(
                .post, "/api/v1/invoices", token: token, json: #"{"partner":"BETA","lines":[{"product":"CONSULT","quantity":"2"}]}"#)
            #expect(created.status == .created && created.headers[.cacheControl] == "no-store" && created.headers[.eTag] == nil)
            let changed = try await browser.api(.get, "/api/v1/invoices?limit=50", token: token, headers: [.ifNoneMatch: tag])
            #expect(changed.status == .ok && changed.headers[.eTag] != tag)
            // A refusal is not kept either.
            let missing = try await browser.api(.get, "/api/v1/invoices/\(UUID().uuidString.lowercased())", token: token)
            #expect(missing.status == .notFound && missing.headers[.eTag] == nil && missing.headers[.cacheControl] == "no-store")
        }
    }
}
