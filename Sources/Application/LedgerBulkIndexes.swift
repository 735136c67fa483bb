import SQLKit
import Storage

/// The secondary indexes of the ledger's hot tables, which a large import into a nearly empty ledger sets aside and
/// builds again at its end (decision 0005, step 4): SQLite and PostgreSQL build an index from sorted rows several times
/// faster than they keep it up to date one random insert at a time (at 1,000,000 transactions, 34.7 s of inserts and
/// 15.8 s of building against about 100 s of inserts with the indexes in place).
///
/// The unique indexes stay (`entries_seq`, `entries_external_ref`: the chain's order and the import's own duplicate
/// check), as do the primary keys. Each `create` is the index exactly as the migrations leave it (checked by
/// `StorageTests`), with `IF NOT EXISTS`, so `restore` is a no-op when nothing was set aside. An import killed between
/// the two leaves them missing: `Culise.start` restores them, so the next command (a verify, the re-run) finds them.
package enum LedgerBulkIndexes {
    package struct Index: Sendable {
        package let name: String
        package let create: String
    }

    /// The migration that last changed one of them (14 made `entry_lines_source` partial, 28 `entry_lines_partner`
    /// partial and covering): `Culise.start` restores them only on a schema at least this new.
    package static let schemaVersion = 28

    package static let all: [Index] = [
        Index(name: "entries_date", create: "CREATE INDEX IF NOT EXISTS entries_date ON entries (company_id, date, seq)"),
        Index(
            name: "entry_lines_account",
            create: "CREATE INDEX IF NOT EXISTS entry_lines_account ON entry_lines (company_id, account, date, entry_id, line_no)"),
        Index(
            name: "entry_lines_partner",
            create:
                "CREATE INDEX IF NOT EXISTS entry_lines_partner ON entry_lines (company_id, partner, account, date, debit, credit, posted) WHERE partner IS NOT NULL"
        ),
        Index(
            name: "entry_lines_source",
            create:
                "CREATE INDEX IF NOT EXISTS entry_lines_source ON entry_lines (company_id, source_type, source_id) WHERE source_type IS NOT NULL"
        ),
    ]

    package static func setAside(_ db: any SQLDatabase) async throws {
        for index in all { try await db.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run() }
    }

    /// Builds those of them that are missing. Nothing is built (and no lock taken: on PostgreSQL even `CREATE INDEX IF
    /// NOT EXISTS` waits for the table's writers) when all are there, which is every start but the one after a killed import.
    package static func restore(_ db: any SQLDatabase, dialect: Dialect) async throws {
        let present = Set(
            try await db.raw("\(unsafeRaw: dialect.listIndexes)").all().map { try $0.decode(column: "name", as: String.self) })
        let missing = all.filter { !present.contains($0.name) }
        guard !missing.isEmpty else { return }
        // The settings around the build only bound its memory: where one cannot change (SQLite refuses to move its
        // temporary storage while a temporary table is open), the build goes on without it.
        let (before, after) = dialect.indexBuild
        for statement in before { try? await db.raw("\(unsafeRaw: statement)").run() }
        for index in missing { try await db.raw("\(unsafeRaw: index.create)").run() }
        for statement in after { try? await db.raw("\(unsafeRaw: statement)").run() }
    }
}
