import Foundation
import Kernel
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// Pool figures for /metrics.
public struct PoolStats: Sendable {
    public var size: Int
    public var leased: Int
    public var waiting: Int
}

/// One connection layer for both engines. Every use case runs inside `transaction`;
/// read-only queries may use `read`. Callers see only `any SQLDatabase`.
///
/// SQLite: WAL journal, foreign keys on, `busy_timeout` 5 s, `synchronous=NORMAL`. One writer
/// connection, serialised in-process by an async pool of one (so no thread blocks waiting for the
/// write lock), plus a pool of reader connections. Other processes on the same file wait on
/// SQLite's busy timeout.
///
/// PostgreSQL: PostgresNIO's `PostgresClient` pool, run in a task owned by this object.
public final class Database: Sendable {
    public let location: DatabaseLocation
    public var dialect: Dialect { location.dialect }
    let logger: Logger
    private let backend: Backend

    private enum Backend: Sendable {
        case sqlite(SQLiteBackend)
        case postgres(PostgresBackend)
    }

    private init(location: DatabaseLocation, logger: Logger, backend: Backend) {
        self.location = location
        self.logger = logger
        self.backend = backend
    }

    public static func open(_ location: DatabaseLocation, logger: Logger, readers: Int = 4) async throws -> Database {
        switch location {
        case .sqlite(let path):
            let backend = try await SQLiteBackend.open(path: path, readers: readers, logger: logger)
            return Database(location: location, logger: logger, backend: .sqlite(backend))
        case .postgres(let pg):
            let backend = try await PostgresBackend.open(pg, logger: logger)
            return Database(location: location, logger: logger, backend: .postgres(backend))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite):
            return try await sqlite.withWriter { db in try await Database.within(db, begin: Dialect.sqlite.beginTransaction, body) }
        case .postgres(let pg):
            return try await pg.withConnection { db in try await Database.within(db, begin: Dialect.postgres.beginTransaction, body) }
        }
    }

    /// Runs read-only `body` on a pooled connection, in one snapshot.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite):
            return try await sqlite.withReader { db in try await Database.within(db, begin: Dialect.sqlite.beginReadTransaction, body) }
        case .postgres(let pg):
            return try await pg.withConnection { db in try await Database.within(db, begin: Dialect.postgres.beginReadTransaction, body) }
        }
    }

    /// Runs `body` between `begin` and COMMIT, rolling back when it throws.
    private static func within<T: Sendable>(
        _ db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs `body` on the writer connection outside any transaction (VACUUM INTO, maintenance).
    public func withoutTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite): return try await sqlite.withWriter(body)
        case .postgres(let pg): return try await pg.withConnection(body)
        }
    }

    public func stats() async -> PoolStats {
        switch backend {
        case .sqlite(let sqlite): return await sqlite.stats()
        case .postgres(let pg): return pg.stats()
        }
    }

    public func close() async {
        switch backend {
        case .sqlite(let sqlite): await sqlite.close()
        case .postgres(let pg): await pg.close()
        }
    }
}

private final class SQLiteBackend: Sendable {
    let writer: ConnectionPool<SQLiteConnection>
    let readers: ConnectionPool<SQLiteConnection>
    let threadPool: NIOThreadPool

    init(writer: ConnectionPool<SQLiteConnection>, readers: ConnectionPool<SQLiteConnection>, threadPool: NIOThreadPool) {
        self.writer = writer
        self.readers = readers
        self.threadPool = threadPool
    }

    static let pragmas = [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 5000",
        "PRAGMA cache_size = -\(Dialect.sqliteCacheKiB)",
        "PRAGMA temp_store = MEMORY",
        // Checkpoint the WAL every 32 MiB instead of 4 MiB: a bulk import writes each page to the database file about
        // eight times less often (issue 12); readers see the same data either way.
        "PRAGMA wal_autocheckpoint = 8192",
    ]

    static func open(path: String, readers readerCount: Int, logger: Logger) async throws -> SQLiteBackend {
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        func connect() async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop
            ).get()
            for pragma in pragmas { _ = try await connection.query(pragma).get() }
            return connection
        }
        let writer = try await connect()
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<readerCount { readerConnections.append(try await connect()) }
        return SQLiteBackend(
            writer: ConnectionPool([writer]), readers: ConnectionPool(readerConnections), threadPool: threadPool)
    }

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await with(writer, body)
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await with(readers, body)
    }

    private func with<T: Sendable>(
        _ pool: ConnectionPool<SQLiteConnection>, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let connection = await pool.lease()
        do {
            let result = try await body(Connection(base: connection.sql(queryLogLevel: .trace), raw: .sqlite(connection)))
            await pool.release(connection)
            return result
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    func stats() async -> PoolStats {
        PoolStats(
            size: await writer.size + readers.size, leased: await writer.leased + readers.leased,
            waiting: await writer.waiting + readers.waiting)
    }

    func close() async {
        for connection in await writer.drain() + readers.drain() {
            try? await connection.close()
        }
        try? await threadPool.shutdownGracefully()
    }
}

private final class PostgresBackend: Sendable {
    let client: PostgresClient
    let runTask: Task<Void, Never>
    let maximum: Int
    let counter = LeaseCounter()

    init(client: PostgresClient, runTask: Task<Void, Never>, maximum: Int) {
        self.client = client
        self.runTask = runTask
        self.maximum = maximum
    }

    static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresBackend {
        let tls: PostgresClient.Configuration.TLS
        switch location.tlsMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // Wait until the client's run loop has started, so the first lease does not race it (PostgresNIO warns then).
        let started = AsyncStream<Void>.makeStream()
        let task = Task {
            started.continuation.yield()
            await client.run()
        }
        for await _ in started.stream { break }
        for _ in 0..<3 { await Task.yield() }
        let backend = PostgresBackend(client: client, runTask: task, maximum: 16)
        // Fail fast with a clear error when the server cannot be reached.
        _ = try await backend.withConnection { db in try await db.raw("SELECT 1 AS one").all() }
        return backend
    }

    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        counter.change(1)
        defer { counter.change(-1) }
        return try await client.withConnection { connection in
            try await body(Connection(base: connection.sql(queryLogLevel: .trace), raw: .postgres(connection)))
        }
    }

    func stats() -> PoolStats {
        PoolStats(size: maximum, leased: counter.value, waiting: max(0, counter.value - maximum))
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// A thread-safe counter of leases in flight.
final class LeaseCounter: Sendable {
    private let storage = Mutex(0)
    func change(_ delta: Int) { storage.withLock { $0 += delta } }
    var value: Int { storage.withLock { $0 } }
}
