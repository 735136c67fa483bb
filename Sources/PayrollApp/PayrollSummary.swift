import Application
import Foundation
import Kernel
import Payroll
import PeopleApp
import SQLKit

/// One group of the month's payroll: a department or a cost centre, with its people and its amounts.
public struct PayrollSummaryRow: Sendable, Equatable {
    /// The department's code or the cost centre; nil for people without one.
    public var key: String?
    public var name: String?
    public var employees: Int
    public var gross: Money
    public var cas: Money
    public var cass: Money
    public var tax: Money
    public var net: Money
    public var netToPay: Money
    public var mealVouchers: Money
    public var cam: Money
    public var cost: Money
}

extension Culise {
    public enum PayrollGrouping: String, Sendable, CaseIterable {
        case department
        case costCentre = "cost_centre"
    }

    /// The month's latest run summed by department or by the departments' cost centres (issue 15 item 5), in key
    /// order, people without a department (or a cost centre) last; the totals equal the register's.
    public func payrollSummary(
        company: CompanyID, month: YearMonth, by grouping: PayrollGrouping, actor: Actor
    ) async throws -> [PayrollSummaryRow] {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in
            let run = try await Self.requireLatest(db, company: company, month: month)
            let departments = try await Self.departmentFacts(db, company: company)
            var rows: [String?: PayrollSummaryRow] = [:]
            for line in run.lines {
                let key: String?
                let name: String?
                switch grouping {
                case .department:
                    key = line.department
                    name = line.department.flatMap { departments[$0]?.name }
                case .costCentre:
                    key = line.department.flatMap { departments[$0]?.costCentre }
                    name = nil
                }
                let r = line.result
                var row =
                    rows[key]
                    ?? PayrollSummaryRow(
                        key: key, name: name, employees: 0, gross: .zero(.ron), cas: .zero(.ron), cass: .zero(.ron), tax: .zero(.ron),
                        net: .zero(.ron), netToPay: .zero(.ron), mealVouchers: .zero(.ron), cam: .zero(.ron), cost: .zero(.ron))
                func add(_ total: Money, _ amount: Money) -> Money { .ron(total.minorUnits + amount.minorUnits) }
                row.employees += 1
                row.gross = add(row.gross, r.gross)
                row.cas = add(row.cas, r.cas)
                row.cass = add(row.cass, r.cass)
                row.tax = add(row.tax, r.tax)
                row.net = add(row.net, r.net)
                row.netToPay = add(row.netToPay, r.netToPay)
                row.mealVouchers = add(row.mealVouchers, r.mealVouchers)
                row.cam = add(row.cam, r.cam)
                row.cost = add(row.cost, r.employerCost)
                rows[key] = row
            }
            return rows.values.sorted { ($0.key == nil ? 1 : 0, $0.key ?? "") < ($1.key == nil ? 1 : 0, $1.key ?? "") }
        }
    }
}
