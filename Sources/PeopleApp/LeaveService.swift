import Application
import Approvals
import Foundation
import Identity
import Kernel
import People
import SQLKit
import Storage

/// What a user sends to request leave.
public struct LeaveInput: Sendable {
    public var type: String
    public var from: String
    public var to: String
    public var certificate: MedicalCertificate?
    public var note: String?

    public init(type: String, from: String, to: String, certificate: MedicalCertificate? = nil, note: String? = nil) {
        self.type = type
        self.from = from
        self.to = to
        self.certificate = certificate
        self.note = note
    }
}

public struct LeaveRecord: Sendable, Equatable {
    public var id: LeaveID
    public var employee: String
    public var type: LeaveType
    public var from: LocalDate
    public var to: LocalDate
    /// Working days the leave takes.
    public var days: Int
    public var state: LeaveState
    public var certificate: MedicalCertificate?
    public var note: String?
    public var requestedBy: String
    public var decidedBy: String?
}

/// One employee's annual leave in a year.
public struct LeaveBalance: Sendable, Equatable {
    public var employee: String
    public var name: String
    /// This year's entitlement, prorated to the days the contract covers (`LeaveRules.proratedEntitlement`).
    public var entitlement: Int
    /// Last year's entitlement not taken (Labour Code art. 146: unused leave is taken within 18 months).
    public var carriedOver: Int
    public var taken: Int
    /// Requested, not yet decided.
    public var pending: Int
    public var remaining: Int { entitlement + carriedOver - taken - pending }
}

extension Culise {
    /// Requests leave for an employee: the dates checked, the working days counted (weekends and holidays out), an
    /// overlap with another request refused, annual leave refused beyond the year's balance.
    public func requestLeave(company: CompanyID, employee code: String, _ input: LeaveInput, actor: Actor) async throws -> LeaveRecord {
        try await requestLeave(company: company, employee: code, input, actor: actor, scoped: false)
    }

    /// `scoped`: the caller (self-service) has already checked that the actor may ask for this employee.
    package func requestLeave(
        company: CompanyID, employee code: String, _ input: LeaveInput, actor: Actor, scoped: Bool
    ) async throws -> LeaveRecord {
        if !scoped { try actor.require(.hr, .write, in: company) }
        var problems = ProblemCollector()
        let type = LeaveType(rawValue: input.type)
        problems.check(
            type != nil,
            DomainError(
                "leave.type", field: "type",
                "You cannot request leave of type '\(input.type)'; use \(LeaveType.allCases.map(\.rawValue).joined(separator: ", "))."))
        let from = problems.collect { () throws(DomainError) in try LocalDate(iso: input.from, field: "from") }
        let to = problems.collect { () throws(DomainError) in try LocalDate(iso: input.to, field: "to") }
        if let type, let from, let to {
            for problem in LeaveRules.check(type: type, from: from, to: to, certificate: input.certificate) { problems.add(problem) }
            problems.check(
                from.year == to.year,
                DomainError("leave.dates", field: "to", "You cannot request leave across two years; split it at 31 December."))
        }
        problems.check(
            (input.note ?? "").count <= 500,
            DomainError("leave.note", field: "note", "You cannot write a note longer than 500 characters."))
        try problems.throwIfAny()
        guard let type, let from, let to else { throw ValidationErrors(problems.problems) }
        let days = LeaveRules.days(from: from, through: to)
        return try await transaction { db in
            let record = try await Self.requireEmployee(db, company: company, code: code.uppercased())
            let employee = record.employee.code
            guard let first = record.contract(on: from), let last = record.contract(on: to), first.record.id == last.record.id,
                first.state != .ended, last.state != .ended
            else {
                throw DomainError(
                    "leave.no_contract", kind: .conflict, field: "from",
                    "You cannot request leave for \(employee) from \(from.iso) to \(to.iso) because no contract covers every day of it.")
            }
            if let other = try await db.raw(
                """
                SELECT from_date, to_date FROM leave_requests
                WHERE company_id = \(bind: company.description) AND employee = \(bind: employee) AND state IN ('requested', 'approved')
                    AND from_date <= \(bind: to.iso) AND to_date >= \(bind: from.iso)
                LIMIT 1
                """
            ).first() {
                throw DomainError(
                    "leave.overlap", kind: .conflict, field: "from",
                    "You cannot request leave from \(from.iso) to \(to.iso) because \(employee) already has leave from \(try other.decode(column: "from_date", as: String.self)) to \(try other.decode(column: "to_date", as: String.self))."
                )
            }
            if type == .annual {
                let balance = try await Self.balances(db, company: company, year: from.year, employees: [record]).first
                let remaining = balance?.remaining ?? 0
                guard days <= remaining else {
                    throw DomainError(
                        "leave.over_balance", kind: .conflict, field: "to",
                        "You cannot request \(days) days of annual leave because \(employee) has \(remaining) days left in \(from.year).")
                }
            }
            let id = LeaveID.generate(now: self.now)
            try await db.raw(
                """
                INSERT INTO leave_requests (company_id, id, employee, type, from_date, to_date, year, days, state, certificate_series,
                    certificate_number, indemnity_code, note, requested_by, created_at)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: employee), \(bind: type.rawValue), \(bind: from.iso),
                    \(bind: to.iso), \(bind: Int64(from.year)), \(bind: Int64(days)), 'requested', \(bind: input.certificate?.series),
                    \(bind: input.certificate?.number), \(bind: input.certificate?.indemnityCode), \(bind: input.note), \(bind: actor.auditName),
                    \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "leave.request", entity: "leave", entityID: id.description,
                changes: [
                    FieldChange("employee", before: nil, after: employee), FieldChange("type", before: nil, after: type.rawValue),
                    FieldChange("dates", before: nil, after: "\(from.iso)..\(to.iso)"),
                    FieldChange("days", before: nil, after: String(days)),
                ], now: self.now)
            try await self.requestLeaveApproval(
                db, company: company, id: id, employee: employee, manager: record.employee.manager, type: type, from: from, to: to,
                days: days, actor: actor)
            return LeaveRecord(
                id: id, employee: employee, type: type, from: from, to: to, days: days, state: .requested, certificate: input.certificate,
                note: input.note, requestedBy: actor.auditName, decidedBy: nil)
        }
    }

    /// Approves, rejects or cancels a leave request, as its lifecycle allows; the request's approval is decided with it
    /// and its requester told.
    public func decideLeave(
        company: CompanyID, id: LeaveID, _ action: LeaveState.Action, comment: String? = nil, actor: Actor
    ) async throws -> LeaveRecord {
        try await decideLeave(company: company, id: id, action, comment: comment, actor: actor, scoped: false)
    }

    /// `scoped`: the caller (a manager's decision) has already checked that the request is a report's.
    package func decideLeave(
        company: CompanyID, id: LeaveID, _ action: LeaveState.Action, comment: String? = nil, actor: Actor, scoped: Bool
    ) async throws -> LeaveRecord {
        if !scoped { try actor.require(.hr, .write, in: company) }
        guard (comment ?? "").unicodeScalars.count <= 500 else {
            throw DomainError("leave.comment", field: "comment", "You cannot write a comment longer than 500 characters.")
        }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await transaction { db in
            guard var record = try await Self.loadLeave(db, company: company, where: "id = \(bind: id.description)").first else {
                throw DomainError("leave.not_found", kind: .notFound, "You cannot decide on this leave request because it does not exist.")
            }
            guard let next = record.state.applying(action) else {
                throw DomainError(
                    "leave.illegal_transition", kind: .conflict, field: "action",
                    "You cannot \(action.rawValue) a leave request that is \(record.state.rawValue).")
            }
            var decider: String?
            if let user = actor.userID {
                decider = try await db.raw(
                    "SELECT code FROM employees WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description)"
                ).first().map { try $0.decode(column: "code", as: String.self) }
            }
            try LeaveApproval.check(action, employee: record.employee, decider: decider)
            try await db.raw(
                """
                UPDATE leave_requests SET state = \(bind: next.rawValue), decided_by = \(bind: actor.auditName), decided_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "leave.\(action.rawValue)", entity: "leave", entityID: id.description,
                changes: [FieldChange("state", before: record.state.rawValue, after: next.rawValue)], now: self.now)
            let event: ApprovalState.Event =
                switch action {
                case .approve: .approve
                case .reject: .reject
                case .cancel: .withdraw
                }
            var requesters: [UserID] = []
            for email in Set([record.requestedBy]) {
                if let row = try await db.raw("SELECT id FROM users WHERE email = \(bind: email)").first() {
                    requesters += [UserID(string: try row.decode(column: "id", as: String.self))].compactMap { $0 }
                }
            }
            requesters += try await Self.linkedUsers(db, company: company, employees: [record.employee])
            try await self.closeApproval(
                db, company: company, documentType: "leave", documentID: id.description, event: event, comment: comment,
                requesters: requesters, link: "/me", actor: actor)
            record.state = next
            record.decidedBy = actor.auditName
            return record
        }
    }

    /// Opens the approval of a new request and tells who decides it: the employee's manager when their account is
    /// linked, otherwise HR (the members holding `hr` or `admin`), never the requester.
    func requestLeaveApproval(
        _ db: any SQLDatabase, company: CompanyID, id: LeaveID, employee: String, manager: String?, type: LeaveType, from: LocalDate,
        to: LocalDate, days: Int, actor: Actor
    ) async throws {
        var approvers = try await Self.linkedUsers(db, company: company, employees: manager.map { [$0] } ?? [])
        let link = approvers.isEmpty ? "/people/leave" : "/team"
        if approvers.isEmpty { approvers = try await members(db, company: company, roles: [.hr, .admin]) }
        approvers.removeAll { $0 == actor.userID }
        let span = from == to ? from.iso : "\(from.iso)–\(to.iso)"
        _ = try await openApproval(
            db, company: company, documentType: "leave", documentID: id.description, label: "\(type.code) \(employee) \(span)", amount: 0,
            creator: actor.auditName, approvers: approvers,
            facts: ["amount": "\(days) zile lucrătoare", "amount.en": days == 1 ? "1 working day" : "\(days) working days"], link: link,
            actor: actor)
    }

    /// The accounts linked to these employees.
    static func linkedUsers(_ db: any SQLDatabase, company: CompanyID, employees: [String]) async throws -> [UserID] {
        guard !employees.isEmpty else { return [] }
        return try await db.raw(
            "SELECT user_id FROM employees WHERE company_id = \(bind: company.description) AND user_id IS NOT NULL AND code IN "
                + .list(employees)
        ).all().compactMap { UserID(string: try $0.decode(column: "user_id", as: String.self)) }
    }

    /// Leave requests overlapping a period (the calendar), of one employee or all.
    public func leaveRequests(
        company: CompanyID, employee: String?, from: LocalDate, to: LocalDate, actor: Actor
    ) async throws
        -> [LeaveRecord]
    {
        try actor.require(.hr, .read, in: company)
        var condition: SQLQueryString = "from_date <= \(bind: to.iso) AND to_date >= \(bind: from.iso)"
        if let employee { condition = condition + " AND employee = \(bind: employee.uppercased())" }
        let filter = condition
        return try await read { db in try await Self.loadLeave(db, company: company, where: filter) }
    }

    static func loadLeave(_ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString) async throws -> [LeaveRecord] {
        let rows = try await db.raw(
            "SELECT * FROM leave_requests WHERE company_id = \(bind: company.description) AND " + condition
                + " ORDER BY from_date, employee LIMIT \(bind: Limits.leaveListed + 1)"
        ).all()
        guard rows.count <= Limits.leaveListed else {
            throw DomainError(
                "leave.too_many", kind: .tooLarge,
                "You cannot list more than \(Limits.leaveListed) leave requests at once; choose a shorter period.")
        }
        return try rows.map { row in
            let series = try row.decode(column: "certificate_series", as: String?.self)
            return LeaveRecord(
                id: try LeaveID(string: row.decode(column: "id", as: String.self)).orThrow("leave id"),
                employee: try row.decode(column: "employee", as: String.self),
                type: LeaveType(rawValue: try row.decode(column: "type", as: String.self)) ?? .unpaid,
                from: try LocalDate(iso: row.decode(column: "from_date", as: String.self)),
                to: try LocalDate(iso: row.decode(column: "to_date", as: String.self)),
                days: Int(try row.decode(column: "days", as: Int64.self)),
                state: LeaveState(rawValue: try row.decode(column: "state", as: String.self)) ?? .requested,
                certificate: try series.map {
                    MedicalCertificate(
                        series: $0, number: try row.decode(column: "certificate_number", as: String?.self) ?? "",
                        indemnityCode: try row.decode(column: "indemnity_code", as: String?.self) ?? "")
                }, note: try row.decode(column: "note", as: String?.self),
                requestedBy: try row.decode(column: "requested_by", as: String.self),
                decidedBy: try row.decode(column: "decided_by", as: String?.self))
        }
    }

    /// Every employee's annual leave in `year`: the prorated entitlement, last year's remainder, what is taken and asked.
    public func leaveBalances(company: CompanyID, year: Int, actor: Actor) async throws -> [LeaveBalance] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in
            let contracts = try await PeopleStore.loadContracts(db, company: company, employee: nil)
            var names: [String: String] = [:]
            for row in try await db.raw(
                "SELECT code, last_name, first_name FROM employees WHERE company_id = \(bind: company.description)"
            ).all() {
                names[try row.decode(column: "code", as: String.self)] =
                    "\(try row.decode(column: "last_name", as: String.self)) \(try row.decode(column: "first_name", as: String.self))"
            }
            let grouped = Dictionary(grouping: contracts, by: \.employee)
            let records = grouped.keys.sorted().map { code in
                EmployeeRecord(
                    employee: Self.placeholder(code, name: names[code]),
                    contracts: grouped[code] ?? [])
            }
            return try await Self.balances(db, company: company, year: year, employees: records)
        }
    }

    /// Balances of `employees` in `year`; two queries for the annual leave of the year and the year before.
    static func balances(_ db: any SQLDatabase, company: CompanyID, year: Int, employees: [EmployeeRecord]) async throws -> [LeaveBalance] {
        var taken: [String: Int] = [:]
        var pending: [String: Int] = [:]
        var takenBefore: [String: Int] = [:]
        var condition: SQLQueryString =
            "company_id = \(bind: company.description) AND type = 'annual' AND year IN (\(bind: Int64(year - 1)), \(bind: Int64(year)))"
        if employees.count == 1, let only = employees.first { condition = condition + " AND employee = \(bind: only.employee.code)" }
        for row in try await db.raw(
            "SELECT employee, year, state, SUM(days) AS days FROM leave_requests WHERE " + condition
                + " AND state IN ('requested', 'approved') GROUP BY employee, year, state"
        ).all() {
            let employee = try row.decode(column: "employee", as: String.self)
            let days = Int(try row.decode(column: "days", as: Int64.self))
            let rowYear = Int(try row.decode(column: "year", as: Int64.self))
            let approved = try row.decode(column: "state", as: String.self) == "approved"
            if rowYear == year {
                if approved { taken[employee, default: 0] += days } else { pending[employee, default: 0] += days }
            } else {
                takenBefore[employee, default: 0] += days
            }
        }
        return employees.map { record in
            let code = record.employee.code
            let current = Self.entitlement(record, year: year)
            let previous = Self.entitlement(record, year: year - 1)
            return LeaveBalance(
                employee: code, name: record.employee.name.trimmingCharacters(in: .whitespaces), entitlement: current,
                carriedOver: max(0, previous - (takenBefore[code] ?? 0)), taken: taken[code] ?? 0, pending: pending[code] ?? 0)
        }
    }

    /// A year's entitlement over all of an employee's contracts, each prorated to the days it covers in the year, with
    /// the leave days of its terms on the last day it covers.
    static func entitlement(_ record: EmployeeRecord, year: Int) -> Int {
        guard let first = try? LocalDate(year: year, month: 1, day: 1), let last = try? LocalDate(year: year, month: 12, day: 31) else {
            return 0
        }
        var total = 0
        for contract in record.contracts {
            let hire = contract.contract.hire
            var end: LocalDate?
            if let termination = contract.contract.events.last(where: { $0.kind == .termination }) { end = termination.effective }
            let lastDay = min(end ?? last, last)
            guard let terms = contract.contract.terms(on: max(lastDay, hire.start))?.terms else { continue }
            if case .fixed(let fixedEnd) = terms.duration { end = min(end ?? fixedEnd, fixedEnd) }
            guard hire.start <= last, (end ?? last) >= first else { continue }
            total += LeaveRules.proratedEntitlement(days: terms.leaveDays, year: year, employedFrom: hire.start, through: end)
        }
        return total
    }
}
