import Application
import Foundation
import Kernel
import People
import SQLKit

/// What payroll reads of one employee for a month: the record (birth date, dependants), the contracts (their terms on
/// each day), and the month's timesheet as it stands (payroll pays only approved ones).
public struct MonthOfWork: Sendable, Equatable {
    public var record: EmployeeRecord
    public var timesheet: TimesheetRecord?
}

extension Culise {
    /// Every employee with a contract covering a day of `month`, in code order: the people context's one read for
    /// payroll (issue 15), in one transaction (four queries, whatever the headcount).
    public func monthOfWork(company: CompanyID, month: YearMonth, actor: Actor) async throws -> [MonthOfWork] {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in
            let contracts = Dictionary(grouping: try await PeopleStore.loadContracts(db, company: company, employee: nil), by: \.employee)
            let covering = contracts.filter { _, records in
                records.contains { record in
                    var day = month.firstDay
                    while day <= month.lastDay {
                        if let (_, state) = record.contract.terms(on: day), state != .ended { return true }
                        day = day.adding(days: 1)
                    }
                    return false
                }
            }
            guard !covering.isEmpty else { return [] }
            var dependants: [String: [Dependant]] = [:]
            for row in try await db.raw(
                """
                SELECT employee, name, cnp, relationship, income_below_limit FROM employee_dependants
                WHERE company_id = \(bind: company.description) ORDER BY employee, line_no
                """
            ).all() {
                dependants[try row.decode(column: "employee", as: String.self), default: []].append(
                    Dependant(
                        name: try row.decode(column: "name", as: String.self), cnp: try row.decode(column: "cnp", as: String.self),
                        relationship: Dependant.Relationship(rawValue: try row.decode(column: "relationship", as: String.self)) ?? .other,
                        incomeBelowLimit: try row.decode(column: "income_below_limit", as: Bool.self)))
            }
            var employees: [String: Employee] = [:]
            for row in try await db.raw("SELECT * FROM employees WHERE company_id = \(bind: company.description)").all() {
                let code = try row.decode(column: "code", as: String.self)
                guard covering[code] != nil else { continue }
                employees[code] = try PeopleStore.decodeEmployee(row, dependants: dependants[code] ?? [])
            }
            let sheets = Dictionary(
                uniqueKeysWithValues: try await Self.loadTimesheets(db, company: company, month: month, employee: nil).map {
                    ($0.employee, $0)
                })
            return covering.keys.sorted().compactMap { code in
                guard let employee = employees[code] else { return nil }
                return MonthOfWork(
                    record: EmployeeRecord(employee: employee, contracts: covering[code] ?? []), timesheet: sheets[code])
            }
        }
    }
}
