import Foundation
import Kernel

/// A journal entry's number inside its company (internal key, not the posting sequence).
public struct EntryID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: EntryID, rhs: EntryID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Draft → posted → reversed. Posted entries are immutable; a correction is a reversing entry.
public enum EntryState: String, Sendable, Codable, CaseIterable {
    case draft, posted, reversed

    public enum Action: String, Sendable { case post, reverse, edit, delete }

    /// The state after `action`, or a typed error naming the illegal transition.
    public func apply(_ action: Action) throws(DomainError) -> EntryState? {
        switch (self, action) {
        case (.draft, .post): return .posted
        case (.draft, .edit): return .draft
        case (.draft, .delete): return nil
        case (.posted, .reverse): return .reversed
        case (.posted, .edit), (.posted, .delete), (.reversed, .edit), (.reversed, .delete):
            throw DomainError(
                "ledger.modify_posted", kind: .conflict,
                "You cannot \(action.rawValue) this entry because it is \(rawValue); to correct it, post a reversing entry.")
        case (.reversed, .reverse):
            throw DomainError("ledger.already_reversed", kind: .conflict, "You cannot reverse this entry because it is already reversed.")
        case (.draft, .reverse):
            throw DomainError("ledger.reverse_draft", kind: .conflict, "You cannot reverse a draft; delete it or edit it instead.")
        case (.posted, .post), (.reversed, .post):
            throw DomainError("ledger.already_posted", kind: .conflict, "You cannot post this entry because it is already posted.")
        }
    }
}

/// How a reversal is written: Romanian storno "in roșu" (same sides, negative amounts) or swapped sides.
public enum ReversalStyle: String, Sendable, Codable, CaseIterable {
    case negative
    case swapped
}

/// A reference from a ledger line to the document it comes from (invoice, payment, payslip…).
public struct SourceReference: Hashable, Sendable, Codable {
    public let type: String
    public let id: String
    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}

/// One line of an entry. Amounts are in the company's functional currency (RON) minor units; exactly one of
/// `debit`/`credit` is non-zero, and it may be negative (storno). Foreign-currency lines also carry the
/// currency amount (signed like the RON amount) and the rate.
public struct EntryLine: Hashable, Sendable, Codable {
    public var account: String
    public var debit: Int64
    public var credit: Int64
    public var partner: String?
    public var description: String?
    public var currency: String?
    public var amountCurrency: Int64?
    public var rate: Decimal?
    public var source: SourceReference?

    public init(
        account: String, debit: Int64 = 0, credit: Int64 = 0, partner: String? = nil, description: String? = nil,
        currency: String? = nil, amountCurrency: Int64? = nil, rate: Decimal? = nil, source: SourceReference? = nil
    ) {
        self.account = account
        self.debit = debit
        self.credit = credit
        self.partner = partner
        self.description = description
        self.currency = currency
        self.amountCurrency = amountCurrency
        self.rate = rate
        self.source = source
    }

    /// Debit minus credit: the line's signed effect on its account.
    public var signed: Int64 { debit - credit }
}

/// An entry as written or imported, before posting.
public struct EntryDraft: Hashable, Sendable, Codable {
    public var journal: String
    public var date: LocalDate
    public var description: String
    /// An outside identifier (the import's `txn_id`, a document number) that makes posting idempotent.
    public var externalRef: String?
    public var lines: [EntryLine]

    public init(journal: String, date: LocalDate, description: String, externalRef: String? = nil, lines: [EntryLine]) {
        self.journal = journal
        self.date = date
        self.description = description
        self.externalRef = externalRef
        self.lines = lines
    }

    /// The reversing draft of this entry, dated `date`.
    public func reversal(on date: LocalDate, style: ReversalStyle, description: String) -> EntryDraft {
        let lines = self.lines.map { line -> EntryLine in
            var copy = line
            switch style {
            case .negative:
                copy.debit = -line.debit
                copy.credit = -line.credit
            case .swapped:
                copy.debit = line.credit
                copy.credit = line.debit
            }
            copy.amountCurrency = line.amountCurrency.map { -$0 }
            return copy
        }
        return EntryDraft(journal: journal, date: date, description: description, externalRef: nil, lines: lines)
    }
}

/// Rounding rules, each named.
public enum Rounding {
    /// RON amount of a foreign-currency amount: minor units × rate, rounded half away from zero to the ban.
    public static func functionalAmount(foreignMinor: Int64, rate: Decimal) -> Int64 {
        // Exact decimal product; amounts and rates within Limits stay far below the saturation point (Int64.max / 2),
        // which only protects callers from a wrap when they pass something no entry point accepts.
        let bound = Int64.max / 2
        if let value = Money.minorUnits(Decimal(foreignMinor) * rate, digits: 0, limit: bound) { return value }
        return (foreignMinor < 0) == (rate < 0) ? bound : -bound
    }
}
