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
import TestSupport
import Testing

/// The refusals of payments, cash, bank accounts, rules and matches, each provoked and asserted by its id and field
/// on both engines (the error catalogue).
@Suite struct BankingRefusalTests {
    @Test(arguments: Engine.available)
    func paymentRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await BankingTests.setUp(culise)
            let invoice = try await BankingTests.issue(culise, setup)
            let number = try #require(invoice.number)
            func pay(_ change: (inout PaymentInput) -> Void) -> PaymentInput {
                var input = PaymentInput(
                    direction: "in", partner: "BETA", date: "2026-10-20", amount: "100",
                    allocations: [.init(document: number, amount: "100")])
                change(&input)
                return input
            }
            let rows: [(String, String, PaymentInput)] = [
                ("payment.direction", "direction", pay { $0.direction = "sideways" }),
                ("payment.method", "method", pay { $0.method = "card" }),
                ("payment.currency", "currency", pay { $0.currency = "XYZ" }),
                ("payment.date", "date", pay { $0.date = "20/10/2026" }),
                ("payment.amount", "amount", pay { $0.amount = "0" }),
                (
                    "payment.exchange_rate", "exchange_rate",
                    pay {
                        $0.currency = "EUR"; $0.exchangeRate = "-2"; $0.allocations = []
                    }
                ),
                (
                    "payment.partner", "partner",
                    pay {
                        $0.partner = "NIMENI"; $0.allocations = []
                    }
                ),
                ("payment.account", "account", pay { $0.account = "9999" }),
                ("payment.allocation_amount", "allocations[0].amount", pay { $0.allocations = [.init(document: number, amount: "-1")] }),
                ("payment.document", "allocations[0].document", pay { $0.allocations = [.init(document: "EXD-99999", amount: "1")] }),
                (
                    "payment.over_allocation", "allocations[0].amount",
                    pay {
                        $0.amount = "100000"; $0.allocations = [.init(document: number, amount: "99999")]
                    }
                ),
                (
                    "payment.document_twice", "allocations[1].document",
                    pay { $0.allocations = [.init(document: number, amount: "10"), .init(document: number, amount: "10")] }
                ),
                ("payment.allocated_more", "allocations", pay { $0.amount = "50" }),
                (
                    "payment.too_many_allocations", "allocations",
                    pay { $0.allocations = Array(repeating: .init(document: number, amount: "1"), count: Limits.allocationsPerPayment + 1) }
                ),
            ]
            for (id, field, input) in rows {
                await expectRefusal(id, field: field) { try await culise.recordPayment(company: setup.company, input, actor: setup.actor) }
            }
            // An invoice of one partner cannot be paid by another; a RON invoice not with euros.
            await expectRefusal("payment.document_partner", field: "allocations[0].document") {
                try await culise.recordPayment(company: setup.company, pay { $0.partner = "GAMA" }, actor: setup.actor)
            }
            await expectRefusal("payment.document_currency", field: "allocations[0].document") {
                try await culise.recordPayment(
                    company: setup.company,
                    pay {
                        $0.currency = "EUR"; $0.exchangeRate = "5"
                    }, actor: setup.actor)
            }
            await expectRefusal("payment.not_found") {
                try await culise.payment(company: setup.company, id: PaymentID.generate(), actor: setup.actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func cashRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await BankingTests.setUp(culise)
            func cash(_ change: (inout CashOperationInput) -> Void) -> CashOperationInput {
                var input = CashOperationInput(
                    direction: "in", date: "2026-10-20", amount: "100", counterAccount: "581", description: "Ridicare")
                change(&input)
                return input
            }
            let rows: [(String, String, CashOperationInput)] = [
                ("cash.direction", "direction", cash { $0.direction = "up" }),
                ("cash.date", "date", cash { $0.date = "ieri" }),
                ("cash.amount", "amount", cash { $0.amount = "-5" }),
                ("cash.description", "description", cash { $0.description = " " }),
                ("cash.account", "account", cash { $0.account = "5121" }),
                ("cash.counter_account", "counter_account", cash { $0.counterAccount = "9999" }),
            ]
            for (id, field, input) in rows {
                await expectRefusal(id, field: field) {
                    try await culise.recordCashOperation(company: setup.company, input, actor: setup.actor)
                }
            }
            var limits = CashLimits.defaults
            limits.partnerPerDay = 0
            await expectRefusal("cash.limit", field: "partner_per_day") {
                try await culise.setCashLimits(company: setup.company, limits, actor: setup.actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func bankAccountAndRuleRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            let rows: [(String, String, BankAccountInput)] = [
                ("bank.account_kind", "kind", BankAccountInput(name: "X", kind: "vault", iban: "RO15AAAA1B31007593840001")),
                ("bank.currency", "currency", BankAccountInput(name: "X", iban: "RO15AAAA1B31007593840001", currency: "EURO")),
                ("bank.iban_required", "iban", BankAccountInput(name: "X")),
                (
                    "bank.ledger_account", "ledger_account",
                    BankAccountInput(name: "X", iban: "RO15AAAA1B31007593840001", ledgerAccount: "9999")
                ),
                ("bank.threshold", "auto_threshold", BankAccountInput(name: "X", iban: "RO15AAAA1B31007593840001", autoThreshold: 500)),
                ("bank.iban_taken", "iban", BankAccountInput(name: "X", iban: InvoicingFixtures.companyIBAN)),
            ]
            for (id, field, input) in rows {
                await expectRefusal(id, field: field) { try await culise.addBankAccount(company: setup.company, input, actor: setup.actor) }
            }
            await expectRefusal("bank.account_not_found") {
                try await culise.bankAccount(company: setup.company, id: BankAccountID.generate(), actor: setup.actor)
            }
            await expectRefusal("bank.rule_pattern", field: "pattern") {
                try await culise.addBankRule(
                    company: setup.company, pattern: "C", account: "627", partner: nil, direction: nil, actor: setup.actor)
            }
            await expectRefusal("bank.rule_account", field: "account") {
                try await culise.addBankRule(
                    company: setup.company, pattern: "COMISION", account: "9999", partner: nil, direction: nil, actor: setup.actor)
            }
            await expectRefusal("bank.rule_direction", field: "direction") {
                try await culise.addBankRule(
                    company: setup.company, pattern: "COMISION", account: "627", partner: nil, direction: "up", actor: setup.actor)
            }
            await expectRefusal("bank.rule_partner", field: "partner") {
                try await culise.addBankRule(
                    company: setup.company, pattern: "COMISION", account: "627", partner: "NIMENI", direction: nil, actor: setup.actor)
            }
            await expectRefusal("bank.batch", field: "batch") {
                try await culise.reconcile(
                    company: setup.company, account: account.id, batch: Limits.bankConfirmBatch + 1, actor: setup.actor)
            }
            await expectRefusal("bank.rule_not_found") {
                try await culise.deleteBankRule(company: setup.company, id: BankRuleID.generate(), actor: setup.actor)
            }
            let csv = BankingTests.csv([("2026-10-20", "-12.50", "Banca", "", "COMISION")])
            await expectRefusal("statement.format", field: "format") {
                try await culise.importStatement(
                    company: setup.company, data: csv, fileName: "extras.xls", format: "xls", actor: setup.actor)
            }
            await expectRefusal("statement.profile", field: "profile") {
                try await culise.importStatement(
                    company: setup.company, data: csv, fileName: "extras.csv", format: "csv", profile: "banca-mea", actor: setup.actor)
            }
            await expectRefusal("fx.not_revalued", field: "month") {
                try await culise.reverseRevaluation(company: setup.company, month: try YearMonth(year: 2026, month: 9), actor: setup.actor)
            }
            // Matches: a line that does not exist, targets of an unknown kind, none at all, too many, a bad fee.
            _ = try await culise.importStatement(
                company: setup.company,
                data: BankingTests.csv([("2026-10-20", "-12.50", "Banca", "", "COMISION")]), fileName: "extras.csv", actor: setup.actor)
            let line = try #require(
                try await culise.bankLines(
                    company: setup.company, account: account.id, state: nil, page: try PageRequest(limit: 10), actor: setup.actor
                )
                .items.first)
            await expectRefusal("bank.line_not_found") {
                try await culise.bankLine(company: setup.company, id: BankLineID.generate(), actor: setup.actor)
            }
            let matches: [(String, String, BankMatchInput)] = [
                ("bank.allocation_kind", "allocations[0].kind", BankMatchInput(allocations: [.init(kind: "gift", id: "x")])),
                ("bank.match_target", "allocations", BankMatchInput(allocations: [])),
                (
                    "bank.too_many_allocations", "allocations",
                    BankMatchInput(
                        allocations: Array(repeating: .init(kind: "liability", id: "421"), count: Limits.allocationsPerPayment + 1))
                ),
                ("bank.fee", "fee", BankMatchInput(account: "627", fee: "-1")),
                ("bank.account", "account", BankMatchInput(account: "9999")),
                ("bank.partner", "partner", BankMatchInput(account: "627", partner: "NIMENI")),
                ("bank.link", "allocations[0].id", BankMatchInput(allocations: [.init(kind: "posted", id: "nu-e-numar")])),
            ]
            for (id, field, input) in matches {
                await expectRefusal(id, field: field) {
                    try await culise.confirmMatch(company: setup.company, line: line.id, input, actor: setup.actor)
                }
            }
        }
    }

    @Test(arguments: Engine.available)
    func statementAndMatchRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            let euros = Data(
                """
                date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban
                2026-10-20,100.00,EUR,Beta,,Plata,,,\(InvoicingFixtures.companyIBAN)
                """.utf8)
            await expectRefusal("bank.currency_mismatch") {
                try await culise.importStatement(company: setup.company, data: euros, fileName: "eur.csv", actor: setup.actor)
            }
            await expectRefusal("statement.too_large", field: "file") {
                try await culise.importStatement(
                    company: setup.company, data: Data(count: Limits.statementBytes + 1), fileName: "mare.csv", format: "csv",
                    actor: setup.actor)
            }
            let beta = try await BankingTests.issue(culise, setup)
            let gama = try await BankingTests.issue(culise, setup, partner: "GAMA")
            let entry = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-10-20"), description: "Comision plătit din casă",
                    lines: [EntryLine(account: "627", debit: 1_250), EntryLine(account: "5121", credit: 1_250)]),
                actor: setup.actor)
            _ = try await culise.importStatement(
                company: setup.company,
                data: BankingTests.csv([
                    ("2026-10-20", "500.00", "Diverși", "", "Plata mai multe facturi"),
                    ("2026-10-20", "-12.50", "BANCA", "", "COMISION 1"),
                    ("2026-10-21", "-12.50", "BANCA", "", "COMISION 2"),
                    ("2026-10-22", "-99.00", "BANCA", "", "COMISION 3"),
                ]), fileName: "oct.csv", actor: setup.actor)
            let lines = try await culise.bankLines(
                company: setup.company, account: account.id, state: nil, page: try PageRequest(), actor: setup.actor
            ).items.sorted {
                $0.bookingDate < $1.bookingDate || ($0.bookingDate == $1.bookingDate && $0.amount.minorUnits > $1.amount.minorUnits)
            }
            let (receipt, fee1, fee2, fee3) = (lines[0], lines[1], lines[2], lines[3])
            await expectRefusal("bank.candidate", field: "candidate") {
                try await culise.confirmMatch(company: setup.company, line: receipt.id, BankMatchInput(candidate: 99), actor: setup.actor)
            }
            await expectRefusal("bank.documents_partner", field: "allocations") {
                try await culise.confirmMatch(
                    company: setup.company, line: receipt.id,
                    BankMatchInput(allocations: [
                        .init(kind: "invoice", id: beta.id.description), .init(kind: "invoice", id: gama.id.description),
                    ]),
                    actor: setup.actor)
            }
            await expectRefusal("bank.link_amount", field: "allocations[0].id") {
                try await culise.confirmMatch(
                    company: setup.company, line: fee3.id, BankMatchInput(allocations: [.init(kind: "posted", id: entry.description)]),
                    actor: setup.actor)
            }
            _ = try await culise.confirmMatch(
                company: setup.company, line: fee1.id, BankMatchInput(allocations: [.init(kind: "posted", id: entry.description)]),
                actor: setup.actor)
            await expectRefusal("bank.link_taken", field: "allocations[0].id") {
                try await culise.confirmMatch(
                    company: setup.company, line: fee2.id, BankMatchInput(allocations: [.init(kind: "posted", id: entry.description)]),
                    actor: setup.actor)
            }
        }
    }
}

extension BankingRefusalTests {
    /// A line matched, unmatched and matched again takes the reference `bank_line:<id>#n`; once all
    /// `Limits.rematchesPerLine` references are taken, the next match is refused by name and nothing is posted.
    @Test(arguments: Engine.available)
    func rematchesOfOneLineAreBounded(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await BankingTests.setUp(culise)
            _ = try await culise.importStatement(
                company: setup.company, data: BankingTests.csv([("2026-10-20", "-12.50", "BANCA", "", "COMISION")]),
                fileName: "extras.csv", actor: setup.actor)
            let line = try #require(
                try await culise.bankLines(
                    company: setup.company, account: account.id, state: nil, page: try PageRequest(limit: 10), actor: setup.actor
                )
                .items.first)
            // Every reference the line could take is already used, as after a hundred matches and their reversals.
            let base = "bank_line:\(line.id)"
            let rows = (1...Limits.rematchesPerLine).flatMap { attempt -> [String] in
                let reference = attempt == 1 ? base : "\(base)#\(attempt)"
                return ["\(reference),2026-10-20,Comision,,627,,12.50,,RON", "\(reference),2026-10-20,Comision,,5121,,,12.50,RON"]
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("culise-rematch-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("taken.csv").path
            try Data(([ImportRow.header.joined(separator: ",")] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
            let imported = try await culise.importLedger(
                company: setup.company, path: path, options: LedgerImportOptions(), actor: setup.actor)
            #expect(imported.posted == Limits.rematchesPerLine, "\(imported.problems.prefix(2))")
            await expectRefusal("bank.too_many_rematches", field: "line") {
                try await culise.confirmMatch(company: setup.company, line: line.id, BankMatchInput(account: "627"), actor: setup.actor)
            }
            #expect(try await culise.bankLine(company: setup.company, id: line.id, actor: setup.actor).state == .unmatched)
        }
    }
}
