import Application
import ArgumentParser
import Companies
import Filings
import FilingsApp
import Foundation
import Kernel
import LedgerApp
import Partners
import PartnersApp
import Storage

extension BenchCommand {
    /// Imports a generated year of journal entries (shared/bench/gen-journal.py), gives the partners the generator's
    /// CUIs, then times the D406 of the busiest month: reading the ledger and building the file with its checks, writing
    /// the XML, and ANAF's schema through the conformance kit (issue 16: ≤ 10 s for a month of 100,000 entries).
    struct SAFTBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "saft",
            abstract: "Import a generated year of entries, then time the D406 (SAF-T) of its busiest month and validate it.")
        @Option(help: "Transactions in the generated year (1,200,000 gives about 100,000 in a month).") var transactions = 1_200_000
        @Option var seed = 7
        @Option(help: "Path of shared/bench/gen-journal.py.") var generator: String = "../shared/bench/gen-journal.py"
        @Option(help: "Working folder (SQLite file, the XML written); journals are kept in WORK-journals.") var work =
            "/tmp/culise-bench-saft"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?
        @Option(help: "The conformance kit's validate-saft ('' skips it).") var validator = "../shared/conformance/validate-saft"
        @Flag(help: "Reuse the working folder's database of an earlier run (same size and seed) and time only the D406.") var keep = false

        func run() async throws {
            let clock = ContinuousClock()
            print(Bench.machine)
            let journals = work + "-journals"
            try FileManager.default.createDirectory(atPath: journals, withIntermediateDirectories: true)
            let csv = "\(journals)/journal-2026-\(transactions)-\(seed).csv"
            let partnersCSV = "\(journals)/partners-2026-\(transactions)-\(seed).csv"
            for (path, format) in [(csv, "csv"), (partnersCSV, "partners")] where !FileManager.default.fileExists(atPath: path) {
                log("generating \(format) for \(transactions) transactions of 2026 (seed \(seed))")
                try run(
                    "/usr/bin/env",
                    [
                        "python3", generator, "--transactions", String(transactions), "--seed", String(seed), "--start-year", "2026",
                        "--years", "1", "--format", format, "--out", path,
                    ])
            }
            let actor = Actor.system("bench")
            var start = clock.now
            if keep, database == nil, FileManager.default.fileExists(atPath: "\(work)/bench.db") {
                // The company of an earlier run, as it is (its migrations brought up to date): only the D406 is timed.
                var configuration = try Configuration.resolve(flags: ["database": "sqlite:\(work)/bench.db"], environment: [:])
                configuration.logLevel = "error"
                let culise = try await Culise.start(
                    try DatabaseLocation("sqlite:\(work)/bench.db"), migrations: Schema.all, logger: Bench.logger(configuration))
                print(String(format: "set-up: the earlier run's database opened in %.1f s", Bench.seconds(clock.now - start)))
                try await measure(culise, company: try await culise.resolveCompany("RO18547290").id, csv: csv)
                return
            }
            let culise = try await Bench.freshCulise(work: work, database: database)
            let company = try await culise.createCompany(
                CompanyInput(
                    legalName: "Bench SAF-T SRL", cui: "RO18547290", tradeRegister: "J12/345/2015",
                    address: Address(line: "Str. Bench 1", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400114"), vatPayer: true),
                actor: actor
            ).id
            let report = try await culise.importLedger(
                company: company, path: csv, options: LedgerImportOptions(createAccounts: true), actor: actor
            ) { progress in
                if progress.entries % 200_000 == 0 && progress.entries > 0 { self.log("imported \(progress.entries) entries") }
            }
            print(String(format: "set-up: %d entries imported in %.1f s", report.posted, Bench.seconds(clock.now - start)))
            try await culise.setTaxFilingSettings(
                company: company,
                TaxFilingSettings(
                    vatPeriod: .monthly, caen: "4690", declarantLastName: "Popescu", declarantFirstName: "Maria",
                    declarantFunction: "Administrator", bankName: "Banca Exemplu", iban: "RO49AAAA1B31007593840000", phone: "0264000111"),
                actor: actor)
            start = clock.now
            var updated = 0
            for line in try String(contentsOfFile: partnersCSV, encoding: .utf8).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard let code = fields.first, let cui = fields.last, fields.count >= 4,
                    let current = try? await culise.partner(company: company, code: code, actor: actor)
                else { continue }
                _ = try await culise.updatePartner(
                    company: company, code: code,
                    PartnerInput(
                        code: code, kind: cui.isEmpty ? .individual : .company, name: current.name, cui: cui.isEmpty ? nil : cui,
                        isCustomer: true, isSupplier: true),
                    actor: actor)
                updated += 1
            }
            print(String(format: "set-up: %d partners given their CUI in %.1f s", updated, Bench.seconds(clock.now - start)))
            try await measure(culise, company: company, csv: csv)
        }

        /// Times the D406 of the journal's busiest month.
        func measure(_ culise: Culise, company: CompanyID, csv: String) async throws {
            let clock = ContinuousClock()
            let actor = Actor.system("bench")
            var start = clock.now
            // The busiest month, counted in the journal (one transaction per txn_id).
            var counts: [String: Int] = [:]
            var last = ""
            for line in try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count == 3, fields[0] != last else { continue }
                last = String(fields[0])
                counts[String(fields[1].prefix(7)), default: 0] += 1
            }
            guard let (busiest, entries) = counts.max(by: { $0.value < $1.value }) else { throw BenchError(message: "no entries imported") }
            let month = try YearMonth(text: busiest)
            start = clock.now
            let view = try await culise.saftReturn(company: company, period: month, actor: actor)
            let read = Bench.seconds(clock.now - start)
            start = clock.now
            let xml = D406.xml(view.file)
            let write = Bench.seconds(clock.now - start)
            let path = "\(work)/d406-\(month).xml"
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
            var validation = "skipped"
            var validate = 0.0
            if !validator.isEmpty, FileManager.default.isExecutableFile(atPath: validator) {
                start = clock.now
                try run(validator, ["-q", path])
                validate = Bench.seconds(clock.now - start)
                validation = String(format: "%.2f s (passed)", validate)
            }
            print(
                String(
                    format:
                        "D406 %@: %d entries (%d lines), %d accounts, %d customers, %d suppliers, %d payments; %d problems, %d blockers",
                    month.description, entries, view.file.lineCount, view.file.accounts.count, view.file.customers.count,
                    view.file.suppliers.count, view.file.payments.count, view.problems.count, view.blockers.count))
            print(
                String(
                    format: "read and build with checks %.2f s; XML %.2f s (%.1f MB); generated %.2f s; ANAF's XSD %@; total %.2f s",
                    read, write, Double(xml.utf8.count) / 1e6, read + write, validation, read + write + validate))
            await culise.close()
        }

        func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

        func run(_ path: String, _ arguments: [String]) throws { try Bench.runProcess(path, arguments) }
    }
}
