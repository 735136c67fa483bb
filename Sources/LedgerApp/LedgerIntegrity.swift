import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

extension Culise {
    /// Recomputes the entry chain in sequence order and the balances from the lines. Names the first entry
    /// that was changed, deleted or reordered, and every account whose balances do not match its lines.
    public func verifyLedger(
        company: CompanyID, actor: Actor, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> LedgerVerification {
        try ledgerActor(actor, company: company, .read)
        return try await read { db in
            let id = company.description
            let head = try await db.raw("SELECT chain_seq, chain_hash FROM ledger_settings WHERE company_id = \(bind: id)").first()
            var expectedSeq: Int64 = 1
            var previous = EntryChain.genesis
            var checked = 0
            let batch: Int64 = 5_000
            while true {
                let entries = try await LedgerEngine.load(
                    db, company: company, where: "seq IS NOT NULL AND seq >= \(bind: expectedSeq)",
                    order: "ORDER BY seq LIMIT \(bind: batch)")
                for entry in entries {
                    guard let seq = entry.seq, let number = entry.number else { continue }
                    if seq != expectedSeq {
                        return LedgerVerification(
                            entriesChecked: checked, firstBadSeq: expectedSeq,
                            problem: "entry \(expectedSeq) is missing (the next is \(seq)): it was deleted", balanceDifferences: [])
                    }
                    let canonical = EntryChain.canonical(
                        seq: seq, entry: entry.id, journal: entry.journal, number: number, date: entry.date, description: entry.description,
                        externalRef: entry.externalRef, reverses: entry.reverses, lines: entry.lines)
                    if entry.prevHash != previous {
                        return LedgerVerification(
                            entriesChecked: checked, firstBadSeq: seq,
                            problem: "entry \(seq) (\(number)) does not follow entry \(seq - 1): entries were reordered or replaced",
                            balanceDifferences: [])
                    }
                    if EntryChain.hash(previous: previous, canonical: canonical) != entry.hash {
                        return LedgerVerification(
                            entriesChecked: checked, firstBadSeq: seq,
                            problem: "entry \(seq) (\(number), \(entry.date)) was changed after it was posted", balanceDifferences: [])
                    }
                    previous = entry.hash ?? ""
                    expectedSeq += 1
                    checked += 1
                }
                progress?(checked)
                if entries.count < Int(batch) { break }
            }
            if let head {
                let headSeq = try head.decode(column: "chain_seq", as: Int64.self)
                let headHash = try head.decode(column: "chain_hash", as: String.self)
                if headSeq != expectedSeq - 1 || headHash != previous {
                    return LedgerVerification(
                        entriesChecked: checked, firstBadSeq: expectedSeq,
                        problem: "the chain ends at entry \(expectedSeq - 1) but the head says \(headSeq): entries at the end were deleted",
                        balanceDifferences: [])
                }
            }
            let differences = try await Self.balanceDifferences(db, company: company)
            return LedgerVerification(
                entriesChecked: checked, firstBadSeq: nil, problem: differences.isEmpty ? nil : "balances differ from the lines",
                balanceDifferences: differences)
        }
    }

    /// Accounts (with period) whose stored balance differs from the sum of their posted lines.
    static func balanceDifferences(_ db: any SQLDatabase, company: CompanyID) async throws -> [String] {
        let id = company.description
        let computed = try await db.raw(
            """
            SELECT account, CAST(SUBSTR(date, 1, 4) AS INTEGER) * 100 + CAST(SUBSTR(date, 6, 2) AS INTEGER) AS period,
                CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c, COUNT(*) AS n
            FROM entry_lines WHERE company_id = \(bind: id) AND posted = \(bind: true) GROUP BY account, period
            """
        ).all()
        var expected: [String: [Int64]] = [:]
        for row in computed {
            let key = "\(try row.decode(column: "account", as: String.self))@\(try row.decode(column: "period", as: Int64.self))"
            expected[key] = [
                try row.decode(column: "d", as: Int64.self), try row.decode(column: "c", as: Int64.self),
                try row.decode(column: "n", as: Int64.self),
            ]
        }
        var stored: [String: [Int64]] = [:]
        let storedRows = try await db.raw(
            "SELECT account, period, debit, credit, line_count FROM balances WHERE company_id = \(bind: id)"
        ).all()
        for row in storedRows {
            let key = "\(try row.decode(column: "account", as: String.self))@\(try row.decode(column: "period", as: Int64.self))"
            stored[key] = [
                try row.decode(column: "debit", as: Int64.self), try row.decode(column: "credit", as: Int64.self),
                try row.decode(column: "line_count", as: Int64.self),
            ]
        }
        var differences: [String] = []
        for key in Set(expected.keys).union(stored.keys).sorted() {
            let want = expected[key] ?? [0, 0, 0]
            let have = stored[key] ?? [0, 0, 0]
            if want != have {
                differences.append(
                    "\(key): stored debit/credit/lines \(have.map(String.init).joined(separator: "/")), lines give \(want.map(String.init).joined(separator: "/"))"
                )
            }
        }
        return differences
    }

    /// Recomputes the balances table from the lines; returns what differed before.
    public func rebuildBalances(company: CompanyID, actor: Actor) async throws -> [String] {
        try ledgerActor(actor, company: company, .write)
        return try await transaction { db in
            let id = company.description
            let differences = try await Self.balanceDifferences(db, company: company)
            try await db.raw("DELETE FROM balances WHERE company_id = \(bind: id)").run()
            try await db.raw(
                """
                INSERT INTO balances (company_id, account, period, debit, credit, line_count, max_seq)
                SELECT l.company_id, l.account, CAST(SUBSTR(l.date, 1, 4) AS INTEGER) * 100 + CAST(SUBSTR(l.date, 6, 2) AS INTEGER),
                    CAST(SUM(l.debit) AS BIGINT), CAST(SUM(l.credit) AS BIGINT), COUNT(*), CAST(MAX(e.seq) AS BIGINT)
                FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
                WHERE l.company_id = \(bind: id) AND l.posted = \(bind: true)
                GROUP BY l.company_id, l.account, CAST(SUBSTR(l.date, 1, 4) AS INTEGER) * 100 + CAST(SUBSTR(l.date, 6, 2) AS INTEGER)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.rebuild_balances", entity: "company", entityID: id,
                changes: [FieldChange("differences", before: nil, after: String(differences.count))], now: self.now)
            return differences
        }
    }
}
