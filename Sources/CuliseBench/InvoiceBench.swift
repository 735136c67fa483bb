import Application
import ArgumentParser
import Assembly
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import Storage
import Web

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension BenchCommand {
    /// Issues invoices through the real HTTP API of an in-process server on the embedded SQLite default, then exports their UBL.
    struct InvoiceBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invoices",
            abstract: "Issue and post N invoices through POST /api/v1/invoices (SQLite by default), then export N UBL files.")
        @Option(help: "Invoices to issue.") var count = 10_000
        @Option(help: "Concurrent HTTP clients.") var concurrency = 16
        @Option(help: "Lines per invoice.") var lines = 3
        @Option(help: "Port of the in-process server.") var port = 18_090
        @Option(help: "Working folder (database and exported files).") var work: String = "/tmp/culise-bench-invoices"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?
        @Flag(help: "Also time the app layer alone (no HTTP), for comparison.") var direct = false
        @Option(help: "HTTP load generator: curl (a separate process, `curl --parallel`, keep-alive) or urlsession (in this process).")
        var client: String = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") ? "curl" : "urlsession"

        func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

        func run() async throws {
            print(Bench.machine)
            try? FileManager.default.removeItem(atPath: work)
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let url = database ?? "sqlite:\(work)/bench.db"
            var configuration = try Configuration.resolve(flags: ["database": url], environment: [:])
            configuration.logLevel = "error"
            let culise = try await Culise.start(try DatabaseLocation(url), migrations: Schema.all, logger: Bench.logger(configuration))
            // A company with customers and products; the demo's data is the realistic start.
            let demo = try await culise.seedDemo()
            let company = demo.company.id
            let user = try await culise.user(email: Culise.demoEmail)
            let (_, token) = try await culise.createToken(user: user.id, company: company, name: "bench", actor: .system("bench"))
            if direct {
                let input = DocumentInput(
                    partner: "ALFA", lines: [LineInput(product: "INSTAL", quantity: "1"), LineInput(product: "LAPTOP", quantity: "2")])
                var start = ContinuousClock.now
                for _ in 0..<1_000 { _ = try await culise.issueInvoice(company: company, input, actor: .system("bench")) }
                log(String(format: "app layer alone, one caller: 1,000 invoices in %.2f s", seconds(ContinuousClock.now - start)))
                start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<concurrency {
                        group.addTask {
                            for _ in 0..<(5_000 / concurrency) {
                                _ = try await culise.issueInvoice(company: company, input, actor: .system("bench"))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                log(
                    String(
                        format: "app layer alone, %d callers: %d invoices in %.2f s", concurrency, 5_000 / concurrency * concurrency,
                        seconds(ContinuousClock.now - start)))
            }
            let server = try await WebServer.build(culise: culise, settings: WebSettings(secureCookies: false))
            var quiet = Bench.logger(configuration)
            quiet.logLevel = .critical
            let app = server.application(host: "127.0.0.1", port: port, culise: culise, logger: quiet)
            let serverTask = Task { try await app.runService(gracefulShutdownSignals: []) }
            defer { serverTask.cancel() }
            let session = URLSession(configuration: .ephemeral)
            for _ in 0..<100 {
                if let (_, response) = try? await session.data(from: URL(string: "http://127.0.0.1:\(port)/health")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let customers = ["ALFA", "BRAVO", "CRIS", "DORU"]
            let products = ["LAPTOP", "MONITOR", "CARTE", "INSTAL", "SUPORT", "CURS"]
            let lines = self.lines
            let body: @Sendable (Int) -> Data = { index in
                let items = (0..<lines).map { line in
                    "{\"product\":\"\(products[(index + line) % products.count])\",\"quantity\":\"\(1 + (index + line) % 5)\"}"
                }.joined(separator: ",")
                return Data("{\"partner\":\"\(customers[index % customers.count])\",\"lines\":[\(items)]}".utf8)
            }
            let before = try await culise.invoices(
                company: company, filter: InvoiceFilter(), page: try PageRequest(limit: 1), actor: .system("bench")
            ).total
            log("issuing \(count) invoices through the API with \(concurrency) clients")
            let started = ContinuousClock.now
            let latencies =
                client == "curl"
                ? try curlLoad(token: token, bodies: (0..<count).map(body))
                : try await urlSessionLoad(session: session, token: token, body: body)
            let issueSeconds = seconds(ContinuousClock.now - started)
            try await finish(culise: culise, company: company, before: before, latencies: latencies, issueSeconds: issueSeconds, url: url)
        }

        /// `curl --parallel` in its own process: keep-alive connections, one request per URL entry, latency per request.
        func curlLoad(token: String, bodies: [Data]) throws -> [Double] {
            let config = URL(fileURLWithPath: work).appendingPathComponent("requests.curl")
            var text = ""
            for (index, body) in bodies.enumerated() {
                let file = URL(fileURLWithPath: work).appendingPathComponent("body-\(index % 64).json")
                if index < 64 { try body.write(to: file) }
                if index > 0 { text += "next\n" }
                text += "url = \"http://127.0.0.1:\(port)/api/v1/invoices\"\noutput = \"/dev/null\"\ndata-binary = \"@\(file.path)\"\n"
                text += "header = \"Authorization: Bearer \(token)\"\nheader = \"Content-Type: application/json\"\n"
                text += "write-out = \"%{http_code} %{time_total}\\n\"\n"
            }
            try Data(text.utf8).write(to: config)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "--parallel", "--parallel-max", String(concurrency), "--config", config.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            var latencies: [Double] = []
            for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, parts[0] == "201", let time = Double(parts[1]) else {
                    throw BenchError(message: "a request failed: \(line)")
                }
                latencies.append(time * 1000)
            }
            return latencies.sorted()
        }

        func urlSessionLoad(session: URLSession, token: String, body: @escaping @Sendable (Int) -> Data) async throws -> [Double] {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var samples: [Double] = []
                        var index = worker
                        while index < count {
                            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/invoices")!)
                            request.httpMethod = "POST"
                            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            request.httpBody = body(index)
                            let start = ContinuousClock.now
                            let (data, response) = try await session.data(for: request)
                            let elapsed = ContinuousClock.now - start
                            guard (response as? HTTPURLResponse)?.statusCode == 201 else {
                                throw BenchError(message: "invoice \(index): \(String(decoding: data.prefix(400), as: UTF8.self))")
                            }
                            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                            index += concurrency
                        }
                        return samples
                    }
                }
                var all: [Double] = []
                for try await samples in group { all += samples }
                return all.sorted()
            }
        }

        func finish(culise: Culise, company: CompanyID, before: Int, latencies: [Double], issueSeconds: Double, url: String) async throws {
            let after = try await culise.invoices(
                company: company, filter: InvoiceFilter(), page: try PageRequest(limit: 1), actor: .system("bench")
            ).total
            guard after - before == count || direct else {
                throw BenchError(message: "expected \(count) new invoices, found \(after - before)")
            }
            // Export every issued invoice's UBL, as `culise invoice export-ubl --all` does.
            let folder = URL(fileURLWithPath: work).appendingPathComponent("ubl")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let exportStart = ContinuousClock.now
            var after_: String?
            var files = 0
            while true {
                let batch = try await culise.issuedXML(company: company, after: after_, limit: 1_000, actor: .system("bench"))
                for item in batch { try Data(item.xml.utf8).write(to: folder.appendingPathComponent("\(item.number).xml")) }
                files += batch.count
                guard let last = batch.last, batch.count == 1_000 else { break }
                after_ = last.id
            }
            let exportSeconds = seconds(ContinuousClock.now - exportStart)
            let verification = try await culise.verifyLedger(company: company, actor: .system("bench"))
            guard verification.isIntact else { throw BenchError(message: "ledger verification failed: \(verification.problem ?? "")") }
            await culise.close()
            let p = { (q: Double) in latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
            print(
                "| engine | client | invoices | lines each | clients | issue wall | invoices/s | p50 | p99 | UBL files | export wall | files/s |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            print(
                String(
                    format: "| %@ | %@ | %d | %d | %d | %.1f s | %.0f | %.1f ms | %.1f ms | %d | %.2f s | %.0f |",
                    url.hasPrefix("sqlite") ? "sqlite" : "postgres", client,
                    count, lines, concurrency, issueSeconds, Double(count) / issueSeconds, p(0.5), p(0.99), files, exportSeconds,
                    Double(files) / exportSeconds))
        }

        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }
}
