import Application
import Banking
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import Posting
import SQLKit
import Storage

public struct RevaluationReport: Sendable, Codable, Equatable {
    public var month: String
    public var date: LocalDate
    public var entryID: Int64?
    public var reversalEntryID: Int64?
    public var lines: [RevaluationLine]
    /// Unrealised gains (7651) and losses (6651) in RON minor units.
    public var gain: Int64
    public var loss: Int64
}

extension Culise {
    /// Month-end revaluation (OMFP 1802 §§ 316–317): open foreign-currency receivables (4111), payables (401) and bank
    /// and cash balances (5124, 5314) are restated at the BNR rate of the month's last day (the last rate published on
    /// or before it); the differences post to 7651/6651. With `reverseNextMonth` the entry is reversed on the first day
    /// of the next month, so settlements keep computing realised differences against the documents' own rates.
    public func revalue(company: CompanyID, month: YearMonth, reverseNextMonth: Bool = true, actor: Actor) async throws -> RevaluationReport
    {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let cid = company.description
            if try await db.raw("SELECT month FROM fx_revaluations WHERE company_id = \(bind: cid) AND month = \(bind: month.description)")
                .first() != nil
            {
                throw DomainError(
                    "fx.already_revalued", kind: .conflict, field: "month",
                    "You cannot revalue \(month) twice; it is already revalued (see the FX page, or reverse that entry first).")
            }
            let date = month.lastDay
            let foreignBankAccounts = try await db.raw(
                "SELECT DISTINCT ledger_account FROM bank_accounts WHERE company_id = \(bind: cid) AND currency <> 'RON'"
            ).all().map { try $0.decode(column: "ledger_account", as: String.self) }
            let accounts = Array(
                Set(
                    [Self.receivableAccount, Self.payableAccount, TreasuryAccounts.bankCurrency, TreasuryAccounts.cashCurrency]
                        + foreignBankAccounts)
            ).sorted()
            let rows = try await db.raw(
                """
                SELECT account, partner, source_type, source_id, currency, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c,
                    CAST(SUM(amount_currency) AS BIGINT) AS ac
                FROM entry_lines WHERE company_id = \(bind: cid) AND posted = \(bind: true) AND date <= \(bind: date.iso) AND account IN
                """ + .list(accounts) + """
                         AND currency IS NOT NULL AND currency <> 'RON'
                    GROUP BY account, partner, source_type, source_id, currency
                    """
            ).all()
            // RON-only lines (earlier revaluations, realised differences) move the carrying amount of the same document.
            let adjustments = try await db.raw(
                """
                SELECT account, partner, source_type, source_id, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c
                FROM entry_lines WHERE company_id = \(bind: cid) AND posted = \(bind: true) AND date <= \(bind: date.iso) AND account IN
                """ + .list(accounts) + """
                         AND currency IS NULL
                    GROUP BY account, partner, source_type, source_id
                    """
            ).all().reduce(into: [String: Int64]()) { map, row in
                let key = [
                    try row.decode(column: "account", as: String.self), try row.decode(column: "partner", as: String?.self) ?? "",
                    try row.decode(column: "source_type", as: String?.self) ?? "",
                    try row.decode(column: "source_id", as: String?.self) ?? "",
                ].joined(separator: "|")
                map[key] = (try row.decode(column: "d", as: Int64?.self) ?? 0) - (try row.decode(column: "c", as: Int64?.self) ?? 0)
            }
            var rates: [String: Decimal] = [:]
            var lines: [RevaluationLine] = []
            for row in rows {
                let currency = try row.decode(column: "currency", as: String.self)
                let openCurrency = try row.decode(column: "ac", as: Int64?.self) ?? 0
                let account = try row.decode(column: "account", as: String.self)
                let partner = try row.decode(column: "partner", as: String?.self)
                let sourceType = try row.decode(column: "source_type", as: String?.self)
                let sourceID = try row.decode(column: "source_id", as: String?.self)
                let isBank = account.hasPrefix("5")
                let key = [account, partner ?? "", sourceType ?? "", sourceID ?? ""].joined(separator: "|")
                var carrying = (try row.decode(column: "d", as: Int64?.self) ?? 0) - (try row.decode(column: "c", as: Int64?.self) ?? 0)
                carrying += adjustments[key] ?? 0
                guard openCurrency != 0 else { continue }
                if rates[currency] == nil { rates[currency] = try await Self.monthEndRate(db, currency: currency, on: date) }
                let rate = rates[currency]!
                let revalued = Rounding.functionalAmount(foreignMinor: openCurrency, rate: rate)
                let difference = revalued - carrying
                guard difference != 0 else { continue }
                lines.append(
                    RevaluationLine(
                        account: account, partner: partner, sourceType: isBank ? nil : sourceType, sourceID: isBank ? nil : sourceID,
                        currency: currency,
                        openCurrency: openCurrency, carryingRON: carrying, rate: rate, revaluedRON: revalued, difference: difference))
            }
            // Bank balances revalue once per account and currency, whatever the sources of their lines.
            var merged: [RevaluationLine] = []
            for line in lines {
                if line.account.hasPrefix("5"),
                    let index = merged.firstIndex(where: { $0.account == line.account && $0.currency == line.currency })
                {
                    merged[index].openCurrency += line.openCurrency
                    merged[index].carryingRON += line.carryingRON
                    merged[index].revaluedRON = Rounding.functionalAmount(foreignMinor: merged[index].openCurrency, rate: line.rate)
                    merged[index].difference = merged[index].revaluedRON - merged[index].carryingRON
                } else {
                    merged.append(line)
                }
            }
            lines = merged.filter { $0.difference != 0 }
            let (draft, gain, loss) = RevaluationPosting.entry(month: month.description, date: date, lines: lines)
            var report = RevaluationReport(
                month: month.description, date: date, entryID: nil, reversalEntryID: nil, lines: lines, gain: gain, loss: loss)
            guard !lines.isEmpty else { return report }
            let problems = EntryValidator.problems(
                draft, rules: try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account))))
            if !problems.isEmpty { throw ValidationErrors(problems) }
            let entry = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0]
            report.entryID = entry.rawValue
            if reverseNextMonth {
                report.reversalEntryID = try await self.reverseInside(db, company: company, entry, on: date.adding(days: 1), actor: actor)
                    .rawValue
            }
            try await db.raw(
                """
                INSERT INTO fx_revaluations (company_id, month, entry_id, reversal_entry_id, created_at)
                VALUES (\(bind: cid), \(bind: month.description), \(bind: entry.rawValue), \(bind: report.reversalEntryID), \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "fx.revalue", entity: "fx_revaluation", entityID: month.description,
                changes: [
                    FieldChange("gain", before: nil, after: DecimalText.amount(gain)),
                    FieldChange("loss", before: nil, after: DecimalText.amount(loss)),
                    FieldChange("reversed_on", before: nil, after: reverseNextMonth ? date.adding(days: 1).iso : ""),
                ], now: self.now)
            return report
        }
    }

    /// Reverses a month's revaluation on the first day of the next month (when it was posted without its reversal).
    public func reverseRevaluation(company: CompanyID, month: YearMonth, actor: Actor) async throws -> Int64 {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let cid = company.description
            guard
                let row = try await db.raw(
                    "SELECT entry_id, reversal_entry_id FROM fx_revaluations WHERE company_id = \(bind: cid) AND month = \(bind: month.description)"
                ).first()
            else {
                throw DomainError(
                    "fx.not_revalued", kind: .notFound, field: "month",
                    "You cannot reverse the revaluation of \(month) because there is none.")
            }
            if try row.decode(column: "reversal_entry_id", as: Int64?.self) != nil {
                throw DomainError(
                    "fx.already_reversed", kind: .conflict, field: "month", "You cannot reverse the revaluation of \(month) twice.")
            }
            let entry = EntryID(try row.decode(column: "entry_id", as: Int64.self))
            let reversal = try await self.reverseInside(db, company: company, entry, on: month.lastDay.adding(days: 1), actor: actor)
            try await db.raw(
                "UPDATE fx_revaluations SET reversal_entry_id = \(bind: reversal.rawValue) WHERE company_id = \(bind: cid) AND month = \(bind: month.description)"
            ).run()
            return reversal.rawValue
        }
    }

    /// The rate for month-end: the last BNR publication on or before the month's last day (at most 10 days old).
    static func monthEndRate(_ db: any SQLDatabase, currency: String, on date: LocalDate) async throws -> Decimal {
        let row = try await db.raw(
            """
            SELECT ron_per_unit, published FROM fx_rates WHERE source = \(bind: bnrSource) AND currency = \(bind: currency)
                AND published <= \(bind: date.iso) AND published >= \(bind: date.adding(days: -RateConvention.maximumAgeDays).iso)
            ORDER BY published DESC LIMIT 1
            """
        ).first()
        guard let text = try row?.decode(column: "ron_per_unit", as: String.self),
            let rate = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw DomainError(
                "fx.missing_rate", kind: .conflict, field: "month",
                "You cannot revalue \(currency) on \(date) because no BNR rate for it is stored for that date; import BNR rates (culise fx import)."
            )
        }
        return rate
    }
}
