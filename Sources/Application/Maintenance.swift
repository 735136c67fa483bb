import Foundation
import Kernel
import SQLKit
import Storage

/// Row counts per table, to compare a backup with its source.
public typealias TableCounts = [String: Int]

extension Culise {
    /// Makes a consistent online copy of a SQLite database with `VACUUM INTO` (readers and writers
    /// may continue meanwhile). For PostgreSQL it explains pg_dump.
    public func backup(to path: String) async throws {
        guard case .sqlite = database.location else {
            throw DomainError(
                "backup.postgres", kind: .conflict,
                "You cannot back up PostgreSQL with culise backup because PostgreSQL has its own consistent tools: run `pg_dump --format=custom --file=culise.dump DBNAME`, and restore with `pg_restore --dbname=NEWDB culise.dump`."
            )
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw DomainError(
                "backup.exists", kind: .conflict, field: "to", "You cannot write the backup to \(path) because that file already exists.")
        }
        try await database.withoutTransaction { db in
            try await db.raw("VACUUM INTO \(bind: path)").run()
        }
        logger.info("backup written", metadata: ["to": "\(path)"])
    }

    /// Row counts of every table.
    public func tableCounts() async throws -> TableCounts {
        let dialect = database.dialect
        return try await read { db in
            let tables = try await db.raw(SQLQueryString(dialect.listTables)).all().map { try $0.decode(column: "name", as: String.self) }
            var counts: TableCounts = [:]
            for table in tables {
                let row = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()
                counts[table] = Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
            }
            return counts
        }
    }
}

public enum Restore {
    /// Restores a SQLite backup file into `target`, which must be a new or empty SQLite database.
    /// Checks the copy's integrity before returning.
    public static func restore(from source: String, into target: DatabaseLocation) throws {
        guard case .sqlite(let path) = target else {
            throw DomainError(
                "restore.postgres", kind: .conflict,
                "You cannot restore into PostgreSQL with culise restore because its backups are pg_dump files: run `pg_restore --dbname=NEWDB culise.dump`."
            )
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw DomainError(
                "restore.missing", kind: .notFound, field: "from", "You cannot restore from \(source) because that file does not exist.")
        }
        let header = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: source)).readData(ofLength: 16)) ?? Data()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw DomainError(
                "restore.not_sqlite", field: "from",
                "You cannot restore from \(source) because it is not a SQLite backup made by culise backup.")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            (attributes[.size] as? NSNumber)?.intValue ?? 0 > 0
        {
            throw DomainError(
                "restore.not_empty", kind: .conflict, field: "database",
                "You cannot restore into \(path) because it already holds data; restore into a new file.")
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: source, toPath: path)
    }
}
