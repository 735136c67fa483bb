import Application
import Documents
import Foundation
import Kernel
import People
import SQLKit
import Storage

/// A policy at its current version, with how many of the employees it addresses have acknowledged that version.
public struct PolicyRecord: Sendable, Equatable {
    public var code: String
    public var title: String
    public var version: Int
    public var summary: String?
    public var document: DocumentID?
    public var publishedAt: String
    public var audience: PolicyAudience
    /// Employees with a contract in force today whom the policy addresses.
    public var addressed: Int
    /// Of those, how many acknowledged the current version.
    public var acknowledged: Int
    public var missing: Int { addressed - acknowledged }
}

/// One addressed employee in a policy's report.
public struct PolicyStatusLine: Sendable, Equatable {
    public var employee: String
    public var name: String
    public var department: String?
    public var email: String?
    /// When the current version was acknowledged; nil while it has not been.
    public var acknowledgedAt: String?
    /// The latest earlier version the employee acknowledged, if any.
    public var previousVersion: Int?
}

public struct PolicyReport: Sendable, Equatable {
    public var policy: PolicyRecord
    public var lines: [PolicyStatusLine]
    public var missing: [PolicyStatusLine] { lines.filter { $0.acknowledgedAt == nil } }
}

extension Culise {
    /// Publishes a policy: its first version, or a new version of an existing one (which asks everyone again: the
    /// acknowledgements belong to a version). The document, when given, is kept in the documents store.
    public func publishPolicy(
        company: CompanyID, _ input: PolicyInput, file: (name: String, data: Data)?, actor: Actor
    ) async throws -> PolicyRecord {
        try actor.require(.hr, .write, in: company)
        let policy = try input.validated()
        return try await transaction { db in
            let departments = try await Self.loadDepartments(db, company: company)
            let positions = try await Self.loadPositions(db, company: company)
            var problems = ProblemCollector()
            for code in policy.audience.departments where departments[code] == nil {
                problems.add(
                    DomainError(
                        "policy.department", field: "departments",
                        "You cannot address the policy to department \(code.prefix(40)) because there is no such department."))
            }
            for code in policy.audience.positions where positions[code] == nil {
                problems.add(
                    DomainError(
                        "policy.position", field: "positions",
                        "You cannot address the policy to position \(code.prefix(40)) because there is no such position."))
            }
            try problems.throwIfAny()
            let existing = try await db.raw(
                "SELECT version FROM policies WHERE company_id = \(bind: company.description) AND code = \(bind: policy.code)"
            ).first().map { Int(try $0.decode(column: "version", as: Int64.self)) }
            let version = (existing ?? 0) + 1
            if let existing {
                guard existing < Limits.policyVersions else {
                    throw DomainError(
                        "policy.versions", kind: .tooLarge, field: "code",
                        "You cannot publish version \(version) of \(policy.code) because a policy keeps at most \(Limits.policyVersions) versions."
                    )
                }
                try await db.raw(
                    """
                    UPDATE policies SET title = \(bind: policy.title), departments = \(bind: policy.audience.departments.joined(separator: ",")),
                        positions = \(bind: policy.audience.positions.joined(separator: ",")), version = \(bind: Int64(version))
                    WHERE company_id = \(bind: company.description) AND code = \(bind: policy.code)
                    """
                ).run()
            } else {
                let count =
                    try await db.raw("SELECT COUNT(*) AS n FROM policies WHERE company_id = \(bind: company.description)")
                    .first().map { try $0.decode(column: "n", as: Int64.self) } ?? 0
                guard count < Limits.policies else {
                    throw DomainError(
                        "policy.count", kind: .tooLarge, field: "code",
                        "You cannot add another policy because a company keeps at most \(Limits.policies); publish a new version of one instead."
                    )
                }
                try await db.raw(
                    """
                    INSERT INTO policies (company_id, code, title, departments, positions, version, created_at)
                    VALUES (\(bind: company.description), \(bind: policy.code), \(bind: policy.title),
                        \(bind: policy.audience.departments.joined(separator: ",")), \(bind: policy.audience.positions.joined(separator: ",")),
                        \(bind: Int64(version)), \(bind: self.nowText))
                    """
                ).run()
            }
            var document: DocumentID?
            if let file {
                document = try await self.attachDocument(
                    db, company: company, owner: DocumentOwner(type: "policy", id: policy.code), fileName: file.name, data: file.data,
                    actor: actor
                ).id
            }
            try await db.raw(
                """
                INSERT INTO policy_versions (company_id, code, version, title, summary, document_id, published_at, published_by)
                VALUES (\(bind: company.description), \(bind: policy.code), \(bind: Int64(version)), \(bind: policy.title), \(bind: policy.summary),
                    \(bind: document?.description), \(bind: self.nowText), \(bind: actor.auditName))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "policy.publish", entity: "policy", entityID: policy.code,
                changes: [
                    FieldChange("version", before: existing.map(String.init), after: String(version)),
                    FieldChange("title", before: nil, after: policy.title),
                ], now: self.now)
            return try await Self.policyReport(db, company: company, code: policy.code, today: self.today).policy
        }
    }

    public func policies(company: CompanyID, actor: Actor) async throws -> [PolicyRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in
            let codes = try await db.raw(
                "SELECT code FROM policies WHERE company_id = \(bind: company.description) ORDER BY code LIMIT \(bind: Limits.policies)"
            ).all().map { try $0.decode(column: "code", as: String.self) }
            var result: [PolicyRecord] = []
            let audience = try await Self.policyAudienceRows(db, company: company, today: self.today)
            for code in codes {
                result.append(try await Self.policyReport(db, company: company, code: code, employees: audience).policy)
            }
            return result
        }
    }

    /// Who the policy addresses today and who has acknowledged its current version; the missing ones first.
    public func policyReport(company: CompanyID, code: String, actor: Actor) async throws -> PolicyReport {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.policyReport(db, company: company, code: code, today: self.today) }
    }

    /// Records that an employee acknowledged the current version (on paper or in person, typed in by HR; employee
    /// self-service will record it from the employee's own account). Acknowledging again changes nothing.
    public func acknowledgePolicy(
        company: CompanyID, code rawCode: String, employee rawEmployee: String, actor: Actor
    ) async throws -> PolicyStatusLine {
        try await acknowledgePolicy(company: company, code: rawCode, employee: rawEmployee, actor: actor, scoped: false)
    }

    /// `scoped`: the caller (self-service) has already checked that the actor is this employee.
    package func acknowledgePolicy(
        company: CompanyID, code rawCode: String, employee rawEmployee: String, actor: Actor, scoped: Bool
    ) async throws -> PolicyStatusLine {
        if !scoped { try actor.require(.hr, .write, in: company) }
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        let employee = rawEmployee.trimmingCharacters(in: .whitespaces).uppercased()
        return try await transaction { db in
            let report = try await Self.policyReport(db, company: company, code: code, today: self.today)
            guard let line = report.lines.first(where: { $0.employee == employee }) else {
                _ = try await Self.requireEmployee(db, company: company, code: employee)
                throw DomainError(
                    "policy.not_addressed", kind: .conflict, field: "employee",
                    "You cannot record that \(employee) acknowledged \(code) because the policy does not address them (no contract in force, or another department or position)."
                )
            }
            if line.acknowledgedAt != nil { return line }
            let at = self.nowText
            try await db.raw(
                """
                INSERT INTO policy_acknowledgements (company_id, code, version, employee, acknowledged_at, recorded_by)
                VALUES (\(bind: company.description), \(bind: code), \(bind: Int64(report.policy.version)), \(bind: employee),
                    \(bind: at), \(bind: actor.auditName))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "policy.acknowledge", entity: "policy", entityID: code,
                changes: [
                    FieldChange("employee", before: nil, after: employee),
                    FieldChange("version", before: nil, after: String(report.policy.version)),
                ], now: self.now)
            var acknowledged = line
            acknowledged.acknowledgedAt = at
            return acknowledged
        }
    }

    /// E-mails a reminder to each addressed employee who has not acknowledged the current version and has an e-mail
    /// address; returns how many were queued and who could not be reached.
    public func remindPolicy(company: CompanyID, code: String, actor: Actor) async throws -> (queued: Int, withoutEmail: [String]) {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let report = try await Self.policyReport(db, company: company, code: code, today: self.today)
            var queued = 0
            var unreachable: [String] = []
            for line in report.missing {
                guard let email = line.email, !email.isEmpty else {
                    unreachable.append(line.employee)
                    continue
                }
                _ = try await self.queueMail(
                    db, company: company, purpose: "policy.reminder", entity: "policy", entityID: report.policy.code, to: email,
                    subject: "De confirmat: \(report.policy.title) (versiunea \(report.policy.version))",
                    body: """
                        Bună ziua, \(line.name),

                        Vă rugăm să citiți și să confirmați „\(report.policy.title)”, versiunea \(report.policy.version), publicată la \(report.policy.publishedAt.prefix(10)).
                        \(report.policy.summary.map { "\nCe s-a schimbat: \($0)\n" } ?? "")
                        Departamentul de resurse umane
                        """,
                    attachments: [], actor: actor)
                queued += 1
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "policy.remind", entity: "policy", entityID: report.policy.code,
                changes: [FieldChange("reminders", before: nil, after: String(queued))], now: self.now)
            return (queued, unreachable)
        }
    }

    /// Employees with a contract in force on `today` (active or suspended), with what the audience reads.
    static func policyAudienceRows(
        _ db: any SQLDatabase, company: CompanyID, today: LocalDate
    ) async throws -> [(code: String, name: String, department: String?, position: String?, email: String?)] {
        let contracts = try await PeopleStore.loadContracts(db, company: company, employee: nil)
        var inForce: Set<String> = []
        for record in contracts {
            if let (_, state) = record.contract.terms(on: today), state != .ended { inForce.insert(record.employee) }
        }
        return try await db.raw(
            """
            SELECT code, last_name, first_name, department, position, email FROM employees
            WHERE company_id = \(bind: company.description) ORDER BY last_name, first_name, code
            """
        ).all().compactMap { row in
            let code = try row.decode(column: "code", as: String.self)
            guard inForce.contains(code) else { return nil }
            return (
                code, "\(try row.decode(column: "last_name", as: String.self)) \(try row.decode(column: "first_name", as: String.self))",
                try row.decode(column: "department", as: String?.self), try row.decode(column: "position", as: String?.self),
                try row.decode(column: "email", as: String?.self)
            )
        }
    }

    static func policyReport(_ db: any SQLDatabase, company: CompanyID, code: String, today: LocalDate) async throws -> PolicyReport {
        try await policyReport(
            db, company: company, code: code.uppercased(), employees: try await policyAudienceRows(db, company: company, today: today))
    }

    static func policyReport(
        _ db: any SQLDatabase, company: CompanyID, code: String,
        employees: [(code: String, name: String, department: String?, position: String?, email: String?)]
    ) async throws -> PolicyReport {
        guard
            let row = try await db.raw(
                """
                SELECT p.code, p.departments, p.positions, p.version, v.title, v.summary, v.document_id, v.published_at
                FROM policies p JOIN policy_versions v ON v.company_id = p.company_id AND v.code = p.code AND v.version = p.version
                WHERE p.company_id = \(bind: company.description) AND p.code = \(bind: code)
                """
            ).first()
        else {
            throw DomainError(
                "policy.not_found", kind: .notFound, "You cannot open policy \(code.prefix(40)) because there is no such policy.")
        }
        func codes(_ column: String) throws -> [String] {
            try row.decode(column: column, as: String.self).split(separator: ",").map(String.init)
        }
        let audience = PolicyAudience(departments: try codes("departments"), positions: try codes("positions"))
        let version = Int(try row.decode(column: "version", as: Int64.self))
        let parents = try await loadDepartments(db, company: company).compactMapValues(\.parent)
        var acknowledged: [String: (version: Int, at: String)] = [:]
        for ack in try await db.raw(
            """
            SELECT employee, version, acknowledged_at FROM policy_acknowledgements
            WHERE company_id = \(bind: company.description) AND code = \(bind: code) ORDER BY version
            """
        ).all() {
            acknowledged[try ack.decode(column: "employee", as: String.self)] = (
                Int(try ack.decode(column: "version", as: Int64.self)), try ack.decode(column: "acknowledged_at", as: String.self)
            )
        }
        let lines = employees.filter {
            Policies.addresses(audience, department: $0.department, position: $0.position, parents: parents)
        }.map { employee in
            let ack = acknowledged[employee.code]
            return PolicyStatusLine(
                employee: employee.code, name: employee.name, department: employee.department, email: employee.email,
                acknowledgedAt: ack?.version == version ? ack?.at : nil,
                previousVersion: ack.flatMap { $0.version < version ? $0.version : nil })
        }
        let policy = PolicyRecord(
            code: code, title: try row.decode(column: "title", as: String.self), version: version,
            summary: try row.decode(column: "summary", as: String?.self),
            document: try row.decode(column: "document_id", as: String?.self).flatMap { DocumentID(string: $0) },
            publishedAt: try row.decode(column: "published_at", as: String.self), audience: audience, addressed: lines.count,
            acknowledged: lines.filter { $0.acknowledgedAt != nil }.count)
        return PolicyReport(
            policy: policy,
            lines: lines.sorted { ($0.acknowledgedAt == nil ? 0 : 1, $0.name) < ($1.acknowledgedAt == nil ? 0 : 1, $1.name) })
    }
}
