import Application
import ArgumentParser
import Assembly
import Banking
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

func money(_ minor: Int64?) -> String { minor.map(DecimalText.amount) ?? "-" }

struct BankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank", abstract: "Bank and cash accounts, statement import and reconciliation.",
        subcommands: [AccountCommand.self, Import.self, Reconcile.self, Status.self, Statement.self, RuleCommand.self])

    struct AccountCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "account", abstract: "The company's bank and cash accounts.", subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a bank account (or --kind cash for a cash register).")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var target: CompanyOption
            @Option(help: "The account's IBAN.") var iban: String?
            @Option(help: "ISO currency (default RON).") var currency = "RON"
            @Option(help: "Ledger account (default 5121 RON, 5124 foreign currency, 5311/5314 for cash).") var ledgerAccount: String?
            @Option(help: "A name for lists and reports.") var name: String?
            @Option(help: "bank or cash.") var kind = "bank"
            @Option(help: "Match lines automatically when the best candidate scores at least this (default: off).") var autoThreshold: Int?

            func run() async throws {
                let account = try await CLI.inCompany(global, target) { culise, company in
                    try await culise.addBankAccount(
                        company: company.id,
                        BankAccountInput(
                            name: name, kind: kind, iban: iban, currency: currency, ledgerAccount: ledgerAccount,
                            autoThreshold: autoThreshold),
                        actor: .system("bank account add"))
                }
                print("Added \(account.name): \(account.iban ?? "cash") \(account.currency) → \(account.ledgerAccount) (id \(account.id))")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the bank and cash accounts.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var target: CompanyOption

            func run() async throws {
                let accounts = try await CLI.inCompany(global, target) { culise, company in
                    try await culise.bankAccounts(company: company.id, actor: .system("bank account list"))
                }
                for account in accounts {
                    print(
                        "\(account.iban ?? "(cash)")\t\(account.currency)\t\(account.ledgerAccount)\t\(account.name)\tauto: \(account.autoThreshold.map(String.init) ?? "off")"
                    )
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a bank statement: CAMT.053 (XML), MT940, or CSV with a profile.",
            discussion: """
                The statement's IBAN selects the company's bank account; --account IBAN overrides it. Lines already imported (same bank
                reference, or same date, amount, counterparty and text) are skipped and reported. The whole file is checked before
                anything is written.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The statement file.") var file: String
        @Option(help: "The bank account (IBAN or id) when the file has none or another.") var account: String?
        @Option(help: "camt053, mt940 or csv (default: detected).") var format: String?
        @Option(help: "CSV profile (generic, generic-ro, or one the company saved).") var profile: String?

        func run() async throws {
            let report = try await CLI.inCompany(global, target) { culise, company in
                try await culise.importStatement(
                    company: company.id, file: file, format: format, profile: profile, accountReference: account,
                    actor: .system("bank import"))
            }
            for statement in report.statements {
                print(
                    "\(statement.iban) \(statement.statement): \(statement.new) new lines, \(statement.duplicates) skipped as duplicates (\(statement.firstDate?.iso ?? "-") … \(statement.lastDate?.iso ?? "-"))"
                )
                if !statement.duplicatePositions.isEmpty {
                    print(
                        "  duplicates at: \(statement.duplicatePositions.prefix(10).joined(separator: ", "))\(statement.duplicates > 10 ? ", …" : "")"
                    )
                }
                for warning in statement.warnings { print("  warning: \(warning)") }
            }
            print("Total: \(report.new) new, \(report.duplicates) duplicates (\(report.format)).")
        }
    }

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Match bank lines: --auto confirms the lines above the account's threshold; without it, lists the review queue.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "One account (IBAN or id); default: every account.") var account: String?
        @Flag(help: "Confirm the automatic matches (each audited with its explanation).") var auto = false
        @Option(help: "Use this threshold for this run instead of the account's setting.") var threshold: Int?
        @Option(help: "Lines shown from the review queue.") var limit = 20

        func run() async throws {
            let interactive = isatty(STDERR_FILENO) == 1
            try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("bank reconcile")
                var chosen: BankAccountRecord?
                if let account { chosen = try await culise.bankAccount(company: company.id, reference: account, actor: actor) }
                if auto {
                    let started = Date()
                    let report = try await culise.reconcile(company: company.id, account: chosen?.id, threshold: threshold, actor: actor) {
                        done, total in
                        guard interactive, done % 200 == 0 || done == total else { return }
                        FileHandle.standardError.write(Data(String(format: "\r%d/%d lines   ", done, total).utf8))
                    }
                    if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
                    print(
                        "\(report.lines) lines: \(report.automatic) matched automatically, \(report.review) to review, \(report.noCandidate) without a candidate, \(report.deferred) deferred (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)."
                    )
                }
                var accounts = try await culise.bankAccounts(company: company.id, actor: actor)
                if let chosen { accounts = [chosen] }
                for bankAccount in accounts {
                    let queue = try await culise.reviewQueue(
                        company: company.id, account: bankAccount.id, page: try PageRequest(limit: min(max(limit, 1), 500)), actor: actor)
                    print("\(bankAccount.name): \(queue.total) lines to review")
                    for item in queue.items {
                        let line = item.line
                        print("  \(line.bookingDate.iso) \(money(line.amount.minorUnits)) \(line.counterpartyName ?? "") · \(line.details)")
                        if let best = item.proposal.candidates.first {
                            let target = best.allocations.map(\.number).joined(separator: "+") + (best.account ?? "")
                            print("    best: \(target) (score \(best.score)): \(best.explanation)")
                        }
                        if let reason = item.proposal.reviewReason { print("    waits: \(reason)") }
                    }
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reconciliation progress and balances per account.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let status = try await CLI.inCompany(global, target) { culise, company in
                try await culise.bankStatus(company: company.id, actor: .system("bank status"))
            }
            print("account\tcurrency\tlines\tmatched\tto review\tprogress\tlast line\tbank balance\tledger balance")
            for row in status {
                print(
                    "\(row.account.iban ?? row.account.name)\t\(row.account.currency)\t\(row.lines)\t\(row.matched)\t\(row.unmatched)\t\(row.progress)%\t\(row.lastDate?.iso ?? "-")\t\(money(row.bankBalance))\t\(money(row.ledgerBalance))"
                )
            }
        }
    }

    struct Statement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "statement", abstract: "The bank reconciliation statement of an account on a date.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The account (IBAN or id).") var account: String
        @Option(help: "The date (default today).") var date: String?

        func run() async throws {
            let parsed = try parseDate(date, field: "date")
            let (day, statement) = try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("bank statement")
                let day = parsed ?? culise.today
                let found = try await culise.bankAccount(company: company.id, reference: account, actor: actor)
                return (day, try await culise.reconciliationStatement(company: company.id, account: found.id, date: day, actor: actor))
            }
            print("Bank reconciliation of \(statement.account.name) (\(statement.account.ledgerAccount)) on \(day)")
            print("Balance per bank:   \(money(statement.bankBalance)) \(statement.account.currency)")
            print(
                "− on the statement, not in the ledger (\(statement.bankOnlyCount)): \(money(statement.bankOnlyTotal))"
            )
            for line in statement.bankOnly.prefix(50) {
                print("    \(line.bookingDate.iso) \(money(line.amount.minorUnits)) \(line.details)")
            }
            if statement.bankOnlyCount > 50 { print("    … and \(statement.bankOnlyCount - 50) more (see the page or the API)") }
            print(
                "+ in the ledger, not on a statement (\(statement.ledgerOnlyCount)): \(money(statement.ledgerOnlyTotal))"
            )
            for item in statement.ledgerOnly.prefix(50) {
                print("    \(item.date.iso) \(money(item.amount)) \(item.number ?? "") \(item.description)")
            }
            if statement.ledgerOnlyCount > 50 { print("    … and \(statement.ledgerOnlyCount - 50) more (see the page or the API)") }
            print("Balance per ledger: \(money(statement.ledgerBalance)) \(statement.account.currency)")
            print("Unexplained difference: \(money(statement.difference))")
        }
    }

    struct RuleCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rule", abstract: "Rules for lines without a document: text contains X → account.",
            subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a rule, e.g. --pattern COMISION --account 627 --direction out.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var target: CompanyOption
            @Option(help: "Text the details or counterparty contain (case and diacritics ignored).") var pattern: String
            @Option(help: "The ledger account.") var account: String
            @Option(help: "A partner code.") var partner: String?
            @Option(help: "in or out (default both).") var direction: String?

            func run() async throws {
                let rule = try await CLI.inCompany(global, target) { culise, company in
                    try await culise.addBankRule(
                        company: company.id, pattern: pattern, account: account, partner: partner, direction: direction,
                        actor: .system("bank rule add"))
                }
                print("Rule \(rule.id): '\(rule.pattern)' → \(rule.account)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the rules.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var target: CompanyOption

            func run() async throws {
                for rule in try await CLI.inCompany(
                    global, target,
                    { culise, company in
                        try await culise.bankRules(company: company.id, actor: .system("bank rule list"))
                    })
                {
                    print("\(rule.id)\t\(rule.pattern)\t\(rule.account)\t\(rule.partner ?? "")\t\(rule.direction ?? "both")")
                }
            }
        }
    }
}

struct CashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cash", abstract: "Cash: the daily cash register (registrul de casă).", subcommands: [Register.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The cash register of one day: opening balance, documents, closing balance.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The day (default today).") var date: String?
        @Option(help: "The cash account (default 5311).") var account = "5311"

        func run() async throws {
            let parsed = try parseDate(date, field: "date")
            let (day, register) = try await CLI.inCompany(global, target) { culise, company in
                let day = parsed ?? culise.today
                return (
                    day, try await culise.cashRegister(company: company.id, account: account, date: day, actor: .system("cash register"))
                )
            }
            print("Registrul de casă \(register.account), \(day)")
            print("Sold precedent: \(money(register.opening))")
            for line in register.lines {
                print(
                    "\(line.document ?? "-")\t\(line.description)\t\(line.receipt > 0 ? money(line.receipt) : "")\t\(line.payment > 0 ? money(line.payment) : "")\t\(money(line.balance))"
                )
            }
            print("Sold final: \(money(register.closing))")
            for warning in register.warnings { print("warning: \(warning)") }
        }
    }
}

extension FXCommand {
    struct Revalue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Month-end revaluation of open foreign-currency receivables, payables and bank balances (665/765).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The month, YYYY-MM.") var month: String
        @Flag(help: "Do not reverse it on the first day of the next month.") var noReverse = false

        func run() async throws {
            let period = try YearMonth(text: month)
            let report = try await CLI.inCompany(global, target) { culise, company in
                try await culise.revalue(company: company.id, month: period, reverseNextMonth: !noReverse, actor: .system("fx revalue"))
            }
            for line in report.lines {
                print(
                    "\(line.account) \(line.partner ?? "") \(money(line.openCurrency)) \(line.currency) × \(line.rate): \(money(line.carryingRON)) → \(money(line.revaluedRON)) (\(line.difference > 0 ? "+" : "")\(money(line.difference)))"
                )
            }
            print(
                "Revaluation \(report.month): gain \(money(report.gain)) (7651), loss \(money(report.loss)) (6651); entry \(report.entryID.map(String.init) ?? "none")\(report.reversalEntryID.map { ", reversed by \($0) on \(report.date.adding(days: 1).iso)" } ?? "")."
            )
        }
    }
}
