import Application
import Foundation
import Kernel
import People
import SQLKit
import Storage

public struct TimesheetRecord: Sendable, Equatable {
    public var employee: String
    public var month: YearMonth
    public var state: TimesheetState
    public var days: [TimesheetDay]
    public var hours: Int
    public var approvedBy: String?
}

extension Culise {
    /// Generates the month's timesheets from each contract in force in the month, the public holidays and the approved
    /// leave (`Timesheets.generate`), for every employee or one; a draft is generated again, an approved one is kept
    /// (reopen it first). Returns how many were written.
    public func generateTimesheets(company: CompanyID, month: YearMonth, employee only: String?, actor: Actor) async throws -> Int {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let cid = company.description
            // One employee: they must exist ("not found" rather than a silent nothing generated).
            if let only { _ = try await Self.requireEmployee(db, company: company, code: only.uppercased()) }
            let contracts = try await PeopleStore.loadContracts(db, company: company, employee: only?.uppercased())
            let byEmployee = Dictionary(grouping: contracts, by: \.employee)
            var leave: [String: [LeavePeriod]] = [:]
            for record in try await Self.loadLeave(
                db, company: company,
                where: "state = 'approved' AND from_date <= \(bind: month.lastDay.iso) AND to_date >= \(bind: month.firstDay.iso)")
            {
                leave[record.employee, default: []].append(LeavePeriod(type: record.type, from: record.from, to: record.to))
            }
            var approved: Set<String> = []
            for row in try await db.raw(
                "SELECT employee FROM timesheets WHERE company_id = \(bind: cid) AND month = \(bind: month.description) AND state = 'approved'"
            ).all() {
                approved.insert(try row.decode(column: "employee", as: String.self))
            }
            var rows: [[SQLValue]] = []
            for (employee, records) in byEmployee where !approved.contains(employee) {
                let employment = EmployeeRecord(employee: Self.placeholder(employee), contracts: records)
                let days = Timesheets.generate(
                    month: month, contract: { date in employment.contract(on: date).map { ($0.terms, $0.state) } },
                    leave: leave[employee] ?? [])
                // Only employees with a contract on some day of the month get a timesheet.
                guard days.contains(where: { $0.code != Timesheets.noContractCode }) else { continue }
                rows.append([
                    .text(cid), .text(employee), .text(month.description), .text(TimesheetState.draft.rawValue), .text(Self.encode(days)),
                    .int(Int64(Timesheets.totals(days).hours)), .text(self.nowText),
                ])
            }
            var delete: SQLQueryString =
                "DELETE FROM timesheets WHERE company_id = \(bind: cid) AND month = \(bind: month.description) AND state = 'draft'"
            if let only { delete = delete + " AND employee = \(bind: only.uppercased())" }
            try await db.raw(delete).run()
            try await SQLBulk.insert(
                db, into: "timesheets", columns: ["company_id", "employee", "month", "state", "days", "hours", "updated_at"], values: rows)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "timesheet.generate", entity: "timesheet", entityID: month.description,
                changes: [FieldChange("timesheets", before: nil, after: String(rows.count))], now: self.now)
            return rows.count
        }
    }

    public func timesheet(company: CompanyID, employee: String, month: YearMonth, actor: Actor) async throws -> TimesheetRecord {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.requireTimesheet(db, company: company, employee: employee.uppercased(), month: month) }
    }

    /// The month's timesheets, by employee.
    public func timesheets(company: CompanyID, month: YearMonth, actor: Actor) async throws -> [TimesheetRecord] {
        try actor.require(.hr, .read, in: company)
        return try await read { db in try await Self.loadTimesheets(db, company: company, month: month, employee: nil) }
    }

    static func loadTimesheets(
        _ db: any SQLDatabase, company: CompanyID, month: YearMonth, employee: String?
    ) async throws
        -> [TimesheetRecord]
    {
        var condition: SQLQueryString = "company_id = \(bind: company.description) AND month = \(bind: month.description)"
        if let employee { condition = condition + " AND employee = \(bind: employee)" }
        return try await db.raw("SELECT * FROM timesheets WHERE " + condition + " ORDER BY employee").all().map {
            try Self.decodeTimesheet($0, month: month)
        }
    }

    /// Changes one day of a draft timesheet (overtime, an absence).
    public func editTimesheet(
        company: CompanyID, employee: String, month: YearMonth, date: LocalDate, hours: Int, code: String, actor: Actor
    ) async throws -> TimesheetRecord {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            var record = try await Self.requireTimesheet(db, company: company, employee: employee.uppercased(), month: month)
            let before = record.days.first { $0.date == date }
            try Timesheets.edit(&record.days, state: record.state, date: date, hours: hours, code: code)
            record.hours = Timesheets.totals(record.days).hours
            try await Self.saveTimesheet(db, company: company, record, now: self.nowText)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "timesheet.edit", entity: "timesheet", entityID: "\(record.employee)/\(month)",
                changes: [FieldChange(date.iso, before: before.map { "\($0.hours) \($0.code)" }, after: "\(hours) \(code)")], now: self.now)
            return record
        }
    }

    /// Approves a draft (it is locked) or reopens an approved one (audited); payroll reads only approved timesheets.
    public func decideTimesheet(
        company: CompanyID, employee: String, month: YearMonth, _ action: TimesheetState.Action, actor: Actor
    ) async throws -> TimesheetRecord {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            var record = try await Self.requireTimesheet(db, company: company, employee: employee.uppercased(), month: month)
            guard let next = record.state.applying(action) else {
                throw DomainError(
                    "timesheet.illegal_transition", kind: .conflict, field: "action",
                    "You cannot \(action.rawValue) a timesheet that is \(record.state.rawValue).")
            }
            let before = record.state
            record.state = next
            record.approvedBy = next == .approved ? actor.auditName : nil
            try await Self.saveTimesheet(db, company: company, record, now: self.nowText)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "timesheet.\(action.rawValue)", entity: "timesheet",
                entityID: "\(record.employee)/\(month)", changes: [FieldChange("state", before: before.rawValue, after: next.rawValue)],
                now: self.now)
            return record
        }
    }

    /// Approves every draft timesheet of the month at once (one statement; one audit row per timesheet); returns how
    /// many were approved.
    public func approveTimesheets(company: CompanyID, month: YearMonth, actor: Actor) async throws -> Int {
        try actor.require(.hr, .write, in: company)
        return try await transaction { db in
            let approved = try await db.raw(
                """
                UPDATE timesheets SET state = 'approved', approved_by = \(bind: actor.auditName), approved_at = \(bind: self.nowText),
                    updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND month = \(bind: month.description) AND state = 'draft' RETURNING employee
                """
            ).all().map { try $0.decode(column: "employee", as: String.self) }
            try await AuditLog.appendMany(
                db,
                approved.sorted().map {
                    AuditEvent(
                        actor: actor, company: company, action: "timesheet.approve", entity: "timesheet", entityID: "\($0)/\(month)",
                        changes: [FieldChange("state", before: "draft", after: "approved")])
                }, now: self.now)
            return approved.count
        }
    }

    static func requireTimesheet(
        _ db: any SQLDatabase, company: CompanyID, employee: String, month: YearMonth
    ) async throws
        -> TimesheetRecord
    {
        guard
            let row = try await db.raw(
                """
                SELECT * FROM timesheets WHERE company_id = \(bind: company.description) AND month = \(bind: month.description)
                    AND employee = \(bind: employee)
                """
            ).first()
        else {
            throw DomainError(
                "timesheet.not_found", kind: .notFound,
                "You cannot open the timesheet of \(employee) for \(month) because it was not generated.")
        }
        return try decodeTimesheet(row, month: month)
    }

    static func saveTimesheet(_ db: any SQLDatabase, company: CompanyID, _ record: TimesheetRecord, now: String) async throws {
        try await db.raw(
            """
            UPDATE timesheets SET state = \(bind: record.state.rawValue), days = \(bind: encode(record.days)), hours = \(bind: Int64(record.hours)),
                approved_by = \(bind: record.approvedBy), approved_at = \(bind: record.state == .approved ? now : nil), updated_at = \(bind: now)
            WHERE company_id = \(bind: company.description) AND month = \(bind: record.month.description) AND employee = \(bind: record.employee)
            """
        ).run()
    }

    /// Days as `hours:code` separated by `;`, one per day of the month in order.
    static func encode(_ days: [TimesheetDay]) -> String { days.map { "\($0.hours):\($0.code)" }.joined(separator: ";") }

    static func decodeTimesheet(_ row: any SQLRow, month: YearMonth) throws -> TimesheetRecord {
        let text = try row.decode(column: "days", as: String.self)
        var days: [TimesheetDay] = []
        var date = month.firstDay
        for cell in text.split(separator: ";", omittingEmptySubsequences: false) where date <= month.lastDay {
            let parts = cell.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            days.append(TimesheetDay(date: date, hours: Int(parts.first ?? "") ?? 0, code: parts.count > 1 ? String(parts[1]) : ""))
            date = date.adding(days: 1)
        }
        return TimesheetRecord(
            employee: try row.decode(column: "employee", as: String.self), month: month,
            state: TimesheetState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft, days: days,
            hours: Int(try row.decode(column: "hours", as: Int64.self)), approvedBy: try row.decode(column: "approved_by", as: String?.self)
        )
    }

    /// An employee known only by code (what `EmployeeRecord.contract(on:)` needs from it).
    static func placeholder(_ code: String, name: String? = nil) -> Employee {
        Employee(
            code: code, lastName: name ?? code, firstName: "", cnp: "", sex: .female, birthDate: LocalDate(dayNumber: 0), idDocument: nil,
            addressLine: nil, city: nil, county: nil, phone: nil, email: nil, iban: nil, education: nil, department: nil, position: nil,
            manager: nil, emergencyContact: nil, dependants: [], declaredDependants: 0)
    }
}
