import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

extension Culise {
    /// HR corrects or completes an employee's record (from the documents: a new ID card, a name after marriage, a move
    /// to another department). The whole record is checked as when adding; the code never changes; `dependants` nil
    /// keeps the listed dependants. Every changed field is audited, personal data marked as such. Contract terms change
    /// only through the contract's dated events.
    public func updateEmployee(
        company: CompanyID, code rawCode: String, _ input: EmployeeInput, actor: Actor
    ) async throws -> EmployeeRecord {
        try actor.require(.hr, .write, in: company)
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        guard input.code.trimmingCharacters(in: .whitespaces).uppercased() == code else {
            throw ValidationErrors([
                DomainError(
                    "employee.code_change", field: "code",
                    "You cannot change employee \(code.prefix(30))'s code to '\(input.code.prefix(30))'; a code stays with its employee.")
            ])
        }
        let today = self.today
        return try await transaction { db in
            let before = try await Self.requireEmployee(db, company: company, code: code).employee
            var input = input
            if input.dependants == nil { input.dependants = before.dependants }
            let employee = try input.validated(today: today)
            var problems: [DomainError] = []
            if employee.cnp != before.cnp,
                try await db.raw(
                    "SELECT code FROM employees WHERE company_id = \(bind: company.description) AND cnp = \(bind: employee.cnp) AND code <> \(bind: code)"
                ).first() != nil
            {
                problems.append(
                    DomainError(
                        "employee.cnp_taken", kind: .conflict, field: "cnp",
                        "You cannot add CNP \(employee.cnp) because another employee of the company has it."))
            }
            if let department = employee.department, try await Self.loadDepartments(db, company: company)[department] == nil {
                problems.append(
                    DomainError(
                        "department.not_found", kind: .notFound, field: "department",
                        "You cannot use department \(department) because it does not exist."))
            }
            if let position = employee.position, try await Self.loadPositions(db, company: company)[position] == nil {
                problems.append(
                    DomainError(
                        "position.not_found", kind: .notFound, field: "position",
                        "You cannot use position \(position) because it does not exist."))
            }
            if let manager = employee.manager {
                if let problem = try await Self.managerProblem(db, company: company, employee: code, manager: manager) {
                    problems.append(problem)
                }
            }
            guard problems.isEmpty else { throw ValidationErrors(problems) }
            let contact = try employee.emergencyContact.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            try await db.raw(
                """
                UPDATE employees SET last_name = \(bind: employee.lastName), first_name = \(bind: employee.firstName), cnp = \(bind: employee.cnp),
                    sex = \(bind: employee.sex.rawValue), birth_date = \(bind: employee.birthDate.iso), id_document = \(bind: employee.idDocument),
                    address_line = \(bind: employee.addressLine), city = \(bind: employee.city), county = \(bind: employee.county),
                    phone = \(bind: employee.phone), email = \(bind: employee.email), iban = \(bind: employee.iban),
                    education = \(bind: employee.education?.rawValue), department = \(bind: employee.department),
                    position = \(bind: employee.position), manager = \(bind: employee.manager), emergency_contact = \(bind: contact),
                    declared_dependants = \(bind: Int64(employee.declaredDependants))
                WHERE company_id = \(bind: company.description) AND code = \(bind: code)
                """
            ).run()
            if employee.dependants != before.dependants {
                try await db.raw(
                    "DELETE FROM employee_dependants WHERE company_id = \(bind: company.description) AND employee = \(bind: code)"
                ).run()
                try await SQLBulk.insert(
                    db, into: "employee_dependants", columns: PeopleStore.dependantColumns,
                    values: PeopleStore.dependantRows(company, employee))
            }
            let changes = Self.differences(before, employee)
            guard !changes.isEmpty else { return try await Self.requireEmployee(db, company: company, code: code) }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.update", entity: "employee", entityID: code, changes: changes,
                now: self.now)
            return try await Self.requireEmployee(db, company: company, code: code)
        }
    }

    /// A manager must be another existing employee, and not one who reports (down the chain) to the employee.
    static func managerProblem(_ db: any SQLDatabase, company: CompanyID, employee: String, manager: String) async throws -> DomainError? {
        var managers: [String: String] = [:]
        for row in try await db.raw(
            "SELECT code, manager FROM employees WHERE company_id = \(bind: company.description) AND manager IS NOT NULL"
        ).all() {
            managers[try row.decode(column: "code", as: String.self)] = try row.decode(column: "manager", as: String.self)
        }
        guard try await PeopleStore.loadEmployee(db, company: company, code: manager) != nil else {
            return DomainError(
                "employee.manager_unknown", kind: .notFound, field: "manager",
                "You cannot name \(manager) as manager because there is no such employee.")
        }
        // Up from the new manager: reaching the employee would make a loop.
        var current: String? = manager
        var seen: Set<String> = []
        while let next = current, seen.insert(next).inserted {
            if next == employee {
                return DomainError(
                    "employee.manager_cycle", kind: .conflict, field: "manager",
                    "You cannot name \(manager) as \(employee)'s manager because \(manager) reports to \(employee); a chain of managers cannot loop."
                )
            }
            current = managers[next]
        }
        return nil
    }

    static func differences(_ before: Employee, _ after: Employee) -> [FieldChange] {
        func text(_ value: (some CustomStringConvertible)?) -> String? { value.map { String(describing: $0) } }
        let fields: [(String, String?, String?, Bool)] = [
            ("last_name", before.lastName, after.lastName, true), ("first_name", before.firstName, after.firstName, true),
            ("cnp", before.cnp, after.cnp, true), ("id_document", before.idDocument, after.idDocument, true),
            ("address_line", before.addressLine, after.addressLine, true), ("city", before.city, after.city, true),
            ("county", before.county, after.county, true), ("phone", before.phone, after.phone, true),
            ("email", before.email, after.email, true), ("iban", before.iban, after.iban, true),
            ("education", before.education?.rawValue, after.education?.rawValue, true),
            ("department", before.department, after.department, false), ("position", before.position, after.position, false),
            ("manager", before.manager, after.manager, false),
            (
                "emergency_contact", before.emergencyContact.map { "\($0.name) \($0.phone)" },
                after.emergencyContact.map { "\($0.name) \($0.phone)" }, true
            ),
            ("declared_dependants", text(before.declaredDependants), text(after.declaredDependants), true),
            ("dependants", text(before.dependants.count), text(after.dependants.count), true),
        ]
        return fields.filter { $0.1 != $0.2 || ($0.0 == "dependants" && before.dependants != after.dependants) }.map {
            FieldChange($0.0, before: $0.1, after: $0.2, personal: $0.3)
        }
    }
}
