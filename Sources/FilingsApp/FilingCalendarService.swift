import Application
import Filings
import Foundation
import Identity
import InvoicingApp
import Kernel
import SQLKit
import Storage
import Tax

/// One obligation of the calendar with what was done about it.
public struct FilingCalendarEntry: Sendable, Equatable {
    public var obligation: FilingObligation
    /// The latest filing kept for the form and period (not discarded).
    public var filing: FilingRecord?
    /// Culise writes this form (D112, D300, D390, D394); D406 is filed outside it for now.
    public var generated: Bool
    /// The period has ended and nothing was filed.
    public var open: Bool
    public var overdue: Bool

    public var form: FilingForm { obligation.form }
    public var period: YearMonth { obligation.period }
    public var due: LocalDate { obligation.due }
}

extension Culise {
    /// The forms Culise writes; the calendar lists the others too, marked to be filed outside Culise.
    public static let writtenForms: Set<FilingForm> = [.d112, .d300, .d390, .d394, .d406]

    /// The company's filing calendar (issue 16 item 5) for the periods `from…to`: each obligation from the settings
    /// (VAT period, employer, SAF-T) and the books (D390 in the months with documents of partners in other member states,
    /// or with a D390 kept), with its due
    /// date, its latest filing and whether it is overdue. Only the forms the actor's role may see.
    public func filingCalendar(company: CompanyID, from: YearMonth, to: YearMonth, actor: Actor) async throws -> [FilingCalendarEntry] {
        try actor.require(.accounting, .read, in: company)
        guard from <= to, from.year * 12 + from.month + 60 >= to.year * 12 + to.month else {
            throw DomainError(
                "filing.calendar_range", field: "to", "You cannot show the calendar from \(from) to \(to) because it spans 1 to 60 months.")
        }
        let payroll = (try? actor.require(.payroll, .read, in: company)) != nil
        return try await read { db in
            let settings = try await Self.loadTaxFilingSettings(db, company: company)
            let firm = try await Self.loadCompany(db, company)
            // Months with a partner in another member state (an index, not the documents: the page stays fast), and those
            // with a D390 kept.
            let partners = EUMemberStates.codes.subtracting(["RO"])
            var intraCommunity = try await Self.monthsWithPartnersIn(partners, db, company: company, from: from.firstDay, to: to.lastDay)
            for filing in try await Self.loadFilings(db, company: company, form: .d390, period: nil, withXML: false)
            where filing.state != .discarded {
                intraCommunity.insert(filing.period)
            }
            let obligations = FilingCalendar.obligations(
                from: from, to: to, vatPayer: firm.vatPayer, vatQuarterly: settings.vatPeriod == .quarterly, employer: settings.employer,
                saft: settings.saft, intraCommunity: intraCommunity
            ).filter { payroll || $0.form != .d112 }
            var latest: [String: FilingRecord] = [:]
            for filing in try await Self.loadFilings(db, company: company, form: nil, period: nil, withXML: false)
            where filing.state != .discarded && filing.period >= from && filing.period <= to {
                latest["\(filing.form.rawValue) \(filing.period)"] = filing
            }
            let today = self.today
            return obligations.map { obligation in
                let filing = latest["\(obligation.form.rawValue) \(obligation.period)"]
                let open = obligation.period.lastDay < today && !(filing?.state.isFiled ?? false)
                return FilingCalendarEntry(
                    obligation: obligation, filing: filing, generated: Self.writtenForms.contains(obligation.form), open: open,
                    overdue: open && obligation.due < today)
            }
        }
    }

    /// The daily reminder (job `filings.reminders`) for the tax returns Culise writes (D300, D390, D394, D406): each one whose
    /// period has ended,
    /// not filed and due within `days` days or overdue (within the last year), puts a notification in the inbox of the
    /// accountants and administrators. D112 is payroll's (`remindPayrollDeclarations`). Returns how many were reminded.
    public func remindTaxFilings(company: CompanyID, within days: Int = 5, actor: Actor) async throws -> Int {
        try actor.require(.accounting, .read, in: company)
        let now = YearMonth(today)
        let first = YearMonth(now.firstDay.adding(days: -365))
        let due = try await filingCalendar(company: company, from: max(first, try YearMonth(year: 2025, month: 8)), to: now, actor: actor)
            .filter { $0.open && $0.generated && $0.form != .d112 && today.days(until: $0.due) <= days }
        guard !due.isEmpty else { return 0 }
        try await transaction { db in
            let users = try await self.members(db, company: company, roles: [.accountant, .admin])
            for entry in due {
                try await self.notify(
                    db, company: company, users: users, kind: "filing.due",
                    parameters: [
                        "form": entry.form.rawValue.uppercased(), "period": entry.period.description, "due": entry.due.iso,
                        "state": entry.filing?.state.rawValue ?? "not generated",
                    ], link: "/filing-calendar")
            }
        }
        return due.count
    }
}
