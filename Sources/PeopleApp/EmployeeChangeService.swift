import Application
import Approvals
import Foundation
import Identity
import Kernel
import People
import SQLKit
import Storage

public enum EmployeeChangeTag {}
public typealias EmployeeChangeID = ID<EmployeeChangeTag>

/// A change of personal data as asked and decided.
public struct EmployeeChangeRecord: Sendable, Equatable {
    public var id: EmployeeChangeID
    public var employee: String
    public var name: String
    /// Field → value asked for ("" clears it).
    public var changes: [String: String]
    /// Field → the value HR had when it was asked.
    public var before: [String: String]
    public var state: ApprovalState
    public var requestedBy: String
    public var createdAt: String
    public var decidedBy: String?
    public var comment: String?
}

extension Culise {
    /// The signed-in employee asks HR to change their personal data (`PersonalDataChange.fields`). The request is
    /// checked as the record would be after it; one request waits at a time; HR is told through the approvals service.
    public func requestMyDataChange(company: CompanyID, _ values: [String: String], actor: Actor) async throws -> EmployeeChangeRecord {
        try actor.require(.profile, .write, in: company)
        guard values.count <= PersonalDataChange.fields.count + 5 else {
            throw ValidationErrors([
                DomainError(
                    "employee_change.field", field: "changes",
                    "You cannot ask to change more than \(PersonalDataChange.fields.count) fields; the fields are: \(PersonalDataChange.fields.joined(separator: ", "))."
                )
            ])
        }
        let me = try await myEmployeeCode(company: company, actor: actor)
        let today = self.today
        return try await transaction { db in
            let record = try await Self.requireEmployee(db, company: company, code: me.code)
            let checked = try PersonalDataChange(values: values).checked(against: record.employee, today: today)
            if try await db.raw(
                """
                SELECT id FROM employee_change_requests
                WHERE company_id = \(bind: company.description) AND employee = \(bind: me.code) AND state = 'pending'
                """
            ).first() != nil {
                throw DomainError(
                    "employee_change.pending", kind: .conflict, field: "changes",
                    "You cannot send another change of your data yet because HR has not decided the one you sent; wait for it or ask HR.")
            }
            let id = EmployeeChangeID.generate(now: self.now)
            let before = PersonalDataChange.current(record.employee).filter { checked.change.values[$0.key] != nil }
            try await db.raw(
                """
                INSERT INTO employee_change_requests (company_id, id, employee, changes, before_values, state, requested_by, created_at)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: me.code), \(bind: try Self.json(checked.change.values)),
                    \(bind: try Self.json(before)), 'pending', \(bind: actor.auditName), \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.change_request", entity: "employee", entityID: me.code,
                changes: checked.change.values.keys.sorted().map {
                    FieldChange($0, before: before[$0], after: checked.change.values[$0], personal: true)
                }, now: self.now)
            var approvers = try await members(db, company: company, roles: [.hr, .admin])
            approvers.removeAll { $0 == actor.userID }
            let fields = checked.change.values.keys.sorted().joined(separator: ", ")
            _ = try await openApproval(
                db, company: company, documentType: "employee_change", documentID: id.description, label: me.code, amount: 0,
                creator: actor.auditName, approvers: approvers, facts: ["amount": fields], link: "/people/changes", actor: actor)
            return EmployeeChangeRecord(
                id: id, employee: me.code, name: record.employee.name, changes: checked.change.values, before: before, state: .pending,
                requestedBy: actor.auditName, createdAt: self.nowText, decidedBy: nil, comment: nil)
        }
    }

    /// Changes of personal data, the pending ones (or those in `state`, or all), newest first, a page at a time; HR's list.
    public func dataChangeRequests(
        company: CompanyID, state: ApprovalState? = .pending, page: PageRequest, actor: Actor
    ) async throws -> Page<EmployeeChangeRecord> {
        try actor.require(.hr, .read, in: company)
        let filter: SQLQueryString = state.map { "r.state = \(bind: $0.rawValue)" } ?? "1 = 1"
        return try await read { db in try await Self.loadChanges(db, company: company, where: filter, page: page) }
    }

    /// The signed-in employee's own requests, newest first, a page at a time.
    public func myDataChangeRequests(company: CompanyID, page: PageRequest, actor: Actor) async throws -> Page<EmployeeChangeRecord> {
        try actor.require(.profile, .read, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        return try await read { db in try await Self.loadChanges(db, company: company, where: "r.employee = \(bind: me.code)", page: page) }
    }

    /// HR approves (the record changes, each field audited as personal data) or rejects a request, with an optional
    /// reason; the employee is told. Nobody decides a change of their own data.
    public func decideDataChange(
        company: CompanyID, id: EmployeeChangeID, approve: Bool, comment: String?, actor: Actor
    ) async throws -> EmployeeChangeRecord {
        try actor.require(.hr, .write, in: company)
        guard (comment ?? "").unicodeScalars.count <= 500 else {
            throw DomainError("employee_change.comment", field: "comment", "You cannot write a comment longer than 500 characters.")
        }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let today = self.today
        return try await transaction { db in
            guard
                var change = try await Self.loadChanges(
                    db, company: company, where: "r.id = \(bind: id.description)", page: try PageRequest(limit: 1)
                ).items.first
            else {
                throw DomainError(
                    "employee_change.not_found", kind: .notFound,
                    "You cannot decide this change of personal data because it does not exist.")
            }
            let next = try change.state.apply(approve ? .approve : .reject)
            if let user = actor.userID,
                try await db.raw(
                    """
                    SELECT code FROM employees
                    WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description) AND code = \(bind: change.employee)
                    """
                ).first() != nil
            {
                throw DomainError(
                    "employee_change.own", kind: .forbidden,
                    "You cannot decide a change of your own personal data because approval needs a second person in HR.")
            }
            if approve {
                let record = try await Self.requireEmployee(db, company: company, code: change.employee)
                let updated = try PersonalDataChange(values: change.changes).checked(against: record.employee, today: today).result
                try await Self.updatePersonalData(db, company: company, updated)
                try await AuditLog.append(
                    db, actor: actor, company: company, action: "employee.update", entity: "employee", entityID: change.employee,
                    changes: change.changes.keys.sorted().map {
                        FieldChange($0, before: PersonalDataChange.current(record.employee)[$0], after: change.changes[$0], personal: true)
                    }, now: self.now)
            }
            try await db.raw(
                """
                UPDATE employee_change_requests SET state = \(bind: next.rawValue), decided_by = \(bind: actor.auditName),
                    decided_at = \(bind: self.nowText), comment = \(bind: comment)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description) AND state = 'pending'
                """
            ).run()
            try await self.closeApproval(
                db, company: company, documentType: "employee_change", documentID: id.description, event: approve ? .approve : .reject,
                comment: comment, requesters: try await Self.linkedUsers(db, company: company, employees: [change.employee]), link: "/me",
                actor: actor)
            change.state = next
            change.decidedBy = actor.auditName
            change.comment = comment
            return change
        }
    }

    static func updatePersonalData(_ db: any SQLDatabase, company: CompanyID, _ employee: Employee) async throws {
        let contact = try employee.emergencyContact.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await db.raw(
            """
            UPDATE employees SET phone = \(bind: employee.phone), email = \(bind: employee.email), address_line = \(bind: employee.addressLine),
                city = \(bind: employee.city), county = \(bind: employee.county), id_document = \(bind: employee.idDocument),
                iban = \(bind: employee.iban), education = \(bind: employee.education?.rawValue), emergency_contact = \(bind: contact)
            WHERE company_id = \(bind: company.description) AND code = \(bind: employee.code)
            """
        ).run()
    }

    static func json(_ values: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(values), as: UTF8.self)
    }

    static func loadChanges(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, page: PageRequest
    ) async throws -> Page<EmployeeChangeRecord> {
        let filter = "r.company_id = \(bind: company.description) AND " + condition
        let total =
            try await db.raw("SELECT COUNT(*) AS n FROM employee_change_requests r WHERE " + filter).first()?
            .decode(column: "n", as: Int64.self) ?? 0
        let rows = try await db.raw(
            """
            SELECT r.id, r.employee, r.changes, r.before_values, r.state, r.requested_by, r.created_at, r.decided_by, r.comment,
                e.last_name, e.first_name
            FROM employee_change_requests r JOIN employees e ON e.company_id = r.company_id AND e.code = r.employee WHERE
            """ + " " + filter + " ORDER BY r.created_at DESC, r.id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
        ).all()
        func values(_ text: String) -> [String: String] { (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:] }
        let items = try rows.map { row in
            EmployeeChangeRecord(
                id: try EmployeeChangeID(string: row.decode(column: "id", as: String.self)).orThrow("change id"),
                employee: try row.decode(column: "employee", as: String.self),
                name: "\(try row.decode(column: "last_name", as: String.self)) \(try row.decode(column: "first_name", as: String.self))",
                changes: values(try row.decode(column: "changes", as: String.self)),
                before: values(try row.decode(column: "before_values", as: String.self)),
                state: ApprovalState(rawValue: try row.decode(column: "state", as: String.self)) ?? .pending,
                requestedBy: try row.decode(column: "requested_by", as: String.self),
                createdAt: try row.decode(column: "created_at", as: String.self),
                decidedBy: try row.decode(column: "decided_by", as: String?.self),
                comment: try row.decode(column: "comment", as: String?.self))
        }
        return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
