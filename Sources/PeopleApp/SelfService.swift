import Application
import Foundation
import Identity
import Kernel
import People
import SQLKit
import Storage

/// What an actor may see of a company's people. HR (and the roles that read the `hr` area) see everyone; any other user
/// sees the employee linked to their account, and a `manager` also the employees who report to them, directly or down
/// the chain of managers. Nobody else is visible: asking for them answers "not found", never a hint that they exist.
public enum PeopleScope: Sendable, Equatable {
    case everyone(pay: Bool)
    case linked(me: String, reports: Set<String>)
    case nobody
}

/// How much of an employee a reader sees: all of it (HR, the employee themselves), all but pay (a role that reads the
/// `hr` area but not `payroll`), or what a manager needs of a report (name, department, position, work contacts, the
/// contract's dates and norm, leave and timesheets; no CNP, address, IBAN, dependants or salary).
public enum EmployeeVisibility: String, Sendable, Equatable {
    case full, withoutPay, team
}

public struct EmployeeView: Sendable, Equatable {
    public var record: EmployeeRecord
    public var visibility: EmployeeVisibility
}

/// An employee's own page: who they are, their annual leave, their requests, this month's timesheet, the policies they
/// still have to acknowledge.
public struct SelfServiceView: Sendable, Equatable {
    public var employee: EmployeeRecord
    public var balance: LeaveBalance?
    public var leave: [LeaveRecord]
    public var timesheet: TimesheetRecord?
    public var policies: [PolicyRecord]
    public var reports: [String]
}

extension Culise {
    /// Links an employee to the user account they sign in with (a member of the company); nil unlinks.
    public func linkEmployeeUser(company: CompanyID, employee rawCode: String, email: String?, actor: Actor) async throws {
        try actor.require(.hr, .write, in: company)
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        try await transaction { db in
            _ = try await Self.requireEmployee(db, company: company, code: code)
            var userID: String?
            if let email, !email.isEmpty {
                guard
                    let row = try await db.raw(
                        """
                        SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
                        WHERE m.company_id = \(bind: company.description) AND u.email = \(bind: email.trimmingCharacters(in: .whitespaces).lowercased())
                        """
                    ).first()
                else {
                    throw DomainError(
                        "employee.user_unknown", kind: .notFound, field: "email",
                        "You cannot link \(code) to \(email.prefix(80)) because no member of this company signs in with that address.")
                }
                let id = try row.decode(column: "id", as: String.self)
                if let other = try await db.raw(
                    "SELECT code FROM employees WHERE company_id = \(bind: company.description) AND user_id = \(bind: id) AND code <> \(bind: code)"
                ).first() {
                    throw DomainError(
                        "employee.user_taken", kind: .conflict, field: "email",
                        "You cannot link \(code) to \(email.prefix(80)) because that account is already \(try other.decode(column: "code", as: String.self))'s."
                    )
                }
                userID = id
            }
            try await db.raw(
                "UPDATE employees SET user_id = \(bind: userID) WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "employee.link_user", entity: "employee", entityID: code,
                changes: [FieldChange("user", before: nil, after: email)], now: self.now)
        }
    }

    /// The actor's scope over the company's people (see `PeopleScope`).
    package func peopleScope(_ db: any SQLDatabase, company: CompanyID, actor: Actor) async throws -> PeopleScope {
        switch actor {
        case .system: return .everyone(pay: true)
        case .account: return .nobody
        case .user(let principal):
            guard principal.companyID == company else { return .nobody }
            if Policy.allows(principal.role, .hr, .read) {
                return .everyone(pay: Policy.allows(principal.role, .hr, .write) || Policy.allows(principal.role, .payroll, .read))
            }
            guard
                let me = try await db.raw(
                    "SELECT code FROM employees WHERE company_id = \(bind: company.description) AND user_id = \(bind: principal.userID.description)"
                ).first().map({ try $0.decode(column: "code", as: String.self) })
            else { return .nobody }
            guard principal.role == .manager else { return .linked(me: me, reports: []) }
            var managed: [String: [String]] = [:]
            for row in try await db.raw(
                "SELECT code, manager FROM employees WHERE company_id = \(bind: company.description) AND manager IS NOT NULL"
            ).all() {
                managed[try row.decode(column: "manager", as: String.self), default: []].append(
                    try row.decode(column: "code", as: String.self))
            }
            // Down the chain, each employee once (a cycle in the data cannot loop).
            var reports: Set<String> = []
            var queue = managed[me] ?? []
            while let next = queue.popLast() {
                guard next != me, reports.insert(next).inserted else { continue }
                queue += managed[next] ?? []
            }
            return .linked(me: me, reports: reports)
        }
    }

    /// An employee as the actor may see them; anyone outside the actor's scope is "not found".
    public func employeeView(company: CompanyID, code rawCode: String, actor: Actor) async throws -> EmployeeView {
        try actor.require(.profile, .read, in: company)
        let code = rawCode.uppercased()
        return try await read { db in
            let visibility: EmployeeVisibility
            switch try await self.peopleScope(db, company: company, actor: actor) {
            case .everyone(let pay): visibility = pay ? .full : .withoutPay
            case .linked(let me, _) where me == code: visibility = .full
            case .linked(_, let reports) where reports.contains(code): visibility = .team
            default:
                throw DomainError(
                    "employee.not_found", kind: .notFound, "You cannot open employee \(code) because there is no such employee.")
            }
            return EmployeeView(record: try await Self.requireEmployee(db, company: company, code: code), visibility: visibility)
        }
    }

    /// The signed-in employee's own page; `self.not_linked` when their account is not linked to an employee.
    public func selfService(company: CompanyID, actor: Actor) async throws -> SelfServiceView {
        try actor.require(.profile, .read, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        let today = self.today
        return try await read { db in
            let record = try await Self.requireEmployee(db, company: company, code: me.code)
            let balance = try await Self.balances(db, company: company, year: today.year, employees: [record]).first
            let leave = try await Self.loadLeave(
                db, company: company, where: "employee = \(bind: me.code) AND year >= \(bind: Int64(today.year - 1))")
            let timesheet = try await Self.loadTimesheets(db, company: company, month: YearMonth(today), employee: me.code).first
            let policies = try await Self.policiesToAcknowledge(db, company: company, employee: me.code, today: today)
            return SelfServiceView(
                employee: record, balance: balance, leave: leave.sorted { $0.from > $1.from }, timesheet: timesheet, policies: policies,
                reports: me.reports.sorted())
        }
    }

    /// The employee linked to the actor's account, with the employees they manage (managers only).
    package func myEmployeeCode(company: CompanyID, actor: Actor) async throws -> (code: String, reports: Set<String>) {
        let scope = try await read { db -> PeopleScope in
            let scope = try await self.peopleScope(db, company: company, actor: actor)
            // HR (who sees everyone) may be an employee too: their own page is their linked employee's.
            guard case .everyone = scope, case .user(let principal) = actor, principal.companyID == company else { return scope }
            return try await db.raw(
                "SELECT code FROM employees WHERE company_id = \(bind: company.description) AND user_id = \(bind: principal.userID.description)"
            ).first().map { .linked(me: try $0.decode(column: "code", as: String.self), reports: []) } ?? .nobody
        }
        guard case .linked(let me, let reports) = scope else {
            throw DomainError(
                "self.not_linked", kind: .notFound,
                "You cannot open your employee page because your account is not linked to an employee; ask HR to link it.")
        }
        return (me, reports)
    }

    /// The signed-in employee asks for leave for themselves: the same rules as any request.
    public func requestMyLeave(company: CompanyID, _ input: LeaveInput, actor: Actor) async throws -> LeaveRecord {
        try actor.require(.profile, .write, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        return try await requestLeave(company: company, employee: me.code, input, actor: actor, scoped: true)
    }

    /// The signed-in employee acknowledges the current version of a policy addressed to them.
    public func acknowledgeMyPolicy(company: CompanyID, code: String, actor: Actor) async throws -> PolicyStatusLine {
        try actor.require(.profile, .write, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        return try await acknowledgePolicy(company: company, code: code, employee: me.code, actor: actor, scoped: true)
    }

    /// Leave requests of the manager's reports overlapping a period, the undecided ones first.
    public func teamLeave(company: CompanyID, from: LocalDate, to: LocalDate, actor: Actor) async throws -> [LeaveRecord] {
        try actor.require(.profile, .read, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        guard !me.reports.isEmpty else { return [] }
        return try await read { db in
            try await Self.loadLeave(db, company: company, where: "from_date <= \(bind: to.iso) AND to_date >= \(bind: from.iso)")
                .filter { me.reports.contains($0.employee) }
                .sorted { ($0.state == .requested ? 0 : 1, $0.from) < ($1.state == .requested ? 0 : 1, $1.from) }
        }
    }

    /// A manager approves or rejects a report's request (HR decides any request through `decideLeave`).
    public func decideTeamLeave(
        company: CompanyID, id: LeaveID, _ action: LeaveState.Action, comment: String? = nil, actor: Actor
    ) async throws -> LeaveRecord {
        try actor.require(.profile, .write, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        let employee = try await read { db in
            try await Self.loadLeave(db, company: company, where: "id = \(bind: id.description)").first?.employee
        }
        guard let employee, me.reports.contains(employee) else {
            throw DomainError("leave.not_found", kind: .notFound, "You cannot decide on this leave request because it does not exist.")
        }
        guard action != .cancel else {
            throw DomainError(
                "leave.manager_cancel", kind: .conflict, field: "action",
                "You cannot cancel a report's leave; approve or reject it, or ask HR to cancel it.")
        }
        return try await decideLeave(company: company, id: id, action, comment: comment, actor: actor, scoped: true)
    }

    /// The timesheets of a month of the manager's reports (hours and codes; no pay).
    public func teamTimesheets(company: CompanyID, month: YearMonth, actor: Actor) async throws -> [TimesheetRecord] {
        try actor.require(.profile, .read, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor)
        guard !me.reports.isEmpty else { return [] }
        return try await read { db in
            try await Self.loadTimesheets(db, company: company, month: month, employee: nil).filter { me.reports.contains($0.employee) }
        }
    }

    /// The current versions of the policies addressed to an employee that they have not acknowledged.
    static func policiesToAcknowledge(
        _ db: any SQLDatabase, company: CompanyID, employee: String, today: LocalDate
    ) async throws
        -> [PolicyRecord]
    {
        let audience = try await policyAudienceRows(db, company: company, today: today).filter { $0.code == employee }
        guard !audience.isEmpty else { return [] }
        var result: [PolicyRecord] = []
        for row in try await db.raw(
            "SELECT code FROM policies WHERE company_id = \(bind: company.description) ORDER BY code LIMIT \(bind: Limits.policies)"
        ).all() {
            let report = try await policyReport(
                db, company: company, code: try row.decode(column: "code", as: String.self), employees: audience)
            if report.missing.contains(where: { $0.employee == employee }) { result.append(report.policy) }
        }
        return result
    }
}
