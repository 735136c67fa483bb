import Application
import Assembly
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import TestSupport
import Testing

/// The e-Factura outbox says how late an upload is in words, never as a negative number of days left; with sending off,
/// the invoice page says so instead of offering a dead end.
@Suite struct OutboxPageTests {
    @Test(arguments: Engine.available)
    func lateUploadsSayHowLate(_ engine: Engine) async throws {
        // Today is 2026-11-20 for the app: an invoice of 2026-10-01 is weeks past its five business days.
        let today = try #require(ISO8601DateFormatter().date(from: "2026-11-20T10:00:00Z"))
        try await Web.test(engine, clock: { today }) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/efactura").text
            #expect(page.contains("întârziere ") && page.contains(" de zile lucrătoare"), "\(page)")
            #expect(!page.contains(">-"))
            // Sending is off on this server: the invoice page says so, in Romanian, and offers no dead-end button.
            let invoicePage = try await browser.get("/invoices/\(invoice.id)").text
            #expect(invoicePage.contains("Transmiterea în e-Factura nu este activată pe acest server"))
            #expect(!invoicePage.contains("/invoices/\(invoice.id)/send") && !invoicePage.contains("CULISE_ANAF"))
        }
    }
}
