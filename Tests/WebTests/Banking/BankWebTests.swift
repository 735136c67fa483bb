import Application
import Assembly
import Banking
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import NIOCore
import PartnersApp
import TestSupport
import Testing

@Suite struct BankWebTests {
    static func multipart(_ fields: [String: String], file: (name: String, filename: String, data: Data)) -> (HTTPFields, ByteBuffer) {
        let boundary = "culise-bank-boundary"
        var body = Data()
        for (key, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8))
        body.append(file.data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return (headers, ByteBuffer(data: body))
    }

    /// An account with a threshold is matched on import (issue 13, item 5): a line that scores above it is confirmed
    /// at once, and the import says how many.
    @Test(arguments: Engine.available)
    func importMatchesAccountsWithAThreshold(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await InvoicingFixtures.issue(culise, setup, quantity: "10", on: "2026-10-01")
            _ = try await culise.addBankAccount(
                company: setup.company,
                BankAccountInput(name: "BT", iban: InvoicingFixtures.companyIBAN, currency: "RON", autoThreshold: 80),
                actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let csv = """
                date,amount,currency,counterparty,counterparty_iban,details,account_iban
                2026-10-20,\(DecimalText.amount(invoice.total.minorUnits)),RON,Beta Distribuție SRL,RO09BCYP0000001234567890,Plata \(invoice.number!),\(InvoicingFixtures.companyIBAN)
                """
            let (headers, body) = Self.multipart(
                ["_csrf": try await browser.csrf(from: "/bank"), "profile": "generic"],
                file: (name: "file", filename: "oct.csv", data: Data(csv.utf8)))
            let imported = try await browser.request(.post, "/bank/import", headers: headers, body: body)
            #expect(imported.status == .ok && imported.text.contains("1 potrivită automat"))
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
        }
    }

    @Test(arguments: Engine.available)
    func pagesImportReviewMatchAndUnmatch(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: [LineInput(product: "CONSULT", quantity: "10")]),
                actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            // Add the account through the form (a bad IBAN first: the field is named).
            let bad = try await browser.post("/bank/accounts", ["iban": "RO49AAAA1B31007593840001", "currency": "RON"], from: "/bank")
            #expect(bad.status == .unprocessableContent && bad.text.contains("error-summary"))
            let added = try await browser.post(
                "/bank/accounts", ["iban": InvoicingFixtures.companyIBAN, "currency": "RON", "name": "BT"], from: "/bank")
            #expect(added.status == .seeOther)
            // Upload a statement (generic CSV): one payment of the invoice, one unknown fee.
            let csv = """
                date,amount,currency,counterparty,counterparty_iban,details,account_iban
                2026-10-20,\(DecimalText.amount(invoice.total.minorUnits)),RON,Beta Distribuție SRL,RO09BCYP0000001234567890,Plata \(invoice.number!),\(InvoicingFixtures.companyIBAN)
                2026-10-21,-7.50,RON,BANCA,,COMISION LUNAR,\(InvoicingFixtures.companyIBAN)
                """
            let csrf = try await browser.csrf(from: "/bank")
            let (headers, body) = Self.multipart(
                ["_csrf": csrf, "profile": "generic"], file: (name: "file", filename: "oct.csv", data: Data(csv.utf8)))
            let imported = try await browser.request(.post, "/bank/import", headers: headers, body: body)
            #expect(
                imported.status == .ok && imported.text.contains("oct.csv") && imported.text.contains("2 linii noi, 0 sărite ca duplicate"))
            let again = try await browser.request(.post, "/bank/import", headers: headers, body: body)
            #expect(again.text.contains("rândul 2, rândul 3") && again.text.contains("0 linii noi, 2 sărite ca duplicate"))
            for path in ["/bank", "/bank/review", "/bank/lines", "/bank/rules", "/bank/reconciliation", "/cash", "/fx", "/home"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path): \(page.status)")
            }
            let review = try await browser.get("/bank/review")
            #expect(review.text.contains("data-review-item") && review.text.contains(invoice.number!))
            #expect(review.text.contains("2 linii de verificat") && !review.text.contains("2 de verificat"))
            #expect(review.text.contains("invoice number \(invoice.number!) found") || review.text.contains("apare în detaliile plății"))
            let account = try await culise.bankAccounts(company: setup.company, actor: setup.actor)[0]
            let lines = try await culise.bankLines(
                company: setup.company, account: account.id, state: nil, page: .first, actor: setup.actor
            ).items
            let receipt = lines.first { $0.amount.minorUnits > 0 }!
            let fee = lines.first { $0.amount.minorUnits < 0 }!
            // Accept the best candidate; assign the fee to 627 and make it a rule.
            let accepted = try await browser.post(
                "/bank/lines/\(receipt.id)/match", ["action": "accept", "candidate": "0"], from: "/bank/review")
            #expect(accepted.status == .seeOther)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
            let wrong = try await browser.post(
                "/bank/lines/\(fee.id)/match", ["action": "assign", "account": "9999"], from: "/bank/review")
            #expect(wrong.status == .unprocessableContent)
            let assigned = try await browser.post(
                "/bank/lines/\(fee.id)/match", ["action": "assign", "account": "627", "make_rule": "true", "rule_pattern": "COMISION"],
                from: "/bank/review")
            #expect(assigned.status == .seeOther)
            #expect(try await culise.bankRules(company: setup.company, actor: setup.actor).map(\.pattern) == ["COMISION"])
            #expect(try await browser.get("/bank/reconciliation").text.contains("0,00"))
            // The lines page names what was matched by number and says why in the reader's language (issue 13, item 2).
            let matched = try await browser.get("/bank/lines?state=matched")
            #expect(matched.text.contains("<strong>factură \(invoice.number!)</strong>"))
            #expect(matched.text.contains("apare în detaliile plății") && matched.text.contains("confirmată de"))
            #expect(!matched.text.contains("<strong>\(invoice.id)"))
            let english = try await browser.get("/bank/lines?state=matched&lang=en")
            #expect(english.text.contains("found in the payment details") && english.text.contains("confirmed by"))
            // Unmatch from the lines page.
            let undone = try await browser.post("/bank/lines/\(receipt.id)/unmatch", [:], from: "/bank/lines")
            #expect(undone.status == .seeOther)
            #expect(
                try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits
                    == invoice.total.minorUnits)
            // Cash: a withdrawal from the bank into the register, numbered, shown in the register.
            let cash = try await browser.post(
                "/cash/operations",
                ["direction": "in", "date": "2026-10-22", "amount": "300", "counter_account": "581", "description": "Ridicare numerar"],
                from: "/cash")
            #expect(cash.status == .ok && cash.text.contains("DI-2026-000001"))
            #expect(try await browser.get("/cash?date=2026-10-22").text.contains("300,00"))
            // BNR rates through the page, then a lookup.
            let (fxHeaders, fxBody) = Self.multipart(
                ["_csrf": try await browser.csrf(from: "/fx")],
                file: (name: "file", filename: "nbrfxrates.xml", data: Data(WebFixtures.bnr.utf8)))
            #expect(try await browser.request(.post, "/fx/import", headers: fxHeaders, body: fxBody).status == .ok)
            #expect(try await browser.get("/fx?currency=EUR&date=2026-10-31").text.contains("5.0987"))
        }
    }

    @Test(arguments: Engine.available)
    func theAPIImportsReviewsAndMatches(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: [LineInput(product: "CONSULT", quantity: "2")]),
                actor: setup.actor)
            let account = try await browser.api(
                .post, "/api/v1/bank/accounts", token: token, json: #"{"iban":"\#(InvoicingFixtures.companyIBAN)","currency":"RON"}"#)
            #expect(account.status == .created)
            let accountID = account.json["id"] as! String
            let badAccount = try await browser.api(
                .post, "/api/v1/bank/accounts", token: token, json: #"{"iban":"RO00XX","currency":"RON"}"#)
            #expect(badAccount.status == .unprocessableContent)
            let mt940 = """
                :20:STMT1
                :25:\(InvoicingFixtures.companyIBAN)
                :60F:C261001RON0,00
                :61:2610201020C\(DecimalText.amount(invoice.total.minorUnits).replacingOccurrences(of: ".", with: ","))NTRFNONREF//B-1
                :86:?20Plata \(invoice.number!)?32Beta Distributie SRL?38RO09BCYP0000001234567890
                :62F:C261020RON\(DecimalText.amount(invoice.total.minorUnits).replacingOccurrences(of: ".", with: ","))
                """
            let imported = try await browser.client.execute(
                uri: "/api/v1/bank/imports?filename=s.sta", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: mt940))
            #expect(imported.status == .created && imported.json["new"] as? Int == 1 && imported.json["format"] as? String == "mt940")
            let broken = try await browser.client.execute(
                uri: "/api/v1/bank/imports", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: mt940.replacingOccurrences(of: ":61:2610201020C", with: ":61:26X0201020C")))
            #expect(broken.status == .unprocessableContent && broken.text.contains("line 4"))
            let review = try await browser.api(.get, "/api/v1/bank/review?account=\(accountID)", token: token)
            let items = review.json["items"] as! [[String: Any]]
            let line = (items[0]["line"] as! [String: Any])["id"] as! String
            let candidates = items[0]["candidates"] as! [[String: Any]]
            #expect((candidates[0]["explanation"] as! String).contains(invoice.number!))
            let matched = try await browser.api(.post, "/api/v1/bank/lines/\(line)/match", token: token, json: #"{"candidate":0}"#)
            #expect(matched.status == .ok && matched.json["state"] as? String == "matched", "\(matched.text)")
            let twice = try await browser.api(.post, "/api/v1/bank/lines/\(line)/match", token: token, json: #"{"candidate":0}"#)
            #expect(twice.status == .conflict)
            let status = try await browser.api(.get, "/api/v1/bank/status", token: token)
            #expect(((status.json["items"] as! [[String: Any]])[0]["progress"] as? Int) == 100)
            let statement = try await browser.api(.get, "/api/v1/bank/accounts/\(accountID)/reconciliation?date=2026-12-31", token: token)
            #expect(statement.json["difference"] as? String == "0.00")
            #expect(try await browser.api(.post, "/api/v1/bank/lines/\(line)/unmatch", token: token).status == .ok)
            let rule = try await browser.api(.post, "/api/v1/bank/rules", token: token, json: #"{"pattern":"COMISION","account":"627"}"#)
            #expect(rule.status == .created)
            #expect(try await browser.api(.delete, "/api/v1/bank/rules/\(rule.json["id"] as! String)", token: token).status == .noContent)
            let profile = try await browser.api(
                .post, "/api/v1/bank/csv-profiles", token: token,
                json:
                    #"{"name":"banca-mea","delimiter":";","header_rows":1,"date_format":"dd.MM.yyyy","decimal_separator":",","date":"Data","amount":"Suma","details":["Detalii"],"default_currency":"RON"}"#
            )
            #expect(profile.status == .created)
            let badProfile = try await browser.api(
                .post, "/api/v1/bank/csv-profiles", token: token,
                json:
                    ##"{"name":"x","delimiter":"#","header_rows":1,"date_format":"x","decimal_separator":",","date":"Data","details":[]}"##)
            #expect(badProfile.status == .unprocessableContent && badProfile.text.contains("date_format"))
            let rates = try await browser.client.execute(
                uri: "/api/v1/fx/rates", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: WebFixtures.bnr))
            #expect(rates.status == .created)
            let rate = try await browser.api(.get, "/api/v1/fx/rate?currency=EUR&date=2026-11-02", token: token)
            #expect(rate.json["ron_per_unit"] as? String == "5.0987" && rate.json["published"] as? String == "2026-10-30")
            let register = try await browser.api(.get, "/api/v1/cash/register?date=2026-10-22", token: token)
            #expect(register.status == .ok)
        }
    }
}

enum WebFixtures {
    static let bnr = """
        <?xml version="1.0" encoding="utf-8"?>
        <DataSet xmlns="http://www.bnr.ro/xsd"><Header><Publisher>National Bank of Romania</Publisher><PublishingDate>2026-10-30</PublishingDate><MessageType>DR</MessageType></Header>
        <Body><Subject>Reference rates</Subject><OrigCurrency>RON</OrigCurrency>
        <Cube date="2026-10-29"><Rate currency="EUR">5.0912</Rate></Cube>
        <Cube date="2026-10-30"><Rate currency="EUR">5.0987</Rate></Cube>
        </Body></DataSet>
        """
}
