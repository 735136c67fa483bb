import Application
import ArgumentParser
import Foundation
import Kernel
import Ledger
import Payroll
import PayrollApp

/// `culise payroll …`: the month's run (compute, approve, post, pay, correct), its register, variable items, the meal
/// voucher value and the net-to-gross calculator.
struct PayrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll", abstract: "Romanian payroll: runs from approved timesheets, approval, posting, payment, corrections.",
        subcommands: [
            Run.self, Report.self, Items.self, Settings.self, ParametersCommand.self, PayFile.self, TaxFile.self, D112Command.self,
            PayslipCommand.self,
            EmailPayslips.self,
            NetToGrossCommand.self,
        ])

    typealias Month = TimesheetCommand.Month

    /// A file's text to `out`, or to standard output.
    static func write(_ text: String, to out: String?) throws {
        guard let out else {
            print(text, terminator: "")
            return
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        print("wrote \(out)")
    }

    static func lei(_ text: String?, field: String) throws -> Money {
        guard let text else { return .zero(.ron) }
        do { return .ron(try Money.parseMinorUnits(text, digits: 2, field: field)) } catch {
            throw CLIError(message: "--\(field): \(error.message)")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The month's run: show it, or --compute, --approve, --reject, --post, --pay DATE, --correct (after posting).")
        @OptionGroup var month: Month
        @Flag var compute = false
        @Flag var approve = false
        @Flag var reject = false
        @Flag var post = false
        @Option(help: "Record the nets as paid from the bank on this day.") var pay: String?
        @Flag(help: "After posting: a correcting run from today's data; posting it posts the differences.") var correct = false

        func run() async throws {
            let parsed = try month.parsed()
            let payDate = try parseDate(pay, field: "pay")
            let run = try await CLI.inCompany(month.global, month.target) { culise, company -> PayrollRunRecord? in
                let id = company.id
                if compute { return try await culise.computePayroll(company: id, month: parsed, actor: .system("payroll compute")) }
                if correct { return try await culise.correctPayroll(company: id, month: parsed, actor: .system("payroll correct")) }
                if approve || reject {
                    return try await culise.decidePayroll(company: id, month: parsed, approve: approve, actor: .system("payroll approve"))
                }
                if post { return try await culise.postPayroll(company: id, month: parsed, actor: .system("payroll post")) }
                if let payDate {
                    return try await culise.payPayroll(company: id, month: parsed, date: payDate, actor: .system("payroll pay"))
                }
                return try await culise.payrollRuns(company: id, month: parsed, actor: .system("payroll run")).last
            }
            guard let run else {
                print("no payroll run for \(parsed); compute it with --compute")
                return
            }
            print(
                "\(run.month) \(run.kind) run \(run.id): \(run.state.rawValue), \(run.lines.count) employees, gross \(run.total(\.gross).decimalString), to pay \(run.total(\.netToPay).decimalString), employer cost \(run.total(\.employerCost).decimalString)"
            )
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "The payroll register (stat de plată) of the month's latest run: one row per employee (or per department or cost centre with --by), amounts in lei."
        )
        @OptionGroup var month: Month
        @Option(help: "table, csv or json.") var format: ReportFormat = .table
        @Option(help: "Sum by department or cost_centre instead of one row per employee.") var by: String?

        func run() async throws {
            let parsed = try month.parsed()
            let grouping = try by.map { text -> Culise.PayrollGrouping in
                guard let grouping = Culise.PayrollGrouping(rawValue: text.replacingOccurrences(of: "-", with: "_")) else {
                    throw CLIError(message: "--by: use department or cost_centre")
                }
                return grouping
            }
            let header: [String]
            let rows: [[String]]
            if let grouping {
                let summary = try await CLI.inCompany(month.global, month.target) { culise, company in
                    try await culise.payrollSummary(company: company.id, month: parsed, by: grouping, actor: .system("payroll report"))
                }
                header = [
                    grouping.rawValue, "name", "employees", "gross", "cas", "cass", "tax", "net", "net_to_pay", "meal_vouchers", "cam",
                    "cost",
                ]
                rows = summary.map { row in
                    [row.key ?? "", row.name ?? "", String(row.employees)]
                        + [row.gross, row.cas, row.cass, row.tax, row.net, row.netToPay, row.mealVouchers, row.cam, row.cost].map(
                            \.decimalString)
                }
            } else {
                let runs = try await CLI.inCompany(month.global, month.target) { culise, company in
                    try await culise.payrollRuns(company: company.id, month: parsed, actor: .system("payroll report"))
                }
                guard let run = runs.last else { throw CLIError(message: "no payroll run for \(parsed); compute it first") }
                header = ["code", "name", "gross", "cas", "cass", "deduction", "taxable", "tax", "net", "net_to_pay", "cam", "cost"]
                rows = run.lines.map { line -> [String] in
                    let r = line.result
                    return [line.employee, line.name]
                        + [r.gross, r.cas, r.cass, r.deduction, r.taxable, r.tax, r.net, r.netToPay, r.cam, r.employerCost].map(
                            \.decimalString)
                }
            }
            switch format {
            case .json: try printJSON(rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
            case .csv:
                print(header.joined(separator: ","))
                for row in rows { print(row.enumerated().map { $0.offset < 2 ? CSV.cell($0.element) : $0.element }.joined(separator: ",")) }
            case .table:
                print(
                    header.enumerated().map {
                        $0.offset < 2
                            ? $0.element.padding(toLength: $0.offset == 0 ? 8 : 24, withPad: " ", startingAt: 0) : $0.element.leftPadded(10)
                    }.joined(separator: " "))
                for row in rows {
                    print(
                        row.enumerated().map {
                            $0.offset < 2
                                ? $0.element.padding(toLength: $0.offset == 0 ? 8 : 24, withPad: " ", startingAt: 0)
                                : $0.element.leftPadded(10)
                        }.joined(separator: " "))
                }
            }
        }
    }

    struct Items: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one employee's variable items for the month (counted at the next computation).")
        @OptionGroup var month: Month
        @Option var employee: String
        @Option(help: "Bonuses, lei.") var bonuses: String?
        @Option(help: "Overtime hours paid with the premium.") var overtime: Int = 0
        @Option(help: "Advance paid during the month, lei.") var advance: String?
        @Option(help: "Withheld for third parties (garnishments), lei.") var garnishments: String?

        func run() async throws {
            let parsed = try month.parsed()
            let items = PayrollItems(
                bonuses: try PayrollCommand.lei(bonuses, field: "bonuses"), overtimeHours: overtime,
                advance: try PayrollCommand.lei(advance, field: "advance"),
                garnishments: try PayrollCommand.lei(garnishments, field: "garnishments"))
            try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.setPayrollItems(
                    company: company.id, month: parsed, employee: employee, items, actor: .system("payroll items"))
            }
            print("\(employee.uppercased()) \(parsed): items saved")
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Payroll settings: the meal voucher per day worked, and for D112 the CAEN code and the declarant.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(name: .customLong("meal-voucher"), help: "Lei, at most the legal maximum (45); 0: none.") var mealVoucher: String?
        @Option(help: "The company's main activity (CAEN, four digits), for D112.") var caen: String?
        @Option(name: .customLong("declarant-last-name"), help: "Who signs D112: last name.") var declarantLastName: String?
        @Option(name: .customLong("declarant-first-name"), help: "First name.") var declarantFirstName: String?
        @Option(name: .customLong("declarant-function"), help: "Function (e.g. Administrator).") var declarantFunction: String?

        func run() async throws {
            let value = try mealVoucher.map { try PayrollCommand.lei($0, field: "meal-voucher") }
            let filing = [caen, declarantLastName, declarantFirstName, declarantFunction].contains { $0 != nil }
            let settings = try await CLI.inCompany(global, target) { culise, company -> PayrollFilingSettings in
                let actor = Actor.system("payroll settings")
                if let value { try await culise.setMealVoucherValue(company: company.id, value, actor: actor) }
                if filing {
                    let before = try await culise.payrollFilingSettings(company: company.id, actor: actor)
                    try await culise.setPayrollFilingSettings(
                        company: company.id,
                        PayrollFilingSettings(
                            caen: caen ?? before.caen, declarantLastName: declarantLastName ?? before.declarantLastName,
                            declarantFirstName: declarantFirstName ?? before.declarantFirstName,
                            declarantFunction: declarantFunction ?? before.declarantFunction), actor: actor)
                }
                return try await culise.payrollFilingSettings(company: company.id, actor: actor)
            }
            if let value { print("meal voucher: \(value.decimalString) lei per day worked") }
            print(
                "D112: CAEN \(settings.caen ?? "-"), declarant \([settings.declarantLastName, settings.declarantFirstName].compactMap { $0 }.joined(separator: " ")) (\(settings.declarantFunction ?? "-"))"
            )
        }
    }

    struct ParametersCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parameters",
            abstract: "The payroll parameter sets by date; with --from, set values from that month over the set in force (audited).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The month the new values apply from (YYYY-MM).") var from: String?
        @Option(name: .customLong("minimum-wage")) var minimumWage: String?
        @Option(name: .customLong("untaxed-amount")) var untaxedAmount: String?
        @Option(name: .customLong("untaxed-ceiling")) var untaxedCeiling: String?
        @Option var cas: String?
        @Option var cass: String?
        @Option(name: .customLong("income-tax")) var incomeTax: String?
        @Option var cam: String?
        @Option(help: "Personal deduction percents by dependants, e.g. \"20 25 30 35 45\".") var deductions: String?
        @Option(name: .customLong("meal-voucher-max")) var mealVoucherMax: String?
        @Option(name: .customLong("child-in-school")) var childInSchool: String?

        func run() async throws {
            let month = try from.map { try YearMonth(text: $0, field: "from") }
            let sets = try await CLI.inCompany(global, target) { culise, company -> [PayrollParameterSet] in
                let actor = Actor.system("payroll parameters")
                if let month {
                    let base = try PayrollParameterTable.inForce(
                        month, in: try await culise.payrollParameterSets(company: company.id, actor: actor).map(\.parameters))
                    let typed: [String: String] = [
                        "minimum_wage": minimumWage, "untaxed_amount": untaxedAmount, "untaxed_income_ceiling": untaxedCeiling,
                        "cas_percent": cas, "cass_percent": cass, "income_tax_percent": incomeTax, "cam_percent": cam,
                        "deduction_percents": deductions, "meal_voucher_max": mealVoucherMax, "child_in_school": childInSchool,
                    ].compactMapValues { $0 }
                    _ = try await culise.setPayrollParameters(
                        company: company.id, try PayrollParameterInput.apply(typed, to: base, from: month), actor: actor)
                }
                return try await culise.payrollParameterSets(company: company.id, actor: actor)
            }
            for set in sets {
                let x = set.parameters
                print(
                    "\(x.from.iso)  minimum \(x.minimumWage.decimalString)  untaxed \(x.untaxedAmount.decimalString)/\(x.untaxedIncomeCeiling.decimalString)  CAS \(x.casPercent) CASS \(x.cassPercent) tax \(x.incomeTaxPercent) CAM \(x.camPercent)  deductions \(x.deductionPercents.map { "\($0)" }.joined(separator: " "))  vouchers ≤ \(x.mealVoucherMax.decimalString)  (\(set.source)\(set.setBy.map { " \($0)" } ?? ""))"
                )
            }
        }
    }

    struct TaxFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tax-file",
            abstract: "The month's contributions and income tax as one pain.001.001.03 transfer of what its D112 declares, to the Treasury."
        )
        @OptionGroup var month: Month
        @Option(help: "The company's account to pay from (IBAN).") var account: String
        @Option(help: "The company's Treasury account (cont unic, RO..TREZ...).") var treasury: String
        @Option(help: "Its bank's BIC (optional).") var bic: String?
        @Option(help: "The day the bank should pay (default today).") var date: String?
        @Option(help: "Write here instead of standard output.") var out: String?

        func run() async throws {
            let parsed = try month.parsed()
            let day = try parseDate(date, field: "date")
            let xml = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.treasuryPaymentFile(
                    company: company.id, month: parsed, debtorIBAN: account, treasuryIBAN: treasury, debtorBIC: bic,
                    executionDate: day ?? culise.today, actor: .system("payroll tax-file"))
            }
            try PayrollCommand.write(xml, to: out)
        }
    }

    struct PayslipCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "payslip", abstract: "One employee's payslip of the month's latest run, as PDF or a standalone HTML page.")
        @OptionGroup var month: Month
        @Option(help: "The employee's code.") var employee: String
        @Option(help: "pdf or html.") var format = "pdf"
        @Flag(help: "In English (default Romanian).") var english = false
        @Option(help: "Write here (default: fluturas_MONTH_EMPLOYEE.pdf|html).") var out: String?

        func run() async throws {
            let parsed = try month.parsed()
            let data = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.payslipDocument(
                    company: company.id, month: parsed, employee: employee, format: format, english: english,
                    actor: .system("payroll payslip"))
            }
            let path = out ?? "fluturas_\(parsed)_\(employee.filter { $0.isLetter || $0.isNumber }).\(format)"
            try data.write(to: URL(fileURLWithPath: path))
            print("wrote \(path) (\(data.count) bytes)")
        }
    }

    struct EmailPayslips: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "email-payslips",
            abstract:
                "E-mail each employee of the posted month their payslip as a PDF (queued; `culise serve` or `culise jobs work` sends).")
        @OptionGroup var month: Month

        func run() async throws {
            let parsed = try month.parsed()
            let mailing = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.emailPayslips(company: company.id, month: parsed, actor: .system("payroll email-payslips"))
            }
            print("\(mailing.queued) payslips queued for e-mail")
            if !mailing.withoutEmail.isEmpty { print("without an e-mail address: \(mailing.withoutEmail.joined(separator: ", "))") }
        }
    }

    struct D112Command: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "d112",
            abstract:
                "The month's D112 (declarația unică): kept as a filing once the run is posted (rectifying after an answered one); a draft, not kept, before."
        )
        @OptionGroup var month: Month
        @Option(help: "Write the XML here instead of standard output.") var out: String?

        func run() async throws {
            let parsed = try month.parsed()
            let (xml, summary) = try await CLI.inCompany(month.global, month.target) { culise, company -> (String, String) in
                let actor = Actor.system("payroll d112")
                let state = try await culise.payrollRuns(company: company.id, month: parsed, actor: actor).last?.state
                if let state, [.posted, .paid].contains(state) {
                    let filing = try await culise.generateD112(company: company.id, month: parsed, actor: actor)
                    let problems = filing.problems.map { "\n  \($0.check): \($0.message)" }.joined()
                    return (
                        filing.xml,
                        "D112 \(parsed) filing \(filing.id): \(filing.state.rawValue)\(filing.rectifying ? " (rectifying)" : ""), due \(filing.due.iso), sha256 \(filing.sha256)\(problems)"
                    )
                }
                let draft = try await culise.d112Draft(company: company.id, month: parsed, actor: actor)
                let problems = draft.problems.map { "\n  \($0.check): \($0.message)" }.joined()
                return (draft.xml, "D112 \(parsed): draft of a \(state?.rawValue ?? "missing") run, not kept\(problems)")
            }
            if let out {
                try Data(xml.utf8).write(to: URL(fileURLWithPath: out))
                print("wrote \(out)")
                print(summary)
            } else {
                print(xml, terminator: "")
                FileHandle.standardError.write(Data((summary + "\n").utf8))
            }
        }
    }

    struct PayFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pay-file",
            abstract: "The posted month's salary transfers for the bank: ISO 20022 pain.001.001.03, or CSV.")
        @OptionGroup var month: Month
        @Option(help: "pain001 or csv.") var format = "pain001"
        @Option(help: "The company's account to pay from (IBAN); pain001 only.") var account: String?
        @Option(help: "Its bank's BIC (optional).") var bic: String?
        @Option(help: "The day the bank should pay (default today).") var date: String?
        @Option(help: "Write here instead of standard output.") var out: String?

        func run() async throws {
            let parsed = try month.parsed()
            let day = try parseDate(date, field: "date")
            guard ["pain001", "csv"].contains(format) else { throw CLIError(message: "--format: use pain001 or csv") }
            if format == "pain001", account == nil { throw CLIError(message: "--account: the IBAN to pay from is needed for pain001") }
            let content = try await CLI.inCompany(month.global, month.target) { culise, company -> String in
                let actor = Actor.system("payroll pay-file")
                if format == "csv" { return try await culise.salaryPaymentCSV(company: company.id, month: parsed, actor: actor) }
                return try await culise.salaryPaymentFile(
                    company: company.id, month: parsed, debtorIBAN: account ?? "", debtorBIC: bic, executionDate: day ?? culise.today,
                    actor: actor)
            }
            try PayrollCommand.write(content, to: out)
        }
    }

    struct NetToGrossCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "net-to-gross", abstract: "The gross base salary a net needs (an offer), with the month's rules.")
        @Option(help: "The net wanted, lei.") var net: String
        @Option(help: "The month whose rules apply, YYYY-MM.") var month: String
        @Option var dependants = 0
        @Option(help: "Hours a day.") var norm = 8
        @Option(help: "Birth date (the under-26 deduction).") var born = "1990-01-01"

        func run() async throws {
            let target = try PayrollCommand.lei(net, field: "net")
            let ym: YearMonth
            do { ym = try YearMonth(text: month) } catch { throw CLIError(message: "--month: \(error.message)") }
            guard let birth = try parseDate(born, field: "born") else { return }
            let days = WorkingDays.count(from: ym.firstDay, through: ym.lastDay)
            do {
                let parameters = try PayrollParameterTable.inForce(ym)
                let template = PayInput(
                    employee: "-", month: ym, birthDate: birth, dependants: dependants, monthWorkingDays: days,
                    segments: [PaySegment(baseSalary: .zero(.ron), normHours: norm, workedDays: days)])
                let answer = try NetToGross.gross(forNet: target, template: template, parameters)
                print(
                    "gross \(answer.gross.decimalString) → net \(answer.result.net.decimalString)\(answer.exact ? "" : " (no gross gives exactly \(target.decimalString))")"
                )
                for line in answer.result.lines {
                    print(
                        "  \(line.code.padding(toLength: 14, withPad: " ", startingAt: 0)) \(line.amount.decimalString.leftPadded(10))  \(line.explanation)"
                    )
                }
            } catch let error as ValidationErrors {
                throw CLIError(message: error.problems.map(\.message).joined(separator: "\n"))
            } catch let error as DomainError {
                throw CLIError(message: error.message)
            }
        }
    }
}
