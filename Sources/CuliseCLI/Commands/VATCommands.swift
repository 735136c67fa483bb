import Application
import ArgumentParser
import Filings
import FilingsApp
import Foundation
import Kernel

/// A tax return's period: the month, or the quarter's last month.
struct PeriodOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: CompanyOption
    @Option(help: "The period: YYYY-MM (the quarter's last month when the company files quarterly).") var period: String

    func parsed() throws -> YearMonth {
        do { return try YearMonth(text: period, field: "period") } catch { throw CLIError(message: "--period: \(error.message)") }
    }
}

/// `culise filing generate d300 …`: generates and keeps a tax return (issue 16 item 7).
struct FilingGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract:
            "Generate and keep a tax return for a period (d300, d394, d390, d406): validated, or invalid with every problem listed.")
    @Argument(help: "The form: d300, d394, d390 or d406.") var form: String
    @OptionGroup var period: PeriodOptions
    @Option(help: "Also write the XML here.") var out: String?

    func run() async throws {
        let kind = form.lowercased()
        guard ["d300", "d394", "d390", "d406"].contains(kind) else {
            throw CLIError(message: "FORM: Culise generates d300, d394, d390 and d406 here (d112 with `culise payroll d112`)")
        }
        let parsed = try period.parsed()
        let filing = try await CLI.inCompany(period.global, period.target) { culise, company in
            let actor = Actor.system("filing generate \(kind)")
            switch kind {
            case "d300": return try await culise.generateD300(company: company.id, period: parsed, actor: actor)
            case "d394": return try await culise.generateD394(company: company.id, period: parsed, actor: actor)
            case "d406": return try await culise.generateD406(company: company.id, period: parsed, actor: actor)
            default: return try await culise.generateD390(company: company.id, period: parsed, actor: actor)
            }
        }
        if let out {
            try Data(filing.xml.utf8).write(to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
        print(
            "\(kind.uppercased()) \(parsed) filing \(filing.id): \(filing.state.rawValue)\(filing.rectifying ? " (rectifying)" : ""), due \(filing.due.iso), sha256 \(filing.sha256)"
        )
        for problem in filing.problems { print("  \(problem.check): \(problem.message)") }
    }
}

/// `culise vat …`: the period's VAT return, its closing, and the tax returns' settings.
struct VATCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vat", abstract: "VAT: the period's return (D300 rows and checks), the closing 4427 = 4426, the settings.",
        subcommands: [Show.self, Informative.self, Vies.self, Close.self, Reopen.self, Settings.self])

    struct Informative: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "d394",
            abstract: "The period's D394 lines (per partner, type and rate) and its checks; --xml prints the XML, not kept.")
        @OptionGroup var period: PeriodOptions
        @Flag(help: "Print the XML (not kept) instead.") var xml = false

        func run() async throws {
            let parsed = try period.parsed()
            let actor = Actor.system("vat d394")
            if xml {
                let draft = try await CLI.inCompany(period.global, period.target) { culise, company in
                    try await culise.d394Draft(company: company.id, period: parsed, actor: actor)
                }
                print(draft.xml, terminator: "")
                return
            }
            let view = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.d394Return(company: company.id, period: parsed, actor: actor)
            }
            print("D394 \(parsed): \(view.declaration.lines.count) lines, due \(FilingForm.d394.due(parsed).iso)")
            for line in view.declaration.lines {
                print(
                    "  \(line.kind) \(line.partnerType) \(line.rate)%  \((line.cui ?? "-").padding(toLength: 13, withPad: " ", startingAt: 0)) \(String(line.invoices).leftPadded(4)) \(String(line.base).leftPadded(12)) \(String(line.vat).leftPadded(10))  \(line.name)"
                )
            }
            print("filing: \(view.filing.map { "\($0.id) \($0.state.rawValue)" } ?? "not generated")")
            for problem in view.problems { print("  \(problem.check): \(problem.message)") }
            for blocker in view.blockers { print("  before the XML: \(blocker.message)") }
        }
    }

    struct Vies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The month's D390 VIES lines (per type and partner) and its checks; --xml prints the XML, not kept.")
        @OptionGroup var period: PeriodOptions
        @Flag(help: "Print the XML (not kept) instead.") var xml = false

        func run() async throws {
            let parsed = try period.parsed()
            let actor = Actor.system("vat vies")
            if xml {
                let draft = try await CLI.inCompany(period.global, period.target) { culise, company in
                    try await culise.d390Draft(company: company.id, period: parsed, actor: actor)
                }
                print(draft.xml, terminator: "")
                return
            }
            let view = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.viesReturn(company: company.id, period: parsed, actor: actor)
            }
            print("D390 \(parsed): \(view.declaration.operations.count) lines, due \(FilingForm.d390.due(parsed).iso)")
            for operation in view.declaration.operations {
                print(
                    "  \(operation.kind.rawValue) \(operation.country)\(operation.code)  \(String(operation.base).leftPadded(12))  \(operation.name)"
                )
            }
            print("filing: \(view.filing.map { "\($0.id) \($0.state.rawValue)" } ?? "not generated")")
            for problem in view.problems { print("  \(problem.check): \(problem.message)") }
            for blocker in view.blockers { print("  before the XML: \(blocker.message)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The period's D300 rows, its checks against 4426/4427, its state.")
        @OptionGroup var period: PeriodOptions
        @Flag(help: "Print the XML (not kept) instead.") var xml = false

        func run() async throws {
            let parsed = try period.parsed()
            let actor = Actor.system("vat show")
            if xml {
                let draft = try await CLI.inCompany(period.global, period.target) { culise, company in
                    try await culise.d300Draft(company: company.id, period: parsed, actor: actor)
                }
                print(draft.xml, terminator: "")
                return
            }
            let view = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.vatReturn(company: company.id, period: parsed, actor: actor)
            }
            let r = view.d300
            print(
                "D300 \(parsed) (\(view.from.iso) … \(view.to.iso)\(r.quarterly ? ", quarterly" : "")): \(view.documents) documents, due \(FilingForm.d300.due(parsed).iso)"
            )
            for row in D300.rows where r.rows[row.attribute] != nil {
                print(
                    "  \(row.attribute.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(r.value(row.attribute)).leftPadded(12))  \(row.en)"
                )
            }
            print(
                "VAT collected \(Money.ron(r.collected).decimalString) (4427 \(Money.ron(view.account4427).decimalString)), deducted \(Money.ron(r.deducted).decimalString) (4426 \(Money.ron(view.account4426).decimalString))"
            )
            print(r.recoverable > 0 ? "to recover: \(r.recoverable) lei" : "to pay: \(r.payable) lei")
            print(
                "filing: \(view.filing.map { "\($0.id) \($0.state.rawValue)" } ?? "not generated"); closing: \(view.closingEntry.map { "entry \($0)" } ?? "not closed")"
            )
            for problem in view.problems { print("  \(problem.check): \(problem.message)") }
            for blocker in view.blockers { print("  before the XML: \(blocker.message)") }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post the period's VAT closing from its kept D300: 4427 = 4426, the result to 4423 or 4424.")
        @OptionGroup var period: PeriodOptions

        func run() async throws {
            let parsed = try period.parsed()
            let id = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.closeVAT(company: company.id, period: parsed, actor: .system("vat close"))
            }
            print("closed the VAT of \(parsed): entry \(id)")
        }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reverse the period's VAT closing.")
        @OptionGroup var period: PeriodOptions

        func run() async throws {
            let parsed = try period.parsed()
            let id = try await CLI.inCompany(period.global, period.target) { culise, company in
                try await culise.reopenVAT(company: company.id, period: parsed, actor: .system("vat reopen"))
            }
            print("reopened the VAT of \(parsed): reversal entry \(id)")
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set what the tax returns need: VAT period, CAEN code, declarant, bank and IBAN.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "monthly or quarterly.") var vatPeriod: String?
        @Option(help: "The main activity's CAEN code (four digits).") var caen: String?
        @Option(help: "Declarant's last name.") var declarantLastName: String?
        @Option(help: "Declarant's first name.") var declarantFirstName: String?
        @Option(help: "Declarant's function.") var declarantFunction: String?
        @Option(help: "The bank's name.") var bankName: String?
        @Option(help: "The IBAN the D300 names.") var iban: String?

        func run() async throws {
            let settings = try await CLI.inCompany(global, target) { culise, company -> TaxFilingSettings in
                let actor = Actor.system("vat settings")
                var s = try await culise.taxFilingSettings(company: company.id, actor: actor)
                let changes = [vatPeriod, caen, declarantLastName, declarantFirstName, declarantFunction, bankName, iban].contains {
                    $0 != nil
                }
                guard changes else { return s }
                if let vatPeriod { s.vatPeriod = try VATPeriod(parsing: vatPeriod) }
                s.caen = caen ?? s.caen
                s.declarantLastName = declarantLastName ?? s.declarantLastName
                s.declarantFirstName = declarantFirstName ?? s.declarantFirstName
                s.declarantFunction = declarantFunction ?? s.declarantFunction
                s.bankName = bankName ?? s.bankName
                s.iban = iban ?? s.iban
                try await culise.setTaxFilingSettings(company: company.id, s, actor: actor)
                return try await culise.taxFilingSettings(company: company.id, actor: actor)
            }
            print("VAT period: \(settings.vatPeriod.rawValue)")
            print(
                "CAEN: \(settings.caen ?? "-"); declarant: \(settings.declarant.map { "\($0.lastName) \($0.firstName), \($0.function)" } ?? "-")"
            )
            print("bank: \(settings.bankName ?? "-") \(settings.iban ?? "")")
        }
    }
}

/// `culise filing calendar`: what the company files, for which period and by when (issue 16 item 5).
struct FilingCalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The filing obligations from the settings and the books, with due dates and states.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: CompanyOption
    @Option(help: "The first period (YYYY-MM); default six months ago.") var from: String?
    @Option(help: "The last period (YYYY-MM); default two months ahead.") var to: String?

    func run() async throws {
        let entries = try await CLI.inCompany(global, target) { culise, company -> [FilingCalendarEntry] in
            let now = YearMonth(culise.today)
            func month(_ text: String?, _ shift: Int) throws -> YearMonth {
                if let text {
                    do { return try YearMonth(text: text) } catch { throw CLIError(message: "\(error.message)") }
                }
                var m = now
                for _ in 0..<abs(shift) { m = shift < 0 ? YearMonth(m.firstDay.adding(days: -1)) : YearMonth(m.lastDay.adding(days: 1)) }
                return m
            }
            return try await culise.filingCalendar(
                company: company.id, from: try month(from, -6), to: try month(to, 2), actor: .system("filing calendar"))
        }
        for entry in entries {
            let state = entry.filing.map { "\($0.state.rawValue) (\($0.id))" } ?? (entry.open ? "not generated" : "period not ended")
            print(
                "\(entry.due.iso)  \(entry.form.rawValue.uppercased()) \(entry.period)\(entry.obligation.quarterly ? " quarterly" : "")  \(state)\(entry.overdue ? "  OVERDUE" : "")\(entry.generated ? "" : "  (filed outside Culise)")"
            )
        }
    }
}
