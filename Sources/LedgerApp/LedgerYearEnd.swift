import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

extension Culise {
    /// The fiscal year containing `date` for this company (by its fiscal-year start month).
    static func fiscalYear(containing date: LocalDate, startMonth: Int) -> ClosedRange<LocalDate> {
        let startYear = date.month >= startMonth ? date.year : date.year - 1
        // Computed by day number: a fiscal year starting in 2199 ends in 2200, which no constructor may refuse.
        let start = LocalDate(dayNumber: LocalDate.dayNumber(year: startYear, month: startMonth, day: 1))
        let nextStart = LocalDate(dayNumber: LocalDate.dayNumber(year: startYear + 1, month: startMonth, day: 1))
        return start...nextStart.adding(days: -1)
    }

    /// Year-end closing: posts one entry in journal INC on the last day of the fiscal year that moves every
    /// class 6 and 7 balance into 121, then marks the year closed. Balance-sheet accounts carry forward.
    public func closeFiscalYear(company: CompanyID, containing date: LocalDate, actor: Actor) async throws -> EntryID? {
        try ledgerActor(actor, company: company, .write)
        let startMonth = try await self.company(company, actor: actor).fiscalYearStartMonth
        let year = Self.fiscalYear(containing: date, startMonth: startMonth)
        return try await transaction { db in
            let id = company.description
            if let row = try await db.raw(
                "SELECT closed FROM fiscal_years WHERE company_id = \(bind: id) AND start_date = \(bind: year.lowerBound.iso)"
            ).first(), try row.decode(column: "closed", as: Bool.self) {
                throw DomainError(
                    "ledger.year_closed", kind: .conflict,
                    "You cannot close the fiscal year \(year.lowerBound)–\(year.upperBound) because it is already closed.")
            }
            let balances = try await Self.turnover(db, company: company, from: nil, to: year.upperBound)
            var closingID: EntryID?
            if let draft = YearEndClosing.entry(balances: balances.mapValues(\.net), year: year) {
                var rules = try await LedgerEngine.rules(db, company: company)
                rules.closedPeriods = []
                let problems = EntryValidator.problems(draft, rules: rules)
                if !problems.isEmpty { throw ValidationErrors(problems) }
                closingID = try await LedgerEngine.post(
                    db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText
                ).first
            }
            try await db.raw(
                """
                INSERT INTO fiscal_years (company_id, start_date, end_date, closed, closing_entry)
                VALUES (\(bind: id), \(bind: year.lowerBound.iso), \(bind: year.upperBound.iso), \(bind: true), \(bind: closingID?.rawValue))
                ON CONFLICT (company_id, start_date) DO UPDATE SET closed = excluded.closed, closing_entry = excluded.closing_entry
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.year_close", entity: "fiscal_year", entityID: year.lowerBound.iso,
                changes: [FieldChange("closing_entry", before: nil, after: closingID?.description)], now: self.now)
            return closingID
        }
    }

    /// Reopens a closed fiscal year (admin only): reverses its closing entry and marks it open. Audited.
    public func reopenFiscalYear(company: CompanyID, containing date: LocalDate, actor: Actor) async throws {
        try actor.require(.company, .write, in: company)
        try ledgerActor(actor, company: company, .write)
        let startMonth = try await self.company(company, actor: actor).fiscalYearStartMonth
        let year = Self.fiscalYear(containing: date, startMonth: startMonth)
        try await transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT closed, closing_entry FROM fiscal_years WHERE company_id = \(bind: company.description) AND start_date = \(bind: year.lowerBound.iso)"
                ).first(), try row.decode(column: "closed", as: Bool.self)
            else {
                throw DomainError(
                    "ledger.year_open", kind: .conflict,
                    "You cannot reopen the fiscal year starting \(year.lowerBound) because it is not closed.")
            }
            try await db.raw(
                "UPDATE fiscal_years SET closed = \(bind: false), closing_entry = NULL WHERE company_id = \(bind: company.description) AND start_date = \(bind: year.lowerBound.iso)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.year_reopen", entity: "fiscal_year", entityID: year.lowerBound.iso,
                now: self.now)
            // The closing entry is the year's own: reopening reverses it in the same transaction.
            if let closing = try row.decode(column: "closing_entry", as: Int64?.self) {
                _ = try await self.reverseInside(db, company: company, EntryID(closing), on: year.upperBound, actor: actor)
            }
        }
    }
}
