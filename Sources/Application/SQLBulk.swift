import SQLKit
import Storage

/// Multi-row `INSERT … VALUES (…), (…)` in chunks that stay under both engines' bind limits
/// (SQLite 32,766, PostgreSQL 65,535). Per-row inserts are 4× (SQLite) to 15× (PostgreSQL) slower.
package enum SQLBulk {
    package static let maxBinds = 30_000

    package static func insert(
        _ db: any SQLDatabase, into table: String, columns: [String], rows: [[any Encodable & Sendable]], suffix: String = ""
    ) async throws {
        guard !rows.isEmpty else { return }
        if let fast = db as? any BulkInserting {
            try await fast.bulkInsert(into: table, columns: columns, rows: rows.map { $0.map(SQLBulk.value) }, suffix: suffix)
            return
        }
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

    /// Maps the values the app layer binds (Int64, Int, String, Bool, optionals of them) to `SQLValue`.
    package static func value(_ value: any Encodable & Sendable) -> SQLValue {
        switch value {
        case let number as Int64: return .int(number)
        case let number as Int: return .int(Int64(number))
        case let text as String: return .text(text)
        case let flag as Bool: return .bool(flag)
        case let optional as Int64?: return SQLValue(optional)
        case let optional as String?: return SQLValue(optional)
        case let optional as Int?: return SQLValue(optional.map(Int64.init))
        case let optional as Bool?: return optional.map(SQLValue.bool) ?? .null
        default: preconditionFailure("SQLBulk binds Int64, Int, String and Bool only, not \(type(of: value))")
        }
    }

    /// Inserts rows already in `SQLValue` form (the hot path of posting).
    package static func insert(
        _ db: any SQLDatabase, into table: String, columns: [String], values rows: [[SQLValue]], suffix: String = ""
    ) async throws {
        guard !rows.isEmpty else { return }
        if let fast = db as? any BulkInserting {
            try await fast.bulkInsert(into: table, columns: columns, rows: rows, suffix: suffix)
            return
        }
        let encodable: [[any Encodable & Sendable]] = rows.map { row in
            row.map { value -> any Encodable & Sendable in
                switch value {
                case .int(let number): return number
                case .text(let text): return text
                case .bool(let flag): return flag
                case .null: return String?.none
                }
            }
        }
        try await insert(db, into: table, columns: columns, rows: encodable, suffix: suffix)
    }
}

extension SQLQueryString {
    /// `(?, ?, …)` with one bind per value, for `IN` lists; `(NULL)` when empty (matches nothing).
    package static func list(_ values: some Sequence<Int64>) -> SQLQueryString { list(values.map { SQLValue.int($0) }) }

    package static func list(_ values: some Sequence<String>) -> SQLQueryString { list(values.map { SQLValue.text($0) }) }

    package static func list(_ values: [SQLValue]) -> SQLQueryString {
        var query: SQLQueryString = "("
        var first = true
        for value in values {
            if !first { query.appendLiteral(", ") }
            switch value {
            case .int(let number): query.appendInterpolation(bind: number)
            case .text(let text): query.appendInterpolation(bind: text)
            case .bool(let flag): query.appendInterpolation(bind: flag)
            case .null: query.appendLiteral("NULL")
            }
            first = false
        }
        query.appendLiteral(first ? "NULL)" : ")")
        return query
    }
}
