import Foundation
import Kernel
import Ledger
import Posting
import Testing

/// The treasury rules as tables: receipts and payments (advance, write-off, exchange difference), bank lines and their
/// fees, cash documents and the month-end revaluation, each with the exact entry lines it posts.
@Suite struct TreasuryPostingTests {
    static let text = PostingRuleTests.text
    static func date(_ iso: String = "2026-11-25") throws -> LocalDate { try LocalDate(iso: iso) }

    static func payment(
        incoming: Bool = true, cash: Bool = false, currency: String = "RON", amount: Int64, rate: Decimal? = nil,
        settlements: [PaymentPosting.Settlement], writeOff: Bool = false
    ) throws -> PaymentPosting.Payment {
        PaymentPosting.Payment(
            id: "PAY1", incoming: incoming, cash: cash, date: try date(),
            account: TreasuryAccounts.moneyAccount(cash: cash, currency: currency), currency: currency, amount: amount, rate: rate,
            partner: incoming ? "BETA" : "DELTA", partnerName: incoming ? "Beta Distribuție SRL" : "Delta Furnizor SRL",
            reference: nil, settlements: settlements, writeOff: writeOff, writeOffLimit: 500)
    }

    static func invoice(open: Int64, amount: Int64, rate: Decimal? = nil, type: String = "invoice") -> PaymentPosting.Settlement {
        PaymentPosting.Settlement(
            type: type, id: "DOC1", number: "EXD-7", open: open, openRON: PostingMath.ron(open, rate), rate: rate, amount: amount)
    }

    static func balanced(_ entry: EntryDraft) -> Bool {
        entry.lines.reduce(0) { $0 + $1.debit } == entry.lines.reduce(0) { $0 + $1.credit }
    }

    @Test func receiptSettlesAnInvoiceAndKeepsTheRestAsAdvance() throws {
        let (entry, writtenOff) = PaymentPosting.entry(
            try Self.payment(amount: 150_000, settlements: [Self.invoice(open: 121_000, amount: 121_000)]))
        #expect(Self.text(entry) == ["5121 D 1500.00", "4111 BETA C 1210.00", "419 BETA C 290.00"])
        #expect(writtenOff == 0 && entry.journal == "BC" && entry.externalRef == "payment:PAY1")
        #expect(entry.lines[1].source == SourceReference(type: "invoice", id: "DOC1"))
        #expect(entry.lines[2].source == SourceReference(type: "payment", id: "PAY1"))
    }

    @Test func supplierPaymentWritesOffASmallRemainder() throws {
        let (entry, writtenOff) = PaymentPosting.entry(
            try Self.payment(
                incoming: false, amount: 99_950, settlements: [Self.invoice(open: 100_000, amount: 99_950, type: "bill")], writeOff: true))
        #expect(Self.text(entry) == ["5121 C 999.50", "401 DELTA D 999.50", "401 DELTA D 0.50", "7588 C 0.50"])
        #expect(writtenOff == 50)
    }

    @Test func customerShortPaymentWrittenOffTo6588AndOverpaymentTo7588() throws {
        let short = PaymentPosting.entry(
            try Self.payment(amount: 120_990, settlements: [Self.invoice(open: 121_000, amount: 120_990)], writeOff: true))
        #expect(Self.text(short.entry) == ["5121 D 1209.90", "4111 BETA C 1209.90", "4111 BETA C 0.10", "6588 D 0.10"])
        let over = PaymentPosting.entry(
            try Self.payment(amount: 121_030, settlements: [Self.invoice(open: 121_000, amount: 121_000)], writeOff: true))
        #expect(Self.text(over.entry) == ["5121 D 1210.30", "4111 BETA C 1210.00", "7588 C 0.30"])
        #expect(over.writtenOff == 30 && Self.balanced(short.entry) && Self.balanced(over.entry))
    }

    @Test func aRemainderAboveTheLimitStaysOpen() throws {
        // 10.00 short with a 5.00 limit: nothing is written off; the invoice keeps 10.00 open.
        let (entry, writtenOff) = PaymentPosting.entry(
            try Self.payment(amount: 120_000, settlements: [Self.invoice(open: 121_000, amount: 120_000)], writeOff: true))
        #expect(Self.text(entry) == ["5121 D 1200.00", "4111 BETA C 1200.00"])
        #expect(writtenOff == 0)
    }

    @Test func euroReceiptPostsTheRealisedExchangeGain() throws {
        // Invoiced 1000.00 EUR at 4.97 (4970.00 RON), received at 5.00 (5000.00 RON): 30.00 to 7651.
        let (entry, _) = PaymentPosting.entry(
            try Self.payment(
                currency: "EUR", amount: 100_000, rate: Decimal(5),
                settlements: [Self.invoice(open: 100_000, amount: 100_000, rate: Decimal(string: "4.97"))]))
        #expect(Self.text(entry) == ["5124 D 5000.00", "4111 BETA C 4970.00", "7651 C 30.00"])
        #expect(entry.lines[0].currency == "EUR" && entry.lines[0].amountCurrency == 100_000 && entry.lines[0].rate == Decimal(5))
        #expect(entry.lines[1].amountCurrency == -100_000 && entry.lines[1].rate == Decimal(string: "4.97"))
        #expect(entry.lines[2].currency == nil)
    }

    @Test func euroSupplierPaymentAtAHigherRatePostsALoss() throws {
        // Billed 1000.00 EUR at 4.97, paid at 5.00: the bank moved 30.00 RON more than the bill carried.
        let (entry, _) = PaymentPosting.entry(
            try Self.payment(
                incoming: false, currency: "EUR", amount: 100_000, rate: Decimal(5),
                settlements: [Self.invoice(open: 100_000, amount: 100_000, rate: Decimal(string: "4.97"), type: "bill")]))
        #expect(Self.text(entry) == ["5124 C 5000.00", "401 DELTA D 4970.00", "6651 D 30.00"])
        #expect(entry.lines[0].amountCurrency == -100_000 && entry.lines[1].amountCurrency == 100_000)
    }

    @Test func cashReceiptGoesToTheCashJournal() throws {
        let (entry, _) = PaymentPosting.entry(
            try Self.payment(cash: true, amount: 50_000, settlements: [Self.invoice(open: 50_000, amount: 50_000)]))
        #expect(Self.text(entry) == ["5311 D 500.00", "4111 BETA C 500.00"])
        #expect(entry.journal == "CS" && entry.description == "Încasare de la Beta Distribuție SRL")
    }

    static func bankLine(incoming: Bool, currency: String = "RON", rate: Decimal? = nil, gross: Int64) throws -> BankPosting.Line {
        BankPosting.Line(
            id: "BL1", date: try date(), incoming: incoming, ledgerAccount: TreasuryAccounts.moneyAccount(cash: false, currency: currency),
            accountName: "BT curent", cash: false, currency: currency, rate: rate, gross: gross, details: "Dobândă noiembrie",
            counterpartyName: nil, partner: nil)
    }

    @Test func bankLineAgainstAnAccount() throws {
        let entry = BankPosting.entry(
            try Self.bankLine(incoming: true, gross: 1_234), counterparts: [.init(account: "766", amount: 1_234)],
            externalRef: "bank_line:BL1")
        #expect(Self.text(entry) == ["5121 D 12.34", "766 C 12.34"])
        #expect(entry.journal == "BC" && entry.description == "BT curent: Dobândă noiembrie")
    }

    @Test func bankLinePayingSeveralLiabilitiesBalancesItsRounding() throws {
        // 1.01 EUR at 4.9749 in RON is 5.02, but 0.50 and 0.51 convert to 2.49 and 2.54: the first counter line absorbs
        // the cent so the entry balances.
        let rate = try #require(Decimal(string: "4.9749"))
        let entry = BankPosting.entry(
            try Self.bankLine(incoming: false, currency: "EUR", rate: rate, gross: 101),
            counterparts: [.init(account: "4315", amount: 50), .init(account: "4316", amount: 51)], externalRef: "bank_line:BL1")
        #expect(Self.balanced(entry))
        #expect(entry.lines[0].account == "5124" && entry.lines[0].credit == PostingMath.ron(101, rate))
        #expect(entry.lines[2].debit == PostingMath.ron(51, rate))
        #expect(entry.lines[1].debit == PostingMath.ron(101, rate) - PostingMath.ron(51, rate))
    }

    @Test func bankFeeInEuro() throws {
        let entry = BankPosting.fee(
            try Self.bankLine(incoming: true, currency: "EUR", rate: Decimal(5), gross: 100_000), fee: 200, externalRef: "bank_fee:BL1")
        #expect(Self.text(entry) == ["627 D 10.00", "5124 C 10.00"])
        #expect(entry.lines[1].amountCurrency == -200 && entry.lines[1].currency == "EUR")
        #expect(entry.externalRef == "bank_fee:BL1" && entry.journal == "BC")
    }

    @Test func cashDocuments() throws {
        func operation(_ incoming: Bool, _ counter: String, partner: String?) throws -> CashPosting.Operation {
            CashPosting.Operation(
                number: incoming ? "DI-2026-000001" : "DP-2026-000004", date: try Self.date(), incoming: incoming, cashAccount: "5311",
                counterAccount: counter, partner: partner, amount: 45_000, description: "Decont deplasare")
        }
        let paidOut = CashPosting.entry(try operation(false, "542", partner: "POPESCU"))
        #expect(Self.text(paidOut) == ["5311 C 450.00", "542 POPESCU D 450.00"])
        #expect(paidOut.externalRef == "cash:DP-2026-000004" && paidOut.description == "DP-2026-000004 Decont deplasare")
        let deposit = CashPosting.entry(try operation(true, "581", partner: nil))
        #expect(Self.text(deposit) == ["5311 D 450.00", "581 C 450.00"])
        #expect(deposit.journal == "CS")
    }

    @Test func monthEndRevaluation() throws {
        func line(_ account: String, _ partner: String?, _ difference: Int64) -> RevaluationLine {
            RevaluationLine(
                account: account, partner: partner, sourceType: partner == nil ? nil : "invoice", sourceID: partner == nil ? nil : "DOC1",
                currency: "EUR", openCurrency: 100_000, carryingRON: 497_000, rate: Decimal(string: "4.99") ?? 5,
                revaluedRON: 497_000 + difference, difference: difference)
        }
        let (entry, gain, loss) = RevaluationPosting.entry(
            month: "2026-11", date: try Self.date("2026-11-30"),
            lines: [line("4111", "BETA", 2_000), line("401", "DELTA", -500), line("5124", nil, -300), line("4111", "GAMA", 0)])
        #expect(Self.text(entry) == ["4111 BETA D 20.00", "401 DELTA C 5.00", "5124 C 3.00", "7651 C 20.00", "6651 D 8.00"])
        #expect(gain == 2_000 && loss == 800 && Self.balanced(entry))
        #expect(entry.externalRef == "fx_revaluation:2026-11" && entry.journal == "GEN")
        #expect(entry.lines[0].source == SourceReference(type: "invoice", id: "DOC1") && entry.lines[2].source == nil)
    }
}

/// The year-end closing entry as a table.
@Suite struct YearEndClosingTests {
    @Test func incomeAndExpensesMoveInto121() throws {
        let year = try LocalDate(iso: "2026-01-01")...LocalDate(iso: "2026-12-31")
        // Balances as debit minus credit: 704 has 10,000.00 of income, 628 and 641 4,000.00 of expenses; 5121 stays.
        let entry = try #require(
            YearEndClosing.entry(balances: ["704": -1_000_000, "628": 150_000, "641": 250_000, "5121": 600_000, "709": 0], year: year))
        #expect(PostingRuleTests.text(entry) == ["628 C 1500.00", "641 C 2500.00", "704 D 10000.00", "121 C 6000.00"])
        #expect(entry.journal == "INC" && entry.date == year.upperBound)
        let loss = try #require(YearEndClosing.entry(balances: ["628": 50_000], year: year))
        #expect(PostingRuleTests.text(loss) == ["628 C 500.00", "121 D 500.00"])
        #expect(YearEndClosing.entry(balances: ["5121": 100], year: year) == nil)
    }
}
