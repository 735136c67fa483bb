import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

/// One line of an account sheet (fișa contului) with its running balance.
public struct AccountSheetLine: Sendable, Equatable, Codable {
    public let date: LocalDate
    public let entryID: EntryID
    public let number: String?
    public let journal: String
    public let description: String
    public let partner: String?
    public let debit: Int64
    public let credit: Int64
    /// Debit minus credit after this line, including the opening balance.
    public let balance: Int64
}

public struct AccountSheet: Sendable, Codable {
    public let account: String
    public let name: String
    public let partner: String?
    public let from: LocalDate?
    public let to: LocalDate?
    /// Net balance before `from`.
    public let opening: Int64
    public let lines: [AccountSheetLine]
    public let totalLines: Int
    public let offset: Int
    public let limit: Int
    /// Net balance at `to`.
    public let closing: Int64
    public let periodDebit: Int64
    public let periodCredit: Int64
}

/// What a partner owes or is owed on one account.
public struct PartnerBalance: Sendable, Codable, Equatable {
    public let partner: String
    public let name: String?
    public let debit: Int64
    public let credit: Int64
    public var balance: Int64 { debit - credit }
}

extension Culise {
    static func month(_ date: LocalDate) -> Int64 { Int64(date.year * 100 + date.month) }
    static func nextMonth(_ period: Int64) -> Int64 { period % 100 == 12 ? (period / 100 + 1) * 100 + 1 : period + 1 }
    static func previousMonth(_ period: Int64) -> Int64 { period % 100 == 1 ? (period / 100 - 1) * 100 + 12 : period - 1 }

    /// Debit and credit turnover per account of posted lines dated within `from…to` (either open):
    /// whole months from the balances table, the partial months at the edges from the lines.
    /// A date range split into whole months (served by `balances`) and at most two partial stretches (served by the lines).
    struct MonthSplit {
        var partials: [(LocalDate, LocalDate)] = []
        var fullFrom: Int64?
        var fullTo: Int64?
        var hasFullMonths = true

        init(from: LocalDate?, to: LocalDate?) {
            fullFrom = from.map(Culise.month)
            fullTo = to.map(Culise.month)
            if let from, let to, YearMonth(from) == YearMonth(to), !(from.day == 1 && to == YearMonth(to).lastDay) {
                partials = [(from, to)]
                hasFullMonths = false
                return
            }
            if let from, from.day != 1 {
                partials.append((from, YearMonth(from).lastDay))
                fullFrom = Culise.nextMonth(Culise.month(from))
            }
            if let to, to != YearMonth(to).lastDay {
                partials.append((YearMonth(to).firstDay, to))
                fullTo = Culise.previousMonth(Culise.month(to))
            }
            if let low = fullFrom, let high = fullTo, low > high { hasFullMonths = false }
        }
    }

    /// Debit and credit turnover per account of posted lines dated within `from…to` (either open):
    /// whole months from the balances table, the partial months at the edges from the lines.
    package static func turnover(
        _ db: any SQLDatabase, company: CompanyID, from: LocalDate?, to: LocalDate?
    ) async throws -> [String: Turnover] {
        if let from, let to, from > to { return [:] }
        let id = company.description
        var result: [String: Turnover] = [:]
        func add(_ rows: [any SQLRow]) throws {
            for row in rows {
                let account = try row.decode(column: "account", as: String.self)
                result[account, default: Turnover()] =
                    result[account, default: Turnover()]
                    + Turnover(
                        debit: try row.decode(column: "d", as: Int64?.self) ?? 0, credit: try row.decode(column: "c", as: Int64?.self) ?? 0)
            }
        }
        let split = MonthSplit(from: from, to: to)
        for (low, high) in split.partials {
            try add(
                try await db.raw(
                    """
                    SELECT account, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines
                    WHERE company_id = \(bind: id) AND account IN (SELECT code FROM accounts WHERE company_id = \(bind: id))
                        AND date >= \(bind: low.iso) AND date <= \(bind: high.iso) AND posted = \(bind: true)
                    GROUP BY account
                    """
                ).all())
        }
        if split.hasFullMonths {
            try add(
                try await db.raw(
                    """
                    SELECT account, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM balances
                    WHERE company_id = \(bind: id) AND period >= \(bind: split.fullFrom ?? 0) AND period <= \(bind: split.fullTo ?? 999_999)
                    GROUP BY account
                    """
                ).all())
        }
        return result
    }

    /// The number of posted lines of `account` dated within `from…to`, from the balances where whole months allow.
    static func lineCount(
        _ db: any SQLDatabase, company: CompanyID, account: String, from: LocalDate?, to: LocalDate?
    ) async throws -> Int64 {
        if let from, let to, from > to { return 0 }
        let id = company.description
        let split = MonthSplit(from: from, to: to)
        var count: Int64 = 0
        for (low, high) in split.partials {
            count +=
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM entry_lines WHERE company_id = \(bind: id) AND account = \(bind: account)
                        AND date >= \(bind: low.iso) AND date <= \(bind: high.iso) AND posted = \(bind: true)
                    """
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
        if split.hasFullMonths {
            count +=
                try await db.raw(
                    """
                    SELECT CAST(SUM(line_count) AS BIGINT) AS n FROM balances WHERE company_id = \(bind: id) AND account = \(bind: account)
                        AND period >= \(bind: split.fullFrom ?? 0) AND period <= \(bind: split.fullTo ?? 999_999)
                    """
                ).first()?.decode(column: "n", as: Int64?.self) ?? 0
        }
        return count
    }

    /// The last posted entry (sequence number and hash) among those dated on or before `date`.
    static func chainHead(_ db: any SQLDatabase, company: CompanyID, upTo date: LocalDate?) async throws -> (Int64, String)? {
        let id = company.description
        guard let date else {
            let row = try await db.raw("SELECT chain_seq, chain_hash FROM ledger_settings WHERE company_id = \(bind: id)").first()
            guard let row else { return nil }
            return (try row.decode(column: "chain_seq", as: Int64.self), try row.decode(column: "chain_hash", as: String.self))
        }
        let split = MonthSplit(from: nil, to: date)
        var best: Int64 = 0
        if split.hasFullMonths {
            best =
                try await db.raw(
                    "SELECT CAST(MAX(max_seq) AS BIGINT) AS s FROM balances WHERE company_id = \(bind: id) AND period <= \(bind: split.fullTo ?? 999_999)"
                ).first()?.decode(column: "s", as: Int64?.self) ?? 0
        }
        for (low, high) in split.partials {
            let partial =
                try await db.raw(
                    "SELECT CAST(MAX(seq) AS BIGINT) AS s FROM entries WHERE company_id = \(bind: id) AND date >= \(bind: low.iso) AND date <= \(bind: high.iso)"
                ).first()?.decode(column: "s", as: Int64?.self) ?? 0
            best = max(best, partial)
        }
        guard best > 0,
            let row = try await db.raw("SELECT hash FROM entries WHERE company_id = \(bind: id) AND seq = \(bind: best)").first()
        else { return nil }
        return (best, try row.decode(column: "hash", as: String.self))
    }

    /// The trial balance for `from…to` (the whole history when both are nil), with the chain head.
    public func trialBalance(company: CompanyID, from: LocalDate?, to: LocalDate?, actor: Actor) async throws -> TrialBalance {
        try ledgerActor(actor, company: company, .read)
        if let from, let to, from > to {
            throw ValidationErrors([
                DomainError(
                    "report.dates", field: "from", "You cannot run a report from \(from) to \(to) because the start is after the end.")
            ])
        }
        return try await read { db in
            let rules = try await LedgerEngine.rules(db, company: company)
            var opening: [String: Turnover] = [:]
            if let from { opening = try await Self.turnover(db, company: company, from: nil, to: from.adding(days: -1)) }
            let period = try await Self.turnover(db, company: company, from: from, to: to)
            var report = TrialBalance.build(accounts: rules.accounts, opening: opening, period: period, from: from, to: to)
            if let head = try await Self.chainHead(db, company: company, upTo: to) {
                report.chainSeq = head.0
                report.chainHead = head.1
            }
            return report
        }
    }

    /// The account sheet: the account's posted lines in `from…to`, oldest first, with running balances.
    public func accountSheet(
        company: CompanyID, account: String, partner: String? = nil, from: LocalDate?, to: LocalDate?, page: PageRequest, actor: Actor
    ) async throws -> AccountSheet {
        try ledgerActor(actor, company: company, .read)
        let id = company.description
        return try await read { db in
            let rules = try await LedgerEngine.rules(db, company: company)
            guard let info = rules.accounts[account] else {
                throw DomainError(
                    "ledger.account_unknown", kind: .notFound, field: "account",
                    "You cannot open account \(account) because it does not exist.")
            }
            var filter: SQLQueryString = "l.company_id = \(bind: id) AND l.account = \(bind: account) AND l.posted = \(bind: true)"
            if let partner { filter = filter + " AND l.partner = \(bind: partner)" }
            var range = filter
            if let from { range = range + " AND l.date >= \(bind: from.iso)" }
            if let to { range = range + " AND l.date <= \(bind: to.iso)" }
            var opening: Int64 = 0
            if let from {
                if partner == nil {
                    opening = try await Self.turnover(db, company: company, from: nil, to: from.adding(days: -1))[account]?.net ?? 0
                } else {
                    opening =
                        try await db.raw(
                            "SELECT CAST(SUM(l.debit - l.credit) AS BIGINT) AS n FROM entry_lines l WHERE " + filter
                                + " AND l.date < \(bind: from.iso)"
                        ).first()?.decode(column: "n", as: Int64?.self) ?? 0
                }
            }
            let count: Int64
            let periodDebit: Int64
            let periodCredit: Int64
            if partner == nil {
                // Whole months come from the balances; only partial months touch the lines.
                let turnover = try await Self.turnover(db, company: company, from: from, to: to)[account] ?? Turnover()
                count = try await Self.lineCount(db, company: company, account: account, from: from, to: to)
                periodDebit = turnover.debit
                periodCredit = turnover.credit
            } else {
                let totals = try await db.raw(
                    "SELECT COUNT(*) AS n, CAST(SUM(l.debit) AS BIGINT) AS d, CAST(SUM(l.credit) AS BIGINT) AS c FROM entry_lines l WHERE "
                        + range
                ).first()!
                count = try totals.decode(column: "n", as: Int64.self)
                periodDebit = try totals.decode(column: "d", as: Int64?.self) ?? 0
                periodCredit = try totals.decode(column: "c", as: Int64?.self) ?? 0
            }
            var running = opening
            if page.offset > 0 {
                running +=
                    try await db.raw(
                        """
                        SELECT CAST(SUM(x.debit - x.credit) AS BIGINT) AS n FROM (SELECT l.debit, l.credit FROM entry_lines l WHERE
                        """ + " " + range + " ORDER BY l.date, l.entry_id, l.line_no LIMIT \(bind: page.offset)) x"
                    ).first()?.decode(column: "n", as: Int64?.self) ?? 0
            }
            let rows = try await db.raw(
                """
                SELECT l.date, l.entry_id, l.partner, l.debit, l.credit, l.description AS line_description, e.number, e.journal,
                    e.description AS entry_description
                FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id WHERE
                """ + " " + range + " ORDER BY l.date, l.entry_id, l.line_no LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all()
            var lines: [AccountSheetLine] = []
            for row in rows {
                let debit = try row.decode(column: "debit", as: Int64.self)
                let credit = try row.decode(column: "credit", as: Int64.self)
                running += debit - credit
                lines.append(
                    AccountSheetLine(
                        date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                        entryID: EntryID(try row.decode(column: "entry_id", as: Int64.self)),
                        number: try row.decode(column: "number", as: String?.self),
                        journal: try row.decode(column: "journal", as: String.self),
                        description: try row.decode(column: "line_description", as: String?.self)
                            ?? row.decode(column: "entry_description", as: String.self),
                        partner: try row.decode(column: "partner", as: String?.self), debit: debit, credit: credit, balance: running))
            }
            return AccountSheet(
                account: account, name: info.name, partner: partner, from: from, to: to, opening: opening, lines: lines,
                totalLines: Int(count), offset: page.offset, limit: page.limit, closing: opening + periodDebit - periodCredit,
                periodDebit: periodDebit, periodCredit: periodCredit)
        }
    }

    /// Balances per partner on one account (who owes what on 4111, whom we owe on 401) as of `date`.
    public func partnerBalances(company: CompanyID, account: String, asOf date: LocalDate?, actor: Actor) async throws -> [PartnerBalance] {
        try ledgerActor(actor, company: company, .read)
        let id = company.description
        return try await read { db in
            var query: SQLQueryString = """
                SELECT l.partner, p.name, CAST(SUM(l.debit) AS BIGINT) AS d, CAST(SUM(l.credit) AS BIGINT) AS c
                FROM entry_lines l LEFT JOIN partners p ON p.company_id = l.company_id AND p.code = l.partner
                WHERE l.company_id = \(bind: id) AND (l.account = \(bind: account) OR l.account LIKE \(bind: account + ".%"))
                    AND l.posted = \(bind: true) AND l.partner IS NOT NULL
                """
            if let date { query = query + " AND l.date <= \(bind: date.iso)" }
            query = query + " GROUP BY l.partner, p.name ORDER BY l.partner"
            return try await db.raw(query).all().map { row in
                PartnerBalance(
                    partner: try row.decode(column: "partner", as: String.self), name: try row.decode(column: "name", as: String?.self),
                    debit: try row.decode(column: "d", as: Int64?.self) ?? 0, credit: try row.decode(column: "c", as: Int64?.self) ?? 0)
            }.filter { $0.balance != 0 }
        }
    }

    /// The abbreviated balance sheet at `date` (cumulative balances).
    public func balanceSheet(company: CompanyID, asOf date: LocalDate?, actor: Actor) async throws -> [StatementRow] {
        try ledgerActor(actor, company: company, .read)
        let net = try await read { db in try await Self.turnover(db, company: company, from: nil, to: date).mapValues(\.net) }
        return Statement.compute(StatementLayouts.standard.balanceSheet, net: net)
    }

    /// The abbreviated profit and loss account for `from…to` (turnover of classes 6 and 7; closing entries excluded).
    public func profitAndLoss(company: CompanyID, from: LocalDate?, to: LocalDate?, actor: Actor) async throws -> [StatementRow] {
        try ledgerActor(actor, company: company, .read)
        let net = try await read { db in try await Self.resultTurnover(db, company: company, from: from, to: to) }
        return Statement.compute(StatementLayouts.standard.profitLoss, net: net)
    }

    /// The net turnover (debit − credit) per account of `from…to` without the year-end closing entries (journal INC),
    /// which move classes 6 and 7 into 121 and are not income or expense of the period.
    package static func resultTurnover(
        _ db: any SQLDatabase, company: CompanyID, from: LocalDate?, to: LocalDate?
    ) async throws -> [String: Int64] {
        var turnover = try await Self.turnover(db, company: company, from: from, to: to)
        var closing: SQLQueryString = """
            SELECT l.account, CAST(SUM(l.debit) AS BIGINT) AS d, CAST(SUM(l.credit) AS BIGINT) AS c FROM entry_lines l
            JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
            WHERE l.company_id = \(bind: company.description) AND e.journal = 'INC' AND l.posted = \(bind: true)
            """
        if let from { closing = closing + " AND l.date >= \(bind: from.iso)" }
        if let to { closing = closing + " AND l.date <= \(bind: to.iso)" }
        for row in try await db.raw(closing + " GROUP BY l.account").all() {
            let account = try row.decode(column: "account", as: String.self)
            turnover[account] =
                (turnover[account] ?? Turnover())
                + Turnover(
                    debit: -(try row.decode(column: "d", as: Int64?.self) ?? 0),
                    credit: -(try row.decode(column: "c", as: Int64?.self) ?? 0))
        }
        return turnover.mapValues(\.net)
    }
}
