import Application
import ArgumentParser
import Assembly
import BankingApp
import Companies
import FilingsApp
import Foundation
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import Web

/// `--company C` for commands that act in one company.
struct CompanyOption: ParsableArguments {
    @Option(help: "The company: its CUI (with or without RO) or its id.") var company: String
}

extension CLI {
    /// Opens the database, finds the `--company`, and runs one use case in it.
    static func inCompany<T>(
        _ global: GlobalOptions, _ target: CompanyOption, _ body: (Culise, Company) async throws -> T
    ) async throws -> T {
        try await run(try global.configuration()) { culise in
            try await body(culise, try await culise.resolveCompany(target.company))
        }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

func parseDate(_ text: String?, field: String) throws -> LocalDate? {
    guard let text else { return nil }
    do { return try LocalDate(iso: text, field: field) } catch { throw CLIError(message: "--\(field): \(error.message)") }
}

func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: .ron).decimalString }

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let clipped = text.count > width ? String(text.prefix(width - 1)) + "…" : text
    let padding = String(repeating: " ", count: max(0, width - clipped.count))
    return right ? padding + clipped : clipped + padding
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "The general ledger: import, export, verify, close the year.",
        subcommands: [Import.self, Export.self, Verify.self, CloseYear.self, Lock.self, Period.self, Journal.self, Settings.self])

    struct Period: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close or reopen a month (YYYY-MM).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "close or reopen") var action: String
        @Option(help: "The month, YYYY-MM.") var month: String

        func run() async throws {
            guard ["close", "reopen"].contains(action) else {
                throw CLIError(message: "Use: culise ledger period close|reopen --month YYYY-MM --company C")
            }
            let period: YearMonth
            do { period = try YearMonth(text: month) } catch { throw CLIError(message: error.message) }
            try await CLI.inCompany(global, target) { culise, company in
                if action == "close" {
                    try await culise.closePeriod(company: company.id, period, actor: .system("ledger period close"))
                } else {
                    try await culise.reopenPeriod(company: company.id, period, actor: .system("ledger period reopen"))
                }
            }
            print(action == "close" ? "Closed \(period)." : "Reopened \(period).")
        }
    }

    struct Journal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List journals, or add one with its own numbering series.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Code of a journal to add (2–8 capital letters or digits).") var add: String?
        @Option var name: String?
        @Option(help: "First number of the new series.") var firstNumber: Int64 = 1

        func run() async throws {
            let journals = try await CLI.inCompany(global, target) { culise, company in
                if let add {
                    try await culise.addJournal(
                        company: company.id, code: add, name: name ?? "", firstNumber: firstNumber, actor: .system("ledger journal"))
                }
                return try await culise.journals(company: company.id, actor: .system("ledger journal"))
            }
            for journal in journals { print("\(pad(journal.code, 6)) next \(pad(String(journal.nextNumber), 8))  \(journal.name)") }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a journal CSV (txn_id,date,description,partner,account_code,account_name,debit,credit,currency).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Journal the entries go to.") var journal: String = "GEN"
        @Flag(help: "Create accounts that are not in the chart, with the file's names.") var createAccounts = false
        @Flag(help: "Validate everything, write nothing.") var dryRun = false

        func run() async throws {
            let interactive = isatty(STDERR_FILENO) == 1
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
            let started = Date()
            let report = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.importLedger(
                    company: company.id, path: file,
                    options: LedgerImportOptions(journal: journal, createAccounts: createAccounts, dryRun: dryRun),
                    actor: .system("ledger import")
                ) { progress in
                    guard interactive else { return }
                    if progress.buildingIndexes {
                        FileHandle.standardError.write(
                            Data("\r\(progress.rows) rows, \(progress.entries) entries in; building the ledger's indexes again…   ".utf8))
                        return
                    }
                    let elapsed = max(Date().timeIntervalSince(started), 0.001)
                    let rate = Double(progress.rows) / elapsed
                    let fraction = size > 0 ? Double(progress.bytesRead) / Double(size) : 0
                    let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
                    FileHandle.standardError.write(
                        Data(
                            String(
                                format: "\r%d rows, %d entries, %.0f rows/s, %.0f%%, ETA %.0fs   ", progress.rows, progress.entries, rate,
                                fraction * 100, eta
                            ).utf8))
                }
            }
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            for problem in report.problems { print(problem.description) }
            if report.failedEntries > report.problems.count { print("… more problems not shown (\(report.failedEntries) entries failed)") }
            print(
                "\(report.dryRun ? "Dry run: would post" : "Posted") \(report.posted) of \(report.entries) entries (\(report.rows) rows) in \(String(format: "%.1f", seconds)) s; \(report.duplicates) already imported, \(report.failedEntries) refused, \(report.createdAccounts.count) accounts and \(report.createdPartners) partners created."
            )
            if report.rebuiltIndexes {
                print("The ledger's secondary indexes were set aside for this large import and built again at its end.")
            }
            if report.failedEntries > 0 { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export posted entries as an hledger journal or as the import CSV.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var format: String = "hledger"
        @Option(help: "The file to write.") var out: String

        func run() async throws {
            guard let format = LedgerExportFormat(rawValue: format) else { throw CLIError(message: "--format must be hledger or csv") }
            let count = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.exportLedger(company: company.id, format: format, to: out, actor: .system("ledger export"))
            }
            print("Exported \(count) entries to \(out).")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the entry chain and the balances; exit 1 naming the first entry changed, deleted or reordered.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let interactive = isatty(STDERR_FILENO) == 1
            let result = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.verifyLedger(company: company.id, actor: .system("ledger verify")) { checked in
                    if interactive { FileHandle.standardError.write(Data("\rchecked \(checked) entries".utf8)) }
                }
            }
            if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
            if result.isIntact {
                print("Ledger intact: \(result.entriesChecked) entries verified; balances match the lines.")
            } else {
                if let seq = result.firstBadSeq { print("Ledger BROKEN at entry \(seq): \(result.problem ?? "")") }
                for difference in result.balanceDifferences.prefix(50) { print("balance differs: \(difference)") }
                if result.firstBadSeq == nil, result.balanceDifferences.isEmpty { print("Ledger BROKEN: \(result.problem ?? "")") }
                throw ExitCode(1)
            }
        }
    }

    struct CloseYear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the fiscal year containing --date: classes 6 and 7 into 121.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Any date in the fiscal year (YYYY-MM-DD).") var date: String
        @Flag(help: "Reopen the year instead (reverses its closing entry).") var reopen = false

        func run() async throws {
            let day = try parseDate(date, field: "date")!
            try await CLI.inCompany(global, target) { culise, company in
                if reopen {
                    try await culise.reopenFiscalYear(company: company.id, containing: day, actor: .system("ledger close-year --reopen"))
                } else {
                    _ = try await culise.closeFiscalYear(company: company.id, containing: day, actor: .system("ledger close-year"))
                }
            }
            print(reopen ? "Reopened the fiscal year containing \(date)." : "Closed the fiscal year containing \(date).")
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, or set, how reversals are written: negative (storno in red) or swapped sides.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "negative or swapped") var reversalStyle: String?

        func run() async throws {
            let style = try reversalStyle.map { text -> ReversalStyle in
                guard let style = ReversalStyle(rawValue: text) else {
                    throw CLIError(message: "--reversal-style must be negative or swapped")
                }
                return style
            }
            let settings = try await CLI.inCompany(global, target) { culise, company in
                if let style { try await culise.setReversalStyle(company: company.id, style, actor: .system("ledger settings")) }
                return try await culise.ledgerSettings(company: company.id, actor: .system("ledger settings"))
            }
            print("lock date: \(settings.lockDate?.iso ?? "none"); reversal style: \(settings.reversalStyle.rawValue)")
        }
    }

    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set (or with --clear remove) the lock date: nothing on or before it can be posted.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var date: String?
        @Flag var clear = false

        func run() async throws {
            let day = try parseDate(date, field: "date")
            guard clear || day != nil else { throw CLIError(message: "Give --date YYYY-MM-DD or --clear.") }
            try await CLI.inCompany(global, target) { culise, company in
                try await culise.setLockDate(company: company.id, clear ? nil : day, actor: .system("ledger lock"))
            }
            print(clear ? "Lock date removed." : "Books locked up to \(date!).")
        }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Ledger reports.",
        subcommands: [
            TrialBalanceReport.self, AccountSheetReport.self, JournalReport.self, BalanceSheetReport.self, ProfitLossReport.self,
            FinancialStatementsReport.self,
            PartnerBalancesReport.self, Aging.self,
        ])

    struct Range: ParsableArguments {
        @Option(help: "First day (YYYY-MM-DD); without it, from the start.") var from: String?
        @Option(help: "Last day (YYYY-MM-DD); without it, up to the last entry.") var to: String?
        @Option(help: "table, csv or json.") var format: ReportFormat = .table
    }

    struct TrialBalanceReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trial-balance", abstract: "Balanța de verificare.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range

        func run() async throws {
            let from = try parseDate(range.from, field: "from")
            let to = try parseDate(range.to, field: "to")
            let report = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.trialBalance(company: company.id, from: from, to: to, actor: .system("report"))
            }
            switch range.format {
            case .csv: print(report.csv(), terminator: "")
            case .json: try printJSON(report)
            case .table:
                print(
                    pad("account", 10) + pad("name", 30)
                        + ["opening D", "opening C", "period D", "period C", "total D", "total C", "closing D", "closing C"]
                        .map { pad($0, 15, right: true) }.joined())
                for row in report.rows {
                    let amounts = [
                        row.opening.debit, row.opening.credit, row.period.debit, row.period.credit, row.total.debit, row.total.credit,
                        row.closing.debit, row.closing.credit,
                    ]
                    print(pad(row.code, 10) + pad(row.name, 30) + amounts.map { pad(money($0), 15, right: true) }.joined())
                }
                print(
                    "Equalities \(report.equalitiesHold ? "hold" : "DO NOT hold"); chain head #\(report.chainSeq ?? 0) \(report.chainHead ?? "-")"
                )
            }
        }
    }

    struct AccountSheetReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "account-sheet", abstract: "Fișa contului, with running balance.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range
        @Option var account: String
        @Option var partner: String?
        @Option(help: "Rows per page (max \(Limits.maxPageSize)).") var limit: Int = Limits.maxPageSize
        @Option var offset: Int = 0

        func run() async throws {
            let from = try parseDate(range.from, field: "from")
            let to = try parseDate(range.to, field: "to")
            let sheet = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.accountSheet(
                    company: company.id, account: account, partner: partner, from: from, to: to,
                    page: try PageRequest(limit: limit, offset: offset),
                    actor: .system("report"))
            }
            switch range.format {
            case .json: try printJSON(sheet)
            case .csv:
                print("date,number,journal,description,partner,debit,credit,balance")
                for line in sheet.lines {
                    print(
                        [
                            line.date.iso, line.number ?? "", line.journal, CSV.cell(line.description), CSV.cell(line.partner ?? ""),
                            money(line.debit), money(line.credit), money(line.balance),
                        ].joined(separator: ","))
                }
            case .table:
                print(
                    "Account \(sheet.account) \(sheet.name)\(sheet.partner.map { ", partner \($0)" } ?? ""); opening \(money(sheet.opening))"
                )
                for line in sheet.lines {
                    print(
                        pad(line.date.iso, 11) + pad(line.number ?? "", 12) + pad(line.description, 40) + pad(line.partner ?? "", 8)
                            + pad(money(line.debit), 14, right: true) + pad(money(line.credit), 14, right: true)
                            + pad(money(line.balance), 16, right: true))
                }
                print(
                    "Lines \(sheet.offset + 1)–\(sheet.offset + sheet.lines.count) of \(sheet.totalLines); closing \(money(sheet.closing))")
            }
        }
    }

    struct JournalReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "journal", abstract: "The journal register.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range
        @Option var journal: String?
        @Option var limit: Int = Limits.maxPageSize
        @Option var offset: Int = 0

        func run() async throws {
            let from = try parseDate(range.from, field: "from")
            let to = try parseDate(range.to, field: "to")
            let page = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.entries(
                    company: company.id, from: from, to: to, journal: journal, page: try PageRequest(limit: limit, offset: offset),
                    actor: .system("report"))
            }
            switch range.format {
            case .json: try printJSON(page.items.map(EntryAPIDTO.init))
            case .csv, .table:
                print("number,date,journal,state,description,account,partner,debit,credit")
                for entry in page.items {
                    for line in entry.lines {
                        print(
                            [
                                entry.number ?? "draft-\(entry.id)", entry.date.iso, entry.journal, entry.state.rawValue,
                                CSV.cell(entry.description), line.account, CSV.cell(line.partner ?? ""), money(line.debit),
                                money(line.credit),
                            ].joined(separator: ","))
                    }
                }
            }
        }
    }

    struct BalanceSheetReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "balance-sheet", abstract: "Bilanț (abbreviated layout) at --to.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range

        func run() async throws {
            let to = try parseDate(range.to, field: "to")
            let rows = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.balanceSheet(company: company.id, asOf: to, actor: .system("report"))
            }
            try printStatement(rows, format: range.format)
        }
    }

    struct ProfitLossReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "profit-loss", abstract: "Contul de profit și pierdere (abbreviated).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range

        func run() async throws {
            let from = try parseDate(range.from, field: "from")
            let to = try parseDate(range.to, field: "to")
            let rows = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.profitAndLoss(company: company.id, from: from, to: to, actor: .system("report"))
            }
            try printStatement(rows, format: range.format)
        }
    }

    struct FinancialStatementsReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "financial-statements",
            abstract: "F10 (abridged balance sheet) and F20 (profit and loss) of a fiscal year, the prior year beside it: csv or pdf.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The fiscal year (the year it starts in).") var year: Int
        @Option(help: "csv or pdf.") var format: String = "csv"
        @Option(help: "ro or en.") var language: String = "ro"
        @Option(help: "Write to this file (a PDF needs one).") var out: String?

        func run() async throws {
            guard ["csv", "pdf"].contains(format) else { throw CLIError(message: "--format: use csv or pdf") }
            guard format == "csv" || out != nil else { throw CLIError(message: "--out: a PDF is written to a file") }
            let (statements, created) = try await CLI.inCompany(global, target) { culise, company in
                (
                    try await culise.financialStatements(company: company.id, year: year, actor: .system("report financial-statements")),
                    culise.now
                )
            }
            if !statements.unmapped.isEmpty {
                FileHandle.standardError.write(
                    Data("warning: accounts no row takes: \(statements.unmapped.joined(separator: ", "))\n".utf8))
            }
            if !statements.closed {
                FileHandle.standardError.write(Data("note: the fiscal year is not closed; the statements are provisional\n".utf8))
            }
            let data = try statements.export(format: format, english: language == "en", created: created).data
            if let out {
                try data.write(to: URL(fileURLWithPath: out))
                print("wrote \(out)")
            } else {
                print(String(decoding: data, as: UTF8.self), terminator: "")
            }
        }
    }

    struct PartnerBalancesReport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "partner-balances", abstract: "Balances per partner on an account (4111, 401…).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var range: Range
        @Option var account: String = "4111"

        func run() async throws {
            let to = try parseDate(range.to, field: "to")
            let rows = try await CLI.inCompany(global, target) { culise, company in
                return try await culise.partnerBalances(company: company.id, account: account, asOf: to, actor: .system("report"))
            }
            switch range.format {
            case .json: try printJSON(rows)
            case .csv, .table:
                print("partner,name,debit,credit,balance")
                for row in rows {
                    print(
                        [CSV.cell(row.partner), CSV.cell(row.name ?? ""), money(row.debit), money(row.credit), money(row.balance)].joined(
                            separator: ","))
                }
            }
        }
    }
}

func printStatement(_ rows: [StatementRow], format: ReportFormat) throws {
    switch format {
    case .json: try printJSON(rows)
    case .csv:
        print("code,label,amount")
        for row in rows { print([row.code, CSV.cell(row.label), money(row.amount)].joined(separator: ",")) }
    case .table:
        for row in rows { print(pad(row.code, 5) + pad(row.label, 70) + pad(money(row.amount), 18, right: true)) }
    }
}
