import Application
import Assembly
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import NIOCore
import TestSupport
import Testing

/// The refusals only the pages raise (a form sent without its file, a setting out of its list): each page answers with
/// the Romanian catalogue text of the refusal's id (the error catalogue).
@Suite struct PageRefusalTests {
    /// The Romanian text of `id` as a page shows it (HTML entities read back).
    static func shows(_ id: String, in page: String) throws -> Bool {
        let catalogue = try LocalisedErrorTests.romanianErrors()
        guard let text = catalogue[id] else { return false }
        let plain = page.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        return plain.contains(text)
    }

    /// A multipart form with its CSRF token and no file.
    static func emptyUpload(_ csrf: String) -> (HTTPFields, ByteBuffer) {
        let boundary = "culise-empty-boundary"
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n--\(boundary)--\r\n"
        return (headers, ByteBuffer(string: body))
    }

    @Test(arguments: Engine.available)
    func formsWithoutTheirFile(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let bill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-9", issueDate: "2026-12-01",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "100", account: "604")]), actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let uploads: [(String, String, String)] = [
                ("document.no_file", "/bills/\(bill.id)", "/bills/\(bill.id)/documents"),
                ("statement.no_file", "/bank", "/bank/import"),
                ("fx.no_file", "/fx", "/fx/import"),
                ("efactura.no_file", "/bills", "/bills/ingest"),
            ]
            for (id, page, action) in uploads {
                let (headers, body) = Self.emptyUpload(try await browser.csrf(from: page))
                let response = try await browser.request(.post, action, headers: headers, body: body)
                #expect(try Self.shows(id, in: response.text), "\(action): \(response.status)")
            }
            let convention = try await browser.post("/fx/convention", ["convention": "ieri"], from: "/fx")
            #expect(try Self.shows("fx.convention", in: convention.text), "\(convention.status)")
        }
    }

    /// The entry page of an invoice's entry links to the invoice and offers no reversal; a forced reversal is refused
    /// with the catalogue's Romanian text.
    @Test(arguments: Engine.available)
    func aDocumentsEntryLinksToItsDocument(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            let entry = try #require(invoice.entryID)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/ledger/entries/\(entry)")
            #expect(page.text.contains("href=\"/invoices/\(invoice.id)\"") && page.text.contains("Generată de"))
            // The document is named by kind and number, the way a person names it; no internal id in any text.
            #expect(page.text.contains(">factură \(invoice.number ?? "")</a>"))
            #expect(!Self.visibleText(page.text).contains(invoice.id.description))
            #expect(!page.text.contains("/ledger/entries/\(entry)/reverse"))
            let forced = try await browser.post(
                "/ledger/entries/\(entry)/reverse", ["date": "2026-10-02"], from: "/ledger/entries/\(entry)")
            #expect(try Self.shows("ledger.document_entry", in: forced.text), "\(forced.status)")
            // A person's own entry offers the reversal, which asks first with the entry's number and the date.
            let own = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-10-03"), description: "Aport",
                    lines: [EntryLine(account: "5311", debit: 5_000), EntryLine(account: "1012", credit: 5_000)]), actor: setup.actor)
            let ownPage = try await browser.get("/ledger/entries/\(own)")
            #expect(ownPage.text.contains("/ledger/entries/\(own)/reverse") && ownPage.text.contains("data-confirm=\"Stornați nota "))
        }
    }

    /// An error page keeps the navigation for a signed-in reader and offers the way back to the page they came from
    /// (issue 13, item 4); a referrer on another site is never offered.
    @Test(arguments: Engine.available)
    func errorPagesKeepTheNavigationAndTheWayBack(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await InvoicingFixtures.setUp(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            var headers = HTTPFields()
            headers[.referer] = "http://localhost/invoices?state=issued"
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            let missing = try await browser.request(.get, "/invoices/\(UUID().uuidString.lowercased())", headers: headers)
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("<nav aria-label=") && missing.text.contains("href=\"/ledger\""))
            #expect(missing.text.contains("href=\"/invoices?state=issued\"") && missing.text.contains("Înapoi la pagina anterioară"))
            headers[.referer] = "http://evil.example/phish"
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            let foreign = try await browser.request(.get, "/invoices/\(UUID().uuidString.lowercased())", headers: headers)
            #expect(foreign.status == .notFound && !foreign.text.contains("evil.example") && !foreign.text.contains("pagina anterioară"))
        }
    }

    /// The text a reader sees: the page without its tags and attributes.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }
}
