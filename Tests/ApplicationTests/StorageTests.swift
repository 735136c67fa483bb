import Application
import Assembly
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import SQLKit
import Storage
import TestSupport
import Testing

@Suite struct StorageTests {
    @Test(arguments: Engine.available)
    func migrationsApplyOnceAndRecordVersion(_ engine: Engine) async throws {
        try await TestDatabase.withLocation(engine) { location in
            let database = try await Database.open(location, logger: TestDatabase.logger)
            let first = try await Migrator.migrate(database, Schema.all, logger: TestDatabase.logger)
            let second = try await Migrator.migrate(database, Schema.all, logger: TestDatabase.logger)
            #expect(first.applied == Schema.all.map(\.version))
            #expect(second.applied.isEmpty)
            #expect(second.current == Schema.all.map(\.version).max())
            await database.close()
        }
    }

    @Test(arguments: Engine.available)
    func aChangedMigrationIsRefused(_ engine: Engine) async throws {
        try await TestDatabase.withLocation(engine) { location in
            let database = try await Database.open(location, logger: TestDatabase.logger)
            let original = Migration(1, "probe") { _ in
                ["CREATE TABLE probe (company_id TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (company_id, id))"]
            }
            try await Migrator.migrate(database, [original], logger: TestDatabase.logger)
            let edited = Migration(1, "probe") { _ in ["CREATE TABLE probe (company_id TEXT NOT NULL, x TEXT)"] }
            await expectRefusal("storage.migration_changed") { try await Migrator.migrate(database, [edited], logger: TestDatabase.logger) }
            await database.close()
        }
    }

    @Test(arguments: Engine.available)
    func transactionsRollBackOnError(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await culise.database.transaction { db in
                    try await db.raw("INSERT INTO settings (key, value) VALUES ('probe', 'x')").run()
                    throw Boom()
                }
            }
            let rows = try await culise.database.read { db in try await db.raw("SELECT key FROM settings WHERE key = 'probe'").all().count }
            #expect(rows == 0)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentWritersDoNotLock(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            let second = try await TestDatabase.open(location)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let app = index % 2 == 0 ? culise : second
                    group.addTask {
                        try await app.database.transaction { db in
                            try await db.raw("INSERT INTO settings (key, value) VALUES (\(bind: "k\(index)"), 'v')").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let count = try await culise.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'k%'").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(count == 40)
            await second.close()
        }
    }

    @Test(arguments: Engine.available)
    func serversStartingTogetherShareOneSecret(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            let other = try await TestDatabase.open(location)
            async let first = culise.secretKey(configured: nil)
            async let second = other.secretKey(configured: nil)
            let (a, b) = try await (first, second)
            #expect(a == b)
            #expect(a.count >= 40)
            #expect(try await culise.secretKey(configured: "configured-secret") == "configured-secret")
            await other.close()
        }
    }

    @Test func databaseURLs() throws {
        #expect(try DatabaseLocation("sqlite:culise.db") == .sqlite(path: "culise.db"))
        let pg = try DatabaseLocation("postgres://ana:s3cret@db.local:5433/books?sslmode=disable")
        #expect(pg.description == "postgres://ana:***@db.local:5433/books?sslmode=disable")
        #expect(throws: DomainError.self) { try DatabaseLocation("mysql://x") }
        #expect(throws: DomainError.self) { try DatabaseLocation("sqlite:") }
        #expect(throws: DomainError.self) { try DatabaseLocation("postgres://db/x?sslmode=verify-full") }
    }

    @Test func configurationPrecedenceIsFlagsThenEnvironmentThenDefaults() throws {
        let environment = ["CULISE_DATABASE_URL": "postgres://u:pw@h/db", "CULISE_PORT": "9000", "CULISE_HOST": "0.0.0.0"]
        let config = try Configuration.resolve(flags: ["port": "9100", "host": nil], environment: environment)
        #expect(config.port == 9100)
        #expect(config.sources["port"] == "flag")
        #expect(config.host == "0.0.0.0")
        #expect(config.sources["host"] == "env")
        #expect(config.databaseURL == "postgres://u:pw@h/db")
        #expect(config.secureCookies)
        let defaults = try Configuration.resolve(flags: [:], environment: [:])
        #expect(defaults.databaseURL == "sqlite:culise.db")
        #expect(defaults.host == "127.0.0.1")
        #expect(defaults.port == 8080)
        let printed = config.printable.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        #expect(!printed.contains("pw"))
        let secret = try Configuration.resolve(flags: ["secret_key": String(repeating: "k", count: 40)], environment: [:])
        #expect(!secret.printable.map(\.1).joined().contains("kkkk"))
        do {
            _ = try Configuration.resolve(flags: ["port": "99999", "secret_key": "short"], environment: [:])
            Issue.record("expected errors")
        } catch {
            #expect(Set(error.problems.compactMap(\.field)) == ["port", "secret_key"])
        }
    }

    @Test(arguments: Engine.available)
    func businessTablesLeadWithCompanyID(_ engine: Engine) async throws {
        // Platform tables (companies, users, sessions, tokens, audit, settings) and public reference data (BNR rates) are not company-owned;
        // every other table must have company_id as its first key column. The job queue is the installation's: a job
        // belongs to one company or to none (backups, polling every company), see docs/jobs.md.
        let platform: Set<String> = [
            "settings", "companies", "users", "sessions", "recovery_codes", "api_tokens", "login_failures", "idempotency_keys",
            "chain_heads", "audit_log", "schema_migrations", "fx_rates", "jobs", "job_attempts", "job_schedules",
        ]
        try await TestDatabase.withCulise(engine) { culise, _ in
            let tables = try await culise.tableCounts().keys
            for table in tables where !platform.contains(table) {
                let sql: String
                switch culise.database.dialect {
                case .sqlite: sql = "SELECT name FROM pragma_table_info('\(table)') WHERE pk = 1"
                case .postgres:
                    sql = """
                        SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE i.indrelid = '\(table)'::regclass AND i.indisprimary
                        """
                }
                let first = try await culise.database.read { db in
                    try await db.raw(SQLQueryString(sql)).first()?.decode(column: "name", as: String.self)
                }
                #expect(first == "company_id", "table \(table)")
            }
        }
    }
}
