import Foundation
import Kernel

/// EN 16931 VAT category codes (UNCL 5305 subset used by CIUS-RO).
public enum VATCategory: String, Sendable, Codable, CaseIterable {
    /// Standard or reduced rate.
    case standard = "S"
    /// Zero rated.
    case zero = "Z"
    /// Exempt.
    case exempt = "E"
    /// Reverse charge (taxare inversă).
    case reverseCharge = "AE"
    /// Intra-community supply.
    case intraCommunity = "K"
    /// Export outside the EU.
    case export = "G"
    /// Outside the scope of VAT.
    case outOfScope = "O"
    /// Canary Islands IGIC, Ceuta and Melilla IPSI, and split payment (Italy): read on incoming invoices only.
    case canaryIslands = "L"
    case ceutaMelilla = "M"
    case splitPayment = "B"

    /// The categories a Romanian seller uses on its own documents.
    public static let issuable: [VATCategory] = [.standard, .zero, .exempt, .reverseCharge, .intraCommunity, .export, .outOfScope]

    /// Categories whose lines must state an exemption reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10).
    public var needsExemptionReason: Bool { [.exempt, .reverseCharge, .intraCommunity, .export, .outOfScope].contains(self) }
}

/// The Romanian rates of a kind, effective from a date (inclusive) until the next entry.
public struct VATRate: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case standard, reduced, reducedLow }

    public let kind: Kind
    public let from: LocalDate
    /// Percent, e.g. 21; nil when the kind is abolished from `from` on.
    public let percent: Decimal?

    public init(kind: Kind, from: LocalDate, percent: Decimal?) {
        self.kind = kind
        self.from = from
        self.percent = percent
    }
}

/// Effective-dated VAT rates. Adding a future rate is data entry, not a release.
public struct VATRateTable: Sendable {
    public private(set) var rates: [VATRate]

    public init(rates: [VATRate]) { self.rates = rates.sorted { $0.from < $1.from } }

    /// Law 141/2025: 19 % / 9 % / 5 % until 2025-07-31; 21 % / 11 % from 2025-08-01 (5 % abolished).
    public static let romania: VATRateTable = {
        // trap-safe: constant dates within Limits.businessYears.
        let old = try! LocalDate(iso: "2017-01-01")
        // trap-safe: constant dates within Limits.businessYears.
        let new = try! LocalDate(iso: "2025-08-01")
        return VATRateTable(rates: [
            VATRate(kind: .standard, from: old, percent: 19), VATRate(kind: .reduced, from: old, percent: 9),
            VATRate(kind: .reducedLow, from: old, percent: 5), VATRate(kind: .standard, from: new, percent: 21),
            VATRate(kind: .reduced, from: new, percent: 11), VATRate(kind: .reducedLow, from: new, percent: nil),
        ])
    }()

    /// The rate of `kind` in force on the supply date (not the issue date), or a typed error.
    public func rate(_ kind: VATRate.Kind, supplyDate: LocalDate, field: String = "vat_rate") throws(DomainError) -> Decimal {
        guard let rate = rates.last(where: { $0.kind == kind && $0.from <= supplyDate }) else {
            throw DomainError(
                "vat.no_rate", field: field,
                "You cannot use the \(kind.rawValue) VAT rate on \(supplyDate) because no such rate is in force then.")
        }
        guard let percent = rate.percent else {
            throw DomainError(
                "vat.rate_abolished", field: field,
                "You cannot use the \(kind.rawValue) VAT rate on \(supplyDate) because it was abolished on \(rate.from).")
        }
        return percent
    }
}

/// The EN 16931 rounding rules, each named and tested.
public enum VATRounding {
    /// Rounds a decimal amount to `scale` decimals, half away from zero.
    public static func round(_ value: Decimal, scale: Int = 2) -> Decimal {
        var input = value
        var output = Decimal()
        NSDecimalRound(&output, &input, scale, .plain)
        return output
    }

    /// BT-131 line net = quantity × price − allowances + charges, rounded to 2 decimals.
    public static func lineNet(quantity: Decimal, unitPrice: Decimal, allowances: Decimal = 0, charges: Decimal = 0) -> Decimal {
        round(quantity * unitPrice - allowances + charges)
    }

    /// BT-117 VAT for one category and rate, computed on the summed taxable amount (BR-CO-17), rounded to 2 decimals.
    public static func categoryVAT(taxable: Decimal, percent: Decimal) -> Decimal {
        round(taxable * percent / 100)
    }

    /// Minor units of a rounded amount (2 decimals).
    /// Saturates at ±Int64.max / 2 instead of wrapping (`NSDecimalNumber.int64Value` wraps silently); document
    /// validation refuses every amount over `Limits.amountMinorUnits` before totals are added, so it never saturates.
    public static func minorUnits(_ amount: Decimal) -> Int64 {
        let bound = Int64.max / 2
        return Money.minorUnits(amount, digits: 2, limit: bound) ?? (amount < 0 ? -bound : bound)
    }
}
