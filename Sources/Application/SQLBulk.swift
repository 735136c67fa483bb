import SQLKit

/// Multi-row `INSERT … VALUES (…), (…)` in chunks that stay under both engines' bind limits
/// (SQLite 32,766, PostgreSQL 65,535). Per-row inserts are 4× (SQLite) to 15× (PostgreSQL) slower.
enum SQLBulk {
    static let maxBinds = 30_000

    static func insert(
        _ db: any SQLDatabase, into table: String, columns: [String], rows: [[any Encodable & Sendable]], suffix: String = ""
    ) async throws {
        guard !rows.isEmpty else { return }
        let perChunk = max(1, maxBinds / max(columns.count, 1))
        var start = 0
        while start < rows.count {
            let end = min(start + perChunk, rows.count)
            var query = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
            for index in start..<end {
                if index > start { query.appendLiteral(", ") }
                query.appendLiteral("(")
                for (column, value) in rows[index].enumerated() {
                    if column > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: value)
                }
                query.appendLiteral(")")
            }
            if !suffix.isEmpty { query.appendLiteral(" " + suffix) }
            try await db.raw(query).run()
            start = end
        }
    }
}
