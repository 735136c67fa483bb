import Foundation
import Kernel

/// One stretch of a month under the same contract terms (a salary change on the 15th makes two).
public struct PaySegment: Sendable, Equatable {
    /// The contract's base gross salary for a whole month at its norm.
    public var baseSalary: Money
    /// Hours a day (8 full time).
    public var normHours: Int
    /// Working days of the segment actually worked, and paid annual leave days in it (from the approved timesheet).
    public var workedDays: Int
    public var paidLeaveDays: Int

    public init(baseSalary: Money, normHours: Int, workedDays: Int, paidLeaveDays: Int = 0) {
        self.baseSalary = baseSalary
        self.normHours = normHours
        self.workedDays = workedDays
        self.paidLeaveDays = paidLeaveDays
    }
}

/// What one employee's month brings: the contract terms by segment, the timesheet's days, the variable items.
public struct PayInput: Sendable, Equatable {
    public var employee: String
    public var month: YearMonth
    public var birthDate: LocalDate
    /// The main job (funcția de bază): only there are the personal deduction and the untaxed amount granted.
    public var mainJob: Bool
    /// Dependants whose income is below 20 % of the minimum wage (Codul fiscal art. 77), and children up to 18 in school.
    public var dependants: Int
    public var childrenInSchool: Int
    /// The month's working days (Monday to Friday less public holidays): a whole month's salary is paid for these.
    public var monthWorkingDays: Int
    public var segments: [PaySegment]
    /// Overtime hours not compensated with time off, paid with the premium at the last segment's hourly rate.
    public var overtimeHours: Int
    /// Bonuses and other taxable cash items of the month.
    public var bonuses: Money
    /// Daily average of the last three months' base and bonuses, for paid leave (Labour Code art. 150); nil: the
    /// segment's base salary over the month's working days (a new employee).
    public var leaveDailyAverage: Money?
    /// Meal vouchers: how many (one per day worked) and the value of each.
    public var mealVouchers: Int
    public var mealVoucherValue: Money
    /// Paid in advance during the month, and withheld for third parties (garnishments, union dues).
    public var advance: Money
    public var garnishments: Money

    public init(
        employee: String, month: YearMonth, birthDate: LocalDate, mainJob: Bool = true, dependants: Int = 0, childrenInSchool: Int = 0,
        monthWorkingDays: Int, segments: [PaySegment], overtimeHours: Int = 0, bonuses: Money = .zero(.ron),
        leaveDailyAverage: Money? = nil, mealVouchers: Int = 0, mealVoucherValue: Money = .zero(.ron), advance: Money = .zero(.ron),
        garnishments: Money = .zero(.ron)
    ) {
        self.employee = employee
        self.month = month
        self.birthDate = birthDate
        self.mainJob = mainJob
        self.dependants = dependants
        self.childrenInSchool = childrenInSchool
        self.monthWorkingDays = monthWorkingDays
        self.segments = segments
        self.overtimeHours = overtimeHours
        self.bonuses = bonuses
        self.leaveDailyAverage = leaveDailyAverage
        self.mealVouchers = mealVouchers
        self.mealVoucherValue = mealVoucherValue
        self.advance = advance
        self.garnishments = garnishments
    }
}

/// One line of a payslip: what, how much, and why, in English and Romanian.
public struct PayLine: Sendable, Equatable {
    public var code: String
    public var amount: Money
    public var explanation: String
    public var explanationRO: String

    public init(code: String, amount: Money, explanation: String, explanationRO: String) {
        self.code = code
        self.amount = amount
        self.explanation = explanation
        self.explanationRO = explanationRO
    }
}

/// An employee's month computed.
public struct PayResult: Sendable, Equatable {
    public var employee: String
    public var month: YearMonth
    /// Base salary for the days worked, paid leave, overtime with its premium, bonuses: the cash gross.
    public var gross: Money
    public var untaxed: Money
    public var cas: Money
    public var cass: Money
    public var deduction: Money
    public var taxable: Money
    public var tax: Money
    /// Gross less CAS, CASS and tax.
    public var net: Money
    public var mealVouchers: Money
    public var advance: Money
    public var garnishments: Money
    /// What the bank transfer pays: net less the advance and garnishments.
    public var netToPay: Money
    public var cam: Money
    /// Gross plus CAM (meal vouchers are their own cost, account 6422).
    public var employerCost: Money
    public var lines: [PayLine]

    public init(
        employee: String, month: YearMonth, gross: Money, untaxed: Money, cas: Money, cass: Money, deduction: Money, taxable: Money,
        tax: Money, net: Money, mealVouchers: Money, advance: Money, garnishments: Money, netToPay: Money, cam: Money, employerCost: Money,
        lines: [PayLine]
    ) {
        self.employee = employee
        self.month = month
        self.gross = gross
        self.untaxed = untaxed
        self.cas = cas
        self.cass = cass
        self.deduction = deduction
        self.taxable = taxable
        self.tax = tax
        self.net = net
        self.mealVouchers = mealVouchers
        self.advance = advance
        self.garnishments = garnishments
        self.netToPay = netToPay
        self.cam = cam
        self.employerCost = employerCost
        self.lines = lines
    }
}

/// Every rounding of payroll, named. Contributions, deduction and tax are whole lei rounded half up: this is what
/// reproduces the published examples exactly (shared reference §6.1: net 2,574 / cost 4,134; net 2,699 / cost 4,418);
/// the article that fixes it was not verified (a parameter would change only this type). Integer arithmetic on minor
/// units and basis points (1 % = 100): exact, and fast enough for 10,000 employees in a fraction of a second.
public enum PayrollRounding {
    /// `numerator / denominator` minor units rounded half up to the whole leu, in minor units; nil on overflow or a
    /// denominator of 0. Both non-negative.
    public static func wholeLeu(numerator: Int64, denominator: Int64) -> Int64? {
        guard denominator > 0, numerator >= 0 else { return nil }
        let (scaled, overflow) = denominator.multipliedReportingOverflow(by: 100)
        let (twice, overflow2) = numerator.multipliedReportingOverflow(by: 2)
        guard !overflow, !overflow2 else { return nil }
        let lei = (twice + scaled) / (2 * scaled)
        guard lei * 100 <= Limits.amountMinorUnits else { return nil }
        return lei * 100
    }

    /// A percent in basis points (25 % → 2,500; 2.25 % → 225); nil when it has more than two decimals or is negative.
    public static func basisPoints(_ percent: Decimal) -> Int64? {
        guard percent >= 0, let value = Int64((percent * 100).description), value <= 1_000_000 else { return nil }
        return value
    }

    /// `basisPoints` of `base` minor units, to the whole leu.
    public static func percentOf(_ base: Int64, basisPoints: Int64) -> Int64? {
        let (product, overflow) = base.multipliedReportingOverflow(by: basisPoints)
        return overflow ? nil : wholeLeu(numerator: product, denominator: 10_000)
    }

    /// `percent` % of `base` minor units, to the whole leu.
    public static func percentOf(_ base: Int64, _ percent: Decimal) -> Int64? {
        basisPoints(percent).flatMap { percentOf(base, basisPoints: $0) }
    }

    /// `amount` × `part` / `whole` (a salary for the days worked), to the whole leu.
    public static func prorated(_ amount: Int64, part: Int, whole: Int) -> Int64? {
        guard part >= 0 else { return nil }
        let (product, overflow) = amount.multipliedReportingOverflow(by: Int64(part))
        return overflow ? nil : wholeLeu(numerator: product, denominator: Int64(whole))
    }

    /// The employer's CAM for a month: owed once on the total base (D112 section C4: `C4_ct` = round(`C4_baza` ×
    /// 2.25 %), with each person's base in whole lei, kit README §8), so it can differ by a leu from the sum of the
    /// per-person CAM on the payslips. The run posts this amount to 436, and D112 declares it.
    public static func employerCAM(_ results: [PayResult], basisPoints: Int64) -> Int64 {
        let base = results.reduce(Int64(0)) { total, result in
            let minor = result.gross.minorUnits - result.untaxed.minorUnits
            return total + (minor >= 0 ? (minor + 50) / 100 : -((-minor + 50) / 100))
        }
        let (product, overflow) = base.multipliedReportingOverflow(by: basisPoints)
        guard !overflow, base >= 0 else { return results.reduce(0) { $0 + $1.cam.minorUnits } }
        return (product + 5_000) / 10_000 * 100
    }

    /// A percent in basis points as people write it: 2,500 → "25", 225 → "2.25", 1,950 → "19.5".
    public static func percentText(_ basisPoints: Int64) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        guard fraction != 0 else { return String(whole) }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
