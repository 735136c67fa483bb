import Application
import Assembly
import EFactura
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import TestSupport
import Testing

/// The refusals of invoices, credit notes, series, bills and products, each provoked and asserted by its id and field
/// on both engines (the error catalogue).
@Suite struct InvoicingRefusalTests {
    @Test(arguments: Engine.available)
    func invoiceAndSeriesRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (company, actor) = (setup.company, setup.actor)
            var settings = try await culise.invoiceSettings(company: company, actor: actor)
            settings.writeOffLimit = -1
            await expectRefusal("invoice.write_off_limit", field: "write_off_limit") {
                try await culise.updateInvoiceSettings(company: company, settings, actor: actor)
            }
            await expectRefusal("invoice.series_code", field: "code") {
                try await culise.addSeries(company: company, code: "SERIE-LUNGA", name: "Prea lungă", actor: actor)
            }
            await expectRefusal("invoice.first_number", field: "first_number") {
                try await culise.setFirstNumber(company: company, series: "EXD", year: 2026, first: 0, actor: actor)
            }
            let lines = [LineInput(product: "CONSULT", quantity: "2")]
            await expectRefusal("invoice.series") {
                try await culise.issueInvoice(
                    company: company, DocumentInput(partner: "BETA", series: "NUEXISTA", issueDate: "2026-10-01", lines: lines),
                    actor: actor)
            }
            await expectRefusal("invoice.partner", field: "partner") {
                try await culise.issueInvoice(
                    company: company, DocumentInput(partner: "NIMENI", series: "EXD", issueDate: "2026-10-01", lines: lines), actor: actor)
            }
            let draft = try await culise.createInvoiceDraft(
                company: company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: lines), actor: actor)
            await expectRefusal("invoice.not_issued") { try await culise.invoiceXML(company: company, id: draft.id, actor: actor) }
            // e-Factura: a draft is not sent (no request leaves: the client points nowhere), only a rejected invoice is
            // corrected by credit note and reissue, and ANAF's ZIP exists only for an accepted one.
            let nowhere = ANAFClient(
                ANAFConfiguration(baseURL: try #require(URL(string: "http://127.0.0.1:9/")), token: "t", maxRetries: 0, timeout: 1))
            await expectRefusal("efactura.not_issued") {
                try await culise.sendEFactura(company: company, id: draft.id, client: nowhere, actor: actor)
            }
            let invoice = try await culise.issueInvoice(
                company: company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: lines), actor: actor)
            await expectRefusal("efactura.not_rejected") {
                try await culise.correctRejected(company: company, id: invoice.id, actor: actor)
            }
            await expectRefusal("efactura.no_zip") { try await culise.acceptedZIP(company: company, id: invoice.id, actor: actor) }
            await expectRefusal("efactura.zip", field: "file") { try SPVArchive.files(in: Data("PK nu este o arhivă".utf8)) }
            await expectRefusal("invoice.first_number_used", field: "first_number") {
                try await culise.setFirstNumber(company: company, series: "EXD", year: 2026, first: 1, actor: actor)
            }
            await expectRefusal("invoice.credit_line", field: "lines[0].line") {
                try await culise.creditInvoice(
                    company: company, id: invoice.id, lines: [.init(line: 9, quantity: "1")], reason: nil, actor: actor)
            }
            await expectRefusal("invoice.credit_quantity", field: "lines[0].quantity") {
                try await culise.creditInvoice(
                    company: company, id: invoice.id, lines: [.init(line: 1, quantity: "3")], reason: nil, actor: actor)
            }
            // One of the two hours credited: a second request for both hours asks for more than is left.
            let credit = try await culise.creditInvoice(
                company: company, id: invoice.id, lines: [.init(line: 1, quantity: "1")], reason: "Retur", actor: actor)
            await expectRefusal("invoice.credit_credit_note") {
                try await culise.creditInvoice(company: company, id: credit.id, lines: nil, reason: nil, actor: actor)
            }
            await expectRefusal("invoice.credit_too_much") {
                try await culise.creditInvoice(
                    company: company, id: invoice.id, lines: [.init(line: 1, quantity: "2")], reason: nil, actor: actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func billAndProductRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (company, actor) = (setup.company, setup.actor)
            let line = LineInput(description: "Hârtie A4", quantity: "10", unitPrice: "25")
            await expectRefusal("bill.partner", field: "partner") {
                try await culise.createBill(
                    company: company, DocumentInput(partner: "NIMENI", number: "F-1", issueDate: "2026-10-01", lines: [line]), actor: actor)
            }
            await expectRefusal("bill.not_found") { try await culise.postBill(company: company, id: BillID.generate(), actor: actor) }
            let bill = try await culise.createBill(
                company: company, DocumentInput(partner: "DELTA", number: "F-1", issueDate: "2026-10-01", lines: [line]), actor: actor)
            await expectRefusal("bill.account", field: "lines[0].account") {
                try await culise.postBill(company: company, id: bill.id, accounts: [1: "9999"], actor: actor)
            }
            let euro = try await culise.createBill(
                company: company,
                DocumentInput(partner: "DELTA", number: "F-2", issueDate: "2026-10-01", currency: "EUR", lines: [line]), actor: actor)
            await expectRefusal("bill.exchange_rate", field: "exchange_rate") {
                try await culise.postBill(company: company, id: euro.id, actor: actor)
            }
            await expectRefusal("product.code_taken", field: "code") {
                try await culise.createProduct(
                    company: company, ProductInput(code: "CONSULT", name: "Altceva", unit: "HUR", unitPrice: "1"), actor: actor)
            }
            await expectRefusal("product.not_found") { try await culise.archiveProduct(company: company, code: "NUEXISTA", actor: actor) }
        }
    }
}
