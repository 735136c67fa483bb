import Foundation
import Identity
import Kernel
import SQLKit

/// Filters for the audit viewer.
public struct AuditFilter: Sendable, Equatable {
    public var action: String?
    public var entity: String?
    public var actor: String?
    /// Inclusive dates, compared on the UTC timestamp's date.
    public var from: LocalDate?
    public var to: LocalDate?

    public init(action: String? = nil, entity: String? = nil, actor: String? = nil, from: LocalDate? = nil, to: LocalDate? = nil) {
        self.action = action
        self.entity = entity
        self.actor = actor
        self.from = from
        self.to = to
    }
}

/// The outcome of recomputing the audit chain.
public struct ChainVerification: Sendable, Equatable {
    public let rowsChecked: Int
    /// The first row found changed, deleted (a gap) or out of order; nil when the chain is intact.
    public let firstBadSeq: Int64?
    public let problem: String?

    public var isIntact: Bool { firstBadSeq == nil && problem == nil }
}

extension Culise {
    /// Audit rows of the principal's company (plus the company's users' account events), newest first.
    public func auditEntries(filter: AuditFilter, page: PageRequest, actor: Actor) async throws -> Page<AuditRow> {
        var companyID: CompanyID?
        if case .user(let principal) = actor {
            try principal.require(.audit, .read)
            companyID = principal.companyID
        }
        var conditions: [SQLQueryString] = []
        if let companyID {
            conditions.append(
                """
                (company_id = \(bind: companyID.description) OR (company_id IS NULL AND user_id IN
                    (SELECT user_id FROM memberships WHERE company_id = \(bind: companyID.description))))
                """)
        }
        if let action = filter.action, !action.isEmpty { conditions.append("action LIKE \(bind: action + "%")") }
        if let entity = filter.entity, !entity.isEmpty { conditions.append("entity = \(bind: entity)") }
        if let who = filter.actor, !who.isEmpty { conditions.append("actor LIKE \(bind: "%" + who.lowercased() + "%")") }
        if let from = filter.from { conditions.append("at >= \(bind: from.iso)") }
        if let to = filter.to { conditions.append("at < \(bind: to.adding(days: 1).iso)") }
        var whereClause: SQLQueryString = ""
        if !conditions.isEmpty {
            whereClause = " WHERE "
            for (index, condition) in conditions.enumerated() {
                if index > 0 { whereClause = whereClause + " AND " }
                whereClause = whereClause + condition
            }
        }
        let filterSQL = whereClause
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM audit_log" + filterSQL).first()!.decode(column: "n", as: Int64.self)
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: AuditRow.columns) FROM audit_log" + filterSQL
                    + " ORDER BY seq DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all().map(AuditRow.init(row:))
            return Page(items: rows, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// Recomputes the whole chain in order and names the first row that was changed, deleted or reordered.
    public func verifyAuditChain(progress: (@Sendable (Int) -> Void)? = nil) async throws -> ChainVerification {
        try await read { db in
            let head = try await db.raw("SELECT seq, hash FROM chain_heads WHERE name = 'audit'").first()
            var previousHash = AuditLog.genesisHash
            var expectedSeq: Int64 = 1
            var checked = 0
            let batch = 5_000
            while true {
                let rows = try await db.raw(
                    "SELECT \(unsafeRaw: AuditRow.columns) FROM audit_log WHERE seq >= \(bind: expectedSeq) ORDER BY seq LIMIT \(bind: batch)"
                ).all().map(AuditRow.init(row:))
                for row in rows {
                    if row.seq != expectedSeq {
                        return ChainVerification(
                            rowsChecked: checked, firstBadSeq: expectedSeq,
                            problem: "row \(expectedSeq) is missing (the next row is \(row.seq)): it was deleted")
                    }
                    if row.prevHash != previousHash {
                        return ChainVerification(
                            rowsChecked: checked, firstBadSeq: row.seq,
                            problem: "row \(row.seq) does not follow row \(row.seq - 1): rows were reordered or replaced")
                    }
                    if row.computedHash() != row.hash {
                        return ChainVerification(
                            rowsChecked: checked, firstBadSeq: row.seq,
                            problem: "row \(row.seq) (\(row.action) \(row.entity) \(row.entityID)) was changed after it was written")
                    }
                    previousHash = row.hash
                    expectedSeq += 1
                    checked += 1
                }
                progress?(checked)
                if rows.count < batch { break }
            }
            if let head {
                let headSeq = try head.decode(column: "seq", as: Int64.self)
                let headHash = try head.decode(column: "hash", as: String.self)
                if headSeq != expectedSeq - 1 || headHash != previousHash {
                    return ChainVerification(
                        rowsChecked: checked, firstBadSeq: expectedSeq,
                        problem: "the log ends at row \(expectedSeq - 1) but the chain head says \(headSeq): rows at the end were deleted")
                }
            }
            return ChainVerification(rowsChecked: checked, firstBadSeq: nil, problem: nil)
        }
    }
}
