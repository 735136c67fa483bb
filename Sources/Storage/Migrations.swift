import Crypto
import Foundation
import Kernel
import Logging
import SQLKit

/// One schema change. `statements` may differ per dialect only through `Dialect`.
/// A migration never changes once it has landed: its checksum is recorded, and a changed
/// migration stops the program with an error naming it.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: @Sendable (Dialect) -> [String]

    public init(_ version: Int, _ name: String, _ statements: @escaping @Sendable (Dialect) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    func checksum(_ dialect: Dialect) -> String {
        let text = statements(dialect).joined(separator: ";\n")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public struct MigrationReport: Sendable, Equatable {
    public var applied: [Int]
    public var current: Int
}

public enum Migrator {
    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    /// Applies every migration not yet recorded, each in its own transaction, in version order.
    /// Safe to run from several processes at once (a lock serialises them).
    @discardableResult
    public static func migrate(
        _ database: Database, _ migrations: [Migration], logger: Logger
    ) async throws
        -> MigrationReport
    {
        let sorted = migrations.sorted { $0.version < $1.version }
        precondition(Set(sorted.map(\.version)).count == sorted.count, "duplicate migration version")
        let dialect = database.dialect
        var applied: [Int] = []
        for migration in sorted {
            let didApply = try await database.transaction { db in
                if let lock = dialect.migrationLock { try await db.raw(SQLQueryString(lock)).run() }
                try await db.raw(SQLQueryString(createTable)).run()
                let rows = try await db.raw(
                    "SELECT checksum FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).all()
                if let row = rows.first {
                    let recorded = try row.decode(column: "checksum", as: String.self)
                    guard recorded == migration.checksum(dialect) else {
                        throw DomainError(
                            "storage.migration_changed", kind: .conflict,
                            "You cannot start Culise because migration \(migration.version) (\(migration.name)) was changed after it was applied; a landed migration must never change, so add a new one instead."
                        )
                    }
                    return false
                }
                for statement in migration.statements(dialect) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, checksum, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: migration.checksum(dialect)), \(bind: Timestamp.format(Date())))
                    """
                ).run()
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return MigrationReport(applied: applied, current: try await currentVersion(database))
    }

    /// The highest applied version, or 0 on an empty database.
    public static func currentVersion(_ database: Database) async throws -> Int {
        try await database.read { db in
            let tables = try await db.raw(SQLQueryString(database.dialect.listTables)).all()
                .map { try $0.decode(column: "name", as: String.self) }
            guard tables.contains("schema_migrations") else { return 0 }
            let row = try await db.raw("SELECT CAST(MAX(version) AS BIGINT) AS v FROM schema_migrations").first()
            return Int(try row?.decode(column: "v", as: Int64?.self) ?? 0)
        }
    }
}
