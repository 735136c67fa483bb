import Application
import Foundation
import Kernel
import Payroll
import People
import PeopleApp
import SQLKit
import Storage

/// From the people context's month of work to the calculation's input: the contract's terms day by day make the
/// segments; the approved timesheet says which working days were worked (hours > 0) or on paid annual leave (`CO`);
/// hours beyond the norm, and hours on days off, are overtime.
enum PayrollInputs {
    static func input(
        _ work: MonthOfWork, month: YearMonth, items: PayrollItems, mealVoucherValue: Money, leaveDailyAverage: Money?
    ) throws(DomainError) -> (input: PayInput, basePay: Int64) {
        let code = work.record.employee.code
        guard let sheet = work.timesheet, sheet.state == .approved else {
            throw DomainError(
                "payroll.timesheet", kind: .conflict, field: "timesheet",
                "You cannot compute \(code)'s pay for \(month) because their timesheet is \(work.timesheet == nil ? "missing" : "not approved"); payroll reads approved timesheets only."
            )
        }
        var segments: [PaySegment] = []
        var overtime = items.overtimeHours
        var medical = 0
        for day in sheet.days {
            guard let (terms, state) = work.record.contract(on: day.date).map({ ($0.terms, $0.state) }), state == .active else { continue }
            let working = WorkingDays.isWorkingDay(day.date)
            if !working {
                overtime += day.hours
                continue
            }
            var worked = 0
            var leave = 0
            switch day.code {
            case LeaveType.annual.code: leave = 1
            case LeaveType.medical.code: medical += 1
            default:
                if day.hours > 0 {
                    worked = 1
                    overtime += max(0, day.hours - terms.normHours)
                }
            }
            if let last = segments.last, last.baseSalary == terms.baseSalary, last.normHours == terms.normHours {
                segments[segments.count - 1].workedDays += worked
                segments[segments.count - 1].paidLeaveDays += leave
            } else {
                segments.append(
                    PaySegment(baseSalary: terms.baseSalary, normHours: terms.normHours, workedDays: worked, paidLeaveDays: leave))
            }
        }
        guard medical == 0 else {
            throw DomainError(
                "payroll.medical_leave", kind: .conflict, field: "timesheet",
                "You cannot compute \(code)'s pay for \(month) yet because Culise does not compute medical leave indemnities (\(medical) days of CM); pay this month outside Culise or wait for that step."
            )
        }
        // A contract active on no working day of the month (suspended, or starting on its last Sunday) pays nothing,
        // and the employee still has a line (the declaration lists them).
        if segments.isEmpty, let terms = work.record.contract(on: month.lastDay)?.terms ?? work.record.contract(on: month.firstDay)?.terms {
            segments.append(PaySegment(baseSalary: terms.baseSalary, normHours: terms.normHours, workedDays: 0))
        }
        let worked = segments.reduce(0) { $0 + $1.workedDays }
        let days = WorkingDays.count(from: month.firstDay, through: month.lastDay)
        let input = PayInput(
            employee: code, month: month, birthDate: work.record.employee.birthDate, mainJob: true,
            dependants: work.record.employee.deductionDependants, childrenInSchool: 0, monthWorkingDays: days, segments: segments,
            overtimeHours: overtime, bonuses: items.bonuses, leaveDailyAverage: leaveDailyAverage,
            mealVouchers: mealVoucherValue.isZero ? 0 : worked, mealVoucherValue: mealVoucherValue, advance: items.advance,
            garnishments: items.garnishments)
        let basePay = segments.reduce(Int64(0)) {
            $0 + (PayrollRounding.prorated($1.baseSalary.minorUnits, part: $1.workedDays, whole: days) ?? 0)
        }
        return (input, basePay)
    }
}

extension DomainError {
    /// The same problem, its field prefixed with the employee it is about (`E007.timesheet`).
    func prefixed(_ employee: String) -> DomainError {
        DomainError(id, kind: kind, field: field.map { "\(employee).\($0)" } ?? employee, message)
    }
}

extension Culise {
    /// The month's runs, oldest first; `lines: false` leaves their lines out (a step that needs only the states).
    static func loadRuns(
        _ db: any SQLDatabase, company: CompanyID, month: YearMonth, lines: Bool = true
    ) async throws -> [PayrollRunRecord] {
        let rows = try await db.raw(
            """
            SELECT id, kind, state, computed_by, computed_at, decided_by, entry_id, payment_entry_id FROM payroll_runs
            WHERE company_id = \(bind: company.description) AND month = \(bind: month.description) ORDER BY created_at, id
            """
        ).all()
        var runs: [PayrollRunRecord] = []
        for row in rows {
            let id = try PayrollRunID(string: row.decode(column: "id", as: String.self)).orThrow("payroll run id")
            runs.append(
                PayrollRunRecord(
                    id: id, month: month, kind: try row.decode(column: "kind", as: String.self),
                    state: PayrollRunState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
                    computedBy: try row.decode(column: "computed_by", as: String?.self),
                    computedAt: try row.decode(column: "computed_at", as: String?.self),
                    decidedBy: try row.decode(column: "decided_by", as: String?.self),
                    entry: try row.decode(column: "entry_id", as: String?.self),
                    paymentEntry: try row.decode(column: "payment_entry_id", as: String?.self),
                    lines: lines ? try await loadLines(db, company: company, run: id, month: month) : []))
        }
        return runs
    }

    /// The month's latest run with its lines (only `employee`'s when one is named: a payslip reads one row).
    static func requireLatest(
        _ db: any SQLDatabase, company: CompanyID, month: YearMonth, employee: String? = nil
    ) async throws -> PayrollRunRecord {
        guard var run = try await loadRuns(db, company: company, month: month, lines: false).last else { throw noRun(month) }
        run.lines = try await loadLines(db, company: company, run: run.id, month: month, employee: employee)
        return run
    }

    static let lineAmounts = [
        "base_pay", "bonuses", "gross", "untaxed", "cas", "cass", "deduction", "taxable", "tax", "net", "meal_vouchers", "advance",
        "garnishments", "net_to_pay", "cam", "cost",
    ]

    static func loadLines(
        _ db: any SQLDatabase, company: CompanyID, run: PayrollRunID, month: YearMonth, employee: String? = nil
    ) async throws -> [PayrollLineRecord] {
        var query: SQLQueryString =
            "SELECT * FROM payroll_lines WHERE company_id = \(bind: company.description) AND run_id = \(bind: run.description)"
        if let employee { query = query + " AND employee = \(bind: employee)" }
        return try await db.raw(query + " ORDER BY employee").all().map { row in
            func money(_ column: String) throws -> Money { .ron(try row.decode(column: column, as: Int64.self)) }
            let explanation = try row.decode(column: "explanation", as: String.self)
            let lines = ((try? JSONDecoder().decode([[String]].self, from: Data(explanation.utf8))) ?? []).compactMap { item -> PayLine? in
                guard item.count == 4, let minor = Int64(item[1]) else { return nil }
                return PayLine(code: item[0], amount: .ron(minor), explanation: item[2], explanationRO: item[3])
            }
            let employee = try row.decode(column: "employee", as: String.self)
            return PayrollLineRecord(
                employee: employee, name: try row.decode(column: "name", as: String.self),
                department: try row.decode(column: "department", as: String?.self),
                workedDays: Int(try row.decode(column: "worked_days", as: Int64.self)), basePay: try money("base_pay"),
                bonuses: try money("bonuses"),
                result: PayResult(
                    employee: employee, month: month, gross: try money("gross"), untaxed: try money("untaxed"), cas: try money("cas"),
                    cass: try money("cass"), deduction: try money("deduction"), taxable: try money("taxable"), tax: try money("tax"),
                    net: try money("net"), mealVouchers: try money("meal_vouchers"), advance: try money("advance"),
                    garnishments: try money("garnishments"), netToPay: try money("net_to_pay"), cam: try money("cam"),
                    employerCost: try money("cost"), lines: lines))
        }
    }

    static func writeLines(_ db: any SQLDatabase, company: CompanyID, run: PayrollRunID, _ lines: [PayrollLineRecord]) async throws {
        try await db.raw(
            "DELETE FROM payroll_lines WHERE company_id = \(bind: company.description) AND run_id = \(bind: run.description)"
        ).run()
        let rows: [[SQLValue]] = try lines.map { line in
            let r = line.result
            let explanation = try JSONEncoder().encode(
                r.lines.map { [$0.code, String($0.amount.minorUnits), $0.explanation, $0.explanationRO] })
            return [
                .text(company.description), .text(run.description), .text(line.employee), .text(line.name), SQLValue(line.department),
                .int(Int64(line.workedDays)),
            ]
                + [
                    line.basePay, line.bonuses, r.gross, r.untaxed, r.cas, r.cass, r.deduction, r.taxable, r.tax, r.net, r.mealVouchers,
                    r.advance, r.garnishments, r.netToPay, r.cam, r.employerCost,
                ].map { SQLValue.int($0.minorUnits) } + [.text(String(decoding: explanation, as: UTF8.self))]
        }
        try await SQLBulk.insert(
            db, into: "payroll_lines",
            columns: ["company_id", "run_id", "employee", "name", "department", "worked_days"] + lineAmounts + ["explanation"], values: rows
        )
    }

    static func loadItems(_ db: any SQLDatabase, company: CompanyID, month: YearMonth) async throws -> [String: PayrollItems] {
        var items: [String: PayrollItems] = [:]
        for row in try await db.raw(
            "SELECT * FROM payroll_items WHERE company_id = \(bind: company.description) AND month = \(bind: month.description)"
        ).all() {
            items[try row.decode(column: "employee", as: String.self)] = PayrollItems(
                bonuses: .ron(try row.decode(column: "bonuses", as: Int64.self)),
                overtimeHours: Int(try row.decode(column: "overtime_hours", as: Int64.self)),
                advance: .ron(try row.decode(column: "advance", as: Int64.self)),
                garnishments: .ron(try row.decode(column: "garnishments", as: Int64.self)))
        }
        return items
    }

    static func mealVoucherValue(_ db: any SQLDatabase, company: CompanyID) async throws -> Money {
        .ron(
            try await db.raw("SELECT meal_voucher_value FROM payroll_settings WHERE company_id = \(bind: company.description)").first()?
                .decode(column: "meal_voucher_value", as: Int64.self) ?? 0)
    }

    /// Each employee's daily average of base pay and bonuses over the three months before `month` that were posted
    /// (Labour Code art. 150: paid leave is paid at this average); none without such a month.
    static func leaveAverages(_ db: any SQLDatabase, company: CompanyID, before month: YearMonth) async throws -> [String: Money] {
        var months: [String] = []
        var cursor = month.firstDay.adding(days: -1)
        for _ in 0..<3 {
            months.append(YearMonth(cursor).description)
            cursor = YearMonth(cursor).firstDay.adding(days: -1)
        }
        var sums: [String: (pay: Int64, days: Int64)] = [:]
        for row in try await db.raw(
            """
            SELECT l.employee, CAST(SUM(l.base_pay + l.bonuses) AS BIGINT) AS pay, CAST(SUM(l.worked_days) AS BIGINT) AS days
            FROM payroll_lines l JOIN payroll_runs r ON r.company_id = l.company_id AND r.id = l.run_id
            WHERE l.company_id = \(bind: company.description) AND r.kind = 'regular' AND r.state IN ('posted', 'paid') AND r.month IN
            """ + " " + .list(months) + " GROUP BY l.employee"
        ).all() {
            sums[try row.decode(column: "employee", as: String.self)] = (
                try row.decode(column: "pay", as: Int64.self), try row.decode(column: "days", as: Int64.self)
            )
        }
        return sums.compactMapValues { sum -> Money? in
            guard sum.days > 0 else { return nil }
            return PayrollRounding.wholeLeu(numerator: sum.pay, denominator: sum.days).map { Money.ron($0) }
        }
    }

    /// What a run posts: the run itself, or for a correction its differences from what the month's posted runs booked.
    static func toPost(_ run: PayrollRunRecord, earlier: [PayrollRunRecord]) -> [PayResult] {
        guard run.kind == "correction", !earlier.isEmpty else { return run.lines.map(\.result) }
        func amounts(_ r: PayResult) -> [Int64] {
            [r.gross, r.cas, r.cass, r.tax, r.cam, r.mealVouchers, r.advance, r.garnishments, r.netToPay].map(\.minorUnits)
        }
        // Every run stores the month in full, and each posting brought the books to its run: what the books hold now
        // is the latest earlier posted run.
        var before: [String: [Int64]] = [:]
        for line in earlier.last?.lines ?? [] { before[line.employee] = amounts(line.result) }
        let employees = Set(run.lines.map(\.employee)).union(before.keys).sorted()
        return employees.map { employee in
            let now = run.lines.first { $0.employee == employee }.map { amounts($0.result) } ?? Array(repeating: 0, count: 9)
            let d = zip(now, before[employee] ?? Array(repeating: 0, count: 9)).map { $0 - $1 }
            return PayResult(
                employee: employee, month: run.month, gross: .ron(d[0]), untaxed: .zero(.ron), cas: .ron(d[1]), cass: .ron(d[2]),
                deduction: .zero(.ron), taxable: .zero(.ron), tax: .ron(d[3]), net: .ron(d[0] - d[1] - d[2] - d[3]),
                mealVouchers: .ron(d[5]), advance: .ron(d[6]), garnishments: .ron(d[7]), netToPay: .ron(d[8]), cam: .ron(d[4]),
                employerCost: .ron(d[0] + d[4]), lines: [])
        }
    }
}
