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

    /// Lists the user tables (name column `name`).
    public var listTables: String {
        switch self {
        case .sqlite:
            return "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        case .postgres:
            return "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    }
}
