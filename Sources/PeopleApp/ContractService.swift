import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

/// What a user sends to change a contract: an amendment's new terms, a suspension's ground or a termination's article.
public struct ContractEventInput: Sendable {
    public var kind: ContractEvent.Kind
    public var date: String
    public var change: ContractChange?
    public var reason: String?

    public init(kind: ContractEvent.Kind, date: String, change: ContractChange? = nil, reason: String? = nil) {
        self.kind = kind
        self.date = date
        self.change = change
        self.reason = reason
    }
}

extension Culise {
    /// Records an amendment, a suspension, a resumption or a termination on the employee's latest contract, after the
    /// state machine and the terms accept it; the event waits for REGES-ONLINE with its deadline.
    public func recordContractEvent(
        company: CompanyID, employee code: String, _ input: ContractEventInput, actor: Actor
    ) async throws
        -> ContractRecord
    {
        try actor.require(.hr, .write, in: company)
        let date = try LocalDate(iso: input.date, field: "date")
        guard input.kind != .hire else {
            throw DomainError(
                "contract.illegal_transition", kind: .conflict, field: "kind",
                "You cannot hire on an existing contract; add a new contract.")
        }
        var checked = input.change
        if let cor = checked?.corCode { checked?.corCode = try COR.code(cor) }
        if let position = checked?.position { checked?.position = position.uppercased() }
        let change = checked
        let event = ContractEvent(kind: input.kind, effective: date, change: change, reason: input.reason)
        return try await transaction { db in
            let record = try await Self.requireEmployee(db, company: company, code: code.uppercased())
            guard let latest = record.contracts.last else {
                throw DomainError(
                    "contract.not_found", kind: .notFound, field: "employee",
                    "You cannot change the contract of \(record.employee.code) because they have none.")
            }
            if let position = change?.position {
                guard try await Self.loadPositions(db, company: company)[position] != nil else {
                    throw DomainError(
                        "position.not_found", kind: .notFound, field: "position",
                        "You cannot use position \(position) because it does not exist.")
                }
            }
            var contract = latest.contract
            try contract.append(event)
            let seq = contract.events.count
            try await SQLBulk.insert(
                db, into: "contract_events", columns: PeopleStore.eventColumns,
                values: [try PeopleStore.eventRow(company, contract: latest.id, seq: seq, event, now: self.nowText, by: actor.auditName)])
            try await AuditLog.append(
                db, actor: actor, company: company, action: "contract.\(input.kind.rawValue)", entity: "contract",
                entityID: latest.id.description,
                changes: [
                    FieldChange("date", before: nil, after: date.iso),
                    FieldChange("salary", before: nil, after: change?.baseSalary.map(\.decimalString), personal: true),
                    FieldChange("reason", before: nil, after: input.reason),
                ].filter { $0.after != nil }, now: self.now)
            return try await PeopleStore.loadContracts(db, company: company, employee: record.employee.code).last ?? latest
        }
    }

    /// The employee's contract terms and state on `date`.
    public func contractTerms(
        company: CompanyID, employee code: String, on date: LocalDate, actor: Actor
    ) async throws
        -> (terms: ContractTerms, state: ContractState)?
    {
        let record = try await employee(company: company, code: code, actor: actor)
        return record.contract(on: date).map { ($0.terms, $0.state) }
    }

    /// Every employee's contract in force on `date` (the latest one that has started), with its terms and state: what
    /// timesheets and payroll read for a month. Two queries for the whole company.
    public func contractsInForce(
        company: CompanyID, on date: LocalDate, actor: Actor
    ) async throws
        -> [(employee: String, contract: ContractID, terms: ContractTerms, state: ContractState)]
    {
        try actor.require(.hr, .read, in: company)
        let records = try await read { db in try await PeopleStore.loadContracts(db, company: company, employee: nil) }
        var latest: [String: (employee: String, contract: ContractID, terms: ContractTerms, state: ContractState)] = [:]
        for record in records {
            guard let (terms, state) = record.contract.terms(on: date) else { continue }
            if let known = latest[record.employee], known.terms.start > terms.start { continue }
            latest[record.employee] = (record.employee, record.id, terms, state)
        }
        return latest.values.sorted { $0.employee < $1.employee }
    }

    /// Contract events not yet in REGES-ONLINE, the earliest deadline first; `overdue` when the deadline has passed.
    public func regesPending(company: CompanyID, actor: Actor) async throws -> [RegesPendingItem] {
        try actor.require(.hr, .read, in: company)
        let today = self.today
        let limit = Limits.regesPendingListed + 1
        let rows = try await read { db in
            try await db.raw(
                """
                SELECT e.contract_id, e.seq, e.kind, e.effective, e.reges_deadline, c.employee, c.number, p.last_name, p.first_name, p.cnp
                FROM contract_events e
                JOIN contracts c ON c.company_id = e.company_id AND c.id = e.contract_id
                JOIN employees p ON p.company_id = c.company_id AND p.code = c.employee
                WHERE e.company_id = \(bind: company.description) AND e.reges_state = 'pending'
                ORDER BY e.reges_deadline, c.employee, e.seq LIMIT \(bind: limit)
                """
            ).all()
        }
        guard rows.count <= Limits.regesPendingListed else {
            throw DomainError(
                "reges.too_many_pending", kind: .tooLarge,
                "You cannot list more than \(Limits.regesPendingListed) pending REGES-ONLINE events at once; transmit the oldest first.")
        }
        return try rows.map { row in
            let deadline = try LocalDate(iso: row.decode(column: "reges_deadline", as: String.self))
            return RegesPendingItem(
                contract: try ContractID(string: row.decode(column: "contract_id", as: String.self)).orThrow("contract id"),
                seq: Int(try row.decode(column: "seq", as: Int64.self)), employee: try row.decode(column: "employee", as: String.self),
                employeeName:
                    "\(try row.decode(column: "last_name", as: String.self)) \(try row.decode(column: "first_name", as: String.self))",
                cnp: try row.decode(column: "cnp", as: String.self), contractNumber: try row.decode(column: "number", as: String.self),
                kind: ContractEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .amendment,
                effective: try LocalDate(iso: row.decode(column: "effective", as: String.self)), deadline: deadline,
                overdue: deadline < today)
        }
    }

    /// Marks an event as keyed into REGES-ONLINE with the receipt number the register gave.
    public func markRegesTransmitted(company: CompanyID, contract: ContractID, seq: Int, receipt: String, actor: Actor) async throws {
        try actor.require(.hr, .write, in: company)
        let receipt = receipt.trimmingCharacters(in: .whitespaces)
        guard (1...60).contains(receipt.count) else {
            throw ValidationErrors([
                DomainError(
                    "reges.receipt", field: "receipt",
                    "To mark an event as transmitted, you must type the receipt number REGES-ONLINE gave (at most 60 characters).")
            ])
        }
        try await transaction { db in
            let updated = try await db.raw(
                """
                UPDATE contract_events SET reges_state = 'transmitted', reges_receipt = \(bind: receipt), reges_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND contract_id = \(bind: contract.description) AND seq = \(bind: Int64(seq))
                    AND reges_state = 'pending'
                RETURNING seq
                """
            ).first()
            guard updated != nil else {
                throw DomainError(
                    "reges.not_pending", kind: .conflict,
                    "You cannot mark this event as transmitted because it is not waiting for REGES-ONLINE.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "reges.transmitted", entity: "contract", entityID: contract.description,
                changes: [FieldChange("seq", before: nil, after: String(seq)), FieldChange("receipt", before: nil, after: receipt)],
                now: self.now)
        }
    }

    /// Imports employees with their current contracts from a spreadsheet's CSV: every row checked first (the file and the
    /// company's records: codes, CNPs, contract numbers), every problem reported with its row, nothing written on error.
    /// Departments and positions the file names and the company lacks are created (their code is the name, upper-cased).
    public func importEmployees(company: CompanyID, csv text: String, actor: Actor) async throws -> EmployeeImportReport {
        try actor.require(.hr, .write, in: company)
        let rows = try EmployeeImport.parse(text, today: today)
        return try await transaction { db in
            let departments = try await Self.loadDepartments(db, company: company)
            let positions = try await Self.loadPositions(db, company: company)
            var newDepartments: [String] = []
            var departmentNames: [String: String] = [:]
            var newPositions: [String: Position] = [:]
            for row in rows {
                if let department = row.employee.department, departments[department] == nil, departmentNames[department] == nil {
                    newDepartments.append(department)
                    departmentNames[department] = row.departmentName
                }
                if let position = row.employee.position, positions[position] == nil, newPositions[position] == nil {
                    newPositions[position] = Position(
                        code: position, title: row.positionTitle, corCode: row.contract.corCode, department: row.employee.department)
                }
            }
            guard departments.count + newDepartments.count <= Limits.departments else {
                throw DomainError("department.too_many", kind: .tooLarge, "You cannot have more than \(Limits.departments) departments.")
            }
            let creating = Set(newDepartments.map { "D:" + $0 } + newPositions.keys.map { "P:" + $0 })
            try await Self.checkReferences(
                db, company: company, rows.map(\.employee), prefixes: rows.map { "rows[\($0.line)]." }, creating: creating)
            let now = self.nowText
            try await SQLBulk.insert(
                db, into: "departments", columns: ["company_id", "code", "name", "created_at"],
                values: newDepartments.map { [.text(company.description), .text($0), .text(departmentNames[$0] ?? $0), .text(now)] })
            try await SQLBulk.insert(
                db, into: "positions", columns: ["company_id", "code", "title", "cor_code", "department", "created_at"],
                values: newPositions.values.sorted { $0.code < $1.code }.map {
                    [.text(company.description), .text($0.code), .text($0.title), .text($0.corCode), SQLValue($0.department), .text(now)]
                })
            let items = try rows.map { row throws(ValidationErrors) in (row.employee, Optional(try Contract(hire: row.contract))) }
            try await Self.insertEmployees(db, company: company, items, actor: actor, at: self.now)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.import", entity: "employee", entityID: "\(rows.count)",
                changes: [
                    FieldChange("employees", before: nil, after: String(rows.count)),
                    FieldChange("departments_created", before: nil, after: newDepartments.joined(separator: ",")),
                ], now: self.now)
            return EmployeeImportReport(
                employees: rows.count, departmentsCreated: newDepartments, positionsCreated: newPositions.keys.sorted())
        }
    }
}
