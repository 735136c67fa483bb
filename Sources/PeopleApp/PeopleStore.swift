import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

/// The SQL of the people context: rows in, records out.
enum PeopleStore {
    static let employeeColumns = [
        "company_id", "code", "last_name", "first_name", "cnp", "sex", "birth_date", "id_document", "address_line", "city", "county",
        "phone", "email", "iban", "education", "department", "position", "manager", "emergency_contact", "declared_dependants",
        "created_at",
    ]

    static func employeeRow(_ company: CompanyID, _ employee: Employee, now: String) throws -> [SQLValue] {
        let contact = try employee.emergencyContact.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return [
            .text(company.description), .text(employee.code), .text(employee.lastName), .text(employee.firstName), .text(employee.cnp),
            .text(employee.sex.rawValue), .text(employee.birthDate.iso), SQLValue(employee.idDocument), SQLValue(employee.addressLine),
            SQLValue(employee.city), SQLValue(employee.county), SQLValue(employee.phone), SQLValue(employee.email), SQLValue(employee.iban),
            SQLValue(employee.education?.rawValue), SQLValue(employee.department), SQLValue(employee.position), SQLValue(employee.manager),
            SQLValue(contact), .int(Int64(employee.declaredDependants)), .text(now),
        ]
    }

    static func dependantRows(_ company: CompanyID, _ employee: Employee) -> [[SQLValue]] {
        employee.dependants.enumerated().map { index, dependant in
            [
                .text(company.description), .text(employee.code), .int(Int64(index + 1)), .text(dependant.name), .text(dependant.cnp),
                .text(dependant.relationship.rawValue), .bool(dependant.incomeBelowLimit),
            ]
        }
    }

    static let dependantColumns = ["company_id", "employee", "line_no", "name", "cnp", "relationship", "income_below_limit"]
    static let contractColumns = ["company_id", "id", "employee", "number", "start_date", "created_at"]
    static let eventColumns = [
        "company_id", "contract_id", "seq", "kind", "effective", "terms", "change", "reason", "reges_state", "reges_deadline",
        "created_at", "created_by",
    ]

    static func eventRow(
        _ company: CompanyID, contract: ContractID, seq: Int, _ event: ContractEvent, now: String, by actor: String
    ) throws -> [SQLValue] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let terms = try event.terms.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let change = try event.change.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return [
            .text(company.description), .text(contract.description), .int(Int64(seq)), .text(event.kind.rawValue),
            .text(event.effective.iso),
            SQLValue(terms), SQLValue(change), SQLValue(event.reason), .text(RegesState.pending.rawValue),
            .text(event.regesDeadline.iso), .text(now), .text(actor),
        ]
    }

    static func decodeEmployee(_ row: any SQLRow, dependants: [Dependant]) throws -> Employee {
        let contact = try row.decode(column: "emergency_contact", as: String?.self).flatMap {
            try? JSONDecoder().decode(EmergencyContact.self, from: Data($0.utf8))
        }
        return Employee(
            code: try row.decode(column: "code", as: String.self), lastName: try row.decode(column: "last_name", as: String.self),
            firstName: try row.decode(column: "first_name", as: String.self), cnp: try row.decode(column: "cnp", as: String.self),
            sex: Sex(rawValue: try row.decode(column: "sex", as: String.self)) ?? .female,
            birthDate: try LocalDate(iso: row.decode(column: "birth_date", as: String.self)),
            idDocument: try row.decode(column: "id_document", as: String?.self),
            addressLine: try row.decode(column: "address_line", as: String?.self), city: try row.decode(column: "city", as: String?.self),
            county: try row.decode(column: "county", as: String?.self), phone: try row.decode(column: "phone", as: String?.self),
            email: try row.decode(column: "email", as: String?.self), iban: try row.decode(column: "iban", as: String?.self),
            education: try row.decode(column: "education", as: String?.self).flatMap(Education.init(rawValue:)),
            department: try row.decode(column: "department", as: String?.self),
            position: try row.decode(column: "position", as: String?.self), manager: try row.decode(column: "manager", as: String?.self),
            emergencyContact: contact, dependants: dependants,
            declaredDependants: Int(try row.decode(column: "declared_dependants", as: Int64.self)))
    }

    static func loadEmployee(_ db: any SQLDatabase, company: CompanyID, code: String) async throws -> Employee? {
        guard
            let row = try await db.raw(
                "SELECT * FROM employees WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
            ).first()
        else { return nil }
        let dependants = try await db.raw(
            """
            SELECT name, cnp, relationship, income_below_limit FROM employee_dependants
            WHERE company_id = \(bind: company.description) AND employee = \(bind: code) ORDER BY line_no
            """
        ).all().map { row in
            Dependant(
                name: try row.decode(column: "name", as: String.self), cnp: try row.decode(column: "cnp", as: String.self),
                relationship: Dependant.Relationship(rawValue: try row.decode(column: "relationship", as: String.self)) ?? .other,
                incomeBelowLimit: try row.decode(column: "income_below_limit", as: Bool.self))
        }
        return try decodeEmployee(row, dependants: dependants)
    }

    /// The contracts of one employee, or of every employee when `employee` is nil, with their events in order.
    static func loadContracts(_ db: any SQLDatabase, company: CompanyID, employee: String?) async throws -> [ContractRecord] {
        let cid = company.description
        var condition: SQLQueryString = "c.company_id = \(bind: cid)"
        if let employee { condition = condition + " AND c.employee = \(bind: employee)" }
        let rows = try await db.raw(
            """
            SELECT c.id, c.employee, e.seq, e.kind, e.effective, e.terms, e.change, e.reason, e.reges_state, e.reges_deadline,
                e.reges_receipt, e.reges_at
            FROM contracts c JOIN contract_events e ON e.company_id = c.company_id AND e.contract_id = c.id
            WHERE
            """ + " " + condition + " ORDER BY c.employee, c.start_date, c.id, e.seq"
        ).all()
        let decoder = JSONDecoder()
        var records: [ContractRecord] = []
        var current: (id: String, employee: String, events: [ContractEvent], reges: [RegesStatus])?
        func flush() throws {
            guard let open = current else { return }
            let contract = try Contract(events: open.events)
            records.append(
                ContractRecord(
                    id: try ContractID(string: open.id).orThrow("contract id"), employee: open.employee, contract: contract,
                    reges: open.reges))
        }
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            if current?.id != id {
                try flush()
                current = (id, try row.decode(column: "employee", as: String.self), [], [])
            }
            let event = ContractEvent(
                kind: ContractEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .amendment,
                effective: try LocalDate(iso: row.decode(column: "effective", as: String.self)),
                terms: try row.decode(column: "terms", as: String?.self).map {
                    try decoder.decode(ContractTerms.self, from: Data($0.utf8))
                },
                change: try row.decode(column: "change", as: String?.self).map {
                    try decoder.decode(ContractChange.self, from: Data($0.utf8))
                },
                reason: try row.decode(column: "reason", as: String?.self))
            current?.events.append(event)
            current?.reges.append(
                RegesStatus(
                    seq: Int(try row.decode(column: "seq", as: Int64.self)),
                    state: RegesState(rawValue: try row.decode(column: "reges_state", as: String.self)) ?? .pending,
                    deadline: try LocalDate(iso: row.decode(column: "reges_deadline", as: String.self)),
                    receipt: try row.decode(column: "reges_receipt", as: String?.self),
                    at: try row.decode(column: "reges_at", as: String?.self)))
        }
        try flush()
        return records
    }
}
