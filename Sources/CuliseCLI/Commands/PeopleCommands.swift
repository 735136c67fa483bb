import Application
import ArgumentParser
import Foundation
import Kernel
import Ledger
import People
import PeopleApp

/// `culise employee …`: employees and their current contracts.
struct EmployeeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "employee", abstract: "Employees with their personal data and their current contract.",
        subcommands: [Add.self, List.self, Show.self, Import.self, Link.self])

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link an employee to the account they sign in with (self-service: their page, leave, policies; a manager's team).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var employee: String
        @Option(help: "The e-mail of a member of the company; omit to unlink.") var user: String?

        func run() async throws {
            try await CLI.inCompany(global, target) { culise, company in
                try await culise.linkEmployeeUser(company: company.id, employee: employee, email: user, actor: .system("employee link"))
            }
            print("\(employee.uppercased()): \(user.map { "linked to \($0)" } ?? "unlinked")")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an employee and, with --contract-number, their contract.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Employee code, unique in the company.") var code: String
        @Option var lastName: String
        @Option var firstName: String
        @Option(help: "CNP (13 digits, checked).") var cnp: String
        @Option var email: String?
        @Option var phone: String?
        @Option(help: "IBAN for the salary.") var iban: String?
        @Option(help: "County, ISO 3166-2:RO (RO-CJ, RO-B).") var county: String?
        @Option var city: String?
        @Option var department: String?
        @Option(help: "Position code (see `culise position list`).") var position: String?
        @Option(help: "The manager's employee code.") var manager: String?
        @Option(help: "Dependants for the personal deduction.") var dependants: Int?
        @Option var contractNumber: String?
        @Option(help: "The day the contract was signed (default: the start date).") var contractDate: String?
        @Option(help: "First day of work.") var start: String?
        @Option(help: "indefinite or fixed:YYYY-MM-DD.") var type = "indefinite"
        @Option(help: "Hours a day, 1–8.") var norm = 8
        @Option(help: "Base gross monthly salary in lei, e.g. 6500.00.") var salary: String?
        @Option(help: "COR occupation code (6 digits).") var cor: String?
        @Option(help: "Paid annual leave in working days (at least 20).") var leaveDays = 21

        func run() async throws {
            let input = EmployeeInput(
                code: code, lastName: lastName, firstName: firstName, cnp: cnp, city: city, county: county, phone: phone, email: email,
                iban: iban, department: department, position: position, manager: manager, declaredDependants: dependants)
            let terms = try contractNumber.map { number in
                try PeopleCLI.terms(
                    number: number, signed: contractDate ?? start, start: start, type: type, norm: norm, salary: salary, cor: cor,
                    position: position, leaveDays: leaveDays)
            }
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.addEmployee(company: company.id, input, contract: terms, actor: .system("employee add"))
            }
            print(
                "\(record.employee.code) \(record.employee.name): added\(terms.map { ", contract \($0.number) from \($0.start.iso)" } ?? "")"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Employees, by name.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var department: String?
        @Option(help: "table, csv or json.") var format: ReportFormat = .table

        func run() async throws {
            let items = try await CLI.inCompany(global, target) { culise, company in
                var all: [EmployeeSummary] = []
                var offset = 0
                while true {
                    let page = try await culise.employees(
                        company: company.id, department: department, page: try PageRequest(limit: Limits.maxPageSize, offset: offset),
                        actor: .system("employee list"))
                    all += page.items
                    guard let next = page.nextOffset else { return all }
                    offset = next
                }
            }
            switch format {
            case .json:
                try printJSON(items.map { ["code": $0.code, "name": $0.name, "department": $0.department, "position": $0.position] })
            case .csv:
                print("code,name,department,position,manager")
                for item in items {
                    print(
                        [item.code, item.name, item.department ?? "", item.position ?? "", item.manager ?? ""].map { CSV.cell($0) }.joined(
                            separator: ","))
                }
            case .table:
                for item in items {
                    print(
                        "\(item.code.padding(toLength: 10, withPad: " ", startingAt: 0)) \(item.name.padding(toLength: 32, withPad: " ", startingAt: 0)) \((item.department ?? "").padding(toLength: 10, withPad: " ", startingAt: 0)) \(item.position ?? "")"
                    )
                }
                print("\(items.count) employees")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One employee, with the contract's terms on a day.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var code: String
        @Option(help: "The day the contract's terms are shown for (default today).") var asOf: String?

        func run() async throws {
            let day = try parseDate(asOf, field: "as-of")
            try await CLI.inCompany(global, target) { culise, company in
                let record = try await culise.employee(company: company.id, code: code, actor: .system("employee show"))
                let employee = record.employee
                print("\(employee.code)  \(employee.name)  CNP \(employee.cnp) (\(employee.sex.rawValue), born \(employee.birthDate.iso))")
                print("department \(employee.department ?? "-")  position \(employee.position ?? "-")  manager \(employee.manager ?? "-")")
                print("dependants for the deduction: \(employee.deductionDependants)")
                let date = day ?? culise.today
                if let current = record.contract(on: date) {
                    let terms = current.terms
                    print(
                        "contract \(terms.number) on \(date.iso): \(current.state.rawValue), \(terms.duration), \(terms.normHours) h/day, \(terms.baseSalary.decimalString) lei, position \(terms.position), COR \(terms.corCode), \(terms.leaveDays) days of leave"
                    )
                } else {
                    print("no contract in force on \(date.iso)")
                }
                for contract in record.contracts {
                    for (event, reges) in zip(contract.contract.events, contract.reges) {
                        print(
                            "  \(event.effective.iso) \(event.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) REGES \(reges.state.rawValue) (by \(reges.deadline.iso))\(reges.receipt.map { " receipt \($0)" } ?? "")"
                        )
                    }
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import employees and their current contracts from a CSV; every row is checked first, nothing is written on error.",
            discussion:
                "Columns (header row, any order): \(EmployeeImport.required.joined(separator: ",")); optional: \(EmployeeImport.optional.joined(separator: ","))."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            guard let size = attributes?[.size] as? Int, size <= Limits.employeeImportBytes else {
                throw CLIError(message: "\(file): cannot read it, or it is larger than \(Limits.employeeImportBytes >> 20) MiB.")
            }
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw CLIError(message: "\(file): cannot read it as UTF-8 text.")
            }
            let report = try await CLI.inCompany(global, target) { culise, company in
                try await culise.importEmployees(company: company.id, csv: text, actor: .system("employee import"))
            }
            print("\(report.employees) employees imported")
            if !report.departmentsCreated.isEmpty { print("departments created: \(report.departmentsCreated.joined(separator: ", "))") }
            if !report.positionsCreated.isEmpty { print("positions created: \(report.positionsCreated.joined(separator: ", "))") }
        }
    }
}

/// `culise contract …`: dated events on an employee's contract.
struct ContractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract", abstract: "Amend, suspend, resume or terminate an employee's contract (dated events for REGES-ONLINE).",
        subcommands: [Amend.self, Suspend.self, Resume.self, Terminate.self])

    struct Target: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @OptionGroup var company: CompanyOption
        @Option(help: "The employee's code.") var employee: String
        @Option(help: "The day the event takes effect (a termination: the contract's last day).") var date: String
    }

    static func record(_ target: Target, _ input: ContractEventInput) async throws {
        let record = try await CLI.inCompany(target.global, target.company) { culise, company in
            try await culise.recordContractEvent(company: company.id, employee: target.employee, input, actor: .system("contract"))
        }
        if let status = record.reges.last {
            print("\(record.employee): \(input.kind.rawValue) on \(input.date); REGES-ONLINE by \(status.deadline.iso)")
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An amendment (act adițional): new salary, norm, position or COR code.")
        @OptionGroup var target: Target
        @Option(help: "New base gross salary in lei.") var salary: String?
        @Option(help: "New hours a day.") var norm: Int?
        @Option var position: String?
        @Option var cor: String?
        @Option var workplace: String?
        @Option(help: "New duration: indefinite or fixed:YYYY-MM-DD.") var type: String?

        func run() async throws {
            let salaryMoney: Money?
            let duration: ContractDuration?
            do {
                salaryMoney = try salary.map {
                    Money(minorUnits: try Money.parseMinorUnits($0, digits: 2, field: "salary"), currency: .ron)
                }
                duration = try type.map { try ContractDuration(parsing: $0, field: "type") }
            } catch {
                throw CLI.explain(error)
            }
            try await ContractCommand.record(
                target,
                ContractEventInput(
                    kind: .amendment, date: target.date,
                    change: ContractChange(
                        baseSalary: salaryMoney, normHours: norm, position: position, corCode: cor, workplace: workplace, duration: duration
                    )))
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend the contract, with its legal ground (Labour Code art. 50–54).")
        @OptionGroup var target: Target
        @Option(help: "The legal ground, e.g. \"art. 51 alin. (1) lit. a) concediu pentru creșterea copilului\".") var reason: String

        func run() async throws {
            try await ContractCommand.record(target, ContractEventInput(kind: .suspension, date: target.date, reason: reason))
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended contract.")
        @OptionGroup var target: Target

        func run() async throws {
            try await ContractCommand.record(target, ContractEventInput(kind: .resumption, date: target.date))
        }
    }

    struct Terminate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End the contract under a Labour Code article; --date is its last day.")
        @OptionGroup var target: Target
        @Option(help: "The Labour Code article, e.g. \"55 lit. b\" (agreement) or \"81\" (resignation).") var article: String

        func run() async throws {
            try await ContractCommand.record(target, ContractEventInput(kind: .termination, date: target.date, reason: article))
        }
    }
}

/// `culise reges …`: contract events to key into REGES-ONLINE.
struct RegesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reges", abstract: "Contract events waiting for REGES-ONLINE, and their receipts.",
        subcommands: [Pending.self, Transmitted.self])

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events not yet in REGES-ONLINE, earliest deadline first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "table, csv or json.") var format: ReportFormat = .table

        func run() async throws {
            let items = try await CLI.inCompany(global, target) { culise, company in
                try await culise.regesPending(company: company.id, actor: .system("reges pending"))
            }
            let rows = items.map {
                [
                    $0.deadline.iso, $0.overdue ? "OVERDUE" : "", $0.employee, $0.employeeName, $0.cnp, $0.contractNumber, $0.kind.rawValue,
                    $0.effective.iso, $0.contract.description, String($0.seq),
                ]
            }
            let header = ["deadline", "overdue", "employee", "name", "cnp", "contract", "event", "effective", "contract_id", "seq"]
            switch format {
            case .json: try printJSON(rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
            case .csv:
                print(header.joined(separator: ","))
                for row in rows { print(row.map { CSV.cell($0) }.joined(separator: ",")) }
            case .table:
                for row in rows { print(row.prefix(8).joined(separator: "  ")) }
                print("\(items.count) events pending, \(items.filter(\.overdue).count) overdue")
            }
        }
    }

    struct Transmitted: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the receipt REGES-ONLINE gave for an event.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The contract id (from `reges pending`).") var contract: String
        @Option(help: "The event's number in the contract (seq).") var seq: Int
        @Option(help: "The receipt number.") var receipt: String

        func run() async throws {
            guard let id = ContractID(string: contract) else { throw CLIError(message: "--contract: '\(contract)' is not a contract id.") }
            try await CLI.inCompany(global, target) { culise, company in
                try await culise.markRegesTransmitted(
                    company: company.id, contract: id, seq: seq, receipt: receipt, actor: .system("reges"))
            }
            print("event \(seq) of contract \(contract): transmitted, receipt \(receipt)")
        }
    }
}

/// `culise department …` and `culise position …`: the organisation.
struct DepartmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "department", abstract: "Departments (a tree) and positions with their COR code.",
        subcommands: [Add.self, List.self, AddPosition.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a department.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var code: String
        @Option var name: String
        @Option(help: "The parent department's code.") var parent: String?
        @Option(help: "The manager's employee code.") var manager: String?

        func run() async throws {
            let department = try await CLI.inCompany(global, target) { culise, company in
                try await culise.addDepartment(
                    company: company.id, Department(code: code, name: name, parent: parent, manager: manager),
                    actor: .system("department add"))
            }
            print("\(department.code) \(department.name): added")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Departments and positions.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let (departments, positions) = try await CLI.inCompany(global, target) { culise, company in
                (
                    try await culise.departments(company: company.id, actor: .system("department list")),
                    try await culise.positions(company: company.id, actor: .system("department list"))
                )
            }
            for department in departments {
                print("\(department.code)  \(department.name)\(department.parent.map { "  (in \($0))" } ?? "")")
                for position in positions where position.department == department.code {
                    print("    \(position.code)  \(position.title)  COR \(position.corCode)")
                }
            }
        }
    }

    struct AddPosition: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-position", abstract: "Add a position with its COR code.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var code: String
        @Option var title: String
        @Option(help: "COR occupation code (6 digits).") var cor: String
        @Option var department: String?

        func run() async throws {
            let position = try await CLI.inCompany(global, target) { culise, company in
                try await culise.addPosition(
                    company: company.id, Position(code: code, title: title, corCode: cor, department: department),
                    actor: .system("position add"))
            }
            print("\(position.code) \(position.title) (COR \(position.corCode)): added")
        }
    }
}

enum PeopleCLI {
    static func terms(
        number: String, signed: String?, start: String?, type: String, norm: Int, salary: String?, cor: String?, position: String?,
        leaveDays: Int
    ) throws -> ContractTerms {
        guard let start, let salary, let cor, let position else {
            throw CLIError(message: "A contract needs --start, --salary, --cor and --position.")
        }
        do {
            return ContractTerms(
                number: number, signed: try LocalDate(iso: signed ?? start, field: "contract-date"),
                start: try LocalDate(iso: start, field: "start"), duration: try ContractDuration(parsing: type),
                normHours: norm,
                baseSalary: Money(minorUnits: try Money.parseMinorUnits(salary, digits: 2, field: "salary"), currency: .ron),
                position: position.uppercased(), corCode: try COR.code(cor), leaveDays: leaveDays)
        } catch {
            throw CLIError(message: "\(error.field.map { "--\($0): " } ?? "")\(error.message)")
        }
    }
}
