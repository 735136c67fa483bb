import Foundation
import Kernel

/// Romanian gross-to-net for one employee's month (issue 15 item 2), pure: the input and the parameters in force
/// in, every amount with its explanation out, or every problem of the input at once.
public enum GrossToNet {
    /// The parameters with their percents as basis points and as text, made once for a whole run.
    public struct Prepared: Sendable {
        public let parameters: PayrollParameters
        /// The rates in basis points (25 % = 2,500).
        public let cas, cass, tax, cam: Int64
        let young, premium, step: Int64
        let deductions: [Int64]
        let casText, cassText, taxText, camText, youngText, premiumText: String
    }

    /// Refuses a parameter set whose percents have more than two decimals (`payroll.parameters`).
    public static func prepare(_ parameters: PayrollParameters) throws(ValidationErrors) -> Prepared {
        let percents = [
            parameters.casPercent, parameters.cassPercent, parameters.incomeTaxPercent, parameters.camPercent, parameters.youngPercent,
            parameters.overtimePremiumPercent, parameters.deductionStepPercent,
        ].map(PayrollRounding.basisPoints)
        let deductions = parameters.deductionPercents.map(PayrollRounding.basisPoints)
        let values = (percents + deductions).compactMap { $0 }
        guard values.count == percents.count + deductions.count, !deductions.isEmpty else {
            throw ValidationErrors([
                DomainError(
                    "payroll.parameters", field: "parameters",
                    "You cannot use payroll parameters from \(parameters.from.iso) because a percent is negative, has more than two decimals, or the deduction table is empty."
                )
            ])
        }
        let text = PayrollRounding.percentText
        return Prepared(
            parameters: parameters, cas: values[0], cass: values[1], tax: values[2], cam: values[3], young: values[4], premium: values[5],
            step: values[6], deductions: Array(values[7...]), casText: text(values[0]), cassText: text(values[1]), taxText: text(values[2]),
            camText: text(values[3]), youngText: text(values[4]), premiumText: text(values[5]))
    }

    public static func compute(_ input: PayInput, _ parameters: PayrollParameters) throws(ValidationErrors) -> PayResult {
        try compute(input, try prepare(parameters))
    }

    public static func compute(_ input: PayInput, _ prepared: Prepared) throws(ValidationErrors) -> PayResult {
        let parameters = prepared.parameters
        try check(input, parameters)
        var lines: [PayLine] = []
        func line(_ code: String, _ minor: Int64, _ english: String, _ romanian: String) {
            lines.append(PayLine(code: code, amount: .ron(minor), explanation: english, explanationRO: romanian))
        }
        func lei(_ minor: Int64) -> String { Money.ron(minor).decimalString }
        let days = input.monthWorkingDays

        // Gross: each segment's base for its days worked, paid leave, overtime, bonuses.
        var base: Int64 = 0
        var leavePay: Int64 = 0
        for segment in input.segments {
            let worked = try amount(PayrollRounding.prorated(segment.baseSalary.minorUnits, part: segment.workedDays, whole: days))
            base += worked
            line(
                "base", worked,
                "base salary \(lei(segment.baseSalary.minorUnits)) × \(segment.workedDays) days worked / \(days) working days",
                "salariul de bază \(lei(segment.baseSalary.minorUnits)) × \(segment.workedDays) zile lucrate / \(days) zile lucrătoare")
            guard segment.paidLeaveDays > 0 else { continue }
            let daily = input.leaveDailyAverage?.minorUnits ?? segment.baseSalary.minorUnits
            let divisor = input.leaveDailyAverage == nil ? days : 1
            let pay = try amount(PayrollRounding.prorated(daily, part: segment.paidLeaveDays, whole: divisor))
            leavePay += pay
            line(
                "leave", pay,
                input.leaveDailyAverage == nil
                    ? "paid leave: \(segment.paidLeaveDays) days at the base salary's daily rate (no earlier months)"
                    : "paid leave: \(segment.paidLeaveDays) days × daily average \(lei(daily)) of the last 3 months",
                input.leaveDailyAverage == nil
                    ? "concediu de odihnă: \(segment.paidLeaveDays) zile la tariful zilnic al salariului de bază"
                    : "concediu de odihnă: \(segment.paidLeaveDays) zile × media zilnică \(lei(daily)) din ultimele 3 luni")
        }
        var overtime: Int64 = 0
        if input.overtimeHours > 0, let last = input.segments.last {
            // base / (days × norm) an hour, × hours × (100 % + premium): one division, so one rounding.
            overtime = try amount(
                PayrollRounding.wholeLeu(
                    numerator: last.baseSalary.minorUnits * Int64(input.overtimeHours) * (10_000 + prepared.premium),
                    denominator: Int64(days * last.normHours) * 10_000))
            line(
                "overtime", overtime,
                "overtime: \(input.overtimeHours) h at the hourly rate plus \(prepared.premiumText) % (Labour Code art. 123)",
                "ore suplimentare: \(input.overtimeHours) h la tariful orar plus \(prepared.premiumText) % (Codul muncii art. 123)"
            )
        }
        if !input.bonuses.isZero { line("bonus", input.bonuses.minorUnits, "bonuses", "prime") }
        let gross = base + leavePay + overtime + input.bonuses.minorUnits
        line("gross", gross, "gross salary", "salariul brut")

        let untaxed = try untaxedAmount(input, parameters, gross: gross, lines: &lines)
        let vouchers = Int64(input.mealVouchers) * input.mealVoucherValue.minorUnits
        if vouchers > 0 {
            line(
                "meal_vouchers", vouchers,
                "\(input.mealVouchers) meal vouchers × \(lei(input.mealVoucherValue.minorUnits)) (income tax and CASS, no CAS, no CAM)",
                "\(input.mealVouchers) tichete de masă × \(lei(input.mealVoucherValue.minorUnits)) (impozit și CASS, fără CAS și CAM)")
        }
        let contributionBase = gross - untaxed
        let cas = try amount(PayrollRounding.percentOf(contributionBase, basisPoints: prepared.cas))
        line(
            "cas", cas, "CAS \(prepared.casText) % of \(lei(contributionBase))",
            "CAS \(prepared.casText) % din \(lei(contributionBase))")
        let cass = try amount(PayrollRounding.percentOf(contributionBase + vouchers, basisPoints: prepared.cass))
        line(
            "cass", cass, "CASS \(prepared.cassText) % of \(lei(contributionBase + vouchers))",
            "CASS \(prepared.cassText) % din \(lei(contributionBase + vouchers))")
        let deduction = try Deduction.amount(input, prepared, gross: gross, lines: &lines)
        let taxable = max(0, contributionBase + vouchers - cas - cass - deduction)
        line(
            "taxable", taxable, "taxable income: \(lei(contributionBase + vouchers)) − CAS − CASS − deductions",
            "venit impozabil: \(lei(contributionBase + vouchers)) − CAS − CASS − deduceri")
        let tax = try amount(PayrollRounding.percentOf(taxable, basisPoints: prepared.tax))
        line(
            "tax", tax, "income tax \(prepared.taxText) % of \(lei(taxable))",
            "impozit \(prepared.taxText) % din \(lei(taxable))")
        let net = gross - cas - cass - tax
        line("net", net, "net: gross − CAS − CASS − tax", "net: brut − CAS − CASS − impozit")
        let netToPay = net - input.advance.minorUnits - input.garnishments.minorUnits
        guard netToPay >= 0 else {
            throw ValidationErrors([
                DomainError(
                    "payroll.withheld_over_net", field: "garnishments",
                    "You cannot withhold \(lei(input.advance.minorUnits + input.garnishments.minorUnits)) from \(input.employee) because the net is \(lei(net))."
                )
            ])
        }
        if !input.advance.isZero {
            line("advance", input.advance.minorUnits, "advance paid during the month", "avans plătit în cursul lunii")
        }
        if !input.garnishments.isZero {
            line("garnishments", input.garnishments.minorUnits, "withheld for third parties", "rețineri în favoarea terților")
        }
        line("net_to_pay", netToPay, "to pay: net − advance − withholdings", "de plată: net − avans − rețineri")
        let cam = try amount(PayrollRounding.percentOf(contributionBase, basisPoints: prepared.cam))
        line(
            "cam", cam, "CAM \(prepared.camText) % of \(lei(contributionBase)) (employer)",
            "CAM \(prepared.camText) % din \(lei(contributionBase)) (angajator)")
        line("cost", gross + cam, "employer cost: gross + CAM", "costul angajatorului: brut + CAM")
        return PayResult(
            employee: input.employee, month: input.month, gross: .ron(gross), untaxed: .ron(untaxed), cas: .ron(cas), cass: .ron(cass),
            deduction: .ron(deduction), taxable: .ron(taxable), tax: .ron(tax), net: .ron(net), mealVouchers: .ron(vouchers),
            advance: input.advance, garnishments: input.garnishments, netToPay: .ron(netToPay), cam: .ron(cam),
            employerCost: .ron(gross + cam), lines: lines)
    }

    /// The untaxed amount (GEO 156/2024, GEO 89/2025; reference §6.3): only at the main job, full time, with every
    /// segment's base salary exactly the minimum wage and the gross (without meal vouchers) up to the ceiling;
    /// prorated to the days worked.
    static func untaxedAmount(
        _ input: PayInput, _ parameters: PayrollParameters, gross: Int64, lines: inout [PayLine]
    ) throws(ValidationErrors)
        -> Int64
    {
        let eligible =
            input.mainJob && gross <= parameters.untaxedIncomeCeiling.minorUnits
            && input.segments.allSatisfy { $0.normHours == 8 && $0.baseSalary == parameters.minimumWage }
        guard eligible, parameters.untaxedAmount.minorUnits > 0 else { return 0 }
        let worked = input.segments.reduce(0) { $0 + $1.workedDays }
        let untaxed = try amount(PayrollRounding.prorated(parameters.untaxedAmount.minorUnits, part: worked, whole: input.monthWorkingDays))
        let lei = { (minor: Int64) in Money.ron(minor).decimalString }
        lines.append(
            PayLine(
                code: "untaxed", amount: .ron(untaxed),
                explanation:
                    "untaxed amount \(lei(parameters.untaxedAmount.minorUnits)) × \(worked)/\(input.monthWorkingDays) days: minimum-wage salary, gross ≤ \(lei(parameters.untaxedIncomeCeiling.minorUnits))",
                explanationRO:
                    "suma netaxabilă \(lei(parameters.untaxedAmount.minorUnits)) × \(worked)/\(input.monthWorkingDays) zile: salariu minim, brut ≤ \(lei(parameters.untaxedIncomeCeiling.minorUnits))"
            ))
        return untaxed
    }

    static func amount(_ value: Int64?) throws(ValidationErrors) -> Int64 {
        guard let value else { throw ValidationErrors([Money.tooLarge(field: "base_salary")]) }
        return value
    }

    /// Every problem of the input at once.
    static func check(_ input: PayInput, _ parameters: PayrollParameters) throws(ValidationErrors) {
        var problems = ProblemCollector()
        problems.check(
            (1...31).contains(input.monthWorkingDays),
            DomainError(
                "payroll.working_days", field: "month_working_days",
                "You cannot pay a month of \(input.monthWorkingDays) working days; use 1 to 31."))
        problems.check(
            (1...Limits.paySegments).contains(input.segments.count),
            DomainError(
                "payroll.segments", field: "segments",
                "You cannot pay \(input.employee) with \(input.segments.count) sets of contract terms in one month; use 1 to \(Limits.paySegments)."
            ))
        let days = input.segments.reduce(0) { $0 + max(0, $1.workedDays) + max(0, $1.paidLeaveDays) }
        problems.check(
            days <= input.monthWorkingDays && input.segments.allSatisfy({ $0.workedDays >= 0 && $0.paidLeaveDays >= 0 }),
            DomainError(
                "payroll.days", field: "worked_days",
                "You cannot pay \(input.employee) for \(days) days worked or on leave because the month has \(input.monthWorkingDays) working days."
            ))
        for segment in input.segments {
            problems.check(
                (1...8).contains(segment.normHours),
                DomainError("payroll.norm", field: "norm_hours", "You cannot pay a norm of \(segment.normHours) hours a day; use 1 to 8."))
            problems.check(
                segment.baseSalary.currency.isRON && (0...Limits.payAmount).contains(segment.baseSalary.minorUnits),
                DomainError(
                    "payroll.amount", field: "base_salary",
                    "You cannot pay a base salary of \(segment.baseSalary); use RON from 0 to \(Money.ron(Limits.payAmount).decimalString)."
                ))
        }
        for problem in itemProblems(
            [
                (input.bonuses, "bonuses"), (input.advance, "advance"), (input.garnishments, "garnishments"),
                (input.leaveDailyAverage ?? .zero(.ron), "leave_daily_average"),
            ], overtimeHours: input.overtimeHours)
        {
            problems.add(problem)
        }
        problems.check(
            (0...input.monthWorkingDays).contains(input.mealVouchers),
            DomainError(
                "payroll.meal_vouchers", field: "meal_vouchers",
                "You cannot grant \(input.mealVouchers) meal vouchers because they are one per day worked, at most \(input.monthWorkingDays)."
            ))
        problems.check(
            input.mealVoucherValue.currency.isRON && input.mealVoucherValue.minorUnits >= 0
                && input.mealVoucherValue.minorUnits <= parameters.mealVoucherMax.minorUnits,
            DomainError(
                "payroll.meal_voucher_value", field: "meal_voucher_value",
                "You cannot give meal vouchers of \(input.mealVoucherValue) because the most a voucher may be worth is \(parameters.mealVoucherMax)."
            ))
        problems.check(
            (0...Limits.dependantsPerEmployee).contains(input.dependants)
                && (0...Limits.dependantsPerEmployee).contains(input.childrenInSchool),
            DomainError(
                "payroll.dependants", field: "dependants",
                "You cannot count \(input.dependants) dependants; use 0 to \(Limits.dependantsPerEmployee)."))
        try problems.throwIfAny()
    }
}

extension GrossToNet {
    /// The bounds of a month's variable items: amounts in RON from 0 to `Limits.payAmount`, overtime hours up to
    /// `Limits.overtimeHours`.
    public static func itemProblems(_ amounts: [(Money, String)], overtimeHours: Int) -> [DomainError] {
        var problems = ProblemCollector()
        for (value, field) in amounts {
            problems.check(
                value.currency.isRON && (0...Limits.payAmount).contains(value.minorUnits),
                DomainError(
                    "payroll.amount", field: field,
                    "You cannot use \(value) as \(field); use RON from 0 to \(Money.ron(Limits.payAmount).decimalString)."))
        }
        problems.check(
            (0...Limits.overtimeHours).contains(overtimeHours),
            DomainError(
                "payroll.overtime", field: "overtime_hours",
                "You cannot pay \(overtimeHours) overtime hours in a month; use 0 to \(Limits.overtimeHours) (Labour Code art. 114: 48 hours a week at most)."
            ))
        return problems.problems
    }
}

/// The personal deduction (Codul fiscal art. 77; reference §6.4): at the main job only, for a gross (without meal
/// vouchers: not verified) up to the minimum wage + 2,000 lei, a percent of the minimum wage by dependants, less
/// 0.5 points for each started 50 lei above the minimum wage; plus 15 % of the minimum wage under 26 (same income
/// bound) and 100 lei per child in school (any income).
public enum Deduction {
    /// The basic deduction's percent of the minimum wage, in basis points; nil above the income bound.
    public static func basisPoints(gross: Int64, dependants: Int, _ prepared: GrossToNet.Prepared) -> Int64? {
        let parameters = prepared.parameters
        let minimum = parameters.minimumWage.minorUnits
        guard gross <= minimum + parameters.deductionSpan.minorUnits, let last = prepared.deductions.last else { return nil }
        let start = dependants < prepared.deductions.count ? prepared.deductions[max(0, dependants)] : last
        guard gross > minimum else { return start }
        let step = max(1, parameters.deductionStep.minorUnits)
        let steps = (gross - minimum + step - 1) / step
        return max(0, start - prepared.step * steps)
    }

    static func amount(
        _ input: PayInput, _ prepared: GrossToNet.Prepared, gross: Int64, lines: inout [PayLine]
    ) throws(ValidationErrors) -> Int64 {
        guard input.mainJob else { return 0 }
        let parameters = prepared.parameters
        let lei = { (minor: Int64) in Money.ron(minor).decimalString }
        let minimum = parameters.minimumWage.minorUnits
        var total: Int64 = 0
        if let points = basisPoints(gross: gross, dependants: input.dependants, prepared), points > 0 {
            let percent = PayrollRounding.percentText(points)
            let basic = try GrossToNet.amount(PayrollRounding.percentOf(minimum, basisPoints: points))
            total += basic
            let band = gross <= minimum ? "income ≤ minimum wage" : "income \(lei(gross - minimum)) above the minimum wage"
            let bandRO = gross <= minimum ? "venit ≤ salariul minim" : "venit cu \(lei(gross - minimum)) peste salariul minim"
            lines.append(
                PayLine(
                    code: "deduction", amount: .ron(basic),
                    explanation:
                        "personal deduction \(lei(basic)) = \(percent) % of \(lei(minimum)): \(band), \(input.dependants) dependants",
                    explanationRO:
                        "deducere personală \(lei(basic)) = \(percent) % din \(lei(minimum)): \(bandRO), \(input.dependants) persoane în întreținere"
                ))
        }
        let age =
            input.month.firstDay.year - input.birthDate.year
            - ((input.month.firstDay.month, input.month.firstDay.day) < (input.birthDate.month, input.birthDate.day) ? 1 : 0)
        if age < parameters.youngAgeBelow, gross <= minimum + parameters.deductionSpan.minorUnits {
            let young = try GrossToNet.amount(PayrollRounding.percentOf(minimum, basisPoints: prepared.young))
            total += young
            lines.append(
                PayLine(
                    code: "deduction_young", amount: .ron(young),
                    explanation:
                        "supplementary deduction \(prepared.youngText) % of \(lei(minimum)): under \(parameters.youngAgeBelow)",
                    explanationRO:
                        "deducere suplimentară \(prepared.youngText) % din \(lei(minimum)): sub \(parameters.youngAgeBelow) de ani"))
        }
        if input.childrenInSchool > 0 {
            let children = Int64(input.childrenInSchool) * parameters.childInSchool.minorUnits
            total += children
            lines.append(
                PayLine(
                    code: "deduction_children", amount: .ron(children),
                    explanation:
                        "supplementary deduction: \(input.childrenInSchool) × \(lei(parameters.childInSchool.minorUnits)) for children in school",
                    explanationRO:
                        "deducere suplimentară: \(input.childrenInSchool) × \(lei(parameters.childInSchool.minorUnits)) pentru copii înscriși la școală"
                ))
        }
        return total
    }
}
