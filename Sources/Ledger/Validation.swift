import Foundation
import Kernel

/// What entry validation needs to know about the company: its accounts, journals and closed dates.
public struct PostingRules: Sendable {
    public var accounts: [String: Account]
    public var journals: Set<String>
    /// Nothing may be posted on or before this date.
    public var lockDate: LocalDate?
    /// Closed months (`YearMonth`) and closed fiscal years (by the year they start in).
    public var closedPeriods: Set<YearMonth>
    public var closedYearRanges: [ClosedRange<LocalDate>]

    public init(
        accounts: [String: Account], journals: Set<String>, lockDate: LocalDate? = nil, closedPeriods: Set<YearMonth> = [],
        closedYearRanges: [ClosedRange<LocalDate>] = []
    ) {
        self.accounts = accounts
        self.journals = journals
        self.lockDate = lockDate
        self.closedPeriods = closedPeriods
        self.closedYearRanges = closedYearRanges
    }

    /// Problems with posting on `date`, or none.
    public func dateProblems(_ date: LocalDate, field: String = "date") -> [DomainError] {
        var problems: [DomainError] = []
        if let lockDate, date <= lockDate {
            problems.append(
                DomainError(
                    "ledger.locked", field: field,
                    "You cannot post on \(date) because the books are locked up to \(lockDate); an admin must move the lock date first."))
        } else if closedYearRanges.contains(where: { $0.contains(date) }) {
            problems.append(
                DomainError(
                    "ledger.year_closed", field: field,
                    "You cannot post on \(date) because its fiscal year is closed; an admin must reopen it first."))
        } else if closedPeriods.contains(YearMonth(date)) {
            problems.append(
                DomainError(
                    "ledger.period_closed", field: field,
                    "You cannot post on \(date) because the period \(YearMonth(date)) is closed; reopen it or choose an open period."))
        }
        return problems
    }
}

public enum EntryValidator {
    /// The amount and rate bounds of one line (`lines[index]`): what drafts and postings both refuse.
    public static func magnitudeProblems(_ line: EntryLine, index: Int) -> [DomainError] {
        var problems: [DomainError] = []
        for (name, amount) in [("debit", line.debit), ("credit", line.credit), ("amount_currency", line.amountCurrency ?? 0)]
        where amount.magnitude > UInt64(Limits.amountMinorUnits) {
            problems.append(Money.tooLarge(field: "lines[\(index)].\(name)"))
        }
        if let rate = line.rate, rate > Decimal(Limits.exchangeRateMaximum) {
            problems.append(
                DomainError(
                    "ledger.rate_too_large", field: "lines[\(index)].rate",
                    "You cannot use rate \(rate) on line \(index + 1) because exchange rates are at most \(Limits.exchangeRateMaximum)."
                ))
        }
        return problems
    }

    /// Every problem with `draft` under `rules`, at once; empty when it may be posted.
    public static func problems(_ draft: EntryDraft, rules: PostingRules) -> [DomainError] {
        var problems: [DomainError] = []
        if !rules.journals.contains(draft.journal) {
            problems.append(
                DomainError(
                    "ledger.journal_unknown", field: "journal",
                    "You cannot post to journal '\(draft.journal)' because it does not exist; the journals are \(rules.journals.sorted().joined(separator: ", "))."
                )
            )
        }
        problems += rules.dateProblems(draft.date)
        if draft.description.count > Limits.nameLength * 2 {
            problems.append(
                DomainError(
                    "ledger.description_length", field: "description",
                    "You cannot use this description because it is longer than \(Limits.nameLength * 2) characters."))
        }
        if draft.lines.count < 2 {
            problems.append(
                DomainError(
                    "ledger.too_few_lines", field: "lines", "You cannot post an entry with fewer than two lines; add the other side."))
        }
        if draft.lines.count > Limits.linesPerEntry {
            problems.append(
                DomainError(
                    "ledger.too_many_lines", field: "lines",
                    "You cannot post an entry with more than \(Limits.linesPerEntry) lines; split it."))
        }
        var debit: Int64 = 0
        var credit: Int64 = 0
        var overflow = false
        var foreign: [String: Int64] = [:]
        var allForeign: String?? = nil
        for (index, line) in draft.lines.enumerated() {
            let field = "lines[\(index)]"
            if (line.debit == 0) == (line.credit == 0) {
                problems.append(
                    DomainError(
                        "ledger.line_one_side", field: "\(field).amount",
                        "You cannot post line \(index + 1) because it must have exactly one of debit or credit, and it must not be zero."))
            }
            let magnitude = magnitudeProblems(line, index: index)
            problems += magnitude
            var sum = debit.addingReportingOverflow(line.debit)
            debit = sum.partialValue
            overflow = overflow || sum.overflow
            sum = credit.addingReportingOverflow(line.credit)
            credit = sum.partialValue
            overflow = overflow || sum.overflow
            if let account = rules.accounts[line.account] {
                if !account.isActive {
                    problems.append(
                        DomainError(
                            "ledger.account_inactive", field: "\(field).account",
                            "You cannot post to account \(line.account) because it is deactivated."))
                } else if !account.isPostable {
                    problems.append(
                        DomainError(
                            "ledger.account_not_postable", field: "\(field).account",
                            "You cannot post to account \(line.account) because it has sub-accounts; post to one of them."))
                }
                if account.requiresPartner && (line.partner ?? "").isEmpty {
                    problems.append(
                        DomainError(
                            "ledger.partner_required", field: "\(field).partner",
                            "To post to account \(line.account), you must name the partner on the line."))
                }
            } else {
                problems.append(
                    DomainError(
                        "ledger.account_unknown", field: "\(field).account",
                        "You cannot post to account \(line.account) because it is not in the chart of accounts."))
            }
            if let currency = line.currency, currency != "RON", magnitude.isEmpty {
                guard let amount = line.amountCurrency, let rate = line.rate, rate > 0,
                    rate <= Decimal(Limits.exchangeRateMaximum), amount.magnitude <= UInt64(Limits.amountMinorUnits)
                else {
                    problems.append(
                        DomainError(
                            "ledger.currency_incomplete", field: "\(field).rate",
                            "To post line \(index + 1) in \(currency), you must give both the \(currency) amount and a positive rate."))
                    continue
                }
                let expected = Rounding.functionalAmount(foreignMinor: amount, rate: rate)
                if abs(expected - line.signed) > 1 {
                    problems.append(
                        DomainError(
                            "ledger.currency_mismatch", field: "\(field).amount",
                            "You cannot post line \(index + 1) because its RON amount \(Money(minorUnits: line.signed, currency: .ron).decimalString) is not \(Money(minorUnits: amount, currency: .eur).decimalString) \(currency) × \(rate)."
                        ))
                }
                foreign[currency, default: 0] += amount
                if case .some(let seen) = allForeign {
                    if seen != currency { allForeign = .some(nil) }
                } else {
                    allForeign = .some(currency)
                }
            } else {
                allForeign = .some(nil)
            }
        }
        if overflow {
            problems.append(
                DomainError("ledger.amount_overflow", field: "lines", "You cannot post these amounts because their sum is too large."))
        } else if debit != credit {
            problems.append(
                DomainError(
                    "ledger.unbalanced", field: "lines",
                    "You cannot post this entry because debits (\(Money(minorUnits: debit, currency: .ron).decimalString)) and credits (\(Money(minorUnits: credit, currency: .ron).decimalString)) differ by \(Money(minorUnits: debit - credit, currency: .ron).decimalString) RON."
                ))
        }
        // When every line is in one foreign currency, the entry must balance in that currency too.
        if case .some(.some(let currency)) = allForeign, let total = foreign[currency], total != 0 {
            problems.append(
                DomainError(
                    "ledger.unbalanced_currency", field: "lines",
                    "You cannot post this entry because its \(currency) amounts do not balance (difference \(total) minor units)."))
        }
        return problems
    }
}
