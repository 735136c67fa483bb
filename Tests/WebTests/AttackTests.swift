import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import NIOCore
import PartnersApp
import TestSupport
import Testing

@testable import Web

/// Issue 10: one regression test per finding of the adversarial review, through the API as the attacker sent it.
@Suite struct AttackTests {
    static func entry(_ amount: String, ref: String? = nil, post: Bool = true) -> String {
        let reference = ref.map { #","external_ref":"\#($0)""# } ?? ""
        return
            #"{"journal":"GEN","date":"2026-05-02","description":"x"\#(reference),"post":\#(post),"lines":[{"account":"5121","debit":"\#(amount)"},{"account":"1012","credit":"\#(amount)"}]}"#
    }

    static func fields(_ response: TestResponse) -> Set<String> {
        Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
    }

    /// Finding 1: the largest Int64 amount is refused naming the field; the largest allowed amounts, many times over,
    /// leave every report and `verify` answering.
    @Test(arguments: Engine.available)
    func amountsAreBoundedAndReportsAlwaysAnswer(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            let huge = try await browser.api(.post, "/api/v1/entries", token: token, json: Self.entry("92233720368547758.07"))
            #expect(huge.status == .unprocessableContent, "\(huge.text)")
            #expect(Self.fields(huge).contains("lines[0].debit"))
            #expect(huge.text.contains("money.too_large") || huge.text.contains("money.overflow"))
            let over = try await browser.api(.post, "/api/v1/entries", token: token, json: Self.entry("1000000000000.00"))
            #expect(over.status == .unprocessableContent && over.text.contains("money.too_large"))
            for _ in 0..<20 {
                let ok = try await browser.api(.post, "/api/v1/entries", token: token, json: Self.entry(Money.ceilingText))
                #expect(ok.status == .created, "\(ok.text)")
            }
            for path in ["/api/v1/reports/trial-balance", "/api/v1/reports/balance-sheet", "/api/v1/reports/trial-balance?format=csv"] {
                #expect(try await browser.api(.get, path, token: token).status == .ok, "\(path)")
            }
            let report = try await culise.verifyLedger(company: company, actor: .user(admin))
            #expect(report.isIntact, "\(report)")
        }
    }

    /// The volume bound: once a company's ledger holds its most, posting is refused and nothing is half-written.
    @Test func theLedgerVolumeBoundRefusesAndStaysConsistent() async throws {
        try await TestDatabase.withCulise(.sqlite) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let ceiling = Limits.amountMinorUnits
            let line = EntryLine(account: "5121", debit: ceiling)
            let big = EntryDraft(
                journal: "GEN", date: try LocalDate(iso: "2026-05-02"), description: "x", externalRef: nil,
                lines: Array(repeating: line, count: 400) + Array(repeating: EntryLine(account: "1012", credit: ceiling), count: 400))
            var posted = 0
            var refusal: DomainError?
            for _ in 0..<20 {
                do {
                    _ = try await culise.postEntry(company: company, big, actor: .user(admin))
                    posted += 1
                } catch let error as DomainError {
                    refusal = error
                    break
                }
            }
            #expect(refusal?.id == "ledger.volume_exceeded")
            #expect(posted == 12, "10^18 / (800 × 10^14) = 12.5 entries")
            let balance = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            #expect(balance.equalitiesHold)
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
        }
    }

    /// Finding 2: 50,000 nested elements are refused on the three XML routes with a clear error, and the server goes on.
    @Test func deepXMLIsRefusedOnEveryRoute() async throws {
        try await Web.test(.sqlite) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            let deep =
                #"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">"#
                + String(repeating: "<a>", count: 50_000) + String(repeating: "</a>", count: 50_000) + "</Document>"
            for path in ["/api/v1/bills/ingest?filename=x.xml", "/api/v1/bank/imports?filename=x.xml", "/api/v1/fx/rates"] {
                let response = try await browser.client.execute(
                    uri: path, method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: deep))
                #expect(response.status.code >= 400 && response.status.code < 500, "\(path): \(response.status)")
                #expect(response.text.contains("nest deeper than"), "\(path): \(response.text.prefix(400))")
            }
            let doctype = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>"#
            let refused = try await browser.client.execute(
                uri: "/api/v1/bills/ingest?filename=x.xml", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: doctype))
            #expect(refused.text.contains("declares a document type") && refused.text.contains("refused"), "\(refused.text.prefix(400))")
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    /// Finding 3: overflowing lines are refused, never saved (drafts included).
    @Test(arguments: Engine.available)
    func overflowingInvoiceLinesAreRefused(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            for (quantity, price) in [("999999999999", "1000000"), ("999999999999", "100000000"), ("999999999999", "999999999999")] {
                for draft in [true, false] {
                    let response = try await browser.api(
                        .post, "/api/v1/invoices", token: token,
                        json:
                            #"{"partner":"BETA","draft":\#(draft),"lines":[{"description":"x","unit":"H87","quantity":"\#(quantity)","unit_price":"\#(price)","vat_category":"S"}]}"#
                    )
                    #expect(response.status == .unprocessableContent, "\(response.text.prefix(300))")
                    #expect(response.text.contains("document.line_too_large"), "\(response.text.prefix(300))")
                }
            }
            let many = (0..<1_000).map { _ in
                #"{"description":"x","unit":"H87","quantity":"1","unit_price":"999999999","vat_category":"S"}"#
            }
            let sum = try await browser.api(
                .post, "/api/v1/invoices", token: token, json: #"{"partner":"BETA","lines":[\#(many.joined(separator: ","))]}"#)
            #expect(sum.status == .unprocessableContent && sum.text.contains("document.total_too_large"), "\(sum.text.prefix(300))")
            #expect(try await culise.invoices(company: setup.company, filter: InvoiceFilter(), page: .first, actor: setup.actor).total == 0)
        }
    }

    /// Finding 4: a date in year 9999 is refused at the edge; the calendar works for every accepted year.
    @Test func farDatesAreRefusedAndTheCalendarNeverTraps() async throws {
        try await Web.test(.sqlite) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let response = try await browser.api(
                .post, "/api/v1/invoices", token: token,
                json: #"{"partner":"BETA","issue_date":"9999-12-31","lines":[{"product":"CONSULT","quantity":"1"}]}"#)
            #expect(response.status == .unprocessableContent && response.text.contains("date.out_of_range"), "\(response.text)")
        }
        for year in Limits.businessYears {
            let easter = RomanianHolidays.orthodoxEaster(year)
            #expect(easter.month == 4 || easter.month == 5, "\(year): \(easter)")
        }
        #expect(RomanianHolidays.orthodoxEaster(2026).iso == "2026-04-12")
        #expect(RomanianHolidays.orthodoxEaster(2100).iso == "2100-05-02")
        #expect(EFacturaDeadline.due(issued: try LocalDate(iso: "2199-12-31")).year == 2200)
    }

    /// Finding 6: a draft with a taken reference is a 409; a bank line matched to an account, unmatched and matched again works.
    @Test(arguments: Engine.available)
    func theTwoServerErrorsAreConflictsOrWork(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            #expect(try await browser.api(.post, "/api/v1/entries", token: token, json: Self.entry("10.00", ref: "R-1")).status == .created)
            let draft = try await browser.api(.post, "/api/v1/entries", token: token, json: Self.entry("10.00", ref: "R-1", post: false))
            #expect(draft.status == .conflict && draft.text.contains("ledger.duplicate_reference"), "\(draft.text)")
            let account = try await browser.api(
                .post, "/api/v1/bank/accounts", token: token, json: #"{"iban":"\#(InvoicingFixtures.companyIBAN)","currency":"RON"}"#)
            #expect(account.status == .created)
            let csv = """
                date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban
                2026-05-03,-3.50,RON,BANCA,,COMISION,,F-1,\(InvoicingFixtures.companyIBAN)
                """
            let imported = try await browser.client.execute(
                uri: "/api/v1/bank/imports?filename=x.csv&profile=generic", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: csv))
            #expect(imported.status == .created, "\(imported.text)")
            let lines = try await browser.api(.get, "/api/v1/bank/lines", token: token)
            let line = try #require((lines.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            for round in 0..<3 {
                let matched = try await browser.api(.post, "/api/v1/bank/lines/\(line)/match", token: token, json: #"{"account":"627"}"#)
                #expect(matched.status == .ok, "round \(round): \(matched.text)")
                #expect(try await browser.api(.post, "/api/v1/bank/lines/\(line)/unmatch", token: token).status == .ok)
            }
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
        }
    }

    /// Finding 7: text cells that a spreadsheet would run are neutralised in the trial-balance CSV.
    @Test func reportCSVNeutralisesFormulas() throws {
        #expect(CSV.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0")
        for prefix in ["+", "-", "@", "\t", "\r"] { #expect(CSV.cell(prefix + "1").contains("'" + prefix)) }
        #expect(CSV.cell("Furnizori") == "Furnizori")
        let accounts = [
            "401": Account(code: try AccountCode("401"), name: "=1+1", type: .pasiv, parent: nil, isPostable: true, requiresPartner: true)
        ]
        let balance = TrialBalance.build(
            accounts: accounts, opening: [:], period: ["401": Turnover(debit: 0, credit: 100)], from: nil, to: nil)
        #expect(balance.csv().contains("401,'=1+1,"))
    }

    /// Finding 8: an admin of B adding A's admin learns nothing and attaches no one until the person accepts.
    @Test(arguments: Engine.available)
    func enrolmentIsByInvitation(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (companyA, userA, adminA) = try await Fixtures.companyWithAdmin(culise)
            let (companyB, userB, adminB) = try await Fixtures.companyWithAdmin(
                culise, email: "admin@beta.ro", cuiBody: 18_547_290, name: "Beta SRL")
            let (_, tokenB) = try await culise.createToken(user: userB, company: companyB, name: "t", actor: .user(adminB))
            let response = try await browser.api(
                .post, "/api/v1/users", token: tokenB,
                json: #"{"email":"admin@alfa.ro","role":"admin","password":"whatever-long-password-1"}"#)
            #expect(response.status == .accepted, "\(response.text)")
            #expect(
                !response.text.contains("Admin Alfa") && !response.text.contains(userA.description) && response.json["two_factor"] == nil)
            #expect(try await culise.members(of: companyB, actor: .user(adminB)).total == 1)
            // The person sees the invitation after signing in and accepts it; sign-in still opens A, the company used last.
            let (_, tokenA) = try await culise.createToken(user: userA, company: companyA, name: "t", actor: .user(adminA))
            let list = try await browser.api(.get, "/api/v1/invitations", token: tokenA)
            let items = try #require((try? JSONSerialization.jsonObject(with: Data(buffer: list.body))) as? [[String: Any]])
            #expect(items.count == 1 && items[0]["company_name"] as? String == "Beta SRL")
            let id = try #require(items[0]["id"] as? String)
            #expect(try await browser.api(.post, "/api/v1/invitations/\(id)/accept", token: tokenA).status == .ok)
            #expect(try await culise.members(of: companyB, actor: .user(adminB)).total == 2)
            #expect(try await browser.api(.post, "/api/v1/invitations/\(id)/accept", token: tokenA).status == .notFound)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(try await browser.get("/home").text.contains("Alfa Consult SRL"))
        }
    }

    /// Finding 9: the same Idempotency-Key and body in two companies creates two records.
    @Test(arguments: Engine.available)
    func idempotencyKeysArePerCompany(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (companyA, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let companyB = try await culise.createCompany(
                Fixtures.companyInput(name: "Beta SRL", cuiBody: 18_547_290), actor: .system("test"), owner: user)
            let (_, tokenA) = try await culise.createToken(user: user, company: companyA, name: "a", actor: .user(admin))
            let (_, tokenB) = try await culise.createToken(
                user: user, company: companyB.id, name: "b",
                actor: .user(Principal(userID: user, email: admin.email, displayName: "A", companyID: companyB.id, role: .admin)))
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "same-key"]
            let a = try await browser.api(.post, "/api/v1/entries", token: tokenA, json: Self.entry("5.00"), headers: key)
            let b = try await browser.api(.post, "/api/v1/entries", token: tokenB, json: Self.entry("5.00"), headers: key)
            #expect(a.status == .created && b.status == .created)
            #expect(b.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            let listB = try await browser.api(.get, "/api/v1/entries", token: tokenB)
            #expect(listB.json["total"] as? Int == 1)
        }
    }

    /// Finding 10: control characters, the tab redirect, tokens after a password change, HEAD, the CUI of another tenant.
    @Test func lowerFindings() async throws {
        try await Web.test(.sqlite) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            let nul = try await browser.api(
                .post, "/api/v1/partners", token: token,
                json:
                    #"{"code":"N1","kind":"company","name":"Evil\u0000 SRL","cui":"RO18547291","vat_payer":true,"is_customer":true,"is_supplier":false,"ibans":[]}"#
            )
            #expect(nul.status == .unprocessableContent && nul.text.contains("text.control_character") && Self.fields(nul) == ["name"])
            let head = try await browser.request(.head, "/login")
            #expect(head.status == .ok && head.body.readableBytes == 0, "\(head.status)")
            let apiHead = try await browser.api(.head, "/api/v1/entries", token: token)
            #expect(apiHead.status == .ok && apiHead.body.readableBytes == 0, "\(apiHead.status)")
            #expect(try await browser.api(.head, "/api/v1/entries", token: nil).status == .unauthorized)
            let other = try await browser.api(
                .post, "/api/v1/companies", token: token,
                json:
                    #"{"legal_name":"Copie SRL","cui":"RO\#(Fixtures.cui(1_854_729))","address":{"line":"Str. 1","city":"Cluj","county":"RO-CJ","country":"RO"},"vat_payer":true}"#
            )
            #expect(other.status == .conflict && other.text.contains("company.cui_unavailable"), "\(other.status) \(other.text)")
            #expect(!other.text.contains("already exists") && !other.text.contains("Alfa"), "\(other.text)")
            try await culise.changePassword(user: user, current: Fixtures.password, new: "a-new-password-2026!", keepSession: nil)
            #expect(try await browser.api(.get, "/api/v1/entries", token: token).status == .unauthorized)
        }
        #expect(Redirects.safeLocal("/\t/evil.example") == "/home")
        #expect(Redirects.safeLocal("/\n/evil.example") == "/home")
        #expect(Redirects.safeLocal("//evil.example") == "/home")
        #expect(Redirects.safeLocal("/invoices?x=1") == "/invoices?x=1")
    }
}

extension AttackTests {
    /// Finding 11: what schemathesis found once the document carried ranges. The server holds every `/api/` request to
    /// the document it publishes: undeclared methods answer 405 with `Allow`, parameters outside their declared type,
    /// range, length or enumeration are refused naming the parameter, and body fields the document bounds are bounded.
    @Test func theServerHoldsRequestsToItsDocument() async throws {
        try await Web.test(.sqlite) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            let trace = try await browser.api(.trace, "/api/v1/company", token: token)
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET, PUT, HEAD", "\(trace.status) \(trace.text)")
            #expect(trace.text.contains("request.method_not_allowed"))
            #expect(try await browser.api(.delete, "/api/v1/entries/12/post", token: token).status == .methodNotAllowed)
            for (path, field) in [
                ("/api/v1/audit?offset=9007199254740992", "offset"), ("/api/v1/users?limit=0", "limit"),
                ("/api/v1/efactura/outbox?pending=AAA", "pending"), ("/api/v1/entries?to=2026-13-01", "to"),
                ("/api/v1/partners?q=" + String(repeating: "x", count: 2001), "q"), ("/api/v1/entries?state=gone", "state"),
                ("/api/v1/companies/not-an-id", "id"),
                // 2001 skin-tone modifiers are one Swift Character but 2001 code points: JSON Schema counts code points.
                ("/api/v1/partners/" + String(repeating: "%F0%9F%8F%BB", count: 2001) + "/contacts", "code"),
            ] {
                let refused = try await browser.api(.get, path, token: token)
                #expect(refused.status == .unprocessableContent && Self.fields(refused) == [field], "\(path): \(refused.text)")
                #expect(refused.text.contains("request.parameter"), "\(path)")
            }
            #expect(try await browser.api(.get, "/api/v1/audit?offset=0&limit=500", token: token).status == .ok)
            #expect(try await browser.api(.get, "/api/v1/nowhere", token: token).status == .notFound)

            let limits = try await browser.api(
                .put, "/api/v1/cash/limits", token: token,
                json: #"{"partner_per_day":9007199254740992,"individual_per_transaction":-5,"register_ceiling":null}"#)
            #expect(limits.status == .unprocessableContent, "\(limits.text)")
            #expect(Self.fields(limits) == ["partner_per_day", "individual_per_transaction"], "\(limits.text)")
            let threshold = try await browser.api(.post, "/api/v1/bank/reconcile", token: token, json: #"{"threshold":-1}"#)
            #expect(threshold.status == .unprocessableContent && Self.fields(threshold) == ["threshold"], "\(threshold.text)")
            let year = try await browser.api(
                .post, "/api/v1/invoice-series", token: token, json: #"{"code":"ZZ","name":"Z","year":99999,"first_number":5}"#)
            #expect(year.status == .unprocessableContent && year.text.contains("invoice.series_year"), "\(year.text)")
            let dunning = try await browser.api(.post, "/api/v1/dunning-runs", token: token, json: #"{"language":"g"}"#)
            #expect(dunning.status == .unprocessableContent && Self.fields(dunning) == ["language"], "\(dunning.text)")
        }
    }
}
