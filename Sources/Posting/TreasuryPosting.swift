import Foundation
import Kernel
import Ledger

/// The accounts the treasury rules post to (OMFP 1802/2014 chart), in one place.
public enum TreasuryAccounts {
    /// Conturi la bănci în lei / în valută.
    public static let bankRON = "5121"
    public static let bankCurrency = "5124"
    /// Casa în lei / în valută.
    public static let cashRON = "5311"
    public static let cashCurrency = "5314"
    /// Clienți - creditori: a customer's advance (money received before or beyond its invoices).
    public static let customerAdvance = "419"
    /// Furnizori - debitori: an advance paid to a supplier.
    public static let supplierAdvance = "4091"
    /// Alte cheltuieli / venituri de exploatare: small payment differences written off.
    public static let otherOperatingExpenses = "6588"
    public static let otherOperatingIncome = "7588"
    /// Cheltuieli / venituri din diferențe de curs valutar.
    public static let exchangeLoss = "6651"
    public static let exchangeGain = "7651"
    /// Cheltuieli cu serviciile bancare.
    public static let bankFees = "627"

    /// The money account a payment moves when none is typed: bank or cash, RON or foreign currency.
    public static func moneyAccount(cash: Bool, currency: String) -> String {
        cash ? (currency == "RON" ? cashRON : cashCurrency) : (currency == "RON" ? bankRON : bankCurrency)
    }
}

/// The entry a receipt or a payment posts: `5121 = 4111` per invoice settled (a payment to a supplier: `401 = 5121`),
/// the rest as the partner's advance (`419` / `4091`) or, when asked and within the company's limit, written off to
/// `7588` / `6588`; in a foreign currency the realised exchange difference against the documents' rates goes to
/// `7651` / `6651`.
public enum PaymentPosting {
    /// One document the payment settles, with what is open on it (document currency and RON at its own rate).
    public struct Settlement: Sendable, Equatable {
        /// `invoice` or `bill`.
        public var type: String
        public var id: String
        public var number: String
        public var open: Int64
        public var openRON: Int64
        public var rate: Decimal?
        public var amount: Int64

        public init(type: String, id: String, number: String, open: Int64, openRON: Int64, rate: Decimal?, amount: Int64) {
            self.type = type
            self.id = id
            self.number = number
            self.open = open
            self.openRON = openRON
            self.rate = rate
            self.amount = amount
        }
    }

    public struct Payment: Sendable, Equatable {
        public var id: String
        /// A receipt from a customer (true) or a payment to a supplier.
        public var incoming: Bool
        public var cash: Bool
        public var date: LocalDate
        public var account: String
        public var currency: String
        /// In `currency`, and its RON rate (nil for RON).
        public var amount: Int64
        public var rate: Decimal?
        public var partner: String
        public var partnerName: String
        public var reference: String?
        public var settlements: [Settlement]
        public var writeOff: Bool
        /// The largest difference (RON minor units) written off instead of left open.
        public var writeOffLimit: Int64

        public init(
            id: String, incoming: Bool, cash: Bool, date: LocalDate, account: String, currency: String, amount: Int64, rate: Decimal?,
            partner: String, partnerName: String, reference: String?, settlements: [Settlement], writeOff: Bool, writeOffLimit: Int64
        ) {
            self.id = id
            self.incoming = incoming
            self.cash = cash
            self.date = date
            self.account = account
            self.currency = currency
            self.amount = amount
            self.rate = rate
            self.partner = partner
            self.partnerName = partnerName
            self.reference = reference
            self.settlements = settlements
            self.writeOff = writeOff
            self.writeOffLimit = writeOffLimit
        }
    }

    /// The entry, and how much of it (RON) was written off.
    public static func entry(_ payment: Payment) -> (entry: EntryDraft, writtenOff: Int64) {
        let incoming = payment.incoming
        let foreign = payment.currency != "RON"
        let source = SourceReference(type: "payment", id: payment.id)
        let partnerAccount = incoming ? InvoicingAccounts.receivable : InvoicingAccounts.payable
        // `onDebit`: the side of a line that moves like the partner account (receipts credit 4111, payments debit 401).
        func line(
            _ account: String, _ value: Int64, partnerSide: Bool, partner: String? = nil, description: String,
            currencyAmount: Int64? = nil, rate: Decimal? = nil, source: SourceReference
        ) -> EntryLine {
            let debit = partnerSide != incoming
            return EntryLine(
                account: account, debit: debit ? value : 0, credit: debit ? 0 : value, partner: partner, description: description,
                currency: foreign && currencyAmount != nil ? payment.currency : nil,
                amountCurrency: foreign ? currencyAmount.map { debit ? $0 : -$0 } : nil, rate: rate,
                source: source)
        }
        let bankRON = PostingMath.ron(payment.amount, payment.rate)
        var lines: [EntryLine] = [
            line(
                payment.account, bankRON, partnerSide: false, description: payment.reference ?? (incoming ? "Încasare" : "Plată"),
                currencyAmount: payment.amount, rate: payment.rate, source: source)
        ]
        var settledRON: Int64 = 0
        var allocated: Int64 = 0
        var writtenOff: Int64 = 0
        for target in payment.settlements {
            let document = SourceReference(type: target.type, id: target.id)
            // A full settlement takes the document's whole open RON amount, so no residue stays on 4111/401.
            let value = target.amount == target.open ? target.openRON : PostingMath.ron(target.amount, target.rate)
            settledRON += value
            allocated += target.amount
            lines.append(
                line(
                    partnerAccount, value, partnerSide: true, partner: payment.partner, description: target.number,
                    currencyAmount: target.amount, rate: target.rate, source: document))
            let remaining = target.open - target.amount
            if payment.writeOff && remaining > 0 && PostingMath.ron(remaining, target.rate) <= payment.writeOffLimit {
                let residue = target.openRON - value
                writtenOff += residue
                lines.append(
                    line(
                        partnerAccount, residue, partnerSide: true, partner: payment.partner, description: "Diferență \(target.number)",
                        currencyAmount: remaining, rate: target.rate, source: document))
                lines.append(
                    line(
                        incoming ? TreasuryAccounts.otherOperatingExpenses : TreasuryAccounts.otherOperatingIncome, residue,
                        partnerSide: false, description: "Diferență \(target.number)", source: source))
            }
        }
        let rest = payment.amount - allocated
        var restRON = bankRON - settledRON
        if rest > 0 {
            let restAtRate = PostingMath.ron(rest, payment.rate)
            if payment.writeOff && restAtRate <= payment.writeOffLimit {
                lines.append(
                    line(
                        incoming ? TreasuryAccounts.otherOperatingIncome : TreasuryAccounts.otherOperatingExpenses, restAtRate,
                        partnerSide: true, description: "Diferență plată", source: source))
                writtenOff += restAtRate
            } else {
                lines.append(
                    line(
                        incoming ? TreasuryAccounts.customerAdvance : TreasuryAccounts.supplierAdvance, restAtRate, partnerSide: true,
                        partner: payment.partner, description: "Avans", currencyAmount: rest, rate: payment.rate, source: source))
            }
            restRON -= restAtRate
        }
        // Realised exchange difference: what the bank moved in RON against what the documents carried.
        if restRON != 0 {
            let gain = incoming ? restRON > 0 : restRON < 0
            let value = abs(restRON)
            lines.append(
                EntryLine(
                    account: gain ? TreasuryAccounts.exchangeGain : TreasuryAccounts.exchangeLoss, debit: gain ? 0 : value,
                    credit: gain ? value : 0, description: "Diferență de curs", source: source))
        }
        let entry = EntryDraft(
            journal: payment.cash ? "CS" : "BC", date: payment.date,
            description: "\(incoming ? "Încasare de la" : "Plată către") \(payment.partnerName)".prefix(200).description,
            externalRef: "payment:\(payment.id)", lines: lines)
        return (entry, writtenOff)
    }
}

/// The entries a bank statement line posts when it settles no document: the money account against the accounts (or
/// liabilities) it pays, and the fee the bank kept (`627 = 5121`).
public enum BankPosting {
    /// One account a line pays or is paid from, with its share of the line (account currency).
    public struct Counterpart: Sendable, Equatable {
        public var account: String
        public var amount: Int64

        public init(account: String, amount: Int64) {
            self.account = account
            self.amount = amount
        }
    }

    public struct Line: Sendable, Equatable {
        public var id: String
        public var date: LocalDate
        /// Money in (true) or out.
        public var incoming: Bool
        /// The bank or cash account's ledger account, name, kind and currency.
        public var ledgerAccount: String
        public var accountName: String
        public var cash: Bool
        public var currency: String
        /// The RON rate of the line's date (nil for RON).
        public var rate: Decimal?
        /// What moved, in the account's currency.
        public var gross: Int64
        public var details: String
        public var counterpartyName: String?
        public var partner: String?

        public init(
            id: String, date: LocalDate, incoming: Bool, ledgerAccount: String, accountName: String, cash: Bool, currency: String,
            rate: Decimal?, gross: Int64, details: String, counterpartyName: String?, partner: String?
        ) {
            self.id = id
            self.date = date
            self.incoming = incoming
            self.ledgerAccount = ledgerAccount
            self.accountName = accountName
            self.cash = cash
            self.currency = currency
            self.rate = rate
            self.gross = gross
            self.details = details
            self.counterpartyName = counterpartyName
            self.partner = partner
        }
    }

    /// `5121 = account` for money in, `account = 5121` for money out, in RON at the line's rate; the rounding of
    /// several conversions lands on the first counter line so the entry balances.
    public static func entry(_ line: Line, counterparts: [Counterpart], externalRef: String) -> EntryDraft {
        let source = SourceReference(type: "bank_line", id: line.id)
        let ron = { (value: Int64) in PostingMath.ron(value, line.rate) }
        let foreign = line.rate != nil
        var lines: [EntryLine] = [
            EntryLine(
                account: line.ledgerAccount, debit: line.incoming ? ron(line.gross) : 0, credit: line.incoming ? 0 : ron(line.gross),
                description: String(line.details.prefix(200)), currency: foreign ? line.currency : nil,
                amountCurrency: foreign ? (line.incoming ? line.gross : -line.gross) : nil, rate: line.rate, source: source)
        ]
        for target in counterparts {
            lines.append(
                EntryLine(
                    account: target.account, debit: line.incoming ? 0 : ron(target.amount), credit: line.incoming ? ron(target.amount) : 0,
                    partner: line.partner, description: String((line.counterpartyName ?? line.details).prefix(200)), source: source))
        }
        let difference = lines.reduce(Int64(0)) { $0 + $1.debit - $1.credit }
        if difference != 0, lines.count > 1 {
            if line.incoming { lines[1].credit += difference } else { lines[1].debit -= difference }
        }
        return EntryDraft(
            journal: line.cash ? "CS" : "BC", date: line.date,
            description: String("\(line.accountName): \(line.counterpartyName ?? line.details)".prefix(200)), externalRef: externalRef,
            lines: lines)
    }

    /// The fee the bank kept from a line (account currency): `627 = 5121` in RON at the line's rate.
    public static func fee(_ line: Line, fee: Int64, externalRef: String) -> EntryDraft {
        let source = SourceReference(type: "bank_line", id: line.id)
        let value = PostingMath.ron(fee, line.rate)
        let foreign = line.rate != nil
        return EntryDraft(
            journal: "BC", date: line.date, description: "Comision bancar", externalRef: externalRef,
            lines: [
                EntryLine(account: TreasuryAccounts.bankFees, debit: value, description: "Comision bancar", source: source),
                EntryLine(
                    account: line.ledgerAccount, credit: value, description: "Comision bancar", currency: foreign ? line.currency : nil,
                    amountCurrency: foreign ? -fee : nil, rate: line.rate, source: source),
            ])
    }
}

/// The entry of a cash document that settles no invoice (dispoziție de încasare / de plată): `531x = account` for
/// money in, `account = 531x` for money out, in RON.
public enum CashPosting {
    public struct Operation: Sendable, Equatable {
        /// The cash document's number (`DI-2026-000001`, `DP-…`), which also names the entry.
        public var number: String
        public var date: LocalDate
        public var incoming: Bool
        public var cashAccount: String
        public var counterAccount: String
        public var partner: String?
        public var amount: Int64
        public var description: String

        public init(
            number: String, date: LocalDate, incoming: Bool, cashAccount: String, counterAccount: String, partner: String?, amount: Int64,
            description: String
        ) {
            self.number = number
            self.date = date
            self.incoming = incoming
            self.cashAccount = cashAccount
            self.counterAccount = counterAccount
            self.partner = partner
            self.amount = amount
            self.description = description
        }
    }

    public static func entry(_ operation: Operation) -> EntryDraft {
        let source = SourceReference(type: "cash", id: operation.number)
        let incoming = operation.incoming
        return EntryDraft(
            journal: "CS", date: operation.date, description: "\(operation.number) \(operation.description)".prefix(200).description,
            externalRef: "cash:\(operation.number)",
            lines: [
                EntryLine(
                    account: operation.cashAccount, debit: incoming ? operation.amount : 0, credit: incoming ? 0 : operation.amount,
                    description: operation.number, source: source),
                EntryLine(
                    account: operation.counterAccount, debit: incoming ? 0 : operation.amount, credit: incoming ? operation.amount : 0,
                    partner: operation.partner, description: operation.description, source: source),
            ])
    }
}

/// One revalued item: an open foreign-currency receivable, payable or bank/cash balance.
public struct RevaluationLine: Sendable, Codable, Equatable {
    public var account: String
    public var partner: String?
    /// The document (`invoice`/`bill` id) or nil for a bank or cash balance.
    public var sourceType: String?
    public var sourceID: String?
    public var currency: String
    public var openCurrency: Int64
    public var carryingRON: Int64
    public var rate: Decimal
    public var revaluedRON: Int64
    public var difference: Int64

    public init(
        account: String, partner: String?, sourceType: String?, sourceID: String?, currency: String, openCurrency: Int64,
        carryingRON: Int64, rate: Decimal, revaluedRON: Int64, difference: Int64
    ) {
        self.account = account
        self.partner = partner
        self.sourceType = sourceType
        self.sourceID = sourceID
        self.currency = currency
        self.openCurrency = openCurrency
        self.carryingRON = carryingRON
        self.rate = rate
        self.revaluedRON = revaluedRON
        self.difference = difference
    }
}

/// Month-end revaluation (OMFP 1802 §§ 316–317): each open item moves by its difference, and the total gain and loss
/// go to `7651` and `6651`.
public enum RevaluationPosting {
    public static func entry(month: String, date: LocalDate, lines: [RevaluationLine]) -> (entry: EntryDraft, gain: Int64, loss: Int64) {
        let gain = lines.filter { $0.difference > 0 }.reduce(Int64(0)) { $0 + $1.difference }
        let loss = lines.filter { $0.difference < 0 }.reduce(Int64(0)) { $0 - $1.difference }
        var entryLines = lines.filter { $0.difference != 0 }.map { line in
            EntryLine(
                account: line.account, debit: max(0, line.difference), credit: max(0, -line.difference), partner: line.partner,
                description: "Reevaluare \(line.currency) la \(line.rate)",
                source: line.sourceType.flatMap { type in line.sourceID.map { SourceReference(type: type, id: $0) } })
        }
        let source = SourceReference(type: "fx_revaluation", id: month)
        if gain > 0 {
            entryLines.append(
                EntryLine(
                    account: TreasuryAccounts.exchangeGain, credit: gain, description: "Diferențe favorabile de curs (reevaluare)",
                    source: source))
        }
        if loss > 0 {
            entryLines.append(
                EntryLine(
                    account: TreasuryAccounts.exchangeLoss, debit: loss, description: "Diferențe nefavorabile de curs (reevaluare)",
                    source: source))
        }
        let entry = EntryDraft(
            journal: "GEN", date: date, description: "Reevaluare valutară \(month)", externalRef: "fx_revaluation:\(month)",
            lines: entryLines)
        return (entry, gain, loss)
    }
}
