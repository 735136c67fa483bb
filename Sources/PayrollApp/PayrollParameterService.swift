import Application
import Foundation
import Kernel
import Payroll
import SQLKit
import Storage

/// A parameter set as the company uses it: shipped with Culise, or set by the company's administrator.
public struct PayrollParameterSet: Sendable, Equatable {
    public var parameters: PayrollParameters
    /// `culise` (the shipped table) or `company` (an administrator's set, which replaces a shipped one of the same day).
    public var source: String
    public var setBy: String?
}

extension Schema {
    /// Payroll parameter sets an administrator added or changed (issue 15 item 8): effective-dated, audited.
    package static let payrollParameters = Migration(26, "payroll parameters") { _ in
        [
            """
            CREATE TABLE payroll_parameters (
                company_id TEXT NOT NULL REFERENCES companies(id),
                effective_from TEXT NOT NULL,
                parameters TEXT NOT NULL,
                set_by TEXT NOT NULL,
                set_at TEXT NOT NULL,
                PRIMARY KEY (company_id, effective_from)
            )
            """
        ]
    }
}

extension Culise {
    /// The sets the company's payroll uses, oldest first: the shipped ones, each replaced by the company's set of the
    /// same day, and the company's own.
    public func payrollParameterSets(company: CompanyID, actor: Actor) async throws -> [PayrollParameterSet] {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in try await Self.parameterSets(db, company: company) }
    }

    static func parameterSets(_ db: any SQLDatabase, company: CompanyID) async throws -> [PayrollParameterSet] {
        var sets: [LocalDate: PayrollParameterSet] = [:]
        for parameters in PayrollParameterTable.romania {
            sets[parameters.from] = PayrollParameterSet(parameters: parameters, source: "culise")
        }
        for row in try await db.raw(
            "SELECT parameters, set_by FROM payroll_parameters WHERE company_id = \(bind: company.description) ORDER BY effective_from"
        ).all() {
            let text = try row.decode(column: "parameters", as: String.self)
            guard let parameters = try? JSONDecoder().decode(PayrollParameters.self, from: Data(text.utf8)) else {
                throw DomainError(
                    "storage.corrupt", "You cannot compute payroll because a stored parameter set cannot be read; restore it from a backup."
                )
            }
            sets[parameters.from] = PayrollParameterSet(
                parameters: parameters, source: "company", setBy: try row.decode(column: "set_by", as: String.self))
        }
        return sets.keys.sorted().compactMap { sets[$0] }
    }

    /// The set in force for `month` in the company's table.
    static func parametersInForce(_ db: any SQLDatabase, company: CompanyID, month: YearMonth) async throws -> PayrollParameters {
        try PayrollParameterTable.inForce(month, in: try await parameterSets(db, company: company).map(\.parameters))
    }

    /// An administrator sets the parameters in force from the first day of a month (a new set, or a change to the
    /// company's set of that day; issue 15 item 8). Every value is checked, every problem at once; months already
    /// posted keep what they were computed with (a set may not start in or before one); audited with its values.
    public func setPayrollParameters(company: CompanyID, _ parameters: PayrollParameters, actor: Actor) async throws -> PayrollParameterSet
    {
        try actor.require(.company, .write, in: company)
        try actor.require(.payroll, .read, in: company)
        var problems: [DomainError] = []
        func check(_ condition: Bool, _ field: String, _ message: String) {
            if !condition { problems.append(DomainError("payroll.parameter", field: field, message)) }
        }
        check(
            parameters.from.day == 1 && Limits.businessYears.contains(parameters.from.year), "from",
            "You cannot start a parameter set on \(parameters.from.iso) because a set starts on the first day of a month between 1900 and 2199."
        )
        for (field, value) in [
            ("cas_percent", parameters.casPercent), ("cass_percent", parameters.cassPercent),
            ("income_tax_percent", parameters.incomeTaxPercent),
            ("cam_percent", parameters.camPercent), ("deduction_step_percent", parameters.deductionStepPercent),
            ("young_percent", parameters.youngPercent), ("overtime_premium_percent", parameters.overtimePremiumPercent),
        ] {
            check(
                PayrollRounding.basisPoints(value).map { $0 <= (field == "overtime_premium_percent" ? 20_000 : 10_000) } ?? false, field,
                "You cannot use \(value) % for \(field.replacingOccurrences(of: "_", with: " ")) because a rate is 0 to 100 % (200 % for the overtime premium) with at most two decimals."
            )
        }
        check(
            (1...10).contains(parameters.deductionPercents.count)
                && parameters.deductionPercents.allSatisfy { PayrollRounding.basisPoints($0).map { $0 <= 10_000 } ?? false },
            "deduction_percents",
            "You cannot use these personal deduction percents because they are 1 to 10 rates (by dependants) of 0 to 100 %.")
        for (field, money) in [
            ("minimum_wage", parameters.minimumWage), ("untaxed_amount", parameters.untaxedAmount),
            ("untaxed_income_ceiling", parameters.untaxedIncomeCeiling), ("deduction_step", parameters.deductionStep),
            ("deduction_span", parameters.deductionSpan), ("child_in_school", parameters.childInSchool),
            ("meal_voucher_max", parameters.mealVoucherMax),
        ] {
            check(
                money.currency.isRON && money.minorUnits >= 0 && money.minorUnits <= 100_000_000, field,
                "You cannot use \(money) for \(field.replacingOccurrences(of: "_", with: " ")) because it is an amount in lei from 0 to 1,000,000."
            )
        }
        check(
            parameters.minimumWage.minorUnits > 0, "minimum_wage",
            "You cannot use a minimum wage of 0 because deductions are percents of it.")
        check(
            parameters.deductionStep.minorUnits > 0, "deduction_step",
            "You cannot use a deduction step of 0 lei because the deduction falls per started step.")
        check(
            (14...100).contains(parameters.youngAgeBelow), "young_age_below",
            "You cannot use \(parameters.youngAgeBelow) as the age limit because it is 14 to 100.")
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await transaction { db in
            let month = YearMonth(parameters.from)
            if let posted = try await db.raw(
                """
                SELECT month FROM payroll_runs WHERE company_id = \(bind: company.description) AND month >= \(bind: month.description)
                    AND state IN ('approved', 'posted', 'paid') ORDER BY month DESC LIMIT 1
                """
            ).first() {
                let last = try posted.decode(column: "month", as: String.self)
                throw DomainError(
                    "payroll.parameters_posted", kind: .conflict, field: "from",
                    "You cannot change the parameters from \(month) because the payroll of \(last) is approved or posted with the old ones; start the set after \(last)."
                )
            }
            let before = try await Self.parameterSets(db, company: company).first { $0.parameters.from == parameters.from }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = String(decoding: try encoder.encode(parameters), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO payroll_parameters (company_id, effective_from, parameters, set_by, set_at)
                VALUES (\(bind: company.description), \(bind: parameters.from.iso), \(bind: json), \(bind: actor.auditName), \(bind: self.nowText))
                ON CONFLICT (company_id, effective_from) DO UPDATE SET parameters = \(bind: json), set_by = \(bind: actor.auditName),
                    set_at = \(bind: self.nowText)
                """
            ).run()
            let previous = before.map { String(decoding: (try? encoder.encode($0.parameters)) ?? Data(), as: UTF8.self) }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.parameters", entity: "payroll_parameters",
                entityID: parameters.from.iso,
                changes: [FieldChange("parameters", before: previous, after: json)], now: self.now)
            return PayrollParameterSet(parameters: parameters, source: "company", setBy: actor.auditName)
        }
    }
}

/// Values typed by a person (a form, the API, the command line) over a parameter set.
public enum PayrollParameterInput {
    /// Typed values over a set: lei with a dot or comma, percents as numbers, deductions separated by spaces.
    public static func apply(_ typed: [String: String], to base: PayrollParameters, from month: YearMonth) throws -> PayrollParameters {
        var x = base
        x.from = month.firstDay
        var problems = ProblemCollector()
        func money(_ field: String) -> Money? {
            guard let text = typed[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return problems.collect { .ron(try Money.parseMinorUnits(text, digits: 2, field: field)) }
        }
        func percent(_ field: String) -> Decimal? {
            guard let text = typed[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Decimal(string: text.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX"))
            else {
                problems.add(
                    DomainError(
                        "payroll.parameter", field: field, "You cannot use '\(text.prefix(20))' as a percent; write a number such as 2.25.")
                )
                return nil
            }
            return value
        }
        if let v = money("minimum_wage") { x.minimumWage = v }
        if let v = money("untaxed_amount") { x.untaxedAmount = v }
        if let v = money("untaxed_income_ceiling") { x.untaxedIncomeCeiling = v }
        if let v = money("meal_voucher_max") { x.mealVoucherMax = v }
        if let v = money("child_in_school") { x.childInSchool = v }
        if let v = percent("cas_percent") { x.casPercent = v }
        if let v = percent("cass_percent") { x.cassPercent = v }
        if let v = percent("income_tax_percent") { x.incomeTaxPercent = v }
        if let v = percent("cam_percent") { x.camPercent = v }
        if let text = typed["deduction_percents"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let values = text.split(whereSeparator: { $0 == " " || $0 == ";" }).map {
                Decimal(string: $0.replacingOccurrences(of: ",", with: "."), locale: Locale(identifier: "en_US_POSIX"))
            }
            if values.contains(nil) || values.isEmpty {
                problems.add(
                    DomainError(
                        "payroll.parameter", field: "deduction_percents",
                        "You cannot use '\(text.prefix(40))' as deduction percents; write them by dependants, separated by spaces (20 25 30 35 45)."
                    ))
            } else {
                x.deductionPercents = values.compactMap { $0 }
            }
        }
        try problems.throwIfAny()
        return x
    }
}
