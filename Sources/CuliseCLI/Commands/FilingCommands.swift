import Application
import ArgumentParser
import Filings
import Foundation
import Kernel

/// `culise filing …`: the declarations kept for ANAF and their lifecycle (D112, D300).
struct FilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filing", abstract: "Declarations for ANAF: generate, list, show, mark filed, record ANAF's answer.",
        subcommands: [FilingGenerate.self, FilingCalendarCommand.self, List.self, Show.self, MarkFiled.self, Answer.self])

    static func id(_ text: String) throws -> FilingID {
        guard let id = FilingID(string: text) else { throw CLIError(message: "ID: '\(text)' is not a filing id (culise filing list)") }
        return id
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The company's filings, newest period first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Only this form (d112, d300, d394, d390, d406).") var form: String?

        func run() async throws {
            let only = try form.map { text -> FilingForm in
                guard let form = FilingForm(rawValue: text.lowercased()) else {
                    throw CLIError(message: "--form: use one of \(FilingForm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return form
            }
            let filings = try await CLI.inCompany(global, target) { culise, company in
                try await culise.filings(company: company.id, form: only, actor: .system("filing list"))
            }
            if filings.isEmpty { print("no filings") }
            for filing in filings {
                print(
                    "\(filing.id)  \(filing.form.rawValue.uppercased()) \(filing.period)  \(filing.state.rawValue)\(filing.rectifying ? " (rectifying)" : "")  due \(filing.due.iso)  \(filing.registrationNumber.map { "no. \($0)" } ?? "")"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One filing: its state and problems, or its XML with --xml.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The filing's id.") var id: String
        @Flag(help: "Print the XML as kept.") var xml = false

        func run() async throws {
            let key = try FilingCommand.id(id)
            let filing = try await CLI.inCompany(global, target) { culise, company in
                try await culise.filing(company: company.id, id: key, actor: .system("filing show"))
            }
            if xml {
                print(filing.xml, terminator: "")
                return
            }
            print("\(filing.form.title) \(filing.period): \(filing.state.rawValue), due \(filing.due.iso), sha256 \(filing.sha256)")
            if let number = filing.registrationNumber { print("filed \(filing.filedOn?.iso ?? "") as no. \(number)") }
            if let answer = filing.answer { print("ANAF: \(answer)") }
            for problem in filing.problems { print("  \(problem.check): \(problem.message)") }
        }
    }

    struct MarkFiled: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-filed", abstract: "Record that a validated filing was filed: ANAF's registration number and the day.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The filing's id.") var id: String
        @Option(help: "ANAF's registration number (from the receipt).") var number: String
        @Option(help: "The day it was filed (YYYY-MM-DD).") var date: String
        @Option(help: "ANAF's receipt (PDF, XML or image), kept with the filing.") var receipt: String?

        func run() async throws {
            let key = try FilingCommand.id(id)
            guard let day = try parseDate(date, field: "date") else { throw CLIError(message: "--date: required") }
            let file = try receipt.map { path -> FilingReceipt in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIError(message: "--receipt: cannot read \(path)")
                }
                return FilingReceipt(fileName: URL(fileURLWithPath: path).lastPathComponent, data: data)
            }
            let filing = try await CLI.inCompany(global, target) { culise, company in
                try await culise.markFiled(
                    company: company.id, id: key, number: number, date: day, receipt: file, actor: .system("filing mark-filed"))
            }
            print(
                "\(filing.form.rawValue.uppercased()) \(filing.period): \(filing.state.rawValue) as no. \(filing.registrationNumber ?? "")")
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record ANAF's answer to a filed declaration: --accepted, or --rejected with its message.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The filing's id.") var id: String
        @Flag var accepted = false
        @Flag var rejected = false
        @Option(help: "ANAF's message (required when rejected).") var message: String?

        func run() async throws {
            guard accepted != rejected else { throw CLIError(message: "give exactly one of --accepted and --rejected") }
            let key = try FilingCommand.id(id)
            let filing = try await CLI.inCompany(global, target) { culise, company in
                try await culise.recordFilingAnswer(
                    company: company.id, id: key, accepted: accepted, message: message, actor: .system("filing answer"))
            }
            print("\(filing.form.rawValue.uppercased()) \(filing.period): \(filing.state.rawValue)")
        }
    }
}
