import Application
import ArgumentParser
import Assembly
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Logging
import PartnersApp
import Storage

/// `culise-bench`: benchmarks and scenario loads, kept out of the shipped `culise` binary. It runs the `culise` binary
/// that sits beside it for the parts it measures as a user would run them (the ledger import).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "culise-bench", abstract: "Benchmarks (run them on a release build: swift build -c release).",
        subcommands: [
            LedgerBench.self, InvoiceBench.self, ReconcileBench.self, PeopleBench.self, PayrollBench.self, VATBench.self, SAFTBench.self,
        ]
    )

    struct LedgerBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ledger",
            abstract: "Generate journals with gen-journal.py, import them, and time reports and verification on SQLite and PostgreSQL.")
        @Option(help: "Transaction counts, comma-separated.") var transactions: String = "100000,1000000"
        @Option var seed: Int = 7
        @Option(help: "Path of shared/bench/gen-journal.py.") var generator: String = "../shared/bench/gen-journal.py"
        @Option(help: "Working folder for journals and SQLite files.") var work: String = "/tmp/culise-bench"
        @Option(help: "A PostgreSQL server URL (a database is created per run); without it, SQLite only.") var postgres: String?
        @Option(help: "Repetitions of each report (the median is reported).") var repeats: Int = 5
        @Option(help: "Ledger 3 (Debian's ledger), timed on the same journal in the same run (`ledger -f FILE bal`); '' skips it.")
        var ledger: String = "/usr/bin/ledger"

        func run() async throws {
            print(Bench.machine)
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let sizes = transactions.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            var results: [String] = [
                "| engine | transactions | import wall | transactions/s | peak RSS | `ledger bal` | import / `ledger bal` | TB all years | TB one month | account sheet 5121 p.1 | ledger verify |",
                "|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for size in sizes {
                let csv = "\(work)/journal-\(size)-\(seed).csv"
                if !FileManager.default.fileExists(atPath: csv) {
                    log("generating \(size) transactions (seed \(seed))")
                    try runProcess(
                        "/usr/bin/env",
                        ["python3", generator, "--transactions", String(size), "--seed", String(seed), "--format", "csv", "--out", csv])
                }
                // Ledger 3 reads and balances the same transactions (its own format) in the same run: the issue's yardstick.
                var ledgerSeconds: Double?
                if !ledger.isEmpty, FileManager.default.isExecutableFile(atPath: ledger) {
                    let journal = "\(work)/journal-\(size)-\(seed).ledger"
                    if !FileManager.default.fileExists(atPath: journal) {
                        try runProcess(
                            "/usr/bin/env",
                            [
                                "python3", generator, "--transactions", String(size), "--seed", String(seed), "--format", "ledger", "--out",
                                journal,
                            ])
                    }
                    log("ledger -f \(journal) bal")
                    ledgerSeconds = try measuredProcess(ledger, ["-f", journal, "bal"]).seconds
                }
                var engines: [(String, String)] = [("sqlite", "sqlite:\(work)/bench-\(size).db")]
                if let postgres {
                    let location = try DatabaseLocation(postgres)
                    guard case .postgres(let server) = location else { throw BenchError(message: "--postgres must be a postgres:// URL") }
                    let name = "culise_bench_\(size)"
                    let admin = try await Database.open(
                        location, logger: Bench.logger(try Configuration.resolve(flags: [:], environment: [:])))
                    _ = try await admin.withoutTransaction { db in
                        try await db.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                    }
                    _ = try await admin.withoutTransaction { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
                    await admin.close()
                    engines.append(
                        ("postgres", DatabaseLocation.postgres(server.with(database: name)).urlForChild(password: server.password)))
                }
                for (engine, url) in engines {
                    if url.hasPrefix("sqlite:") {
                        for suffix in ["", "-wal", "-shm"] {
                            try? FileManager.default.removeItem(atPath: String(url.dropFirst(7)) + suffix)
                        }
                    }
                    let binary = Bench.culiseBinary
                    try runProcess(
                        binary,
                        [
                            "company", "create", "--database", url, "--name", "Bench SRL", "--cui", "RO18547290", "--county", "RO-CJ",
                            "--city", "Cluj-Napoca", "--address", "Str. Bench 1", "--vat-payer",
                        ])
                    log("importing \(size) transactions into \(engine)")
                    let timing = try measuredProcess(
                        binary, ["ledger", "import", csv, "--company", "RO18547290", "--database", url, "--create-accounts"])
                    let rate = Double(size) / timing.seconds
                    let culise = try await Culise.start(
                        try DatabaseLocation(url), migrations: Schema.all,
                        logger: Bench.logger(try Configuration.resolve(flags: [:], environment: [:])))
                    let company = try await culise.resolveCompany("RO18547290").id
                    let actor = Actor.system("bench")
                    let all = try await median { _ = try await culise.trialBalance(company: company, from: nil, to: nil, actor: actor) }
                    let month = try await median {
                        _ = try await culise.trialBalance(
                            company: company, from: try LocalDate(iso: "2024-06-01"), to: try LocalDate(iso: "2024-06-30"), actor: actor)
                    }
                    let sheet = try await median {
                        _ = try await culise.accountSheet(
                            company: company, account: "5121", from: nil, to: nil, page: try PageRequest(limit: 50), actor: actor)
                    }
                    let verifyStart = ContinuousClock.now
                    let verification = try await culise.verifyLedger(company: company, actor: actor)
                    let verify = ContinuousClock.now - verifyStart
                    await culise.close()
                    guard verification.isIntact else {
                        throw BenchError(message: "verification failed after import: \(verification.problem ?? "")")
                    }
                    results.append(
                        "| \(engine) | \(size.formatted()) | \(String(format: "%.1f s", timing.seconds)) | \(String(format: "%.0f", rate)) | \(timing.peakRSS.map { "\($0 / 1024) MiB" } ?? "n/a") | \(ledgerSeconds.map { String(format: "%.2f s", $0) } ?? "n/a") | \(ledgerSeconds.map { String(format: "%.2f×", timing.seconds / $0) } ?? "n/a") | \(ms(all)) | \(ms(month)) | \(ms(sheet)) | \(String(format: "%.1f s", Double(verify.components.seconds) + Double(verify.components.attoseconds) / 1e18)) |"
                    )
                    log(results.last!)
                }
            }
            print(results.joined(separator: "\n"))
        }

        func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

        func ms(_ duration: Duration) -> String {
            let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String(format: "%.1f ms", value)
        }

        func median(_ body: () async throws -> Void) async throws -> Duration {
            var samples: [Duration] = []
            for _ in 0..<max(repeats, 1) {
                let start = ContinuousClock.now
                try await body()
                samples.append(ContinuousClock.now - start)
            }
            return samples.sorted()[samples.count / 2]
        }

        func runProcess(_ path: String, _ arguments: [String]) throws { try Bench.runProcess(path, arguments) }

        /// Wall time and peak RSS (KiB) of a child process, through /usr/bin/time when present.
        func measuredProcess(_ path: String, _ arguments: [String]) throws -> (seconds: Double, peakRSS: Int?) {
            let output = "\(work)/time.txt"
            let start = Date()
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/time") {
                try runProcess("/usr/bin/time", ["-f", "%M", "-o", output, path] + arguments)
                let seconds = Date().timeIntervalSince(start)
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                return (seconds, Int(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? ""))
            }
            try runProcess(path, arguments)
            return (Date().timeIntervalSince(start), nil)
        }
    }
}

extension DatabaseLocation {
    /// The URL to hand a child process (the password included; never printed).
    func urlForChild(password: String?) -> String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let pg):
            let secret = password.map { ":\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
            return "postgres://\(pg.user)\(secret)@\(pg.host):\(pg.port)/\(pg.database)?sslmode=\(pg.tlsMode)"
        }
    }
}

/// What the benchmarks share.
enum Bench {
    /// The machine a figure was measured on, printed before every benchmark so each figure carries it
    /// (docs/performance.md keeps the figures over time with it).
    static var machine: String {
        let info = ProcessInfo.processInfo
        let memory = Double(info.physicalMemory) / Double(1 << 30)
        let date = ISO8601DateFormatter().string(from: Date())
        return String(
            format: "machine: %d cores (%d active), %.0f GiB, %@; %@", info.processorCount, info.activeProcessorCount, memory,
            info.operatingSystemVersionString, date)
    }

    static let bootstrapLogging: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }()

    static func logger(_ configuration: Configuration) -> Logger {
        _ = bootstrapLogging
        var logger = Logger(label: "culise-bench")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        return logger
    }

    /// A fresh working folder and a Culise on `database` (default: a new SQLite file in it), logging errors only.
    /// Prints the machine, starts on a fresh database and seeds the demo company the benchmark grows.
    static func demoCompany(work: String, database: String?) async throws -> (Culise, CompanyID) {
        print(machine)
        let culise = try await freshCulise(work: work, database: database)
        return (culise, try await culise.seedDemo().company.id)
    }

    static func freshCulise(work: String, database: String?) async throws -> Culise {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let url = database ?? "sqlite:\(work)/bench.db"
        var configuration = try Configuration.resolve(flags: ["database": url], environment: [:])
        configuration.logLevel = "error"
        return try await Culise.start(try DatabaseLocation(url), migrations: Schema.all, logger: logger(configuration))
    }

    /// Runs a child process to its end, its output discarded; throws when it fails.
    static func runProcess(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(message: "\(path) \(arguments.joined(separator: " ")) failed") }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The `culise` executable built beside this one.
    static var culiseBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("culise").path
    }
}

struct BenchError: Error, CustomStringConvertible, LocalizedError {
    let message: String
    var description: String { message }
    var errorDescription: String? { message }
}
