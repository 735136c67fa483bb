import Application
import Assembly
import BankingApp
import Companies
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp
import TestSupport
import Testing

@Suite struct InvoicePDFTests {
    /// An invoice to Țesătoria Șercaia SA, Str. Ștefan cel Mare: the PDF shows the names exactly and the invoice's
    /// totals; its credit note names the invoice it corrects.
    @Test(arguments: Engine.available)
    func invoicePDFShowsRomanianNamesAndTotals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            _ = try await culise.createPartner(
                company: setup.company,
                PartnerInput(
                    code: "TESA", kind: .company, name: "Țesătoria Șercaia SA", cui: "RO" + Fixtures.cui(5_544_332), vatPayer: true,
                    tradeRegister: "J08/123/1995",
                    address: Address(line: "Str. Ștefan cel Mare 12", city: "Șercaia", county: "RO-BV", postalCode: "507200"),
                    paymentTermDays: 30, isCustomer: true, isSupplier: false),
                actor: setup.actor)
            let lines = (1...40).map { index in
                LineInput(
                    product: index % 2 == 0 ? "LAPTOP" : "CARTE", description: "Poziția \(index): țesături și fire", quantity: "\(index)")
            }
            let invoice = try await culise.issueInvoice(
                company: setup.company, DocumentInput(partner: "TESA", series: "EXD", issueDate: "2026-11-20", lines: lines),
                actor: setup.actor)
            let (name, data) = try await culise.invoicePDF(company: setup.company, id: invoice.id, actor: setup.actor)
            #expect(name == "EXD-1_2026.pdf")
            try InvoicingFixtures.writeDocument(data, name: "invoice-tesatoria.pdf")
            guard let text = try pdfText(data) else {
                Issue.record("pdftotext is not installed (apt-get install poppler-utils)")
                return
            }
            #expect(text.contains("Țesătoria Șercaia SA"))
            #expect(text.contains("Str. Ștefan cel Mare 12, Șercaia"))
            #expect(text.contains("FACTURĂ Nr. EXD-1"))
            #expect(text.contains("Poziția 40: țesături și fire"))
            // The totals are the invoice's, in Romanian number format.
            let totals = invoice.document.totals
            for (label, minor) in [
                ("Total fără TVA", totals.taxExclusive), ("Total TVA", totals.vatTotal), ("Total de plată", totals.payable),
            ] {
                let expected = MoneyFormat.amount(minor, locale: .ro) + " RON"
                #expect(
                    text.range(of: "\(label)\\s+\(NSRegularExpression.escapedPattern(for: expected))", options: .regularExpression) != nil,
                    "\(label) \(expected)")
            }
            #expect(totals.payable > 100_000_00 && MoneyFormat.amount(totals.payable, locale: .ro).contains("."))
            // Forty lines take two pages; the last one carries the totals.
            #expect(
                text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.count == 2)
            // The credit note.
            let credit = try await culise.creditInvoice(
                company: setup.company, id: invoice.id, lines: nil, reason: "Retur marfă", actor: setup.actor)
            let creditText = try pdfText(try await culise.invoicePDF(company: setup.company, id: credit.id, actor: setup.actor).data) ?? ""
            #expect(creditText.contains("FACTURĂ DE STORNARE Nr. \(credit.number ?? "")"))
            #expect(creditText.contains("Stornează factura EXD-1 / 20.11.2026"))
            // A credit note (type 381) carries positive amounts, as UBL does; its title says it cancels.
            #expect(creditText.contains("Total de plată") && creditText.contains(MoneyFormat.amount(totals.payable, locale: .ro) + " RON"))
        }
    }
}
