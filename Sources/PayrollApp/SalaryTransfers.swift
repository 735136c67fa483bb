import Application
import Foundation
import Kernel
import Payroll
import PeopleApp
import SQLKit
import Storage

/// One employee's net salary of a posted run, waiting for the bank line that pays it.
public struct OpenSalaryTransfer: Sendable, Equatable {
    /// `run/employee`: what a bank line's allocation names.
    public var id: String
    public var run: PayrollRunID
    public var month: YearMonth
    public var employee: String
    public var name: String
    public var iban: String?
    /// The transfer's end-to-end id in the payment file (`SAL202603-E002`).
    public var endToEndID: String
    public var amount: Money
}

extension Schema {
    /// Which bank line paid which employee's net (issue 15 item 6).
    package static let payrollTransfers = Migration(25, "payroll transfers") { _ in
        [
            """
            CREATE TABLE payroll_transfers (
                company_id TEXT NOT NULL REFERENCES companies(id),
                run_id TEXT NOT NULL,
                employee TEXT NOT NULL,
                bank_line_id TEXT NOT NULL,
                amount BIGINT NOT NULL,
                entry_id BIGINT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, run_id, employee)
            )
            """,
            "CREATE INDEX payroll_transfers_line ON payroll_transfers (company_id, bank_line_id)",
        ]
    }
}

extension Culise {
    /// The end-to-end id of an employee's salary transfer for a month, as the payment file writes it and the bank's
    /// statement gives it back.
    public static func salaryEndToEndID(month: YearMonth, employee: String) -> String {
        "SAL\(month.description.replacingOccurrences(of: "-", with: ""))-\(employee)"
    }

    /// Every employee's net still to pay by transfer of the posted runs (not paid by hand, not matched to a bank line
    /// yet), inside the caller's transaction: the banking context offers them to the matcher (issue 15 item 6).
    package static func openSalaryTransfers(_ db: any SQLDatabase, company: CompanyID) async throws -> [OpenSalaryTransfer] {
        let cid = company.description
        let months = try await db.raw(
            "SELECT DISTINCT month FROM payroll_runs WHERE company_id = \(bind: cid) AND state = 'posted'"
        ).all().map { try YearMonth(text: try $0.decode(column: "month", as: String.self)) }
        guard !months.isEmpty else { return [] }
        var settled: Set<String> = []
        for row in try await db.raw("SELECT run_id, employee FROM payroll_transfers WHERE company_id = \(bind: cid)").all() {
            settled.insert("\(try row.decode(column: "run_id", as: String.self))/\(try row.decode(column: "employee", as: String.self))")
        }
        let ibans = try await salaryIBANs(db, company: company)
        var open: [OpenSalaryTransfer] = []
        for month in months.sorted() {
            let runs = try await loadRuns(db, company: company, month: month)
            guard let run = runs.last, run.state == .posted else { continue }
            let earlier = runs.dropLast().filter { [.posted, .paid].contains($0.state) }
            let names = Dictionary(run.lines.map { ($0.employee, $0.name) }, uniquingKeysWith: { first, _ in first })
            for result in toPost(run, earlier: Array(earlier)) where result.netToPay.minorUnits > 0 {
                let id = "\(run.id)/\(result.employee)"
                guard !settled.contains(id) else { continue }
                open.append(
                    OpenSalaryTransfer(
                        id: id, run: run.id, month: month, employee: result.employee, name: names[result.employee] ?? result.employee,
                        iban: ibans[result.employee], endToEndID: salaryEndToEndID(month: month, employee: result.employee),
                        amount: result.netToPay))
            }
        }
        return open
    }

    /// Records that `bankLine` paid these salaries (ids `run/employee`, each with the amount the line gives it), inside
    /// the banking context's transaction that posted `421 = 5121`; a run whose every net is paid becomes `paid`.
    /// Refuses an id that is not an open salary or an amount that is not its net.
    package func settleSalaryTransfers(
        _ db: any SQLDatabase, company: CompanyID, _ allocations: [(id: String, amount: Int64)], bankLine: String, entry: Int64?,
        actor: Actor
    ) async throws {
        // Each allocation reads only its own run's line (an automatic run confirms a statement's salary lines one by one).
        var open: [String: OpenSalaryTransfer] = [:]
        for allocation in allocations where open[allocation.id] == nil {
            open[allocation.id] = try await Self.openSalaryTransfer(db, company: company, id: allocation.id)
        }
        var problems: [DomainError] = []
        for (index, allocation) in allocations.enumerated() {
            guard let transfer = open[allocation.id] else {
                problems.append(
                    DomainError(
                        "bank.salary", kind: .conflict, field: "allocations[\(index)].id",
                        "You cannot pay salary '\(allocation.id.prefix(80))' with this line because it is not a net still to pay of a posted payroll run."
                    ))
                continue
            }
            if transfer.amount.minorUnits != allocation.amount {
                problems.append(
                    DomainError(
                        "bank.salary_amount", field: "allocations[\(index)].amount",
                        "You cannot pay \(transfer.employee)'s salary of \(transfer.amount.decimalString) with \(Money.ron(allocation.amount).decimalString); a salary is paid by one transfer of its net."
                    ))
            }
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        var runs: Set<PayrollRunID> = []
        for allocation in allocations {
            guard let transfer = open[allocation.id] else { continue }
            try await db.raw(
                """
                INSERT INTO payroll_transfers (company_id, run_id, employee, bank_line_id, amount, entry_id, created_at)
                VALUES (\(bind: company.description), \(bind: transfer.run.description), \(bind: transfer.employee), \(bind: bankLine),
                    \(bind: allocation.amount), \(bind: entry), \(bind: nowText))
                """
            ).run()
            runs.insert(transfer.run)
        }
        for run in runs where try await Self.fullyTransferred(db, company: company, run: run) {
            let next = try PayrollRunState.posted.apply(.pay)
            try await db.raw(
                """
                UPDATE payroll_runs SET state = \(bind: next.rawValue)
                WHERE company_id = \(bind: company.description) AND id = \(bind: run.description) AND state = 'posted'
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.pay", entity: "payroll_run", entityID: run.description,
                changes: [FieldChange("paid_by", before: nil, after: "bank statement")], now: now)
        }
    }

    /// One employee's open salary (`run/employee`) of the month's latest posted run, reading only that employee's lines;
    /// nil when it is not one (unknown, not posted, nothing to pay, already paid).
    static func openSalaryTransfer(_ db: any SQLDatabase, company: CompanyID, id: String) async throws -> OpenSalaryTransfer? {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let runID = PayrollRunID(string: parts[0]) else { return nil }
        let employee = parts[1]
        let cid = company.description
        guard
            let row = try await db.raw(
                "SELECT month, state FROM payroll_runs WHERE company_id = \(bind: cid) AND id = \(bind: runID.description)"
            ).first(), try row.decode(column: "state", as: String.self) == PayrollRunState.posted.rawValue,
            try await db.raw(
                """
                SELECT 1 AS paid FROM payroll_transfers
                WHERE company_id = \(bind: cid) AND run_id = \(bind: runID.description) AND employee = \(bind: employee)
                """
            ).first() == nil
        else { return nil }
        let month = try YearMonth(text: try row.decode(column: "month", as: String.self))
        var runs = try await loadRuns(db, company: company, month: month, lines: false)
        guard runs.last?.id == runID else { return nil }
        for index in runs.indices {
            runs[index].lines = try await loadLines(db, company: company, run: runs[index].id, month: month, employee: employee)
        }
        guard let run = runs.last, let name = run.lines.first?.name,
            let result = toPost(run, earlier: runs.dropLast().filter { [.posted, .paid].contains($0.state) }).first(where: {
                $0.employee == employee
            }), result.netToPay.minorUnits > 0
        else { return nil }
        return OpenSalaryTransfer(
            id: id, run: runID, month: month, employee: employee, name: name, iban: nil,
            endToEndID: salaryEndToEndID(month: month, employee: employee), amount: result.netToPay)
    }

    /// Whether every net of a posted run is paid by a matched line: two counts for a monthly run, the whole list of
    /// open salaries for a correcting one (its nets are differences from the earlier run).
    static func fullyTransferred(_ db: any SQLDatabase, company: CompanyID, run: PayrollRunID) async throws -> Bool {
        let cid = company.description
        guard
            let row = try await db.raw("SELECT kind FROM payroll_runs WHERE company_id = \(bind: cid) AND id = \(bind: run.description)")
                .first()
        else { return false }
        guard try row.decode(column: "kind", as: String.self) == "regular" else {
            return try await !openSalaryTransfers(db, company: company).contains { $0.run == run }
        }
        func count(_ query: SQLQueryString) async throws -> Int64 {
            try await db.raw(query).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
        let toPay = try await count(
            "SELECT COUNT(*) AS n FROM payroll_lines WHERE company_id = \(bind: cid) AND run_id = \(bind: run.description) AND net_to_pay > 0"
        )
        let paid = try await count(
            "SELECT COUNT(*) AS n FROM payroll_transfers WHERE company_id = \(bind: cid) AND run_id = \(bind: run.description)")
        return paid >= toPay
    }

    /// Undoes what `bankLine` paid when its match is undone: the transfers are forgotten and a run they had made paid is
    /// posted again (`reopen`), so its salaries wait for a line once more.
    package func unsettleSalaryTransfers(_ db: any SQLDatabase, company: CompanyID, bankLine: String, actor: Actor) async throws {
        let cid = company.description
        let runs = Set(
            try await db.raw(
                "SELECT run_id FROM payroll_transfers WHERE company_id = \(bind: cid) AND bank_line_id = \(bind: bankLine)"
            ).all().map { try $0.decode(column: "run_id", as: String.self) })
        guard !runs.isEmpty else { return }
        try await db.raw("DELETE FROM payroll_transfers WHERE company_id = \(bind: cid) AND bank_line_id = \(bind: bankLine)").run()
        for run in runs.sorted() {
            guard
                let row = try await db.raw(
                    "SELECT state, payment_entry_id FROM payroll_runs WHERE company_id = \(bind: cid) AND id = \(bind: run)"
                ).first(),
                let state = PayrollRunState(rawValue: try row.decode(column: "state", as: String.self)), state == .paid,
                try row.decode(column: "payment_entry_id", as: String?.self) == nil
            else { continue }
            let next = try state.apply(.reopen)
            try await db.raw(
                "UPDATE payroll_runs SET state = \(bind: next.rawValue) WHERE company_id = \(bind: cid) AND id = \(bind: run)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.reopen", entity: "payroll_run", entityID: run,
                changes: [FieldChange("state", before: state.rawValue, after: next.rawValue)], now: now)
        }
    }

    /// What the bank has already paid of a run's nets (matched statement lines).
    static func transferred(_ db: any SQLDatabase, company: CompanyID, run: PayrollRunID) async throws -> Int64 {
        try await db.raw(
            """
            SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS paid FROM payroll_transfers
            WHERE company_id = \(bind: company.description) AND run_id = \(bind: run.description)
            """
        ).first()?.decode(column: "paid", as: Int64.self) ?? 0
    }
}
