import Application
import ArgumentParser
import Assembly
import Banking
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import Storage

extension BenchCommand {
    struct ReconcileBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reconcile",
            abstract:
                "Reconcile a generated statement against generated open items: the matcher alone, then through SQLite (or --database).")
        @Option(help: "Open invoices.") var items = 100_000
        @Option(help: "Open supplier bills (posted one by one; keep it small).") var bills = 0
        @Option(help: "Statement lines.") var lines = 100_000
        @Option var seed: UInt64 = 7
        @Option(help: "Working folder (SQLite file).") var work: String = "/tmp/culise-bench-reconcile"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?
        @Flag(help: "Only the in-memory matcher.") var matcherOnly = false
        @Flag(help: "Also confirm the automatic matches (posts one payment per line).") var confirm = false
        @Option(help: "Automatic confirmations per transaction (1: one transaction per line, as before group commit).")
        var batch = Limits.bankConfirmBatch

        func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }

        func run() async throws {
            print(Bench.machine)
            let clock = ContinuousClock()
            var start = clock.now
            let scenario = ReconciliationScenario.generate(seed: seed, invoices: items, bills: bills, lines: lines, series: "REC")
            log(
                String(
                    format: "generated %d open items and %d lines in %.2f s", scenario.items.count, scenario.lines.count,
                    seconds(clock.now - start)))
            start = clock.now
            let matcher = Matcher(items: scenario.items, partners: scenario.partners, memory: AccountMemory(scenario.history))
            let indexSeconds = seconds(clock.now - start)
            start = clock.now
            let proposals = matcher.proposeAll(
                scenario.lines.enumerated().map { index, line in
                    MatchLine(
                        id: String(index), date: line.statement.bookingDate, amount: line.statement.amount,
                        currency: line.statement.currency,
                        details: line.statement.details, counterpartyName: line.statement.counterpartyName,
                        counterpartyIBAN: line.statement.counterpartyIBAN)
                }, settings: .init(autoThreshold: 80))
            let proposeSeconds = seconds(clock.now - start)
            let quality = scenario.quality(proposals)
            print(
                String(
                    format: "matcher: index %d items in %.2f s; rank %d lines in %.2f s (%.0f lines/s)", scenario.items.count, indexSeconds,
                    scenario.lines.count, proposeSeconds, Double(scenario.lines.count) / max(proposeSeconds, 0.001)))
            print("quality: \(quality)")
            if matcherOnly { return }

            try? FileManager.default.removeItem(atPath: work)
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let url = database ?? "sqlite:\(work)/bench.db"
            var configuration = try Configuration.resolve(flags: ["database": url], environment: [:])
            configuration.logLevel = "error"
            let culise = try await Culise.start(try DatabaseLocation(url), migrations: Schema.all, logger: Bench.logger(configuration))
            let demo = try await culise.seedDemo()
            let company = demo.company.id
            let actor = Actor.system("bench")
            start = clock.now
            let interactive = isatty(STDERR_FILENO) == 1
            let loaded = try await culise.loadReconciliationScenario(
                company: company, scenario, series: "REC", autoThreshold: nil, actor: actor
            ) {
                stage, done, total in
                if interactive { FileHandle.standardError.write(Data("\r\(stage): \(done)/\(total)      ".utf8)) }
            }
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
            log(String(format: "loaded the scenario through the use cases in %.1f s", seconds(clock.now - start)))
            start = clock.now
            let report = try await culise.importStatement(
                company: company, data: loaded.statement, fileName: "bench.xml", accountReference: loaded.account.id.description,
                actor: actor)
            let importSeconds = seconds(clock.now - start)
            start = clock.now
            let pass = try await culise.reconcile(company: company, account: loaded.account.id, actor: actor)
            let passSeconds = seconds(clock.now - start)
            print(
                String(
                    format:
                        "%@: import %d lines in %.2f s; reconciliation pass (load %d open items and %d lines, rank every line) %.2f s: %d to review, %d without a candidate",
                    url.hasPrefix("sqlite") ? "sqlite" : "postgres", report.new, importSeconds, scenario.items.count, pass.lines,
                    passSeconds,
                    pass.review, pass.noCandidate))
            if confirm {
                start = clock.now
                let run = try await culise.reconcile(
                    company: company, account: loaded.account.id, threshold: 80, batch: batch, actor: actor
                ) {
                    done, total in
                    if interactive && (done % 1_000 == 0 || done == total) {
                        FileHandle.standardError.write(Data("\rconfirming: \(done)/\(total)      ".utf8))
                    }
                }
                if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
                let confirmSeconds = seconds(clock.now - start)
                print(
                    String(
                        format:
                            "automatic run, %d per transaction: %d lines confirmed (payment + ledger entry + audit each) in %.1f s (%.0f/s), ranking every line again included; without that ranking (the pass above, %.1f s): %.0f/s",
                        batch, run.automatic, confirmSeconds,
                        Double(run.automatic) / max(confirmSeconds, 0.001), passSeconds,
                        Double(run.automatic) / max(confirmSeconds - passSeconds, 0.001)))
                // The ledger after the run: every entry's hash chain and the maintained balances against the lines.
                start = clock.now
                let verification = try await culise.verifyLedger(company: company, actor: actor)
                print(
                    String(
                        format: "ledger after the run: %@ (%d entries checked in %.1f s)",
                        verification.isIntact ? "intact" : "NOT INTACT", verification.entriesChecked, seconds(clock.now - start)))
                guard verification.isIntact else { throw ExitCode(1) }
                // A second pass over what is left: the account now holds the run's payments, which the matcher reads
                // as posted entries no line explains (it took 0.45 s per payment before 2026-12-07).
                start = clock.now
                let again = try await culise.reconcile(company: company, account: loaded.account.id, actor: actor)
                print(
                    String(
                        format: "second pass after the run (%d lines left, %d payments on the account): %.2f s", again.lines,
                        run.automatic, seconds(clock.now - start)))
            }
            await culise.close()
        }
    }
}
