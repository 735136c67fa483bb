/// The one seam for every SQLite/PostgreSQL difference. docs/storage.md lists each entry.
/// SQL elsewhere is written once, in the subset both engines share (TEXT, BIGINT, BOOLEAN,
/// `ON CONFLICT … DO`, `RETURNING`, `CAST(SUM(x) AS BIGINT)`), with bound parameters.
public enum Dialect: String, Sendable {
    case sqlite
    case postgres

    /// Starts a write transaction. SQLite takes the write lock at once (`IMMEDIATE`), so
    /// read-then-write transactions cannot deadlock on lock upgrade.
    public var beginTransaction: String {
        switch self {
        case .sqlite: return "BEGIN IMMEDIATE"
        case .postgres: return "BEGIN"
        }
    }

    /// Starts a read-only transaction that sees one snapshot for all its statements (reports add up).
    public var beginReadTransaction: String {
        switch self {
        case .sqlite: return "BEGIN"
        case .postgres: return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }

    /// Binary column type.
    /// Appended to a `SELECT` that claims rows for work: on PostgreSQL, rows another transaction holds are skipped
    /// instead of waited for; SQLite has one writer at a time (`BEGIN IMMEDIATE`), so nothing is needed.
    public var skipLocked: String {
        switch self {
        case .sqlite: return ""
        case .postgres: return " FOR UPDATE SKIP LOCKED"
        }
    }

    public var blobType: String {
        switch self {
        case .sqlite: return "BLOB"
        case .postgres: return "BYTEA"
        }
    }

    /// Statement that serialises migration runs across processes within the current transaction.
    /// SQLite needs none: `BEGIN IMMEDIATE` already holds the database's write lock.
    public var migrationLock: String? {
        switch self {
        case .sqlite: return nil
        case .postgres: return "SELECT pg_advisory_xact_lock(7236711)"
        }
    }

    /// Statements around building indexes again after a bulk load (`LedgerBulkIndexes.restore`), in the same
    /// transaction. SQLite sorts the keys of a new index in temporary storage, which this project keeps in memory
    /// (`temp_store = MEMORY`): for 3.6 million lines that held 650 MiB (peak RSS of the import), so the build sorts in
    /// temporary files, with runs of at most the page cache, which is 16 MiB for the build (the import's peak: 320 MiB
    /// with 64 MiB); both settings come back after it. PostgreSQL sorts within `maintenance_work_mem` on its own.
    public var indexBuild: (before: [String], after: [String]) {
        switch self {
        case .sqlite:
            return (
                ["PRAGMA temp_store = FILE", "PRAGMA cache_size = -16384"],
                ["PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -\(Self.sqliteCacheKiB)"]
            )
        case .postgres: return ([], [])
        }
    }

    /// SQLite's page cache per connection, in KiB (`PRAGMA cache_size = -65536`: 64 MiB): large imports otherwise spill
    /// pages to disk mid-transaction.
    public static let sqliteCacheKiB = 65_536

    /// Statements that keep `row_counts (company_id, table_name, n)` equal to the rows of `table` per company, so a
    /// list's total is one row read instead of a count over the company's index (5 ms at 100,000 invoices). SQLite has
    /// one writer, so plain triggers do; PostgreSQL counts in a deferred constraint trigger, which takes the counter's row
    /// lock at commit, after every other lock of the transaction, so concurrent writers cannot deadlock on it.
    public func rowCountTriggers(table: String) -> [String] {
        switch self {
        case .sqlite:
            return [
                """
                CREATE TRIGGER \(table)_count_insert AFTER INSERT ON \(table) BEGIN
                    INSERT INTO row_counts (company_id, table_name, n) VALUES (NEW.company_id, '\(table)', 1)
                    ON CONFLICT (company_id, table_name) DO UPDATE SET n = n + 1;
                END
                """,
                """
                CREATE TRIGGER \(table)_count_delete AFTER DELETE ON \(table) BEGIN
                    UPDATE row_counts SET n = n - 1 WHERE company_id = OLD.company_id AND table_name = '\(table)';
                END
                """,
            ]
        case .postgres:
            return [
                """
                CREATE OR REPLACE FUNCTION culise_row_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO row_counts (company_id, table_name, n) VALUES (NEW.company_id, TG_TABLE_NAME, 1)
                        ON CONFLICT (company_id, table_name) DO UPDATE SET n = row_counts.n + 1;
                    ELSE
                        UPDATE row_counts SET n = n - 1 WHERE company_id = OLD.company_id AND table_name = TG_TABLE_NAME;
                    END IF;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE CONSTRAINT TRIGGER \(table)_count AFTER INSERT OR DELETE ON \(table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION culise_row_count()
                """,
            ]
        }
    }

    /// Lists the user tables (name column `name`).
    /// The names of the current schema's indexes (column `name`).
    public var listIndexes: String {
        switch self {
        case .sqlite: return "SELECT name FROM sqlite_master WHERE type = 'index'"
        case .postgres: return "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
        }
    }

    public var listTables: String {
        switch self {
        case .sqlite:
            return "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        case .postgres:
            return "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    }
}
