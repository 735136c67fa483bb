import Application
import Companies
import Foundation
import Identity
import Kernel
import People
import SQLKit
import Storage

/// Where a contract event stands in REGES-ONLINE. No public API of REGES-ONLINE is known (shared reference §7): an
/// operator keys the pending events in and types the receipt number back (docs/people.md).
public enum RegesState: String, Sendable, Codable, CaseIterable {
    case pending, transmitted, corrected
}

public struct RegesStatus: Sendable, Equatable {
    public var seq: Int
    public var state: RegesState
    public var deadline: LocalDate
    public var receipt: String?
    public var at: String?
}

/// A contract with its events and each event's REGES-ONLINE status (`reges[i]` belongs to `contract.events[i]`).
public struct ContractRecord: Sendable, Equatable {
    public var id: ContractID
    public var employee: String
    public var contract: Contract
    public var reges: [RegesStatus]
}

/// An employee with their contracts.
public struct EmployeeRecord: Sendable, Equatable {
    public var employee: Employee
    public var contracts: [ContractRecord]

    /// The contract in force on `date` (the latest one that has started), with its terms and state.
    public func contract(on date: LocalDate) -> (record: ContractRecord, terms: ContractTerms, state: ContractState)? {
        for record in contracts.reversed() {
            if let (terms, state) = record.contract.terms(on: date) { return (record, terms, state) }
        }
        return nil
    }
}

/// One line of the list of employees.
public struct EmployeeSummary: Sendable, Equatable {
    public var code: String
    public var name: String
    public var department: String?
    public var position: String?
    public var manager: String?
}

/// A contract event waiting to be keyed into REGES-ONLINE.
public struct RegesPendingItem: Sendable, Equatable {
    public var contract: ContractID
    public var seq: Int
    public var employee: String
    public var employeeName: String
    public var cnp: String
    public var contractNumber: String
    public var kind: ContractEvent.Kind
    public var effective: LocalDate
    public var deadline: LocalDate
    public var overdue: Bool
}

public struct EmployeeImportReport: Sendable, Equatable {
    public var employees: Int
    public var departmentsCreated: [String]
    public var positionsCreated: [String]
}

extension Culise {
    // MARK: - Organisation

    public func addDepartment(company: CompanyID, _ input: Department, actor: Actor) async throws -> Department {
        try actor.require(.hr, .write, in: company)
        var problems = ProblemCollector()
        let code = problems.collect { () throws(DomainError) in try Organisation.code(input.code, field: "code", what: "a department") }
        let name = problems.collect { () throws(DomainError) in try Organisation.name(input.name, field: "name") }
        try problems.throwIfAny()
        guard let code, let name else { throw ValidationErrors(problems.problems) }
        let parent = input.parent.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.uppercased() }
        let department = Department(
            code: code, name: name, parent: parent, manager: input.manager?.uppercased(), costCentre: input.costCentre)
        return try await transaction { db in
            let existing = try await Self.loadDepartments(db, company: company)
            if let parent { try Organisation.checkParent(of: code, parent: parent, in: existing) }
            if let manager = department.manager, try await PeopleStore.loadEmployee(db, company: company, code: manager) == nil {
                throw DomainError(
                    "employee.manager_unknown", kind: .notFound, field: "manager",
                    "You cannot name \(manager) as manager because there is no such employee.")
            }
            let inserted = try await db.raw(
                """
                INSERT INTO departments (company_id, code, name, parent, manager, cost_centre, created_at)
                VALUES (\(bind: company.description), \(bind: code), \(bind: name), \(bind: parent), \(bind: department.manager),
                    \(bind: department.costCentre), \(bind: self.nowText))
                ON CONFLICT (company_id, code) DO NOTHING RETURNING code
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "department.code_taken", kind: .conflict, field: "code", "You cannot add department \(code) because that code is taken."
                )
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "department.create", entity: "department", entityID: code,
                changes: [FieldChange("name", before: nil, after: name), FieldChange("parent", before: nil, after: parent)], now: self.now)
            return department
        }
    }

    /// Names (or clears) the employee who manages a department.
    public func setDepartmentManager(company: CompanyID, department: String, manager: String?, actor: Actor) async throws {
        try actor.require(.hr, .write, in: company)
        let code = department.uppercased()
        let manager = manager.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.uppercased() }
        try await transaction { db in
            guard let before = try await Self.loadDepartments(db, company: company)[code] else {
                throw DomainError(
                    "department.not_found", kind: .notFound, field: "department",
                    "You cannot use department \(code) because it does not exist.")
            }
            if let manager, try await PeopleStore.loadEmployee(db, company: company, code: manager) == nil {
                throw DomainError(
                    "employee.manager_unknown", kind: .notFound, field: "manager",
                    "You cannot name \(manager) as manager because there is no such employee.")
            }
            try await db.raw(
                "UPDATE departments SET manager = \(bind: manager) WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "department.manager", entity: "department", entityID: code,
                changes: [FieldChange("manager", before: before.manager, after: manager)], now: self.now)
        }
    }

    public func departments(company: CompanyID, actor: Actor) async throws -> [Department] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadDepartments(db, company: company) }.values.sorted { $0.code < $1.code }
    }

    static func loadDepartments(_ db: any SQLDatabase, company: CompanyID) async throws -> [String: Department] {
        let rows = try await db.raw(
            "SELECT code, name, parent, manager, cost_centre FROM departments WHERE company_id = \(bind: company.description) ORDER BY code LIMIT \(bind: Limits.departments + 1)"
        ).all()
        guard rows.count <= Limits.departments else {
            throw DomainError("department.too_many", kind: .tooLarge, "You cannot have more than \(Limits.departments) departments.")
        }
        var result: [String: Department] = [:]
        for row in rows {
            let department = Department(
                code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
                parent: try row.decode(column: "parent", as: String?.self), manager: try row.decode(column: "manager", as: String?.self),
                costCentre: try row.decode(column: "cost_centre", as: String?.self))
            result[department.code] = department
        }
        return result
    }

    public func addPosition(company: CompanyID, _ input: Position, actor: Actor) async throws -> Position {
        try actor.require(.hr, .write, in: company)
        var problems = ProblemCollector()
        let code = problems.collect { () throws(DomainError) in try Organisation.code(input.code, field: "code", what: "a position") }
        let title = problems.collect { () throws(DomainError) in try Organisation.name(input.title, field: "title") }
        let cor = problems.collect { () throws(DomainError) in try COR.code(input.corCode) }
        try problems.throwIfAny()
        guard let code, let title, let cor else { throw ValidationErrors(problems.problems) }
        let position = Position(code: code, title: title, corCode: cor, department: input.department?.uppercased())
        return try await transaction { db in
            if let department = position.department, try await Self.loadDepartments(db, company: company)[department] == nil {
                throw DomainError(
                    "department.not_found", kind: .notFound, field: "department",
                    "You cannot use department \(department) because it does not exist.")
            }
            let inserted = try await db.raw(
                """
                INSERT INTO positions (company_id, code, title, cor_code, department, created_at)
                VALUES (\(bind: company.description), \(bind: code), \(bind: title), \(bind: cor), \(bind: position.department), \(bind: self.nowText))
                ON CONFLICT (company_id, code) DO NOTHING RETURNING code
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "position.code_taken", kind: .conflict, field: "code", "You cannot add position \(code) because that code is taken.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "position.create", entity: "position", entityID: code,
                changes: [FieldChange("title", before: nil, after: title), FieldChange("cor_code", before: nil, after: cor)], now: self.now)
            return position
        }
    }

    public func positions(company: CompanyID, actor: Actor) async throws -> [Position] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadPositions(db, company: company) }.values.sorted { $0.code < $1.code }
    }

    static func loadPositions(_ db: any SQLDatabase, company: CompanyID) async throws -> [String: Position] {
        var result: [String: Position] = [:]
        for row in try await db.raw(
            "SELECT code, title, cor_code, department FROM positions WHERE company_id = \(bind: company.description)"
        ).all() {
            let position = Position(
                code: try row.decode(column: "code", as: String.self), title: try row.decode(column: "title", as: String.self),
                corCode: try row.decode(column: "cor_code", as: String.self),
                department: try row.decode(column: "department", as: String?.self))
            result[position.code] = position
        }
        return result
    }

    // MARK: - Employees

    /// Adds an employee and, when `contract` is given, their contract (hired on its start date); one transaction.
    public func addEmployee(
        company: CompanyID, _ input: EmployeeInput, contract: ContractTerms?, actor: Actor
    ) async throws
        -> EmployeeRecord
    {
        try actor.require(.hr, .write, in: company)
        let employee = try input.validated(today: today)
        let hire = try contract.map { terms throws(ValidationErrors) in try Contract(hire: terms) }
        return try await transaction { db in
            try await Self.checkReferences(db, company: company, [employee])
            try await Self.insertEmployees(db, company: company, [(employee, hire)], actor: actor, at: self.now)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.create", entity: "employee", entityID: employee.code,
                changes: [
                    FieldChange("name", before: nil, after: employee.name, personal: true),
                    FieldChange("contract", before: nil, after: contract?.number),
                ], now: self.now)
            return try await Self.requireEmployee(db, company: company, code: employee.code)
        }
    }

    public func employee(company: CompanyID, code: String, actor: Actor) async throws -> EmployeeRecord {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.requireEmployee(db, company: company, code: code.uppercased()) }
    }

    public func employees(company: CompanyID, department: String?, page: PageRequest, actor: Actor) async throws -> Page<EmployeeSummary> {
        try actor.require(.hr, .read, in: company)
        let cid = company.description
        var condition: SQLQueryString = "company_id = \(bind: cid)"
        if let department, !department.isEmpty { condition = condition + " AND department = \(bind: department.uppercased())" }
        let filter = condition
        return try await read { db in
            let total =
                try await db.raw("SELECT COUNT(*) AS n FROM employees WHERE " + filter).first()?.decode(column: "n", as: Int64.self) ?? 0
            let items = try await db.raw(
                "SELECT code, last_name, first_name, department, position, manager FROM employees WHERE " + filter
                    + " ORDER BY last_name, first_name, code LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all().map { row in
                EmployeeSummary(
                    code: try row.decode(column: "code", as: String.self),
                    name:
                        "\(try row.decode(column: "last_name", as: String.self)) \(try row.decode(column: "first_name", as: String.self))",
                    department: try row.decode(column: "department", as: String?.self),
                    position: try row.decode(column: "position", as: String?.self),
                    manager: try row.decode(column: "manager", as: String?.self))
            }
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    static func requireEmployee(_ db: any SQLDatabase, company: CompanyID, code: String) async throws -> EmployeeRecord {
        guard let employee = try await PeopleStore.loadEmployee(db, company: company, code: code) else {
            throw DomainError("employee.not_found", kind: .notFound, "You cannot open employee \(code) because there is no such employee.")
        }
        return EmployeeRecord(employee: employee, contracts: try await PeopleStore.loadContracts(db, company: company, employee: code))
    }

    /// Departments, positions and managers an employee names must exist; codes and CNPs must be free.
    static func checkReferences(
        _ db: any SQLDatabase, company: CompanyID, _ employees: [Employee], prefixes: [String]? = nil, creating: Set<String> = []
    ) async throws {
        let departments = try await loadDepartments(db, company: company)
        let positions = try await loadPositions(db, company: company)
        let codes = employees.map(\.code)
        var taken: Set<String> = []
        var takenCNPs: Set<String> = []
        for chunk in stride(from: 0, to: employees.count, by: 500) {
            let slice = employees[chunk..<min(chunk + 500, employees.count)]
            for row in try await db.raw(
                "SELECT code, cnp FROM employees WHERE company_id = \(bind: company.description) AND (code IN " + .list(slice.map(\.code))
                    + " OR cnp IN " + .list(slice.map(\.cnp)) + ")"
            ).all() {
                taken.insert(try row.decode(column: "code", as: String.self))
                takenCNPs.insert(try row.decode(column: "cnp", as: String.self))
            }
        }
        var problems: [DomainError] = []
        let known = Set(codes)
        for (index, employee) in employees.enumerated() {
            let prefix = prefixes?[index] ?? ""
            if taken.contains(employee.code) {
                problems.append(
                    DomainError(
                        "employee.code_taken", kind: .conflict, field: prefix + "code",
                        "You cannot add employee \(employee.code) because that code is taken."))
            } else if takenCNPs.contains(employee.cnp) {
                problems.append(
                    DomainError(
                        "employee.cnp_taken", kind: .conflict, field: prefix + "cnp",
                        "You cannot add CNP \(employee.cnp) because another employee of the company has it."))
            }
            if let department = employee.department, departments[department] == nil, !creating.contains("D:" + department) {
                problems.append(
                    DomainError(
                        "department.not_found", kind: .notFound, field: prefix + "department",
                        "You cannot use department \(department) because it does not exist."))
            }
            if let position = employee.position, positions[position] == nil, !creating.contains("P:" + position) {
                problems.append(
                    DomainError(
                        "position.not_found", kind: .notFound, field: prefix + "position",
                        "You cannot use position \(position) because it does not exist."))
            }
            if let manager = employee.manager, !known.contains(manager),
                try await PeopleStore.loadEmployee(db, company: company, code: manager) == nil
            {
                problems.append(
                    DomainError(
                        "employee.manager_unknown", kind: .notFound, field: prefix + "manager",
                        "You cannot name \(manager) as manager because there is no such employee."))
            }
        }
        guard problems.isEmpty else { throw ValidationErrors(problems) }
    }

    static func insertEmployees(
        _ db: any SQLDatabase, company: CompanyID, _ items: [(employee: Employee, contract: Contract?)], actor: Actor, at instant: Date
    ) async throws {
        let now = Timestamp.format(instant)
        try await SQLBulk.insert(
            db, into: "employees", columns: PeopleStore.employeeColumns,
            values: try items.map { try PeopleStore.employeeRow(company, $0.employee, now: now) })
        try await SQLBulk.insert(
            db, into: "employee_dependants", columns: PeopleStore.dependantColumns,
            values: items.flatMap { PeopleStore.dependantRows(company, $0.employee) })
        var contracts: [[SQLValue]] = []
        var events: [[SQLValue]] = []
        for (employee, contract) in items {
            guard let contract else { continue }
            let id = ContractID.generate(now: instant)
            contracts.append([
                .text(company.description), .text(id.description), .text(employee.code), .text(contract.hire.number),
                .text(contract.hire.start.iso), .text(now),
            ])
            for (seq, event) in contract.events.enumerated() {
                events.append(try PeopleStore.eventRow(company, contract: id, seq: seq + 1, event, now: now, by: actor.auditName))
            }
        }
        try await Self.requireFreeContractNumbers(db, company: company, items.compactMap { $0.contract?.hire.number })
        try await SQLBulk.insert(db, into: "contracts", columns: PeopleStore.contractColumns, values: contracts)
        try await SQLBulk.insert(db, into: "contract_events", columns: PeopleStore.eventColumns, values: events)
    }

    static func requireFreeContractNumbers(_ db: any SQLDatabase, company: CompanyID, _ numbers: [String]) async throws {
        var seen: Set<String> = []
        for number in numbers where !seen.insert(number).inserted {
            throw DomainError(
                "contract.number_taken", kind: .conflict, field: "contract_number", "You cannot use contract number \(number) twice.")
        }
        for chunk in stride(from: 0, to: numbers.count, by: 500) {
            let slice = Array(numbers[chunk..<min(chunk + 500, numbers.count)])
            if let row = try await db.raw(
                "SELECT number FROM contracts WHERE company_id = \(bind: company.description) AND number IN " + .list(slice) + " LIMIT 1"
            ).first() {
                let number = try row.decode(column: "number", as: String.self)
                throw DomainError(
                    "contract.number_taken", kind: .conflict, field: "contract_number",
                    "You cannot use contract number \(number) because another contract has it.")
            }
        }
    }
}
