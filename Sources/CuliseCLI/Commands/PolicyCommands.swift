import Application
import ArgumentParser
import Foundation
import Kernel
import People
import PeopleApp

/// `culise policy …`: internal policies, their versions and who acknowledged them.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Policies: versions, acknowledgements, the report of who is missing, reminders.",
        subcommands: [Publish.self, List.self, Report.self, Acknowledge.self, Remind.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a policy, or a new version of it (everyone it addresses acknowledges the new version again).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The policy's code, e.g. RI, GDPR, SSM, IT.") var code: String
        @Option var title: String
        @Option(help: "What changed in this version.") var summary: String?
        @Option(help: "The document (PDF, DOCX, …) kept in the documents store.") var file: String?
        @Option(
            help:
                "Departments it addresses (comma-separated; the departments under them too). Everyone when no department or position is given."
        )
        var departments: String?
        @Option(help: "Positions it addresses (comma-separated).") var positions: String?

        func run() async throws {
            let document = try file.map { path in
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                guard size <= Limits.documentBytes else {
                    throw CLIError(message: "\(path) has \(size) bytes; a document has at most \(Limits.documentBytes) (20 MiB).")
                }
                return (name: URL(fileURLWithPath: path).lastPathComponent, data: try Data(contentsOf: URL(fileURLWithPath: path)))
            }
            let audience = PolicyAudience(
                departments: departments?.split(separator: ",").map(String.init) ?? [],
                positions: positions?.split(separator: ",").map(String.init) ?? [])
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.publishPolicy(
                    company: company.id, PolicyInput(code: code, title: title, summary: summary, audience: audience), file: document,
                    actor: .system("policy publish"))
            }
            print("\(record.code) version \(record.version): \(record.addressed) employees to acknowledge")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Policies with their current version and acknowledgements.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let policies = try await CLI.inCompany(global, target) { culise, company in
                try await culise.policies(company: company.id, actor: .system("policy list"))
            }
            for policy in policies {
                print(
                    "\(policy.code.padding(toLength: 8, withPad: " ", startingAt: 0)) v\(policy.version)  \(policy.acknowledged)/\(policy.addressed) acknowledged  \(policy.title)"
                )
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who the policy addresses and who has not acknowledged its current version.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var code: String
        @Flag(help: "Only those who have not acknowledged.") var missing = false

        func run() async throws {
            let report = try await CLI.inCompany(global, target) { culise, company in
                try await culise.policyReport(company: company.id, code: code, actor: .system("policy report"))
            }
            print(
                "\(report.policy.code) v\(report.policy.version) \(report.policy.title): \(report.policy.acknowledged)/\(report.policy.addressed)"
            )
            for line in missing ? report.missing : report.lines {
                print(
                    "  \(line.employee.padding(toLength: 8, withPad: " ", startingAt: 0)) \(line.name)  \(line.acknowledgedAt ?? "missing")"
                )
            }
        }
    }

    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that an employee acknowledged the current version.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var code: String
        @Option var employee: String

        func run() async throws {
            let line = try await CLI.inCompany(global, target) { culise, company in
                try await culise.acknowledgePolicy(
                    company: company.id, code: code, employee: employee, actor: .system("policy acknowledge"))
            }
            print("\(line.employee) acknowledged \(code.uppercased()) at \(line.acknowledgedAt ?? "")")
        }
    }

    struct Remind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "E-mail those who have not acknowledged the current version.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var code: String

        func run() async throws {
            let result = try await CLI.inCompany(global, target) { culise, company in
                try await culise.remindPolicy(company: company.id, code: code, actor: .system("policy remind"))
            }
            print(
                "\(result.queued) reminders queued"
                    + (result.withoutEmail.isEmpty ? "" : "; no e-mail address: \(result.withoutEmail.joined(separator: ", "))"))
        }
    }
}
