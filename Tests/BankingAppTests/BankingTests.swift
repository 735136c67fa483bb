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
import SQLKit
import TestSupport
import Testing

@Suite struct BankingTests {
    static let iban = InvoicingFixtures.companyIBAN
    static let betaIBAN = "RO09BCYP0000001234567890"

    /// A CSV statement in the generic profile (the company's IBAN in the account column).
    static func csv(
        _ rows: [(date: String, amount: String, counterparty: String, iban: String, details: String)], account: String = iban
    ) -> Data {
        var text = "date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban\n"
        for row in rows {
            text += "\(row.date),\(row.amount),RON,\"\(row.counterparty)\",\(row.iban),\"\(row.details)\",,,\(account)\n"
        }
        return Data(text.utf8)
    }

    static func setUp(_ culise: Culise) async throws -> (InvoicingSetup, BankAccountRecord) {
        let setup = try await InvoicingFixtures.setUp(culise)
        let account = try await culise.addBankAccount(
            company: setup.company, BankAccountInput(name: "BT RON", iban: iban), actor: setup.actor)
        return (setup, account)
    }

    static func issue(
        _ culise: Culise, _ setup: InvoicingSetup, partner: String = "BETA", date: String = "2026-10-01", hours: String = "10"
    )
        async throws -> InvoiceRecord
    {
        try await culise.issueInvoice(
            company: setup.company,
            DocumentInput(partner: partner, series: "EXD", issueDate: date, lines: [LineInput(product: "CONSULT", quantity: hours)]),
            actor: setup.actor)
    }

    static func count(_ culise: Culise, _ setup: InvoicingSetup, _ account: BankAccountRecord) async throws -> Int {
        try await culise.bankLines(
            company: setup.company, account: account.id, state: nil, page: try PageRequest(limit: 500), actor: setup.actor
        )
        .total
    }

    @Test(arguments: Engine.available)
    func accountsAreValidatedAndUnknownIBANsSayHowToAddThem(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            #expect(account.ledgerAccount == "5121" && account.currency.isRON && account.autoThreshold == nil)
            do {
                _ = try await culise.addBankAccount(
                    company: setup.company, BankAccountInput(iban: "RO49AAAA1B31007593840001", currency: "EUR"), actor: setup.actor)
                Issue.record("an IBAN with wrong check digits was accepted")
            } catch let error as ValidationErrors {
                #expect(error.problems.map(\.field) == ["iban"])
            }
            let eur = try await culise.addBankAccount(
                company: setup.company, BankAccountInput(iban: ReconciliationScenario.iban(bank: "AAAA", account: 1), currency: "EUR"),
                actor: setup.actor)
            #expect(eur.ledgerAccount == "5124")
            let cash = try await culise.addBankAccount(company: setup.company, BankAccountInput(kind: "cash"), actor: setup.actor)
            #expect(cash.ledgerAccount == "5311" && cash.iban == nil)
            do {
                _ = try await culise.importStatement(
                    company: setup.company,
                    data: Self.csv([("2026-10-02", "10.00", "X", "", "test")], account: "RO66BACX0000001234567890"), fileName: "x.csv",
                    actor: setup.actor)
                Issue.record("an unknown IBAN was imported")
            } catch let error as ValidationErrors {
                #expect(error.problems[0].id == "bank.account_unknown")
                #expect(error.problems[0].message.contains("culise bank account add --company C --iban RO66BACX0000001234567890"))
            }
            #expect(try await Self.count(culise, setup, account) == 0)
        }
    }

    @Test(arguments: Engine.available)
    func duplicatesAreSkippedAndOverlapsAddOnlyNewLines(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let first = Self.csv([
                ("2026-10-01", "100.00", "Beta Distribuție SRL", Self.betaIBAN, "Plata EXD 1"),
                ("2026-10-01", "-2.50", "BANCA", "", "COMISION"),
                ("2026-10-01", "-2.50", "BANCA", "", "COMISION"),
            ])
            let report = try await culise.importStatement(company: setup.company, data: first, fileName: "oct.csv", actor: setup.actor)
            #expect(report.new == 3 && report.duplicates == 0 && report.format == "csv")
            let again = try await culise.importStatement(company: setup.company, data: first, fileName: "oct.csv", actor: setup.actor)
            #expect(again.new == 0 && again.duplicates == 3 && again.statements[0].duplicatePositions == ["row 2", "row 3", "row 4"])
            // An overlapping export: the two same-day fees stay two lines, a third one is new.
            let overlap = Self.csv([
                ("2026-10-01", "-2.50", "BANCA", "", "COMISION"),
                ("2026-10-01", "-2.50", "BANCA", "", "COMISION"),
                ("2026-10-01", "-2.50", "BANCA", "", "COMISION"),
                ("2026-10-02", "55.00", "Gama Servicii", "", "plata"),
            ])
            let third = try await culise.importStatement(company: setup.company, data: overlap, fileName: "oct2.csv", actor: setup.actor)
            #expect(third.new == 2 && third.duplicates == 2)
            #expect(try await Self.count(culise, setup, account) == 5)
            // CAMT.053 twice: the bank references decide.
            let camt = Data(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>
                <Stmt><Id>S1</Id><Acct><Id><IBAN>\(Self.iban)</IBAN></Id><Ccy>RON</Ccy></Acct>
                <Ntry><Amt Ccy="RON">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-10-03</Dt></BookgDt><AcctSvcrRef>R-1</AcctSvcrRef></Ntry>
                <Ntry><Amt Ccy="RON">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-10-03</Dt></BookgDt><AcctSvcrRef>R-2</AcctSvcrRef></Ntry>
                </Stmt></BkToCstmrStmt></Document>
                """.utf8)
            #expect(try await culise.importStatement(company: setup.company, data: camt, fileName: "s.xml", actor: setup.actor).new == 2)
            #expect(
                try await culise.importStatement(company: setup.company, data: camt, fileName: "s.xml", actor: setup.actor).duplicates == 2)
            #expect(try await Self.count(culise, setup, account) == 7)
        }
    }

    @Test(arguments: Engine.available)
    func balancesThatDisagreeAreClearWarnings(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await Self.setUp(culise)
            // Opening 500.00 (600.00 − 100.00) while the ledger's 5121 holds 0.00; closing 700.00 ≠ 500.00 + 150.00.
            let csv = Data(
                """
                date,amount,currency,details,account_iban,balance
                2026-10-01,100.00,RON,a,\(Self.iban),600.00
                2026-10-02,50.00,RON,b,\(Self.iban),700.00
                """.utf8)
            let report = try await culise.importStatement(company: setup.company, data: csv, fileName: "b.csv", actor: setup.actor)
            let warnings = report.statements[0].warnings
            #expect(report.new == 2 && warnings.count == 2)
            #expect(warnings.contains { $0.contains("does not add up") && $0.contains("700.00") })
            #expect(warnings.contains { $0.contains("opens at 500.00 RON but account 5121 shows 0.00 on 2026-09-30") })
        }
    }

    @Test(arguments: Engine.available)
    func malformedAndOversizedFilesWriteNothing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let broken = Self.csv([
                ("2026-10-01", "100.00", "A", "", "ok"), ("2026-13-01", "100.00", "B", "", "bad date"),
                ("2026-10-02", "12.3x", "C", "", "bad amount"),
            ])
            do {
                _ = try await culise.importStatement(company: setup.company, data: broken, fileName: "b.csv", actor: setup.actor)
                Issue.record("a malformed file was imported")
            } catch let error as ValidationErrors {
                #expect(error.problems.map(\.field) == ["row 3", "row 4"])
                #expect(error.problems.map(\.id) == ["statement.date", "statement.amount"])
            }
            do {
                _ = try await culise.importStatement(
                    company: setup.company, data: Data(count: Limits.statementBytes + 1), fileName: "big.csv", actor: setup.actor)
                Issue.record("an oversized file was imported")
            } catch let error as ValidationErrors {
                #expect(error.problems[0].kind == .tooLarge)
            }
            #expect(try await Self.count(culise, setup, account) == 0)
        }
    }

    @Test(arguments: Engine.available)
    func automaticMatchesAreExplainedAndAudited(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let invoice = try await Self.issue(culise, setup)
            let number = invoice.number!
            let amount = DecimalText.amount(invoice.total.minorUnits)
            _ = try await culise.importStatement(
                company: setup.company,
                data: Self.csv([
                    (
                        "2026-10-20", amount, "BETA DISTRIBUTIE S.R.L.", Self.betaIBAN,
                        "Plata fact \(number.replacingOccurrences(of: "-", with: " "))"
                    ),
                    ("2026-10-20", "-4.50", "BANCA", "", "COMISION ADMINISTRARE CONT"),
                ]), fileName: "oct.csv", actor: setup.actor)
            // Off by default: nothing is matched automatically.
            let off = try await culise.reconcile(company: setup.company, account: account.id, actor: setup.actor)
            #expect(off.automatic == 0 && off.review + off.noCandidate == 2)
            _ = try await culise.updateBankAccount(company: setup.company, id: account.id, name: nil, autoThreshold: 80, actor: setup.actor)
            // A name longer than the limit is refused, never cut.
            let long = String(repeating: "n", count: Limits.nameLength + 1)
            await #expect(throws: DomainError.self) {
                _ = try await culise.updateBankAccount(
                    company: setup.company, id: account.id, name: long, autoThreshold: 80, actor: setup.actor)
            }
            do {
                _ = try await culise.updateBankAccount(
                    company: setup.company, id: account.id, name: long, autoThreshold: 80, actor: setup.actor)
            } catch let error as DomainError {
                #expect(error.id == "bank.name_length" && error.field == "name")
            }
            do {
                _ = try await culise.addBankAccount(
                    company: setup.company, BankAccountInput(name: long, kind: "cash", currency: "EUR"), actor: setup.actor)
                Issue.record("a name over the limit was accepted")
            } catch let errors as ValidationErrors {
                #expect(errors.problems.map(\.id) == ["bank.name_length"])
            }
            _ = try await culise.addBankRule(
                company: setup.company, pattern: "COMISION", account: "627", partner: nil, direction: "out", actor: setup.actor)
            let run = try await culise.reconcile(company: setup.company, account: account.id, actor: setup.actor)
            #expect(run.automatic == 2)
            let lines = try await culise.bankLines(
                company: setup.company, account: account.id, state: .matched, page: try PageRequest(), actor: setup.actor
            ).items
            let receipt = lines.first { $0.amount.minorUnits > 0 }!
            #expect(receipt.automatic && receipt.paymentID != nil)
            #expect(receipt.explanation(language: "en")?.contains("invoice number \(number) found in the payment details") == true)
            #expect(receipt.explanation(language: "en")?.contains("counterparty IBAN belongs to Beta Distribuție SRL") == true)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
            let fee = lines.first { $0.amount.minorUnits < 0 }!
            #expect(fee.matchAccount == "627" && fee.explanation(language: "en") == "rule: text contains 'COMISION' → 627")
            // Stored as facts with both sentences: each reader gets their language (issue 13, item 2).
            #expect(fee.explanation(language: "ro") == "regulă: textul conține 'COMISION' → 627")
            #expect(receipt.explanation(language: "ro")?.contains("IBAN-ul plătitorului este al Beta Distribuție SRL") == true)
            let audit = try await culise.auditEntries(
                filter: AuditFilter(action: "bank.auto_match"), page: try PageRequest(), actor: setup.actor)
            #expect(audit.items.count == 2)
            #expect(audit.items.contains { $0.diff.contains("found in the payment details") && $0.diff.contains("explanation") })
            let statement = try await culise.reconciliationStatement(
                company: setup.company, account: account.id, date: try LocalDate(iso: "2026-10-31"), actor: setup.actor)
            #expect(statement.bankOnly.isEmpty && statement.ledgerOnly.isEmpty && statement.difference == 0)
            #expect(statement.bankBalance == statement.ledgerBalance)
            let status = try await culise.bankStatus(company: setup.company, actor: setup.actor)
            #expect(status[0].progress == 100 && status[0].matched == 2)
        }
    }

    @Test(arguments: Engine.available)
    func confirmingThenUnmatchingLeavesTheLedgerAsItWasAndConcurrentConfirmsMakeOnePayment(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let invoice = try await Self.issue(culise, setup)
            _ = try await culise.importStatement(
                company: setup.company,
                data: Self.csv([
                    ("2026-10-20", DecimalText.amount(invoice.total.minorUnits - 500), "Beta", Self.betaIBAN, "plata \(invoice.number!)")
                ]
                ),
                fileName: "oct.csv", actor: setup.actor)
            let line = try await culise.bankLines(
                company: setup.company, account: account.id, state: nil, page: try PageRequest(), actor: setup.actor
            )
            .items[0]
            let before = try await culise.trialBalance(company: setup.company, from: nil, to: nil, actor: setup.actor)
            let review = try await culise.proposal(company: setup.company, line: line.id, actor: setup.actor)
            #expect(review.proposal.candidates.first?.allocations.first?.id == invoice.id.description)
            // Two people confirm the same line at once: one payment.
            let input = BankMatchInput(
                allocations: [.init(kind: "invoice", id: invoice.id.description, amount: DecimalText.amount(invoice.total.minorUnits))],
                fee: "5.00")
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        (try? await culise.confirmMatch(company: setup.company, line: line.id, input, actor: setup.actor)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            let payments = try await culise.payments(company: setup.company, partner: "BETA", page: try PageRequest(), actor: setup.actor)
            #expect(payments.total == 1)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
            let matched = try await culise.bankLine(company: setup.company, id: line.id, actor: setup.actor)
            #expect(matched.state == .matched && matched.feeEntryID != nil)
            do {
                _ = try await culise.confirmMatch(company: setup.company, line: line.id, input, actor: setup.actor)
                Issue.record("a matched line was matched again")
            } catch let error as DomainError {
                #expect(error.id == "bank.line_already_matched")
            }
            // Unmatch: the ledger's balances and turnovers are exactly as before, the invoice is open again.
            _ = try await culise.unmatch(company: setup.company, line: line.id, actor: setup.actor)
            let after = try await culise.trialBalance(company: setup.company, from: nil, to: nil, actor: setup.actor)
            #expect(
                after.rows.filter { $0.kind == "account" }.map { [$0.code, "\($0.closing)", "\($0.total)"] }
                    == before.rows.filter { $0.kind == "account" }.map { [$0.code, "\($0.closing)", "\($0.total)"] })
            #expect(
                try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits
                    == invoice.total.minorUnits)
            #expect(try await culise.bankLine(company: setup.company, id: line.id, actor: setup.actor).state == .unmatched)
            do {
                _ = try await culise.unmatch(company: setup.company, line: line.id, actor: setup.actor)
                Issue.record("an unmatched line was unmatched")
            } catch let error as DomainError {
                #expect(error.id == "bank.line_not_matched")
            }
            // Confirming the best candidate by rank works again afterwards.
            let again = try await culise.confirmMatch(
                company: setup.company, line: line.id, BankMatchInput(candidate: 0), actor: setup.actor)
            #expect(again.state == .matched && again.explanation?.contains(invoice.number!) == true)
        }
    }

    @Test(arguments: Engine.available)
    func aPaymentTypedBeforeTheStatementIsLinkedNotPostedTwice(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let invoice = try await Self.issue(culise, setup)
            let typed = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(
                    direction: "in", partner: "BETA", date: "2026-10-19", amount: DecimalText.amount(invoice.total.minorUnits),
                    allocations: [.init(document: invoice.number!, amount: DecimalText.amount(invoice.total.minorUnits))]),
                actor: setup.actor)
            _ = try await culise.importStatement(
                company: setup.company,
                data: Self.csv([
                    ("2026-10-20", DecimalText.amount(invoice.total.minorUnits), "Beta Distribuție SRL", Self.betaIBAN, "transfer")
                ]),
                fileName: "oct.csv", actor: setup.actor)
            let line = try await culise.bankLines(company: setup.company, account: account.id, state: nil, page: .first, actor: setup.actor)
                .items[0]
            let best = try await culise.proposal(company: setup.company, line: line.id, actor: setup.actor).proposal.candidates[0]
            #expect(best.allocations.map(\.kind) == [.posted] && best.allocations[0].id == String(typed.entryID))
            // The entry's partner, read by the entry's key (loadMatcher), names the candidate's partner.
            #expect(best.partner == "BETA")
            #expect(best.explanation.contains("already in the ledger"))
            let before = try await culise.entries(company: setup.company, page: .first, actor: setup.actor).total
            let linked = try await culise.confirmMatch(
                company: setup.company, line: line.id, BankMatchInput(candidate: 0), actor: setup.actor)
            #expect(linked.linked && linked.entryID == typed.entryID && linked.paymentID == nil)
            #expect(try await culise.entries(company: setup.company, page: .first, actor: setup.actor).total == before)
            let statement = try await culise.reconciliationStatement(
                company: setup.company, account: account.id, date: try LocalDate(iso: "2026-10-31"), actor: setup.actor)
            #expect(statement.bankOnly.isEmpty && statement.ledgerOnly.isEmpty && statement.difference == 0)
            // Unmatching a link reverses nothing: the payment stays, the line goes back to the queue.
            let undone = try await culise.unmatch(company: setup.company, line: line.id, actor: setup.actor)
            #expect(undone.state == .unmatched && !undone.linked)
            #expect(try await culise.entries(company: setup.company, page: .first, actor: setup.actor).total == before)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
        }
    }

    @Test(arguments: Engine.available)
    func linesWithoutDocumentsLearnFromEarlierConfirmations(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            _ = try await culise.importStatement(
                company: setup.company,
                data: Self.csv(
                    (1...4).map { ("2026-10-0\($0)", "-\(100 + $0).00", "ENEL ENERGIE MUNTENIA", "", "factura energie \($0)") }),
                fileName: "enel.csv", actor: setup.actor)
            let lines = try await culise.bankLines(
                company: setup.company, account: account.id, state: nil, page: try PageRequest(), actor: setup.actor
            )
            .items
            for line in lines.prefix(2) {
                _ = try await culise.confirmMatch(company: setup.company, line: line.id, BankMatchInput(account: "605"), actor: setup.actor)
            }
            let queue = try await culise.reviewQueue(
                company: setup.company, account: account.id, page: try PageRequest(), actor: setup.actor)
            #expect(queue.total == 2)
            let best = queue.items[0].proposal.candidates[0]
            #expect(best.account == "605" && best.explanation == "2 earlier lines from ENEL ENERGIE MUNTENIA went to 605")
            // A bad account is refused with nothing written.
            do {
                _ = try await culise.confirmMatch(
                    company: setup.company, line: queue.items[0].line.id, BankMatchInput(account: "999"), actor: setup.actor)
                Issue.record("an unknown account was accepted")
            } catch let error as ValidationErrors {
                #expect(error.problems.map(\.field) == ["account"])
            }
            #expect(try await culise.bankLine(company: setup.company, id: queue.items[0].line.id, actor: setup.actor).state == .unmatched)
        }
    }

    @Test(arguments: Engine.available)
    func revaluationAndItsReversalNetToZero(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await Self.setUp(culise)
            let feed = BNRSample.feed.replacingOccurrences(of: "2026-03-12", with: "2026-10-29").replacingOccurrences(
                of: "2026-03-13", with: "2026-10-30")
            _ = try await culise.importBNRRates(Data(feed.utf8), actor: .system("test"))
            let eur = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", issueDate: "2026-10-05", currency: "EUR", exchangeRate: "5.0000",
                    lines: [LineInput(product: "CONSULT", quantity: "10", unitPrice: "100")]),
                actor: setup.actor)
            let before = try await culise.trialBalance(company: setup.company, from: nil, to: nil, actor: setup.actor)
            let report = try await culise.revalue(company: setup.company, month: try YearMonth(text: "2026-10"), actor: setup.actor)
            // 1,210 EUR open at 5.0000 → at 5.0987 (the 30 Oct publication): +119.43 RON on 4111, credited to 7651.
            #expect(report.lines.count == 1 && report.lines[0].openCurrency == eur.total.minorUnits)
            #expect(
                report.gain == Rounding.functionalAmount(foreignMinor: eur.total.minorUnits, rate: Decimal(string: "5.0987")!)
                    - eur.totalRON.minorUnits)
            #expect(report.loss == 0 && report.reversalEntryID != nil)
            let october = try await culise.trialBalance(
                company: setup.company, from: nil, to: try LocalDate(iso: "2026-10-31"), actor: setup.actor)
            #expect(october.rows.first { $0.code == "7651" }?.closing.credit == report.gain)
            let after = try await culise.trialBalance(company: setup.company, from: nil, to: nil, actor: setup.actor)
            #expect(
                after.rows.filter { $0.kind == "account" }.map { [$0.code, "\($0.closing)"] }
                    == before.rows.filter { $0.kind == "account" }.map { [$0.code, "\($0.closing)"] })
            do {
                _ = try await culise.revalue(company: setup.company, month: try YearMonth(text: "2026-10"), actor: setup.actor)
                Issue.record("a month was revalued twice")
            } catch let error as DomainError {
                #expect(error.id == "fx.already_revalued")
            }
            // The revaluation was posted with its reversal on 1 November, so reversing it again is refused.
            await expectRefusal("fx.already_reversed", field: "month") {
                try await culise.reverseRevaluation(company: setup.company, month: try YearMonth(text: "2026-10"), actor: setup.actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func aEURLineSettlesAnInvoiceAtTheBNRRateAndPostsTheDifference(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await Self.setUp(culise)
            let feed = BNRSample.feed.replacingOccurrences(of: "2026-03-12", with: "2026-10-29").replacingOccurrences(
                of: "2026-03-13", with: "2026-10-30")
            _ = try await culise.importBNRRates(Data(feed.utf8), actor: .system("test"))
            let eurIBAN = ReconciliationScenario.iban(bank: "AAAA", account: 2)
            let account = try await culise.addBankAccount(
                company: setup.company, BankAccountInput(iban: eurIBAN, currency: "EUR"), actor: setup.actor)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", issueDate: "2026-10-05", currency: "EUR", exchangeRate: "5.0000",
                    lines: [LineInput(product: "CONSULT", quantity: "10", unitPrice: "100")]),
                actor: setup.actor)
            let csv = Data(
                """
                date,amount,currency,counterparty,details,account_iban
                2026-11-02,\(DecimalText.amount(invoice.total.minorUnits)),EUR,Beta Distribuție SRL,Plata \(invoice.number!),\(eurIBAN)
                """.utf8)
            _ = try await culise.importStatement(company: setup.company, data: csv, fileName: "eur.csv", actor: setup.actor)
            let line = try await culise.bankLines(company: setup.company, account: account.id, state: nil, page: .first, actor: setup.actor)
                .items[0]
            let matched = try await culise.confirmMatch(
                company: setup.company, line: line.id, BankMatchInput(candidate: 0), actor: setup.actor)
            // Paid on Monday 2 November: the BNR rate published on Friday 30 October (5.0987) applies, not the invoice's 5.0000.
            let entry = try await culise.entry(company: setup.company, EntryID(matched.entryID!), actor: setup.actor)
            let bank = Rounding.functionalAmount(foreignMinor: invoice.total.minorUnits, rate: Decimal(string: "5.0987")!)
            #expect(entry.lines.map(\.account) == ["5124", "4111", "7651"])
            #expect(entry.lines[0].debit == bank && entry.lines[1].credit == invoice.totalRON.minorUnits)
            #expect(entry.lines[2].credit == bank - invoice.totalRON.minorUnits)
            #expect(try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).open.minorUnits == 0)
        }
    }

    @Test(arguments: Engine.available)
    func cashDocumentsAreNumberedTheRegisterAddsUpAndLimitsWarn(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, _) = try await Self.setUp(culise)
            let invoice = try await Self.issue(culise, setup, partner: "GAMA", hours: "40")
            let receipt = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(
                    direction: "in", partner: "GAMA", date: "2026-10-10", method: "cash",
                    amount: DecimalText.amount(invoice.total.minorUnits),
                    allocations: [.init(document: invoice.number!, amount: DecimalText.amount(invoice.total.minorUnits))]),
                actor: setup.actor)
            #expect(receipt.documentNumber == "CH-2026-000001")
            // 6,000 RON + VAT in cash from one company in a day is above the 5,000 lei limit: recorded, with a warning.
            #expect(receipt.warnings.first?.hasPrefix("cash.limit_partner_day") == true)
            let deposit = try await culise.recordCashOperation(
                company: setup.company,
                CashOperationInput(
                    direction: "out", date: "2026-10-10", amount: "5000", counterAccount: "581", description: "Depunere la bancă"),
                actor: setup.actor)
            #expect(deposit.document == "DP-2026-000001")
            do {
                _ = try await culise.recordCashOperation(
                    company: setup.company,
                    CashOperationInput(
                        direction: "out", date: "2026-10-10", amount: "100000", counterAccount: "581", description: "Prea mult"),
                    actor: setup.actor)
                Issue.record("cash went below zero")
            } catch let error as DomainError {
                #expect(error.id == "cash.negative")
            }
            let day = try await culise.cashRegister(company: setup.company, date: try LocalDate(iso: "2026-10-10"), actor: setup.actor)
            #expect(day.opening == 0 && day.lines.map(\.document) == ["CH-2026-000001", "DP-2026-000001"])
            #expect(day.closing == invoice.total.minorUnits - 500_000 && day.lines.last?.balance == day.closing)
            var limits = try await culise.cashLimits(company: setup.company, actor: setup.actor)
            limits.registerCeiling = 100_000
            try await culise.setCashLimits(company: setup.company, limits, actor: setup.actor)
            #expect(
                try await culise.cashRegister(company: setup.company, date: try LocalDate(iso: "2026-10-10"), actor: setup.actor).warnings
                    .count == 1)
        }
    }
}

extension BankingTests {
    /// Issue 10: an account's imported lines are bounded together (`bank_accounts.volume`), so no sum over them can
    /// overflow; past the bound the import is refused whole.
    @Test(arguments: Engine.available)
    func anAccountsLinesAreBoundedTogether(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let file = Self.csv([("2026-10-01", "100.00", "Beta Distribuție SRL", Self.betaIBAN, "Plata EXD 1")])
            _ = try await culise.importStatement(company: setup.company, data: file, fileName: "a.csv", actor: setup.actor)
            try await culise.database.transaction { db in
                try await db.raw(
                    "UPDATE bank_accounts SET volume = \(bind: Limits.ledgerVolumeMinorUnits - 10_000) WHERE id = \(bind: account.id.description)"
                ).run()
            }
            let more = Self.csv([("2026-10-02", "100.01", "Gama Servicii", "", "plata")])
            await #expect {
                try await culise.importStatement(company: setup.company, data: more, fileName: "b.csv", actor: setup.actor)
            } throws: { ($0 as? DomainError)?.id == "bank.volume_exceeded" }
            #expect(try await Self.count(culise, setup, account) == 1)
            let fits = Self.csv([("2026-10-02", "99.99", "Gama Servicii", "", "plata")])
            #expect(try await culise.importStatement(company: setup.company, data: fits, fileName: "c.csv", actor: setup.actor).new == 1)
        }
    }
}

extension BankingTests {
    /// The CLI's path: a statement read from a file (its bytes released once parsed); an unreadable file is named.
    @Test(arguments: Engine.available)
    func aStatementImportsFromAFile(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (setup, account) = try await Self.setUp(culise)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("culise-\(UUID()).csv").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Self.csv([("2026-10-01", "100.00", "Beta Distribuție SRL", Self.betaIBAN, "Plata EXD 1")]).write(
                to: URL(fileURLWithPath: path))
            let report = try await culise.importStatement(company: setup.company, file: path, actor: setup.actor)
            #expect(report.new == 1 && report.format == "csv")
            #expect(try await Self.count(culise, setup, account) == 1)
            await #expect {
                try await culise.importStatement(company: setup.company, file: path + ".missing", actor: setup.actor)
            } throws: { ($0 as? DomainError)?.id == "statement.file" }
        }
    }
}
