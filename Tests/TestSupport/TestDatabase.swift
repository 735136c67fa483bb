import Application
import Assembly
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import PartnersApp
import Storage
import Synchronization

/// The engines a test runs on: SQLite (a temp file) always; PostgreSQL when `CULISE_TEST_POSTGRES_URL` is set.
public enum Engine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static var available: [Engine] {
        ProcessInfo.processInfo.environment["CULISE_TEST_POSTGRES_URL"]?.isEmpty == false ? [.sqlite, .postgres] : [.sqlite]
    }
}

public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "culise.test")
        logger.logLevel = .error
        return logger
    }()

    public static let fastSettings: AppSettings = {
        var settings = AppSettings()
        settings.bcryptCost = 4
        return settings
    }()

    /// Appends one line per database a test opens to `$CULISE_TEST_OUTPUT/engines.log`, so CI can show
    /// how many tests ran on each engine.
    static func recordEngineUse(_ engine: Engine) {
        guard let directory = ProcessInfo.processInfo.environment["CULISE_TEST_OUTPUT"] else { return }
        let url = URL(fileURLWithPath: directory).appendingPathComponent("engines.log")
        let line = Data("\(engine.rawValue)\n".utf8)
        engineLogLock.withLock { _ in
            if let handle = try? FileHandle(forWritingTo: url) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            } else {
                try? line.write(to: url)
            }
        }
    }

    static let engineLogLock = Mutex(0)

    /// A fresh, empty database on `engine`; removed after `body`.
    public static func withLocation<T: Sendable>(_ engine: Engine, _ body: (DatabaseLocation) async throws -> T) async throws -> T {
        switch engine {
        case .sqlite:
            recordEngineUse(engine)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("culise-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(.sqlite(path: directory.appendingPathComponent("test.db").path))
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["CULISE_TEST_POSTGRES_URL"],
                case .postgres(let server) = try DatabaseLocation(url)
            else { fatalError("CULISE_TEST_POSTGRES_URL is not a postgres:// URL") }
            let name = "culise_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            recordEngineUse(engine)
            let admin = try await Database.open(.postgres(server), logger: logger)
            _ = try await admin.withoutTransaction { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            do {
                let result = try await body(.postgres(server.with(database: name)))
                _ = try? await admin.withoutTransaction { db in
                    try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                }
                await admin.close()
                return result
            } catch {
                _ = try? await admin.withoutTransaction { db in
                    try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                }
                await admin.close()
                throw error
            }
        }
    }

    /// A migrated `Culise` on a fresh database of `engine`.
    public static func withCulise<T: Sendable>(
        _ engine: Engine, clock: (@Sendable () -> Date)? = nil, _ body: (Culise, DatabaseLocation) async throws -> T
    ) async throws -> T {
        try await withLocation(engine) { location in
            let culise = try await open(location, clock: clock)
            do {
                let result = try await body(culise, location)
                await culise.close()
                return result
            } catch {
                await culise.close()
                throw error
            }
        }
    }

    /// Another app instance (its own pool) on the same database, as a second server process would have.
    public static func open(_ location: DatabaseLocation, clock: (@Sendable () -> Date)? = nil) async throws -> Culise {
        let started = try await Culise.start(location, migrations: Schema.all, logger: logger, settings: fastSettings)
        guard let clock else { return started }
        return Culise(database: started.database, logger: logger, settings: fastSettings, clock: clock)
    }
}
