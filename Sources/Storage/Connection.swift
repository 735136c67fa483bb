import Logging
import NIOCore
import PostgresKit
import SQLKit
import SQLiteKit

/// A value for the bulk-insert fast path.
public enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case text(String)
    case bool(Bool)
    case null

    public init(_ value: Int64?) { self = value.map(SQLValue.int) ?? .null }
    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
}

/// Multi-row inserts that bypass SQLKit's `Encodable` binding (about a quarter of an import's CPU time).
public protocol BulkInserting: Sendable {
    func bulkInsert(into table: String, columns: [String], rows: [[SQLValue]], suffix: String) async throws
}

/// The connection a transaction body receives: an ordinary `SQLDatabase`, plus a bulk-insert fast path
/// that binds values natively for each engine. This is part of the documented dialect seam (docs/storage.md).
public struct Connection: SQLDatabase, BulkInserting {
    enum Raw: @unchecked Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)
    }

    let base: any SQLDatabase
    let raw: Raw

    public var logger: Logger { base.logger }
    public var eventLoop: any EventLoop { base.eventLoop }
    public var version: (any SQLDatabaseReportedVersion)? { base.version }
    public var dialect: any SQLDialect { base.dialect }
    public var queryLogLevel: Logger.Level? { base.queryLogLevel }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: query, onRow)
    }

    public func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Largest number of bound values per statement (SQLite allows 32,766; PostgreSQL 65,535).
    static let maxBinds = 30_000

    public func bulkInsert(into table: String, columns: [String], rows: [[SQLValue]], suffix: String = "") async throws {
        guard !rows.isEmpty else { return }
        precondition(rows.allSatisfy { $0.count == columns.count }, "bulkInsert into \(table): every row needs \(columns.count) values")
        let perChunk = max(1, Self.maxBinds / max(columns.count, 1))
        var start = 0
        while start < rows.count {
            let end = min(start + perChunk, rows.count)
            var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            sql.reserveCapacity(64 + (end - start) * columns.count * 6)
            switch raw {
            case .sqlite(let connection):
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * columns.count)
                let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
                for index in start..<end {
                    if index > start { sql += ", " }
                    sql += placeholders
                    for value in rows[index] {
                        switch value {
                        case .int(let number): binds.append(.integer(Int(number)))
                        case .text(let text): binds.append(.text(text))
                        case .bool(let flag): binds.append(.integer(flag ? 1 : 0))
                        case .null: binds.append(.null)
                        }
                    }
                }
                if !suffix.isEmpty { sql += " " + suffix }
                _ = try await connection.query(sql, binds)
            case .postgres(let connection):
                var bindings = PostgresBindings(capacity: (end - start) * columns.count)
                var number = 0
                for index in start..<end {
                    if index > start { sql += ", " }
                    sql += "("
                    for (column, value) in rows[index].enumerated() {
                        number += 1
                        if column > 0 { sql += ", " }
                        sql += "$\(number)"
                        switch value {
                        case .int(let integer): bindings.append(integer)
                        case .text(let text): bindings.append(text)
                        case .bool(let flag): bindings.append(flag)
                        case .null: bindings.appendNull()
                        }
                    }
                    sql += ")"
                }
                if !suffix.isEmpty { sql += " " + suffix }
                _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
            }
            start = end
        }
    }
}
