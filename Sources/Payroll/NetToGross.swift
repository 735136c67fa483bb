import Foundation
import Kernel

/// The gross base salary an offer needs for a net (issue 15 item 2), with the same rules as a payroll run: a whole
/// month worked at the given norm, no variable items.
public enum NetToGross {
    public struct Answer: Sendable, Equatable {
        /// The smallest whole-leu gross whose net reaches the target.
        public var gross: Money
        /// The month computed at that gross; its net equals the target when `exact`.
        public var result: PayResult
        public var exact: Bool
    }

    /// Net is not monotonic in gross: at exactly the minimum wage the untaxed amount lifts it above the nets of the next
    /// few hundred lei. Below the minimum wage and above it each stretch is monotonic, so each is searched by halves and
    /// the minimum wage itself is tried between them; within a stretch the net dips by a few lei at each deduction step, so
    /// the 200 lei below the halving's answer are tried too.
    public static func gross(
        forNet target: Money, template: PayInput, _ parameters: PayrollParameters
    ) throws(ValidationErrors) -> Answer {
        guard target.currency.isRON, target.minorUnits > 0, target.minorUnits <= Limits.payAmount else {
            throw ValidationErrors([
                DomainError(
                    "payroll.net_target", field: "net",
                    "You cannot ask for a net of \(target); use RON above 0 and up to \(Money.ron(Limits.payAmount).decimalString).")
            ])
        }
        let norm = template.segments.first?.normHours ?? 8
        let rates = try GrossToNet.prepare(parameters)
        func month(_ leu: Int64) throws(ValidationErrors) -> PayResult {
            var input = template
            input.segments = [PaySegment(baseSalary: .ron(leu * 100), normHours: norm, workedDays: template.monthWorkingDays)]
            return try GrossToNet.compute(input, rates)
        }
        func smallest(from low: Int64, to high: Int64) throws(ValidationErrors) -> Int64? {
            guard low <= high, try month(high).net.minorUnits >= target.minorUnits else { return nil }
            let start = low
            var (low, high) = (low, high)
            while low < high {
                let middle = low + (high - low) / 2
                if try month(middle).net.minorUnits >= target.minorUnits { high = middle } else { low = middle + 1 }
            }
            // Within a stretch the net still dips by a few lei where the deduction loses half a point (each started
            // 50 lei): a smaller gross just before such a dip may reach the target too, so the last 200 lei are tried.
            for leu in max(start, low - 200)..<low where try month(leu).net.minorUnits >= target.minorUnits { return leu }
            return low
        }
        let minimum = parameters.minimumWage.minorUnits / 100
        let ceiling = Limits.payAmount / 100
        var found = try smallest(from: 1, to: minimum - 1)
        if found == nil, try month(minimum).net.minorUnits >= target.minorUnits { found = minimum }
        if found == nil { found = try smallest(from: minimum + 1, to: ceiling) }
        guard let leu = found else {
            throw ValidationErrors([
                DomainError(
                    "payroll.net_target", field: "net",
                    "You cannot ask for a net of \(target) because no gross up to \(Money.ron(Limits.payAmount).decimalString) reaches it.")
            ])
        }
        let result = try month(leu)
        return Answer(gross: .ron(leu * 100), result: result, exact: result.net == target)
    }
}
