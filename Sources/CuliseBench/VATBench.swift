import Application
import ArgumentParser
import Assembly
import FilingsApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Storage

extension BenchCommand {
    /// Issues N invoices in January 2026 through the invoicing use case, then times the month's tax returns (issue 16).
    struct VATBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vat",
            abstract: "Issue N invoices in January 2026 (21 %, 11 %, reverse charge, intra-Community), then time the D300, D394 and D390.")
        @Option(help: "Invoices to issue.") var invoices = 20_000
        @Option(help: "Concurrent callers issuing them.") var concurrency = 4
        @Option(help: "Working folder (SQLite file, the XML written).") var work: String = "/tmp/culise-bench-vat"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?

        func run() async throws {
            let clock = ContinuousClock()
            let (culise, company) = try await Bench.demoCompany(work: work, database: database)
            let actor = Actor.system("bench")
            let january = try YearMonth(year: 2026, month: 1)
            let baskets: [(String, [LineInput])] = [
                ("ALFA", [LineInput(product: "LAPTOP", quantity: "1"), LineInput(product: "CARTE", quantity: "3")]),
                ("BRAVO", [LineInput(product: "INSTAL", quantity: "2"), LineInput(product: "SUPORT", quantity: "1")]),
                ("CRIS", [LineInput(product: "MONITOR", quantity: "2"), LineInput(product: "CARTE", quantity: "1")]),
                (
                    "WIEN",
                    [
                        LineInput(
                            product: "LAPTOP", quantity: "2", vatCategory: "K",
                            exemptionReason: "Livrare intracomunitară scutită conform art. 294 alin. (2) lit. a) Cod fiscal")
                    ]
                ),
            ]
            var start = clock.now
            let count = invoices
            let callers = max(1, concurrency)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        var index = caller
                        while index < count {
                            let (partner, lines) = baskets[index % 50 == 7 ? 3 : index % 3]
                            let day = 1 + index % 28
                            _ = try await culise.issueInvoice(
                                company: company,
                                DocumentInput(partner: partner, issueDate: "2026-01-\(day < 10 ? "0" : "")\(day)", lines: lines),
                                actor: actor)
                            index += callers
                        }
                    }
                }
                try await group.waitForAll()
            }
            print(
                String(format: "set-up: %d invoices of January 2026 issued and posted in %.1f s", count, Bench.seconds(clock.now - start)))
            start = clock.now
            let view = try await culise.vatReturn(company: company, period: january, actor: actor)
            let read = Bench.seconds(clock.now - start)
            print(
                String(
                    format:
                        "D300 rows from %d documents (read, convert, place, check against 4426/4427): %.2f s; %d problems, to pay %lld lei",
                    view.documents, read, view.problems.count, view.d300.payable))
            for (form, generate) in [
                ("d300", { try await culise.generateD300(company: company, period: january, actor: actor) }),
                ("d394", { try await culise.generateD394(company: company, period: january, actor: actor) }),
                ("d390", { try await culise.generateD390(company: company, period: january, actor: actor) }),
            ] as [(String, () async throws -> FilingRecord)] {
                start = clock.now
                let filing = try await generate()
                let path = "\(work)/\(form)-2026-01.xml"
                try Data(filing.xml.utf8).write(to: URL(fileURLWithPath: path))
                print(
                    String(
                        format: "%@ generated and kept: %.2f s, %@, %d bytes, %d problems (%@)", form.uppercased(),
                        Bench.seconds(clock.now - start), filing.state.rawValue, filing.xml.utf8.count, filing.problems.count, path))
            }
            start = clock.now
            _ = try await culise.closeVAT(company: company, period: january, actor: actor)
            print(
                String(
                    format: "VAT closing of January 2026 (re-reads the month to check the kept D300): %.2f s",
                    Bench.seconds(clock.now - start)))
            await culise.close()
        }
    }
}
