import Foundation
import Kernel

/// The rates and amounts Romanian payroll uses in a month, in force from `from` until the next set. They are data, like
/// VAT rates: a run uses the set in force for its month. Sources: shared reference romania-compliance.md §6; where the
/// reference says a fact is not verified, the value is still a parameter an administrator can change (issue 15).
public struct PayrollParameters: Sendable, Equatable, Codable {
    /// First day the set applies.
    public var from: LocalDate
    /// CAS, pension (employee, withheld): 25 % of gross less the untaxed amount (Codul fiscal art. 138, §6.1).
    public var casPercent: Decimal
    /// CASS, health (employee, withheld): 10 %, on meal vouchers too (§6.1, §6.5).
    public var cassPercent: Decimal
    /// Income tax: 10 % of the taxable income (Codul fiscal art. 64, §6.1).
    public var incomeTaxPercent: Decimal
    /// CAM, the employer's work insurance contribution: 2.25 % of gross less the untaxed amount (§6.1).
    public var camPercent: Decimal
    /// The gross minimum wage for a full-time month (§6.2).
    public var minimumWage: Money
    /// The untaxed amount of a minimum-wage salary (GEO 156/2024, GEO 89/2025; §6.3) and the gross income above
    /// which it no longer applies.
    public var untaxedAmount: Money
    public var untaxedIncomeCeiling: Money
    /// Personal deduction (Codul fiscal art. 77, §6.4): the percent of the minimum wage for an income up to the
    /// minimum wage, by dependants 0, 1, 2, 3, 4 or more; less `deductionStepPercent` for each started
    /// `deductionStep` above the minimum wage; none above minimum wage + `deductionSpan`.
    public var deductionPercents: [Decimal]
    public var deductionStepPercent: Decimal
    public var deductionStep: Money
    public var deductionSpan: Money
    /// The supplementary deduction of an employee under `youngAgeBelow` years: a percent of the minimum wage (§6.4).
    public var youngPercent: Decimal
    public var youngAgeBelow: Int
    /// The supplementary deduction per child in school, up to 18 (§6.4).
    public var childInSchool: Money
    /// The most a meal voucher may be worth (Law 201/2025: 45 lei; §6.5).
    public var mealVoucherMax: Money
    /// Overtime not compensated with time off is paid with at least this premium (Labour Code art. 123(2): 75 %).
    public var overtimePremiumPercent: Decimal

    public init(
        from: LocalDate, casPercent: Decimal, cassPercent: Decimal, incomeTaxPercent: Decimal, camPercent: Decimal, minimumWage: Money,
        untaxedAmount: Money, untaxedIncomeCeiling: Money, deductionPercents: [Decimal], deductionStepPercent: Decimal,
        deductionStep: Money, deductionSpan: Money, youngPercent: Decimal, youngAgeBelow: Int, childInSchool: Money,
        mealVoucherMax: Money, overtimePremiumPercent: Decimal
    ) {
        self.from = from
        self.casPercent = casPercent
        self.cassPercent = cassPercent
        self.incomeTaxPercent = incomeTaxPercent
        self.camPercent = camPercent
        self.minimumWage = minimumWage
        self.untaxedAmount = untaxedAmount
        self.untaxedIncomeCeiling = untaxedIncomeCeiling
        self.deductionPercents = deductionPercents
        self.deductionStepPercent = deductionStepPercent
        self.deductionStep = deductionStep
        self.deductionSpan = deductionSpan
        self.youngPercent = youngPercent
        self.youngAgeBelow = youngAgeBelow
        self.childInSchool = childInSchool
        self.mealVoucherMax = mealVoucherMax
        self.overtimePremiumPercent = overtimePremiumPercent
    }
}

/// The parameter sets shipped with Culise, oldest first.
public enum PayrollParameterTable {
    static func lei(_ whole: Int64) -> Money { Money(minorUnits: whole * 100, currency: .ron) }

    /// 2025 and H1 2026: minimum wage 4,050 (HG 1506/2024), untaxed 300 up to 4,300 (GEO 156/2024, GEO 89/2025).
    /// From 1 July 2026: minimum wage 4,325 (HG number not verified), untaxed 200 up to 4,600 (GEO 89/2025).
    public static let romania: [PayrollParameters] =
        (try? [
            set(from: "2025-01-01", minimumWage: 4_050, untaxed: 300, ceiling: 4_300),
            set(from: "2026-07-01", minimumWage: 4_325, untaxed: 200, ceiling: 4_600),
        ]) ?? []

    static func set(from: String, minimumWage: Int64, untaxed: Int64, ceiling: Int64) throws(DomainError) -> PayrollParameters {
        PayrollParameters(
            from: try LocalDate(iso: from), casPercent: 25, cassPercent: 10,
            incomeTaxPercent: 10, camPercent: Decimal(string: "2.25") ?? 0, minimumWage: lei(minimumWage), untaxedAmount: lei(untaxed),
            untaxedIncomeCeiling: lei(ceiling), deductionPercents: [20, 25, 30, 35, 45], deductionStepPercent: Decimal(string: "0.5") ?? 0,
            deductionStep: lei(50), deductionSpan: lei(2_000), youngPercent: 15, youngAgeBelow: 26, childInSchool: lei(100),
            mealVoucherMax: lei(45), overtimePremiumPercent: 75)
    }

    /// The set in force on the first day of `month`; `payroll.no_parameters` before the first one.
    public static func inForce(_ month: YearMonth, in table: [PayrollParameters] = romania) throws(DomainError) -> PayrollParameters {
        guard let set = table.filter({ $0.from <= month.firstDay }).max(by: { $0.from < $1.from }) else {
            throw DomainError(
                "payroll.no_parameters", field: "month",
                "You cannot compute payroll for \(month) because no payroll parameters are in force then; the first set starts \(table.map(\.from.iso).min() ?? "later")."
            )
        }
        return set
    }
}
