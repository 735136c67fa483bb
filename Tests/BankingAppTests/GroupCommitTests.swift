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
                    (
                        "2026-10-20", DecimalText.amount(invoice.total.minorUnits), "BETA DISTRIBUTIE S.R.L.", BankingTests.betaIBAN,
                        "Plata \(number)"
                    ))
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
            #expect(matched.count == 5 && matched.allSatisfy { $0.amount.minorUnits > 0 })
            for invoice in invoices {
                #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
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

extension GroupCommitTests {
    /// What a reconciliation leaves behind, in terms that do not depend on generated ids: every matched line by its bank
    /// reference, the trial balance, every invoice's open amount by number, the audit trail's actions, the payments.
    struct Outcome: Equatable {
        var report: ReconcileReport
        var lines: [String: String]
        var trialBalance: [String]
        var open: [String: Int64]
        var audit: [String: Int]
        var intact: Bool
    }

    static func reconcileScenario(_ engine: Engine, batch: Int) async throws -> Outcome {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let scenario = ReconciliationScenario.generate(seed: 23, invoices: 240, bills: 40, lines: 320)
            let loaded = try await culise.loadReconciliationScenario(company: setup.company, scenario, series: "EXD", actor: setup.actor)
            _ = try await culise.importStatement(company: setup.company, data: loaded.statement, fileName: "s.xml", actor: setup.actor)
            let report = try await culise.reconcile(
                company: setup.company, account: loaded.account.id, threshold: 80, batch: batch, actor: setup.actor)
            var numbers: [String: String] = [:]
            var open: [String: Int64] = [:]
            for invoice in try await culise.invoiceSummaries(
                company: setup.company, filter: InvoiceFilter(), page: try PageRequest(limit: 500), actor: setup.actor
            ).items {
                numbers[invoice.id.description] = invoice.number
                open[invoice.number ?? invoice.id.description] = invoice.open.minorUnits
            }
            for bill in try await culise.bills(
                company: setup.company, state: nil, partner: nil, page: try PageRequest(limit: 500), actor: setup.actor
            ).items {
                numbers[bill.id.description] = bill.number
            }
            var lines: [String: String] = [:]
            for line in try await culise.bankLines(
                company: setup.company, account: loaded.account.id, state: .matched, page: try PageRequest(limit: 500),
                actor: setup.actor
            ).items {
                let documents = (line.matchDocuments ?? "").split(separator: ",").map { numbers[String($0)] ?? String($0) }
                lines[line.bankReference ?? ""] = [
                    documents.joined(separator: ","), line.matchAccount ?? "-", line.matchPartner ?? "-", "\(line.score ?? -1)",
                    line.explanation ?? "-", line.paymentID == nil ? "no payment" : "payment", line.entryID == nil ? "no entry" : "entry",
                    "\(line.automatic)",
                ].joined(separator: " | ")
            }
            let balance = try await culise.trialBalance(company: setup.company, from: nil, to: nil, actor: setup.actor)
            var audit: [String: Int] = [:]
            for action in ["bank.auto_match", "payment.receive", "payment.pay"] {
                audit[action] =
                    try await culise.auditEntries(
                        filter: AuditFilter(action: action), page: try PageRequest(limit: 1), actor: setup.actor
                    ).total
            }
            return Outcome(
                report: report, lines: lines,
                trialBalance: balance.rows.map { "\($0.code) \($0.closing)" }, open: open, audit: audit,
                intact: try await culise.verifyLedger(company: setup.company, actor: setup.actor).isIntact)
        }
    }

    /// Issue 12, item 2: a batch confirmed as a group (one statement per kind of row) comes out exactly as the same
    /// lines confirmed one by one: the same lines matched to the same documents and accounts with the same scores and
    /// explanations, the same trial balance and open amounts, one audit row per payment and per line, a ledger that verifies.
    @Test(arguments: Engine.available)
    func aGroupComesOutAsOneByOne(_ engine: Engine) async throws {
        let oneByOne = try await Self.reconcileScenario(engine, batch: 1)
        let grouped = try await Self.reconcileScenario(engine, batch: Limits.bankConfirmBatch)
        #expect(oneByOne.report.automatic > 200, "\(oneByOne.report)")
        #expect(grouped.report == oneByOne.report)
        #expect(grouped.lines == oneByOne.lines)
        #expect(grouped.trialBalance == oneByOne.trialBalance)
        #expect(grouped.open == oneByOne.open)
        #expect(grouped.audit == oneByOne.audit)
        #expect(grouped.audit["bank.auto_match"] == grouped.report.automatic)
        #expect(grouped.intact && oneByOne.intact)
    }

    /// A refusal that only the write finds (here the ledger's volume bound, which the whole group would pass) rolls the
    /// group back and the lines go one by one: the one that fits is confirmed, the others wait, none is lost or posted
    /// twice, and once there is room a second run confirms exactly the rest.
    @Test(arguments: Engine.available)
    func aRefusalWhileWritingFallsBackToOneByOne(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            var invoices: [InvoiceRecord] = []
            var rows: [(date: String, amount: String, counterparty: String, iban: String, details: String)] = []
            for hours in ["1", "2", "3", "4", "5"] {
                let invoice = try await BankingTests.issue(culise, setup, hours: hours)
                invoices.append(invoice)
                rows.append(
                    (
                        "2026-10-20", DecimalText.amount(invoice.total.minorUnits), "BETA DISTRIBUTIE S.R.L.", BankingTests.betaIBAN,
                        "Plata \(try #require(invoice.number))"
                    ))
            }
            _ = try await culise.importStatement(
                company: setup.company, data: BankingTests.csv(rows), fileName: "oct.csv", actor: setup.actor)
            let smallest = try #require(invoices.map(\.total.minorUnits).min())
            let company = setup.company.description
            // Room for the smallest receipt's entry (debit and credit of its amount) and nothing more.
            let volume = try await culise.database.transaction { db in
                let row = try await db.raw("SELECT volume FROM ledger_settings WHERE company_id = \(bind: company)").first()
                let volume = try #require(row).decode(column: "volume", as: Int64.self)
                try await db.raw(
                    "UPDATE ledger_settings SET volume = \(bind: Limits.ledgerVolumeMinorUnits - 2 * smallest) WHERE company_id = \(bind: company)"
                ).run()
                return volume
            }
            let before = try await culise.verifyLedger(company: setup.company, actor: setup.actor).entriesChecked
            let run = try await culise.reconcile(company: setup.company, account: account.id, threshold: 80, actor: setup.actor)
            #expect(run.automatic == 1 && run.deferred == 4, "\(run)")
            let matched = try await culise.bankLines(
                company: setup.company, account: account.id, state: .matched, page: try PageRequest(), actor: setup.actor
            ).items
            #expect(matched.count == 1 && matched.first?.amount.minorUnits == smallest)
            #expect(try await culise.verifyLedger(company: setup.company, actor: setup.actor).entriesChecked == before + 1)
            // Room again (the bound as it was, plus what the first run posted): the second run confirms the other four.
            try await culise.database.transaction { db in
                try await db.raw(
                    "UPDATE ledger_settings SET volume = \(bind: volume + 2 * smallest) WHERE company_id = \(bind: company)"
                ).run()
            }
            let again = try await culise.reconcile(company: setup.company, account: account.id, threshold: 80, actor: setup.actor)
            #expect(again.automatic == 4 && again.deferred == 0, "\(again)")
            for invoice in invoices {
                #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
            }
            let payments = try await culise.payments(
                company: setup.company, partner: nil, page: try PageRequest(), actor: setup.actor)
            #expect(payments.total == 5)
            let verification = try await culise.verifyLedger(company: setup.company, actor: setup.actor)
            #expect(verification.isIntact && verification.entriesChecked == before + 5, "\(verification)")
        }
    }
}
