import Crypto
import Foundation
import Kernel
import Logging
import SQLKit
import Storage

/// Tunables of the app layer (not secrets).
public struct AppSettings: Sendable {
    /// bcrypt work factor; 12 in production. Tests lower it to keep the suite fast.
    public var bcryptCost: UInt8 = 12
    public var sessionIdleSeconds = Limits.sessionIdleSeconds
    public var sessionAbsoluteSeconds = Limits.sessionAbsoluteSeconds
    /// Where attachments' bytes are kept (content-addressed files); nil keeps them in the database.
    public var documentsFolder: String?

    public init() {}
}

/// The application layer: every use case of Culise, each run in one transaction with its audit row.
/// The web server and the CLI are thin shells over this object.
public final class Culise: Sendable {
    public let database: Database
    public let logger: Logger
    public let settings: AppSettings
    package let clock: @Sendable () -> Date
    /// Long-lived helpers a context keeps per facade (the invoicing context's group commit queue, …).
    package let contextServices = ContextServices()

    public init(
        database: Database, logger: Logger, settings: AppSettings = AppSettings(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.logger = logger
        self.settings = settings
        self.clock = clock
    }

    /// Opens the database and applies pending migrations.
    /// `migrations` is the one numbered sequence of every context (`Schema.all` in `Assembly`).
    public static func start(
        _ location: DatabaseLocation, migrations: [Migration], logger: Logger, settings: AppSettings = AppSettings(),
        migrate: Bool = true
    ) async throws -> Culise {
        let database = try await Database.open(location, logger: logger)
        if migrate {
            do {
                try await Migrator.migrate(database, migrations, logger: logger)
                // An import killed while it had set the ledger's indexes aside (`LedgerBulkIndexes`) left them missing.
                if try await Migrator.currentVersion(database) >= LedgerBulkIndexes.schemaVersion {
                    try await database.transaction { db in try await LedgerBulkIndexes.restore(db, dialect: database.dialect) }
                }
            } catch {
                await database.close()
                throw error
            }
        }
        return Culise(database: database, logger: logger, settings: settings)
    }

    public func close() async { await database.close() }

    public func schemaVersion() async throws -> Int { try await Migrator.currentVersion(database) }

    /// Runs a use case in one transaction.
    package func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }

    package func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.read(body)
    }

    package var now: Date { clock() }
    /// Today in Europe/Bucharest by the app's clock: what pages, the API and jobs use for "today" (tests set the clock).
    public var today: LocalDate { LocalDate.today(now: clock()) }
    /// The app's clock, for shells that need the instant (never `Date()` in a handler).
    public var currentTime: Date { clock() }
    package var nowText: String { Timestamp.format(clock()) }
    package var epoch: Int64 { Int64(clock().timeIntervalSince1970) }

    // MARK: - Secret key

    /// The secret used to sign cookies and CSRF tokens: the configured one, or one generated
    /// and stored in the database on first run.
    public func secretKey(configured: String?) async throws -> String {
        if let configured, !configured.isEmpty { return configured }
        let generated = Secrets.random(bytes: 32)
        return try await transaction { db in
            // Several server processes may start at once: the first insert wins, everyone reads it back.
            try await db.raw(
                "INSERT INTO settings (key, value) VALUES ('secret_key', \(bind: generated)) ON CONFLICT (key) DO NOTHING"
            ).run()
            return try await db.raw("SELECT value FROM settings WHERE key = 'secret_key'").first()!.decode(column: "value", as: String.self)
        }
    }
}

/// Random tokens and their stored digests.
public enum Secrets {
    public static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256 hex of a token: what is stored for sessions, API tokens and recovery codes.
    public static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// Compares without an early exit.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// A page of results and where the next one starts.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    public let offset: Int
    public let limit: Int

    public var nextOffset: Int? { offset + items.count < total ? offset + items.count : nil }

    public init(items: [Item], total: Int, offset: Int, limit: Int) {
        self.items = items
        self.total = total
        self.offset = offset
        self.limit = limit
    }
}

/// Validated paging input: `limit` 1…`Limits.maxPageSize`, `offset` ≥ 0.
public struct PageRequest: Sendable, Equatable {
    public let limit: Int
    public let offset: Int

    public init(limit: Int? = nil, offset: Int? = nil) throws(ValidationErrors) {
        var problems = ProblemCollector()
        let limit = limit ?? Limits.defaultPageSize
        let offset = offset ?? 0
        problems.check(
            (1...Limits.maxPageSize).contains(limit),
            DomainError(
                "page.limit", field: "limit", "You cannot ask for \(limit) rows because a page holds 1 to \(Limits.maxPageSize)."))
        problems.check(
            offset >= 0, DomainError("page.offset", field: "offset", "You cannot start at \(offset) because an offset is 0 or more."))
        try problems.throwIfAny()
        self.limit = limit
        self.offset = offset
    }

    public static let first = try! PageRequest()
}

/// Helpers a context creates once per `Culise` and keeps (created on first use, one per type).
package final class ContextServices: @unchecked Sendable {
    private let lock = NSLock()
    private var services: [ObjectIdentifier: any Sendable] = [:]

    package init() {}

    package func shared<Service: Sendable>(_ type: Service.Type, make: () -> Service) -> Service {
        lock.lock()
        defer { lock.unlock() }
        if let existing = services[ObjectIdentifier(type)] as? Service { return existing }
        let created = make()
        services[ObjectIdentifier(type)] = created
        return created
    }
}

extension String {
    /// nil for "", the text otherwise (optional form fields).
    package var nilIfEmptyText: String? { isEmpty ? nil : self }
}
