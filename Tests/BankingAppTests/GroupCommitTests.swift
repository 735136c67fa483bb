import Application
import Assembly
import Banking
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import TestSupport
import Testing

/// Automatic bank confirmations share a transaction (issue 12): one refused line rolls back alone, the others of its
/// batch stay confirmed, nothing is posted twice and the ledger verifies.
@Suite struct GroupCommitTests {
    @Test(arguments: Engine.available)
    func aRefusedLineRollsBackAloneAndTheBatchStands(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            var rows: [(date: String, amount: String, counterparty: String, iban: String, details: String)] = [
                // Dated before the lock date set below: its entry is refused, so the line goes to review.
                ("2026-10-05", "-4.50", "BANCA", "", "COMISION ADMINISTRARE CONT")
            ]
            var invoices: [InvoiceRecord] = []
            for hours in ["1", "2", "3", "4", "5"] {
                let invoice = try await BankingTests.issue(culise, setup, hours: hours)
                invoices.append(invoice)
                let number = try #require(invoice.number)
                rows.append(
                    ("2026-10-20", DecimalText.amount(invoice.total), "BETA DISTRIBUTIE S.R.L.", BankingTests.betaIBAN, "Plata \(number)"))
            }
            _ = try await culise.importStatement(
                company: setup.company, data: BankingTests.csv(rows), fileName: "oct.csv", actor: setup.actor)
            _ = try await culise.addBankRule(
                company: setup.company, pattern: "COMISION", account: "627", partner: nil, direction: "out", actor: setup.actor)
            try await culise.setLockDate(company: setup.company, try LocalDate(iso: "2026-10-10"), actor: setup.actor)
            let before = try await culise.verifyLedger(company: setup.company, actor: setup.actor).entriesChecked
            // All six lines in one batch; then the same again one line per transaction: the outcome is the same.
            let run = try await culise.reconcile(company: setup.company, account: account.id, threshold: 80, actor: setup.actor)
            #expect(run.automatic == 5 && run.review == 1, "\(run)")
            let matched = try await culise.bankLines(
                company: setup.company, account: account.id, state: .matched, page: try PageRequest(), actor: setup.actor
            ).items
            #expect(matched.count == 5 && matched.allSatisfy { $0.amount > 0 })
            for invoice in invoices {
                #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open == 0)
            }
            let verification = try await culise.verifyLedger(company: setup.company, actor: setup.actor)
            #expect(verification.isIntact, "\(verification)")
            #expect(verification.entriesChecked == before + 5)
            // Nothing left to confirm, nothing posted twice: the refused line waits for a person.
            let again = try await culise.reconcile(company: setup.company, account: account.id, threshold: 80, batch: 1, actor: setup.actor)
            #expect(again.automatic == 0 && again.review == 1, "\(again)")
            #expect(try await culise.verifyLedger(company: setup.company, actor: setup.actor).entriesChecked == before + 5)
        }
    }
}
