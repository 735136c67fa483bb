import Application
import ArgumentParser
import Assembly
import BankingApp
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "Second-person approval of documents above a threshold (supplier bills).",
        subcommands: [Rule.self, List.self])

    struct Rule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Require approval for bills from an amount in RON (decisions are taken by signed-in users on the bill page).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Document type: bill.") var document = "bill"
        @Option(help: "Amount in RON from which approval is needed, e.g. 10000.") var threshold: String?
        @Option(help: "Roles that approve, comma-separated (default admin,accountant).") var roles = "admin,accountant"
        @Flag(help: "Stop requiring approval.") var off = false

        func run() async throws {
            guard off || threshold != nil else { throw CLIError(message: "Give --threshold AMOUNT, or --off.") }
            let roles = try roles.split(separator: ",").map { text -> Role in
                guard let role = Role(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                    throw CLIError(message: "--roles: '\(text)' is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", "))).")
                }
                return role
            }
            try await CLI.inCompany(global, target) { culise, company in
                try await culise.setApprovalRule(
                    company: company.id, documentType: document, threshold: off ? nil : threshold, approverRoles: roles,
                    actor: .system("approvals rule"))
            }
            print(
                off
                    ? "\(document): no approval needed"
                    : "\(document): approval from \(threshold ?? "") RON by \(roles.map(\.rawValue).joined(separator: ", "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approval requests, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Flag(help: "Every request, not only pending ones.") var all = false

        func run() async throws {
            let requests = try await CLI.inCompany(global, target) { culise, company in
                try await culise.approvals(company: company.id, state: all ? nil : .pending, actor: .system("approvals list"))
            }
            for request in requests {
                print(
                    "\(request.createdAt)  \(request.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(request.documentLabel)  \(MoneyFormat.amount(request.amount, locale: .ro)) RON  asked by \(request.requestedBy)\(request.decidedBy.map { ", decided by \($0)" } ?? "")"
                )
            }
            print("\(requests.count) requests")
        }
    }
}
