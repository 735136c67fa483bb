import Application
import Assembly
import Banking
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import TestSupport
import Testing

/// Documents own their entries (issue 13): an entry that an invoice, a credit note, a bill, a payment, a bank line, a
/// bank fee, a cash document, a revaluation (and its reversal), a partner merge or the year-end closing produced cannot
/// be reversed from the ledger; the refusal names the document's own action. A person's own entry still reverses.
@Suite struct DocumentEntryTests {
    @Test(arguments: Engine.available)
    func everyDocumentTypeOwnsItsEntry(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            let (company, actor) = (setup.company, setup.actor)
            var owned: [(EntryOwner.Kind, Int64?)] = []
            let invoice = try await BankingTests.issue(culise, setup, hours: "4")
            owned.append((.invoice, invoice.entryID))
            let credit = try await culise.creditInvoice(
                company: company, id: invoice.id, lines: [.init(line: 1, quantity: "1")], reason: "Retur", actor: actor)
            owned.append((.invoice, credit.entryID))
            let bill = try await culise.createBill(
                company: company,
                DocumentInput(
                    partner: "DELTA", number: "F-1", issueDate: "2026-10-02",
                    lines: [LineInput(description: "Hârtie", quantity: "10", unitPrice: "25")]), actor: actor)
            owned.append((.bill, try await culise.postBill(company: company, id: bill.id, actor: actor).entryID))
            let payment = try await culise.recordPayment(
                company: company,
                PaymentInput(
                    direction: "out", partner: "DELTA", date: "2026-10-03", amount: "100",
                    allocations: [.init(document: bill.id.description, amount: "100")]),
                actor: actor)
            owned.append((.payment, payment.entryID))
            // A receipt of the invoice's rest, less a 1.00 fee the bank kept; and a fee line matched to 627.
            let open = try await culise.invoice(company: company, id: invoice.id, actor: actor).open.minorUnits
            _ = try await culise.importStatement(
                company: company,
                data: BankingTests.csv([
                    ("2026-10-20", DecimalText.amount(open - 100), "BETA", BankingTests.betaIBAN, "Plata \(invoice.number ?? "")"),
                    ("2026-10-21", "-12.50", "BANCA", "", "COMISION"),
                ]), fileName: "oct.csv", actor: actor)
            let lines = try await culise.bankLines(
                company: company, account: account.id, state: nil, page: try PageRequest(), actor: actor
            ).items
            let receiptLine = try #require(lines.first { $0.amount.minorUnits > 0 })
            let feeLine = try #require(lines.first { $0.amount.minorUnits < 0 })
            let receipt = try await culise.confirmMatch(
                company: company, line: receiptLine.id,
                BankMatchInput(
                    allocations: [.init(kind: "invoice", id: invoice.id.description, amount: DecimalText.amount(open))], fee: "1.00"),
                actor: actor)
            owned.append((.payment, receipt.entryID))
            owned.append((.bankFee, receipt.feeEntryID))
            owned.append(
                (
                    .bankLine,
                    try await culise.confirmMatch(company: company, line: feeLine.id, BankMatchInput(account: "627"), actor: actor).entryID
                ))
            let cash = try await culise.recordCashOperation(
                company: company,
                CashOperationInput(
                    direction: "in", date: "2026-10-22", amount: "300", counterAccount: "581", description: "Ridicare numerar"),
                actor: actor)
            owned.append((.cash, cash.entryID))
            let feed = BNRSample.feed.replacingOccurrences(of: "2026-03-12", with: "2026-10-29").replacingOccurrences(
                of: "2026-03-13", with: "2026-10-30")
            _ = try await culise.importBNRRates(Data(feed.utf8), actor: .system("test"))
            _ = try await culise.issueInvoice(
                company: company,
                DocumentInput(
                    partner: "GAMA", issueDate: "2026-10-05", currency: "EUR", exchangeRate: "5.0000",
                    lines: [LineInput(product: "CONSULT", quantity: "10", unitPrice: "100")]), actor: actor)
            let revaluation = try await culise.revalue(company: company, month: try YearMonth(text: "2026-10"), actor: actor)
            owned.append((.revaluation, revaluation.entryID))
            owned.append((.revaluation, revaluation.reversalEntryID))
            let merge = try await culise.mergePartners(company: company, keep: "BETA", duplicate: "GAMA", actor: actor)
            owned.append((.merge, merge.entries.first))
            // A person's own entry reverses; then the year closes and its closing entry belongs to the year.
            let own = try await culise.postEntry(
                company: company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-10-25"), description: "Aport",
                    lines: [EntryLine(account: "5311", debit: 5_000), EntryLine(account: "1012", credit: 5_000)]), actor: actor)
            #expect(try await culise.entryOwner(company: company, own, actor: actor) == nil)
            _ = try await culise.reverseEntry(company: company, own, on: nil, actor: actor)
            owned.append(
                (
                    .yearEnd,
                    try await culise.closeFiscalYear(company: company, containing: try LocalDate(iso: "2026-10-01"), actor: actor)?.rawValue
                ))
            // The VAT closing owns its entry too; Tests/FilingsAppTests (VATReturnAppTests) shows it.
            #expect(Set(owned.map(\.0)) == Set(EntryOwner.Kind.allCases).subtracting([.vatClosing]))
            for (kind, entry) in owned {
                let id = EntryID(try #require(entry, "\(kind) produced no entry"))
                #expect(try await culise.entryOwner(company: company, id, actor: actor)?.kind == kind, "\(kind)")
                await expectRefusal("ledger.document_entry") { try await culise.reverseEntry(company: company, id, on: nil, actor: actor) }
            }
            #expect(try await culise.verifyLedger(company: company, actor: actor).isIntact)
            // Reopening the year reverses its closing entry through the year's own action.
            try await culise.reopenFiscalYear(company: company, containing: try LocalDate(iso: "2026-10-01"), actor: actor)
        }
    }
}
