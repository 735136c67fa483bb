import Application
import Approvals
import Foundation
import Identity
import Kernel
import Ledger
import Payroll
import People
import PeopleApp
import Posting
import SQLKit
import Storage

public enum PayrollRunTag {}
public typealias PayrollRunID = ID<PayrollRunTag>

/// One employee's computed month as stored in a run.
public struct PayrollLineRecord: Sendable, Equatable {
    public var employee: String
    public var name: String
    public var department: String?
    public var workedDays: Int
    public var basePay: Money
    public var bonuses: Money
    public var result: PayResult
}

/// A payroll run as stored: `regular` (one a month) or `correction` (after the month was posted), its state and lines.
public struct PayrollRunRecord: Sendable, Equatable {
    public var id: PayrollRunID
    public var month: YearMonth
    public var kind: String
    public var state: PayrollRunState
    public var computedBy: String?
    public var computedAt: String?
    public var decidedBy: String?
    public var entry: String?
    public var paymentEntry: String?
    public var lines: [PayrollLineRecord]

    public func total(_ amount: (PayResult) -> Money) -> Money { .ron(lines.reduce(0) { $0 + amount($1.result).minorUnits }) }
}

/// The month's variable items of one employee.
public struct PayrollItems: Sendable, Equatable {
    public var bonuses: Money
    public var overtimeHours: Int
    public var advance: Money
    public var garnishments: Money

    public init(bonuses: Money = .zero(.ron), overtimeHours: Int = 0, advance: Money = .zero(.ron), garnishments: Money = .zero(.ron)) {
        self.bonuses = bonuses
        self.overtimeHours = overtimeHours
        self.advance = advance
        self.garnishments = garnishments
    }
}

extension Culise {
    /// Computes the month's payroll (issue 15 item 3): the regular run, created on first use and computed again as
    /// often as needed until it is approved; every employee with a contract in the month, from the approved timesheet,
    /// the contract's terms day by day, the month's items and the parameters in force. Every problem at once (a
    /// timesheet missing or not approved, an item out of bounds). The computer's run waits for another person's
    /// approval (the approvals service tells those who may give it).
    public func computePayroll(company: CompanyID, month: YearMonth, actor: Actor) async throws -> PayrollRunRecord {
        try actor.require(.payroll, .write, in: company)
        let work = try await monthOfWork(company: company, month: month, actor: actor)
        return try await transaction { db in
            let runs = try await Self.loadRuns(db, company: company, month: month, lines: false)
            if let latest = runs.last, [.posted, .paid].contains(latest.state) { _ = try latest.state.apply(.compute) }
            let run = try await self.openRun(db, company: company, month: month, kind: runs.last?.kind ?? "regular", existing: runs.last)
            return try await self.compute(db, company: company, run: run, work: work, actor: actor)
        }
    }

    /// After the month was posted, a correcting run computes it again from today's data; posting it posts only the
    /// differences from what the month's earlier runs posted (issue 15 item 3: a posted run is never edited).
    public func correctPayroll(company: CompanyID, month: YearMonth, actor: Actor) async throws -> PayrollRunRecord {
        try actor.require(.payroll, .write, in: company)
        let work = try await monthOfWork(company: company, month: month, actor: actor)
        return try await transaction { db in
            let runs = try await Self.loadRuns(db, company: company, month: month, lines: false)
            guard let latest = runs.last else { throw Self.noRun(month) }
            let open = latest.kind == "correction" && [.draft, .computed].contains(latest.state)
            guard open || [.posted, .paid].contains(latest.state) else {
                throw DomainError(
                    "payroll.correction", kind: .conflict, field: "month",
                    "You cannot correct the payroll of \(month) because its latest run is \(latest.state.rawValue), not posted; compute or post that run."
                )
            }
            let run = try await self.openRun(db, company: company, month: month, kind: "correction", existing: latest)
            return try await self.compute(db, company: company, run: run, work: work, actor: actor)
        }
    }

    /// The run to compute: the existing one (draft or computed), or a new one.
    func openRun(
        _ db: any SQLDatabase, company: CompanyID, month: YearMonth, kind: String, existing: PayrollRunRecord?
    ) async throws -> PayrollRunRecord {
        if let existing, existing.kind == kind, [.draft, .computed].contains(existing.state) { return existing }
        if let existing, existing.kind == kind, existing.state == .approved { _ = try existing.state.apply(.compute) }
        let id = PayrollRunID.generate(now: now)
        try await db.raw(
            """
            INSERT INTO payroll_runs (company_id, id, month, kind, state, created_at)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: month.description), \(bind: kind), 'draft', \(bind: nowText))
            """
        ).run()
        return PayrollRunRecord(
            id: id, month: month, kind: kind, state: .draft, computedBy: nil, computedAt: nil, decidedBy: nil, entry: nil,
            paymentEntry: nil,
            lines: [])
    }

    func compute(
        _ db: any SQLDatabase, company: CompanyID, run: PayrollRunRecord, work: [MonthOfWork], actor: Actor
    ) async throws -> PayrollRunRecord {
        let month = run.month
        let next = try run.state.apply(.compute)
        let rates = try GrossToNet.prepare(try await Self.parametersInForce(db, company: company, month: month))
        guard !work.isEmpty else {
            throw DomainError(
                "payroll.nobody", kind: .conflict, field: "month",
                "You cannot compute the payroll of \(month) because no contract covers it.")
        }
        let items = try await Self.loadItems(db, company: company, month: month)
        let voucher = try await Self.mealVoucherValue(db, company: company)
        let averages = try await Self.leaveAverages(db, company: company, before: month)
        var problems: [DomainError] = []
        var lines: [PayrollLineRecord] = []
        for month in work {
            do {
                let prepared = try PayrollInputs.input(
                    month, month: run.month, items: items[month.record.employee.code] ?? PayrollItems(), mealVoucherValue: voucher,
                    leaveDailyAverage: averages[month.record.employee.code])
                let result = try GrossToNet.compute(prepared.input, rates)
                lines.append(
                    PayrollLineRecord(
                        employee: month.record.employee.code, name: month.record.employee.name,
                        department: month.record.employee.department,
                        workedDays: prepared.input.segments.reduce(0) { $0 + $1.workedDays }, basePay: .ron(prepared.basePay),
                        bonuses: prepared.input.bonuses, result: result))
            } catch let error as ValidationErrors {
                problems += error.problems.map { $0.prefixed(month.record.employee.code) }
            } catch let error as DomainError {
                problems.append(error.prefixed(month.record.employee.code))
            }
        }
        guard problems.isEmpty else { throw ValidationErrors(problems) }
        try await Self.writeLines(db, company: company, run: run.id, lines)
        try await db.raw(
            """
            UPDATE payroll_runs SET state = \(bind: next.rawValue), computed_by = \(bind: actor.auditName), computed_at = \(bind: nowText),
                decided_by = NULL WHERE company_id = \(bind: company.description) AND id = \(bind: run.id.description)
            """
        ).run()
        var record = run
        record.state = next
        record.computedBy = actor.auditName
        record.computedAt = nowText
        record.lines = lines
        try await AuditLog.append(
            db, actor: actor, company: company, action: "payroll.compute", entity: "payroll_run", entityID: run.id.description,
            changes: [
                FieldChange("month", before: nil, after: month.description),
                FieldChange("employees", before: nil, after: String(lines.count)),
                FieldChange("gross", before: nil, after: record.total(\.gross).decimalString),
            ], now: now)
        // A new computation asks again: an earlier pending request is withdrawn.
        try await closeApproval(
            db, company: company, documentType: "payroll", documentID: run.id.description, event: .withdraw, comment: nil, requesters: [],
            link: nil, actor: actor)
        var approvers = try await members(db, company: company, roles: [.admin, .payroll])
        approvers.removeAll { $0 == actor.userID }
        _ = try await openApproval(
            db, company: company, documentType: "payroll", documentID: run.id.description, label: "\(month)",
            amount: record.total(\.employerCost).minorUnits, creator: actor.auditName, approvers: approvers,
            facts: [
                "amount": MoneyFormat.amount(record.total(\.employerCost).minorUnits, locale: .ro) + " RON",
                "amount.en": MoneyFormat.amount(record.total(\.employerCost).minorUnits, locale: .en) + " RON",
            ], link: "/payroll?month=\(month)", actor: actor)
        return record
    }

    /// Approves the month's computed run (not by the one who computed it) or sends it back to draft with a reason.
    public func decidePayroll(
        company: CompanyID, month: YearMonth, approve: Bool, comment: String? = nil, actor: Actor
    ) async throws -> PayrollRunRecord {
        try actor.require(.payroll, .write, in: company)
        guard (comment ?? "").unicodeScalars.count <= 500 else {
            throw DomainError("payroll.comment", field: "comment", "You cannot write a comment longer than 500 characters.")
        }
        return try await transaction { db in
            var run = try await Self.requireLatest(db, company: company, month: month)
            let next = try run.state.apply(approve ? .approve : .reject)
            if approve { try PayrollApproval.check(computedBy: run.computedBy ?? "", decider: actor.auditName) }
            try await db.raw(
                """
                UPDATE payroll_runs SET state = \(bind: next.rawValue), decided_by = \(bind: actor.auditName)
                WHERE company_id = \(bind: company.description) AND id = \(bind: run.id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: approve ? "payroll.approve" : "payroll.reject", entity: "payroll_run",
                entityID: run.id.description,
                changes: [
                    FieldChange("state", before: run.state.rawValue, after: next.rawValue),
                    FieldChange("comment", before: nil, after: comment),
                ],
                now: self.now)
            let computer = try await db.raw("SELECT id FROM users WHERE email = \(bind: run.computedBy ?? "")").first()
                .flatMap { UserID(string: try $0.decode(column: "id", as: String.self)) }
            try await self.closeApproval(
                db, company: company, documentType: "payroll", documentID: run.id.description, event: approve ? .approve : .reject,
                comment: comment, requesters: computer.map { [$0] } ?? [], link: "/payroll?month=\(month)", actor: actor)
            run.state = next
            run.decidedBy = actor.auditName
            return run
        }
    }

    /// Posts the approved run on the month's last day (a correction: the differences from the month's earlier runs).
    public func postPayroll(company: CompanyID, month: YearMonth, actor: Actor) async throws -> PayrollRunRecord {
        try actor.require(.payroll, .write, in: company)
        try actor.require(.accounting, .read, in: company)
        return try await transaction { db in
            let runs = try await Self.loadRuns(db, company: company, month: month)
            guard var run = runs.last else { throw Self.noRun(month) }
            let next = try run.state.apply(.post)
            let earlier = runs.dropLast().filter { [.posted, .paid].contains($0.state) }
            // CAM is owed on the month's total base: the run posts what D112 declares (a correction, the difference).
            let rate = try GrossToNet.prepare(try await Self.parametersInForce(db, company: company, month: month)).cam
            let cam =
                PayrollRounding.employerCAM(run.lines.map(\.result), basisPoints: rate)
                - (earlier.last.map { PayrollRounding.employerCAM($0.lines.map(\.result), basisPoints: rate) } ?? 0)
            let draft = PayrollPosting.entry(
                run: run.id.description, month: month, date: month.lastDay, results: Self.toPost(run, earlier: Array(earlier)), cam: cam)
            let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
            let problems = EntryValidator.problems(draft, rules: rules)
            if !problems.isEmpty { throw ValidationErrors(problems) }
            let ids = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)
            try await db.raw(
                """
                UPDATE payroll_runs SET state = \(bind: next.rawValue), entry_id = \(bind: ids.first?.description)
                WHERE company_id = \(bind: company.description) AND id = \(bind: run.id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.post", entity: "payroll_run", entityID: run.id.description,
                changes: [FieldChange("entry", before: nil, after: ids.first?.description)], now: self.now)
            run.state = next
            run.entry = ids.first?.description
            return run
        }
    }

    /// Records that the nets were paid on `date` from the bank: `421 = 5121` for what the run left to pay.
    public func payPayroll(company: CompanyID, month: YearMonth, date: LocalDate, actor: Actor) async throws -> PayrollRunRecord {
        try actor.require(.payroll, .write, in: company)
        return try await transaction { db in
            let runs = try await Self.loadRuns(db, company: company, month: month)
            guard var run = runs.last else { throw Self.noRun(month) }
            let next = try run.state.apply(.pay)
            let earlier = runs.dropLast().filter { [.posted, .paid].contains($0.state) }
            // What the bank statement has already paid (matched salary lines) is not paid again.
            let net =
                Self.toPost(run, earlier: Array(earlier)).reduce(0) { $0 + $1.netToPay.minorUnits }
                - (try await Self.transferred(db, company: company, run: run.id))
            var entry: String?
            if net != 0 {
                let draft = PayrollPosting.payment(run: run.id.description, month: month, date: date, net: .ron(net))
                let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
                let problems = EntryValidator.problems(draft, rules: rules)
                if !problems.isEmpty { throw ValidationErrors(problems) }
                entry = try await LedgerEngine.post(
                    db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText
                ).first?.description
            }
            try await db.raw(
                """
                UPDATE payroll_runs SET state = \(bind: next.rawValue), payment_entry_id = \(bind: entry)
                WHERE company_id = \(bind: company.description) AND id = \(bind: run.id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.pay", entity: "payroll_run", entityID: run.id.description,
                changes: [
                    FieldChange("paid_on", before: nil, after: date.iso),
                    FieldChange("net", before: nil, after: Money.ron(net).decimalString),
                ],
                now: self.now)
            run.state = next
            run.paymentEntry = entry
            return run
        }
    }

    /// The month's runs, oldest first, with their lines.
    public func payrollRuns(company: CompanyID, month: YearMonth, actor: Actor) async throws -> [PayrollRunRecord] {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in try await Self.loadRuns(db, company: company, month: month) }
    }

    /// Sets one employee's variable items for a month (bonuses, overtime hours, the advance, withholdings for third
    /// parties); they count at the next computation.
    public func setPayrollItems(
        company: CompanyID, month: YearMonth, employee rawCode: String, _ items: PayrollItems, actor: Actor
    ) async throws {
        try actor.require(.payroll, .write, in: company)
        let problems = GrossToNet.itemProblems(
            [(items.bonuses, "bonuses"), (items.advance, "advance"), (items.garnishments, "garnishments")],
            overtimeHours: items.overtimeHours)
        if !problems.isEmpty { throw ValidationErrors(problems) }
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        try await transaction { db in
            guard
                try await db.raw("SELECT code FROM employees WHERE company_id = \(bind: company.description) AND code = \(bind: code)")
                    .first()
                    != nil
            else {
                throw DomainError(
                    "employee.not_found", kind: .notFound, "You cannot open employee \(code) because there is no such employee.")
            }
            try await db.raw(
                """
                INSERT INTO payroll_items (company_id, month, employee, bonuses, overtime_hours, advance, garnishments, updated_at)
                VALUES (\(bind: company.description), \(bind: month.description), \(bind: code), \(bind: items.bonuses.minorUnits),
                    \(bind: Int64(items.overtimeHours)), \(bind: items.advance.minorUnits), \(bind: items.garnishments.minorUnits), \(bind: self.nowText))
                ON CONFLICT (company_id, month, employee) DO UPDATE SET bonuses = \(bind: items.bonuses.minorUnits),
                    overtime_hours = \(bind: Int64(items.overtimeHours)), advance = \(bind: items.advance.minorUnits),
                    garnishments = \(bind: items.garnishments.minorUnits), updated_at = \(bind: self.nowText)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.items", entity: "employee", entityID: code,
                changes: [
                    FieldChange("month", before: nil, after: month.description),
                    FieldChange("bonuses", before: nil, after: items.bonuses.decimalString, personal: true),
                    FieldChange("overtime_hours", before: nil, after: String(items.overtimeHours)),
                    FieldChange("advance", before: nil, after: items.advance.decimalString, personal: true),
                    FieldChange("garnishments", before: nil, after: items.garnishments.decimalString, personal: true),
                ], now: self.now)
        }
    }

    /// The value of one meal voucher the company grants per day worked (0: none), at most the legal maximum in force.
    public func setMealVoucherValue(company: CompanyID, _ value: Money, actor: Actor) async throws {
        try actor.require(.payroll, .write, in: company)
        let month = YearMonth(today)
        let maximum = try await read { db in try await Self.parametersInForce(db, company: company, month: month) }.mealVoucherMax
        guard value.currency.isRON, value.minorUnits >= 0, value.minorUnits <= maximum.minorUnits else {
            throw ValidationErrors([
                DomainError(
                    "payroll.meal_voucher_value", field: "meal_voucher_value",
                    "You cannot give meal vouchers of \(value) because the most a voucher may be worth is \(maximum).")
            ])
        }
        try await transaction { db in
            try await db.raw(
                """
                INSERT INTO payroll_settings (company_id, meal_voucher_value) VALUES (\(bind: company.description), \(bind: value.minorUnits))
                ON CONFLICT (company_id) DO UPDATE SET meal_voucher_value = \(bind: value.minorUnits)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.settings", entity: "company", entityID: company.description,
                changes: [FieldChange("meal_voucher_value", before: nil, after: value.decimalString)], now: self.now)
        }
    }

    static func noRun(_ month: YearMonth) -> DomainError {
        DomainError(
            "payroll.no_run", kind: .notFound, field: "month", "You cannot do this because the payroll of \(month) has not been computed.")
    }
}

/// One of an employee's payslips: the month's latest posted run and their line in it.
public struct Payslip: Sendable, Equatable {
    public var month: YearMonth
    public var run: PayrollRunRecord
    public var line: PayrollLineRecord
}

extension Culise {
    /// The signed-in employee's payslips of the last twelve posted months, newest first (self-service: their own only).
    public func myPayslips(company: CompanyID, actor: Actor) async throws -> [Payslip] {
        try actor.require(.profile, .read, in: company)
        let me = try await myEmployeeCode(company: company, actor: actor).code
        return try await read { db in
            let months = try await db.raw(
                """
                SELECT DISTINCT r.month FROM payroll_runs r JOIN payroll_lines l ON l.company_id = r.company_id AND l.run_id = r.id
                WHERE r.company_id = \(bind: company.description) AND l.employee = \(bind: me) AND r.state IN ('posted', 'paid')
                ORDER BY r.month DESC LIMIT 12
                """
            ).all().compactMap { try? YearMonth(text: try $0.decode(column: "month", as: String.self)) }
            var slips: [Payslip] = []
            for month in months {
                let runs = try await Self.loadRuns(db, company: company, month: month).filter { [.posted, .paid].contains($0.state) }
                guard let run = runs.last, let line = run.lines.first(where: { $0.employee == me }) else { continue }
                slips.append(Payslip(month: month, run: run, line: line))
            }
            return slips
        }
    }
}
