import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

/// The skills matrix of a department (and the departments under it): its employees in force, each skill's level.
public struct SkillsMatrix: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var employee: String
        public var name: String
        public var department: String?
        /// Skill code → level 1–4.
        public var levels: [String: Int]
    }

    public var skills: [SkillInput]
    public var rows: [Row]
}

extension Culise {
    /// Adds a skill to the company's matrix, or renames one.
    public func saveSkill(company: CompanyID, _ input: SkillInput, actor: Actor) async throws -> SkillInput {
        try actor.require(.hr, .write, in: company)
        let skill = try input.validated()
        return try await transaction { db in
            let existing = try await Self.loadSkills(db, company: company)
            if existing.contains(where: { $0.code == skill.code }) {
                try await db.raw(
                    "UPDATE skills SET name = \(bind: skill.name) WHERE company_id = \(bind: company.description) AND code = \(bind: skill.code)"
                ).run()
            } else {
                guard existing.count < Limits.skills else {
                    throw DomainError(
                        "skill.count", kind: .tooLarge, field: "code",
                        "You cannot add another skill because a company's matrix holds at most \(Limits.skills).")
                }
                try await db.raw(
                    "INSERT INTO skills (company_id, code, name) VALUES (\(bind: company.description), \(bind: skill.code), \(bind: skill.name))"
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "skill.save", entity: "skill", entityID: skill.code,
                changes: [FieldChange("name", before: nil, after: skill.name)], now: self.now)
            return skill
        }
    }

    /// Sets an employee's level in a skill (1–4), or removes it (nil).
    public func setSkillLevel(company: CompanyID, employee rawCode: String, skill rawSkill: String, level: Int?, actor: Actor) async throws
    {
        try actor.require(.hr, .write, in: company)
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        let skill = rawSkill.trimmingCharacters(in: .whitespaces).uppercased()
        if let level, !SkillInput.levels.contains(level) {
            throw ValidationErrors([
                DomainError("skill.level", field: "level", "You cannot give level \(level); use 1 (beginner) to 4 (expert), or none.")
            ])
        }
        try await transaction { db in
            _ = try await Self.requireEmployee(db, company: company, code: code)
            guard try await Self.loadSkills(db, company: company).contains(where: { $0.code == skill }) else {
                throw DomainError(
                    "skill.not_found", kind: .notFound, field: "skill",
                    "You cannot rate \(code) in \(skill.prefix(40)) because the matrix has no such skill.")
            }
            try await db.raw(
                """
                DELETE FROM employee_skills WHERE company_id = \(bind: company.description) AND employee = \(bind: code) AND skill = \(bind: skill)
                """
            ).run()
            if let level {
                try await db.raw(
                    """
                    INSERT INTO employee_skills (company_id, employee, skill, level, updated_at)
                    VALUES (\(bind: company.description), \(bind: code), \(bind: skill), \(bind: Int64(level)), \(bind: self.nowText))
                    """
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "skill.level", entity: "employee", entityID: code,
                changes: [FieldChange(skill, before: nil, after: level.map(String.init))], now: self.now)
        }
    }

    /// The matrix of a department and the departments under it (every employee in force when `department` is nil).
    public func skillsMatrix(company: CompanyID, department rawDepartment: String?, actor: Actor) async throws -> SkillsMatrix {
        try actor.require(.hr, .read, in: company)
        let department = rawDepartment.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.flatMap { $0.isEmpty ? nil : $0 }
        return try await read { db in
            let skills = try await Self.loadSkills(db, company: company)
            let departments = try await Self.loadDepartments(db, company: company)
            if let department, departments[department] == nil {
                throw DomainError(
                    "department.not_found", kind: .notFound, field: "department",
                    "You cannot open department \(department.prefix(40)) because there is no such department.")
            }
            let parents = departments.compactMapValues(\.parent)
            let audience = PolicyAudience(departments: department.map { [$0] } ?? [])
            var levels: [String: [String: Int]] = [:]
            for row in try await db.raw(
                "SELECT employee, skill, level FROM employee_skills WHERE company_id = \(bind: company.description)"
            ).all() {
                levels[try row.decode(column: "employee", as: String.self), default: [:]][
                    try row.decode(column: "skill", as: String.self)] =
                    Int(try row.decode(column: "level", as: Int64.self))
            }
            let rows = try await Self.policyAudienceRows(db, company: company, today: self.today).filter {
                Policies.addresses(audience, department: $0.department, position: nil, parents: parents)
            }.map { person in
                SkillsMatrix.Row(
                    employee: person.code, name: person.name, department: person.department, levels: levels[person.code] ?? [:])
            }
            return SkillsMatrix(skills: skills, rows: rows)
        }
    }

    static func loadSkills(_ db: any SQLDatabase, company: CompanyID) async throws -> [SkillInput] {
        try await db.raw(
            "SELECT code, name FROM skills WHERE company_id = \(bind: company.description) ORDER BY code LIMIT \(bind: Limits.skills)"
        ).all().map {
            SkillInput(code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self))
        }
    }
}
