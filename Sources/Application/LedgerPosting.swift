import Foundation
import Identity
import Kernel
import Ledger
import SQLKit
import Storage

/// A posted entry as stored.
public struct PostedEntry: Sendable, Equatable {
    public let id: EntryID
    public let seq: Int64?
    public let number: String?
    public let journal: String
    public let date: LocalDate
    public let description: String
    public let state: EntryState
    public let externalRef: String?
    public let reverses: EntryID?
    public let reversedBy: EntryID?
    public let hash: String?
    public let prevHash: String?
    public let lines: [EntryLine]
}

/// What one posting batch adds to a (account, month) balance.
package struct BalanceDelta {
    package var debit: Int64 = 0
    package var credit: Int64 = 0
    package var lines: Int64 = 0
    package var maxSeq: Int64 = 0

    package mutating func add(_ line: EntryLine, seq: Int64) {
        debit += line.debit
        credit += line.credit
        lines += 1
        maxSeq = max(maxSeq, seq)
    }
}

/// One entry to write: a validated draft, posted now or saved as a draft.
package struct EntryToWrite: Sendable {
    package var draft: EntryDraft
    package var reverses: EntryID?
    /// Keep this id (posting a saved draft); nil allocates a new one.
    package var id: EntryID?

    package init(draft: EntryDraft, reverses: EntryID? = nil, id: EntryID? = nil) {
        self.draft = draft
        self.reverses = reverses
        self.id = id
    }
}

/// The posting engine every ledger use case shares: manual entries, reversals, closings and imports.
/// It runs inside the caller's transaction, allocates ids, journal numbers and chain positions under a
/// row lock on `ledger_settings`, writes entries, lines and balances with multi-row statements, and
/// advances the chain head.
package enum LedgerEngine {
    package static func period(_ date: LocalDate) -> Int64 { Int64(date.year * 100 + date.month) }

    /// The company's posting rules as stored.
    /// `only`: load just these accounts (a posting use case knows its lines' accounts; the chart has hundreds).
    package static func rules(_ db: any SQLDatabase, company: CompanyID, only: Set<String>? = nil) async throws -> PostingRules {
        let id = company.description
        var accountQuery: SQLQueryString =
            "SELECT code, name, type, parent, postable, requires_partner, active FROM accounts WHERE company_id = \(bind: id)"
        if let only { accountQuery = accountQuery + " AND code IN " + .list(only.sorted()) }
        let accountRows = try await db.raw(accountQuery).all()
        var accounts: [String: Account] = [:]
        for row in accountRows {
            let code = try row.decode(column: "code", as: String.self)
            accounts[code] = Account(
                code: try AccountCode(code), name: try row.decode(column: "name", as: String.self),
                type: AccountType(rawValue: try row.decode(column: "type", as: String.self)) ?? .bifunctional,
                parent: try row.decode(column: "parent", as: String?.self), isPostable: try row.decode(column: "postable", as: Bool.self),
                requiresPartner: try row.decode(column: "requires_partner", as: Bool.self),
                isActive: try row.decode(column: "active", as: Bool.self))
        }
        // Journals, the lock date, closed periods and closed years in one round trip (posting is latency-bound).
        let rows = try await db.raw(
            """
            SELECT 'j' AS kind, code AS a, NULL AS b FROM journals WHERE company_id = \(bind: id)
            UNION ALL SELECT 's', COALESCE(lock_date, ''), NULL FROM ledger_settings WHERE company_id = \(bind: id)
            UNION ALL SELECT 'p', CAST(period AS TEXT), NULL FROM closed_periods WHERE company_id = \(bind: id)
            UNION ALL SELECT 'y', start_date, end_date FROM fiscal_years WHERE company_id = \(bind: id) AND closed = \(bind: true)
            """
        ).all()
        var journals: [String] = []
        var settingsFound = false
        var lock: LocalDate?
        var closedPeriods: [YearMonth] = []
        var closedYears: [ClosedRange<LocalDate>] = []
        for row in rows {
            let a = try row.decode(column: "a", as: String.self)
            switch try row.decode(column: "kind", as: String.self) {
            case "j": journals.append(a)
            case "s":
                settingsFound = true
                lock = a.isEmpty ? nil : try LocalDate(iso: a)
            case "p":
                let value = Int(a) ?? 0
                closedPeriods.append(try YearMonth(year: value / 100, month: value % 100))
            default:
                closedYears.append(try LocalDate(iso: a)...LocalDate(iso: row.decode(column: "b", as: String.self)))
            }
        }
        guard settingsFound else {
            throw DomainError(
                "ledger.not_set_up", kind: .conflict, "You cannot use the ledger of this company because its books were not set up.")
        }
        return PostingRules(
            accounts: accounts, journals: Set(journals), lockDate: lock, closedPeriods: Set(closedPeriods), closedYearRanges: closedYears)
    }

    /// Writes `entries` (already validated) as posted entries; returns their ids.
    @discardableResult
    package static func post(
        _ db: any SQLDatabase, company: CompanyID, entries: [EntryToWrite], createdBy: String, now: String
    ) async throws
        -> [EntryID]
    {
        guard !entries.isEmpty else { return [] }
        let id = company.description
        let newIDs = Int64(entries.filter { $0.id == nil }.count)
        let volume = try Self.volume(of: entries)
        // Lock the company's chain head for the rest of the transaction, reserve ids and add the batch's volume.
        guard
            let head = try await db.raw(
                """
                UPDATE ledger_settings SET next_entry_id = next_entry_id + \(bind: newIDs), volume = volume + \(bind: volume)
                WHERE company_id = \(bind: id) RETURNING next_entry_id, chain_seq, chain_hash, volume
                """
            ).first()
        else {
            throw DomainError("ledger.not_set_up", kind: .conflict, "You cannot post in this company because its books were not set up.")
        }
        guard try head.decode(column: "volume", as: Int64.self) <= Limits.ledgerVolumeMinorUnits else {
            throw Self.volumeExceeded
        }
        var nextID = try head.decode(column: "next_entry_id", as: Int64.self) - newIDs
        var seq = try head.decode(column: "chain_seq", as: Int64.self)
        var hash = try head.decode(column: "chain_hash", as: String.self)
        // Reserve journal numbers.
        var perJournal: [String: Int64] = [:]
        for entry in entries { perJournal[entry.draft.journal, default: 0] += 1 }
        var nextNumber: [String: Int64] = [:]
        for (journal, count) in perJournal.sorted(by: { $0.key < $1.key }) {
            guard
                let row = try await db.raw(
                    """
                    UPDATE journals SET next_number = next_number + \(bind: count)
                    WHERE company_id = \(bind: id) AND code = \(bind: journal) RETURNING next_number
                    """
                ).first()
            else {
                throw DomainError(
                    "ledger.journal_unknown", field: "journal", "You cannot post to journal '\(journal)' because it does not exist.")
            }
            nextNumber[journal] = try row.decode(column: "next_number", as: Int64.self) - count
        }
        var entryRows: [[SQLValue]] = []
        var lineRows: [[SQLValue]] = []
        var balanceDelta: [String: [Int64: BalanceDelta]] = [:]
        var ids: [EntryID] = []
        entryRows.reserveCapacity(entries.count)
        for entry in entries {
            let entryID: EntryID
            if let existing = entry.id {
                entryID = existing
            } else {
                entryID = EntryID(nextID)
                nextID += 1
            }
            ids.append(entryID)
            let draft = entry.draft
            let dateText = draft.date.iso
            // trap-safe: nextNumber holds every journal of `entries` (filled from perJournal above).
            let number = "\(draft.journal)-\(String(format: "%06d", nextNumber[draft.journal]!))"
            nextNumber[draft.journal, default: 0] += 1
            seq += 1
            let canonical = EntryChain.canonical(
                seq: seq, entry: entryID, journal: draft.journal, number: number, date: draft.date, description: draft.description,
                externalRef: draft.externalRef, reverses: entry.reverses, lines: draft.lines)
            let previous = hash
            hash = EntryChain.hash(previous: previous, canonical: canonical)
            entryRows.append([
                .text(id), .int(entryID.rawValue), .text(draft.journal), .text(number), .text(dateText), .text(draft.description),
                .text(EntryState.posted.rawValue), SQLValue(draft.externalRef), SQLValue(entry.reverses?.rawValue), .null, .int(seq),
                .text(previous), .text(hash), .text(now), .text(createdBy),
            ])
            let period = period(draft.date)
            for (index, line) in draft.lines.enumerated() {
                lineRows.append([
                    .text(id), .int(entryID.rawValue), .int(Int64(index + 1)), .text(dateText), .text(line.account), SQLValue(line.partner),
                    .int(line.debit), .int(line.credit), SQLValue(line.description), SQLValue(line.currency), SQLValue(line.amountCurrency),
                    SQLValue(line.rate.map { "\($0)" }), SQLValue(line.source?.type), SQLValue(line.source?.id), .bool(true),
                ])
                balanceDelta[line.account, default: [:]][period, default: BalanceDelta()].add(line, seq: seq)
            }
        }
        try await SQLBulk.insert(
            db, into: "entries",
            columns: [
                "company_id", "id", "journal", "number", "date", "description", "state", "external_ref", "reverses", "reversed_by", "seq",
                "prev_hash", "hash", "created_at", "created_by",
            ], values: entryRows)
        try await SQLBulk.insert(
            db, into: "entry_lines",
            columns: [
                "company_id", "entry_id", "line_no", "date", "account", "partner", "debit", "credit", "description", "currency",
                "amount_currency", "rate", "source_type", "source_id", "posted",
            ], values: lineRows)
        var balanceRows: [[SQLValue]] = []
        for (account, periods) in balanceDelta {
            for (period, delta) in periods {
                balanceRows.append([
                    .text(id), .text(account), .int(period), .int(delta.debit), .int(delta.credit), .int(delta.lines), .int(delta.maxSeq),
                ])
            }
        }
        try await SQLBulk.insert(
            db, into: "balances", columns: ["company_id", "account", "period", "debit", "credit", "line_count", "max_seq"],
            values: balanceRows,
            suffix:
                "ON CONFLICT (company_id, account, period) DO UPDATE SET debit = balances.debit + excluded.debit, credit = balances.credit + excluded.credit, line_count = balances.line_count + excluded.line_count, max_seq = CASE WHEN excluded.max_seq > balances.max_seq THEN excluded.max_seq ELSE balances.max_seq END"
        )
        try await db.raw(
            "UPDATE ledger_settings SET chain_seq = \(bind: seq), chain_hash = \(bind: hash) WHERE company_id = \(bind: id)"
        ).run()
        return ids
    }

    /// The refusal of a posting that would take the ledger past `Limits.ledgerVolumeMinorUnits`.
    package static let volumeExceeded = DomainError(
        "ledger.volume_exceeded", kind: .conflict, field: "lines",
        "You cannot post this entry because the company's ledger would then hold more than \(Money(minorUnits: Limits.ledgerVolumeMinorUnits, currency: .ron).decimalString) in all, the most its reports can add up exactly."
    )

    /// Σ |debit| + |credit| + |foreign amount| over the lines of `entries`, refused past the ledger's bound. Each
    /// line is already within `Limits.amountMinorUnits` (EntryValidator), so the running sum cannot wrap before the check.
    package static func volume(of entries: [EntryToWrite]) throws(DomainError) -> Int64 {
        var total: UInt64 = 0
        for entry in entries {
            for line in entry.draft.lines {
                for amount in [line.debit, line.credit, line.amountCurrency ?? 0] {
                    total = total &+ amount.magnitude
                    guard total <= UInt64(Limits.ledgerVolumeMinorUnits) else { throw volumeExceeded }
                }
            }
        }
        return Int64(total)
    }

    /// Saves a draft (not posted: no number, no chain position, no balances).
    package static func saveDraft(
        _ db: any SQLDatabase, company: CompanyID, draft: EntryDraft, id existing: EntryID?, createdBy: String, now: String
    )
        async throws -> EntryID
    {
        let company = company.description
        let entryID: EntryID
        if let existing {
            entryID = existing
            try await db.raw("DELETE FROM entry_lines WHERE company_id = \(bind: company) AND entry_id = \(bind: existing.rawValue)").run()
            try await db.raw("DELETE FROM entries WHERE company_id = \(bind: company) AND id = \(bind: existing.rawValue)").run()
        } else {
            let row = try await db.raw(
                "UPDATE ledger_settings SET next_entry_id = next_entry_id + 1 WHERE company_id = \(bind: company) RETURNING next_entry_id"
            ).first()
            guard let row else {
                throw DomainError(
                    "ledger.not_set_up", kind: .conflict, "You cannot save entries in this company because its books were not set up.")
            }
            entryID = EntryID(try row.decode(column: "next_entry_id", as: Int64.self) - 1)
        }
        try await db.raw(
            """
            INSERT INTO entries (company_id, id, journal, number, date, description, state, external_ref, reverses, reversed_by, seq,
                prev_hash, hash, created_at, created_by)
            VALUES (\(bind: company), \(bind: entryID.rawValue), \(bind: draft.journal), NULL, \(bind: draft.date.iso), \(bind: draft.description),
                'draft', \(bind: draft.externalRef), NULL, NULL, NULL, NULL, NULL, \(bind: now), \(bind: createdBy))
            """
        ).run()
        try await SQLBulk.insert(
            db, into: "entry_lines",
            columns: [
                "company_id", "entry_id", "line_no", "date", "account", "partner", "debit", "credit", "description", "currency",
                "amount_currency", "rate", "source_type", "source_id", "posted",
            ],
            rows: draft.lines.enumerated().map { index, line in
                [
                    company, entryID.rawValue, Int64(index + 1), draft.date.iso, line.account, line.partner, line.debit, line.credit,
                    line.description, line.currency, line.amountCurrency, line.rate.map { "\($0)" }, line.source?.type, line.source?.id,
                    false,
                ]
            })
        return entryID
    }

    /// Loads entries with their lines.
    package static func load(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, order: SQLQueryString = "ORDER BY id"
    ) async throws -> [PostedEntry] {
        let id = company.description
        var query: SQLQueryString = """
            SELECT id, seq, number, journal, date, description, state, external_ref, reverses, reversed_by, hash, prev_hash
            FROM entries WHERE company_id = \(bind: id) AND
            """
        query = query + " " + condition + " " + order
        let rows = try await db.raw(query).all()
        guard !rows.isEmpty else { return [] }
        let entryIDs = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        var linesByEntry: [Int64: [EntryLine]] = [:]
        var start = 0
        while start < entryIDs.count {
            let chunk = entryIDs[start..<min(start + 5_000, entryIDs.count)]
            var lineQuery: SQLQueryString = """
                SELECT entry_id, account, partner, debit, credit, description, currency, amount_currency, rate, source_type, source_id
                FROM entry_lines WHERE company_id = \(bind: id) AND entry_id IN (
                """
            for (index, entry) in chunk.enumerated() {
                if index > 0 { lineQuery.appendLiteral(", ") }
                lineQuery.appendInterpolation(bind: entry)
            }
            lineQuery.appendLiteral(") ORDER BY entry_id, line_no")
            for row in try await db.raw(lineQuery).all() {
                let sourceType = try row.decode(column: "source_type", as: String?.self)
                let sourceID = try row.decode(column: "source_id", as: String?.self)
                linesByEntry[try row.decode(column: "entry_id", as: Int64.self), default: []].append(
                    EntryLine(
                        account: try row.decode(column: "account", as: String.self), debit: try row.decode(column: "debit", as: Int64.self),
                        credit: try row.decode(column: "credit", as: Int64.self),
                        partner: try row.decode(column: "partner", as: String?.self),
                        description: try row.decode(column: "description", as: String?.self),
                        currency: try row.decode(column: "currency", as: String?.self),
                        amountCurrency: try row.decode(column: "amount_currency", as: Int64?.self),
                        rate: try row.decode(column: "rate", as: String?.self).flatMap { Decimal(string: $0) },
                        source: sourceType.map { SourceReference(type: $0, id: sourceID ?? "") }))
            }
            start += 5_000
        }
        return try rows.map { row in
            let entryID = try row.decode(column: "id", as: Int64.self)
            return PostedEntry(
                id: EntryID(entryID), seq: try row.decode(column: "seq", as: Int64?.self),
                number: try row.decode(column: "number", as: String?.self),
                journal: try row.decode(column: "journal", as: String.self),
                date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                description: try row.decode(column: "description", as: String.self),
                state: EntryState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
                externalRef: try row.decode(column: "external_ref", as: String?.self),
                reverses: try row.decode(column: "reverses", as: Int64?.self).map(EntryID.init),
                reversedBy: try row.decode(column: "reversed_by", as: Int64?.self).map(EntryID.init),
                hash: try row.decode(column: "hash", as: String?.self), prevHash: try row.decode(column: "prev_hash", as: String?.self),
                lines: linesByEntry[entryID] ?? [])
        }
    }
}
