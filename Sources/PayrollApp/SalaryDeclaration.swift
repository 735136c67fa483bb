import Application
import Companies
import Filings
import Foundation
import Kernel
import Payroll
import People
import PeopleApp
import SQLKit
import Storage

/// What D112 needs besides the run: the employer's CAEN code and who signs the declaration.
public struct PayrollFilingSettings: Sendable, Equatable {
    public var caen: String?
    public var declarantLastName: String?
    public var declarantFirstName: String?
    public var declarantFunction: String?

    public init(caen: String? = nil, declarantLastName: String? = nil, declarantFirstName: String? = nil, declarantFunction: String? = nil)
    {
        self.caen = caen
        self.declarantLastName = declarantLastName
        self.declarantFirstName = declarantFirstName
        self.declarantFunction = declarantFunction
    }
}

/// A month's D112 as the payroll pages show it: the run's state, the latest declaration and when it falls due.
public struct PayrollDeclarationStatus: Sendable, Equatable {
    public var month: YearMonth
    public var runState: PayrollRunState
    public var filing: FilingRecord?
    public var due: LocalDate
    /// Not yet filed with ANAF (nothing generated, or generated and not filed).
    public var open: Bool { !(filing?.state.isFiled ?? false) }
}

/// A draft D112: the XML and its problems, not kept (a computed run, before approval).
public struct D112Draft: Sendable, Equatable {
    public var xml: String
    public var problems: [FilingProblem]
    public var rectifying: Bool
}

extension Culise {
    public func payrollFilingSettings(company: CompanyID, actor: Actor) async throws -> PayrollFilingSettings {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in try await Self.loadFilingSettings(db, company: company) }
    }

    /// Sets the CAEN code and the declarant (every problem at once; audited).
    public func setPayrollFilingSettings(company: CompanyID, _ settings: PayrollFilingSettings, actor: Actor) async throws {
        try actor.require(.payroll, .write, in: company)
        func clean(_ text: String?) -> String? {
            let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        let caen = clean(settings.caen)
        let last = clean(settings.declarantLastName)
        let first = clean(settings.declarantFirstName)
        let function = clean(settings.declarantFunction)
        var problems: [DomainError] = []
        if let caen, !(caen.count == 4 && caen.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }) {
            problems.append(
                DomainError("payroll.caen", field: "caen", "You cannot use CAEN code '\(caen.prefix(10))' because it must be four digits."))
        }
        for (field, value, limit) in [
            ("declarant_last_name", last, 75), ("declarant_first_name", first, 75), ("declarant_function", function, 50),
        ] {
            if let value, value.unicodeScalars.count > limit || value.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                problems.append(
                    DomainError(
                        "payroll.declarant", field: field,
                        "You cannot use this \(field.replacingOccurrences(of: "_", with: " ")) because it must be at most \(limit) characters of text."
                    ))
            }
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        try await transaction { db in
            let before = try await Self.loadFilingSettings(db, company: company)
            try await db.raw(
                """
                INSERT INTO payroll_settings (company_id, meal_voucher_value, caen, declarant_last_name, declarant_first_name, declarant_function)
                VALUES (\(bind: company.description), 0, \(bind: caen), \(bind: last), \(bind: first), \(bind: function))
                ON CONFLICT (company_id) DO UPDATE SET caen = \(bind: caen), declarant_last_name = \(bind: last),
                    declarant_first_name = \(bind: first), declarant_function = \(bind: function)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.settings", entity: "company", entityID: company.description,
                changes: [
                    FieldChange("caen", before: before.caen, after: caen),
                    FieldChange(
                        "declarant",
                        before: [before.declarantLastName, before.declarantFirstName].compactMap { $0 }.joined(separator: " "),
                        after: [last, first].compactMap { $0 }.joined(separator: " ")),
                    FieldChange("declarant_function", before: before.declarantFunction, after: function),
                ], now: self.now)
        }
    }

    /// The month's D112 from its latest run without keeping it: for a computed run to review before approval (issue 15
    /// item 8), or any later one.
    public func d112Draft(company: CompanyID, month: YearMonth, actor: Actor) async throws -> D112Draft {
        try actor.require(.payroll, .read, in: company)
        let work = try await monthOfWork(company: company, month: month, actor: actor)
        return try await read { db in
            let run = try await Self.requireLatest(db, company: company, month: month)
            guard run.state != .draft else { throw Self.noRun(month) }
            let rectifying = try await Self.loadFilings(db, company: company, form: .d112, period: month, withXML: false)
                .contains { $0.state.isFiled }
            let declaration = try await Self.d112Declaration(db, company: company, run: run, work: work, rectifying: rectifying)
            return D112Draft(xml: D112.xml(declaration), problems: D112.problems(declaration), rectifying: rectifying)
        }
    }

    /// Generates and keeps the month's D112 from its posted run (issue 15 item 7): validated by the cross-checks (or
    /// invalid, each problem named), a rectifying declaration when one was already filed and answered.
    public func generateD112(company: CompanyID, month: YearMonth, actor: Actor) async throws -> FilingRecord {
        try actor.require(.payroll, .write, in: company)
        let work = try await monthOfWork(company: company, month: month, actor: actor)
        return try await transaction { db in
            let run = try await Self.requireLatest(db, company: company, month: month)
            guard [.posted, .paid].contains(run.state) else {
                throw DomainError(
                    "payroll.d112_unposted", kind: .conflict, field: "month",
                    "You cannot generate the D112 of \(month) because its run is \(run.state.rawValue); the declaration follows the posted payroll (a draft is available before)."
                )
            }
            return try await self.recordFiling(db, company: company, form: .d112, period: month, actor: actor) { rectifying in
                let declaration = try await Self.d112Declaration(db, company: company, run: run, work: work, rectifying: rectifying)
                return (D112.xml(declaration), D112.problems(declaration))
            }
        }
    }

    /// Each month with a run, newest first: the run's state, its latest D112 and the due date (the dashboard's
    /// deadlines and the reminder job read this).
    public func payrollDeclarations(company: CompanyID, actor: Actor) async throws -> [PayrollDeclarationStatus] {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in
            var states: [YearMonth: PayrollRunState] = [:]
            for row in try await db.raw(
                "SELECT month, state FROM payroll_runs WHERE company_id = \(bind: company.description) ORDER BY month, created_at, id"
            ).all() {
                let month = try YearMonth(text: try row.decode(column: "month", as: String.self))
                states[month] = PayrollRunState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft
            }
            var filings: [YearMonth: FilingRecord] = [:]
            for filing in try await Self.loadFilings(db, company: company, form: .d112, period: nil, withXML: false)
            where filing.state != .discarded {
                filings[filing.period] = filing
            }
            return states.keys.sorted(by: >).map { month in
                PayrollDeclarationStatus(
                    month: month, runState: states[month] ?? .draft, filing: filings[month], due: FilingForm.d112.due(month))
            }
        }
    }

    /// The daily reminder (job `filings.reminders`, issue 15 item 7): each month whose D112 is not filed and falls due
    /// within `days` days, or is overdue, puts a notification in the inbox of the payroll clerks and administrators.
    /// Returns how many months were reminded.
    public func remindPayrollDeclarations(company: CompanyID, within days: Int = 5, actor: Actor) async throws -> Int {
        try actor.require(.payroll, .read, in: company)
        let due = try await payrollDeclarations(company: company, actor: actor)
            .filter { $0.open && $0.runState != .draft && today.days(until: $0.due) <= days }
        guard !due.isEmpty else { return 0 }
        try await transaction { db in
            let users = try await self.members(db, company: company, roles: [.payroll, .admin])
            for status in due {
                try await self.notify(
                    db, company: company, users: users, kind: "filing.due",
                    parameters: [
                        "form": "D112", "period": status.month.description, "due": status.due.iso,
                        "state": status.filing?.state.rawValue ?? "not generated",
                    ], link: "/payroll?month=\(status.month)")
            }
        }
        return due.count
    }

    /// The declaration's data: the company, the settings, and per employee of the run the people context's facts
    /// (CNP, names, the contract's start, end and norm) with the run's amounts.
    static func d112Declaration(
        _ db: any SQLDatabase, company: CompanyID, run: PayrollRunRecord, work: [MonthOfWork], rectifying: Bool
    ) async throws -> D112Declaration {
        let month = run.month
        let firm = try await loadCompany(db, company)
        let settings = try await loadFilingSettings(db, company: company)
        var missing: [DomainError] = []
        if settings.caen == nil {
            missing.append(
                DomainError(
                    "payroll.d112_settings", field: "caen",
                    "You cannot write the D112 because the company's CAEN code is not set; set it in the payroll settings."))
        }
        if settings.declarantLastName == nil || settings.declarantFirstName == nil || settings.declarantFunction == nil {
            missing.append(
                DomainError(
                    "payroll.d112_settings", field: "declarant",
                    "You cannot write the D112 because the declarant (name and function) is not set; set it in the payroll settings."))
        }
        if !missing.isEmpty { throw ValidationErrors(missing) }
        let fund = healthFund(firm.address.county)
        let register = firm.tradeRegister?.value
        let employer = D112Employer(
            cif: firm.cui.digits, name: String(firm.legalName.prefix(200)), caen: settings.caen ?? "",
            tradeRegister: register.flatMap { $0.count <= 14 ? $0 : nil },
            address: String([firm.address.line, firm.address.city].joined(separator: ", ").prefix(1000)), healthFund: fund)
        let people = Dictionary(work.map { ($0.record.employee.code, $0.record) }, uniquingKeysWith: { first, _ in first })
        let rates = try GrossToNet.prepare(try await parametersInForce(db, company: company, month: month))
        var insured: [D112Insured] = []
        var problems: [DomainError] = []
        for line in run.lines {
            guard let record = people[line.employee] else {
                problems.append(
                    DomainError(
                        "payroll.d112_employee", field: line.employee,
                        "You cannot declare \(line.employee) in the D112 of \(month) because no contract of theirs covers the month any more; correct the run."
                    ))
                continue
            }
            var lastActive: LocalDate?
            var norm = 8
            var base = line.basePay.minorUnits
            var day = month.firstDay
            while day <= month.lastDay {
                if let (_, terms, state) = record.contract(on: day), state == .active {
                    lastActive = day
                    norm = terms.normHours
                    base = terms.baseSalary.minorUnits
                }
                day = day.adding(days: 1)
            }
            let hired = record.contract(on: lastActive ?? month.lastDay)?.record.contract.hire.start ?? month.firstDay
            let left = lastActive.flatMap { $0 < month.lastDay ? $0 : nil }
            let result = line.result
            func sum(_ codes: Set<String>) -> Int64 {
                result.lines.filter { codes.contains($0.code) }.reduce(0) { $0 + $1.amount.minorUnits }
            }
            insured.append(
                D112Insured(
                    cnp: record.employee.cnp, lastName: String(record.employee.lastName.prefix(75)),
                    firstName: String(record.employee.firstName.prefix(75)), hired: hired, left: left,
                    healthFund: record.employee.county.map { healthFund($0) } ?? fund, normHours: norm, workedDays: line.workedDays,
                    workedHours: line.workedDays * norm, baseSalary: base, gross: result.gross.minorUnits,
                    untaxed: result.untaxed.minorUnits, mealVouchers: result.mealVouchers.minorUnits, cas: result.cas.minorUnits,
                    cass: result.cass.minorUnits, basicDeduction: sum(["deduction"]),
                    youngDeduction: sum(["deduction_young"]), childrenDeduction: sum(["deduction_children"]),
                    dependants: record.employee.deductionDependants, taxable: result.taxable.minorUnits, tax: result.tax.minorUnits,
                    net: result.net.minorUnits))
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return D112Declaration(
            period: month, rectifying: rectifying,
            employer: employer,
            declarant: Declarant(
                lastName: settings.declarantLastName ?? "", firstName: settings.declarantFirstName ?? "",
                function: settings.declarantFunction ?? ""),
            insured: insured, casRate: rates.cas, cassRate: rates.cass, taxRate: rates.tax, camRate: rates.cam)
    }

    /// The county health fund code of D112 (`casaAng`, `casaSn`) from an ISO county code: the county's letters, `_B`
    /// for Bucharest (as other generators write it; not verified against ANAF's list of funds).
    static func healthFund(_ county: String?) -> String {
        guard let county = county?.uppercased() else { return "_B" }
        let letters = county.hasPrefix("RO-") ? String(county.dropFirst(3)) : county
        return letters == "B" ? "_B" : letters
    }

    static func loadFilingSettings(_ db: any SQLDatabase, company: CompanyID) async throws -> PayrollFilingSettings {
        guard
            let row = try await db.raw(
                """
                SELECT caen, declarant_last_name, declarant_first_name, declarant_function FROM payroll_settings
                WHERE company_id = \(bind: company.description)
                """
            ).first()
        else { return PayrollFilingSettings() }
        return PayrollFilingSettings(
            caen: try row.decode(column: "caen", as: String?.self),
            declarantLastName: try row.decode(column: "declarant_last_name", as: String?.self),
            declarantFirstName: try row.decode(column: "declarant_first_name", as: String?.self),
            declarantFunction: try row.decode(column: "declarant_function", as: String?.self))
    }
}
