import Application
import ArgumentParser
import Filings
import FilingsApp
import Foundation
import Kernel

/// `culise saft show`: the period's SAF-T file (D406) in figures, its checks and what keeps it from being written.
struct SAFTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saft", abstract: "SAF-T (D406): the period's file, its checks; `filing generate d406` keeps it.",
        subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The period's D406 in figures and its checks; --xml prints the XML (not kept), --out writes it to a file.")
        @OptionGroup var period: PeriodOptions
        @Flag(help: "Print the XML (not kept) instead.") var xml = false
        @Option(help: "Write the XML (not kept) to this file.") var out: String?

        func run() async throws {
            let parsed = try period.parsed()
            let actor = Actor.system("saft show")
            if xml || out != nil {
                let draft = try await CLI.inCompany(period.global, period.target) { culise, company in
                    try await culise.d406Draft(company: company.id, period: parsed, actor: actor)
                }
                if let out {
                    try Data(draft.xml.utf8).write(to: URL(fileURLWithPath: out))
                    print("wrote \(out) (\(draft.xml.utf8.count) bytes)")
                    for problem in draft.problems { print("  \(problem.check): \(problem.message)") }
                } else {
                    print(draft.xml, terminator: "")
                }
                return
            }
            let view = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.saftReturn(company: company.id, period: parsed, actor: actor)
            }
            let file = view.file
            print(
                "D406 \(parsed) (\(view.from.iso) … \(view.to.iso)\(view.quarterly ? ", quarterly" : "")), due \(FilingForm.d406.due(parsed).iso)"
            )
            print(
                "  \(file.accounts.count) accounts, \(file.customers.count) customers, \(file.suppliers.count) suppliers, \(file.transactionCount) entries (\(file.lineCount) lines) in \(file.journals.count) journals, \(file.sales.count) sales and \(file.purchases.count) purchase invoices, \(file.payments.count) payments"
            )
            print("filing: \(view.filing.map { "\($0.id) \($0.state.rawValue)" } ?? "not generated")")
            for problem in view.problems { print("  \(problem.check): \(problem.message)") }
            for blocker in view.blockers { print("  before the XML: \(blocker.message)") }
        }
    }
}
