import Application
import ArgumentParser
import Foundation
import Kernel
import People
import PeopleApp

/// `culise leave …`: leave requests, decisions and balances.
struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Leave: requests (working days counted, weekends and holidays out), decisions, balances.",
        subcommands: [Request.self, Approve.self, Reject.self, Cancel.self, Balance.self, List.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Request leave for an employee.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var employee: String
        @Option(help: "annual, medical, unpaid, family, maternity, child_care or study.") var type = "annual"
        @Option(help: "First day.") var from: String
        @Option(help: "Last day.") var to: String
        @Option(help: "Medical leave: the certificate as SERIES/NUMBER/CODE, e.g. CCMAM/1234567/01.") var certificate: String?
        @Option var note: String?

        func run() async throws {
            let parts = certificate?.split(separator: "/").map(String.init)
            let medical = parts.map {
                MedicalCertificate(series: $0.first ?? "", number: $0.count > 1 ? $0[1] : "", indemnityCode: $0.count > 2 ? $0[2] : "")
            }
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.requestLeave(
                    company: company.id, employee: employee,
                    LeaveInput(type: type, from: from, to: to, certificate: medical, note: note), actor: .system("leave request"))
            }
            print(
                "\(record.id) \(record.employee) \(record.type.code) \(record.from.iso)..\(record.to.iso): \(record.days) working days, requested"
            )
        }
    }

    struct Decision: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The request's id.") var id: String
    }

    static func decide(_ decision: Decision, _ action: LeaveState.Action) async throws {
        guard let id = LeaveID(string: decision.id) else { throw CLIError(message: "'\(decision.id)' is not a leave request id.") }
        let record = try await CLI.inCompany(decision.global, decision.target) { culise, company in
            try await culise.decideLeave(company: company.id, id: id, action, actor: .system("leave \(action.rawValue)"))
        }
        print("\(record.id) \(record.employee) \(record.from.iso)..\(record.to.iso): \(record.state.rawValue)")
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a leave request.")
        @OptionGroup var decision: Decision
        func run() async throws { try await LeaveCommand.decide(decision, .approve) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a leave request.")
        @OptionGroup var decision: Decision
        func run() async throws { try await LeaveCommand.decide(decision, .reject) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a requested or approved leave.")
        @OptionGroup var decision: Decision
        func run() async throws { try await LeaveCommand.decide(decision, .cancel) }
    }

    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Annual leave per employee in a year: entitlement, carried over, taken, asked, left.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The year (default this year).") var year: Int?
        @Option(help: "table, csv or json.") var format: ReportFormat = .table

        func run() async throws {
            let balances = try await CLI.inCompany(global, target) { culise, company in
                try await culise.leaveBalances(company: company.id, year: year ?? culise.today.year, actor: .system("leave balance"))
            }
            let rows = balances.map {
                [
                    $0.employee, $0.name, String($0.entitlement), String($0.carriedOver), String($0.taken), String($0.pending),
                    String($0.remaining),
                ]
            }
            let header = ["employee", "name", "entitlement", "carried_over", "taken", "pending", "remaining"]
            switch format {
            case .json: try printJSON(rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
            case .csv:
                print(header.joined(separator: ","))
                for row in rows { print(row.joined(separator: ",")) }
            case .table:
                for row in rows {
                    print(
                        row.enumerated().map {
                            $0.offset == 1 ? $0.element.padding(toLength: 28, withPad: " ", startingAt: 0) : $0.element.leftPadded(6)
                        }.joined(separator: " "))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Leave in a period (the calendar).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var from: String
        @Option var to: String
        @Option var employee: String?

        func run() async throws {
            guard let start = try parseDate(from, field: "from"), let end = try parseDate(to, field: "to") else { return }
            let items = try await CLI.inCompany(global, target) { culise, company in
                try await culise.leaveRequests(company: company.id, employee: employee, from: start, to: end, actor: .system("leave list"))
            }
            for item in items {
                print(
                    "\(item.from.iso)..\(item.to.iso) \(item.employee) \(item.type.code) \(item.days) d \(item.state.rawValue) \(item.id)")
            }
        }
    }
}

/// `culise timesheet …`: monthly timesheets (pontaj).
struct TimesheetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timesheet", abstract: "Monthly timesheets from contracts, holidays and approved leave; approved ones are locked.",
        subcommands: [Generate.self, Show.self, Approve.self, Reopen.self, Edit.self])

    struct Month: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The month, YYYY-MM.") var month: String

        func parsed() throws -> YearMonth {
            do { return try YearMonth(text: month) } catch { throw CLIError(message: "--month: \(error.message)") }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate (or generate again) the month's draft timesheets.")
        @OptionGroup var month: Month
        @Option var employee: String?

        func run() async throws {
            let parsed = try month.parsed()
            let count = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.generateTimesheets(
                    company: company.id, month: parsed, employee: employee, actor: .system("timesheet generate"))
            }
            print("\(count) timesheets generated for \(parsed)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One employee's timesheet, a line per day.")
        @OptionGroup var month: Month
        @Option var employee: String

        func run() async throws {
            let parsed = try month.parsed()
            let record = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.timesheet(company: company.id, employee: employee, month: parsed, actor: .system("timesheet show"))
            }
            print("\(record.employee) \(record.month): \(record.state.rawValue), \(record.hours) hours")
            for day in record.days { print("  \(day.date.iso) \(String(day.hours).leftPadded(2)) \(day.code)") }
            let totals = Timesheets.totals(record.days).byCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            if !totals.isEmpty { print("days by code: \(totals.joined(separator: ", "))") }
        }
    }

    struct Decision: ParsableArguments {
        @OptionGroup var month: Month
        @Option(help: "One employee (default: every timesheet of the month).") var employee: String?
    }

    static func decide(_ decision: Decision, _ action: TimesheetState.Action) async throws {
        let parsed = try decision.month.parsed()
        let count = try await CLI.inCompany(decision.month.global, decision.month.target) { culise, company in
            let actor = Actor.system("timesheet \(action.rawValue)")
            var employees: [String]
            if let one = decision.employee {
                employees = [one]
            } else {
                employees = try await culise.timesheets(company: company.id, month: parsed, actor: actor)
                    .filter { $0.state.applying(action) != nil }.map(\.employee)
            }
            for employee in employees {
                _ = try await culise.decideTimesheet(company: company.id, employee: employee, month: parsed, action, actor: actor)
            }
            return employees.count
        }
        print("\(count) timesheets: \(action == .approve ? "approved" : "reopened")")
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve (lock) timesheets; payroll reads only approved ones.")
        @OptionGroup var decision: Decision
        func run() async throws { try await TimesheetCommand.decide(decision, .approve) }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen approved timesheets for changes (audited).")
        @OptionGroup var decision: Decision
        func run() async throws { try await TimesheetCommand.decide(decision, .reopen) }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change one day of a draft timesheet.")
        @OptionGroup var month: Month
        @Option var employee: String
        @Option var date: String
        @Option var hours: Int
        @Option(help: "A code (CO, CM, AN, ON, SL, …); empty for hours worked.") var code = ""

        func run() async throws {
            let parsed = try month.parsed()
            guard let day = try parseDate(date, field: "date") else { return }
            let record = try await CLI.inCompany(month.global, month.target) { culise, company in
                try await culise.editTimesheet(
                    company: company.id, employee: employee, month: parsed, date: day, hours: hours, code: code,
                    actor: .system("timesheet edit"))
            }
            print("\(record.employee) \(record.month): \(record.hours) hours")
        }
    }
}
