import Foundation
import Kernel
import Tax

/// One VAT line of a posted document, by category and rate: what D300, D394 and D390 are built from. Amounts are RON
/// minor units, signed (a credit note's are negative), exactly as the document's entry posted them.
public struct VATFact: Sendable, Equatable {
    public enum Direction: String, Sendable, Codable { case sale, purchase }

    public var direction: Direction
    /// `invoice:ID` or `bill:ID`.
    public var source: String
    public var number: String
    /// The entry's date (the document's issue date): the period the fact belongs to.
    public var date: LocalDate
    /// The chargeable event: it decides which rate applies (19 % before 2025-08-01, 21 % after).
    public var supplyDate: LocalDate
    public var category: VATCategory
    public var percent: Decimal
    public var partnerCode: String
    public var partnerName: String
    /// The partner's CUI (digits) or foreign VAT number, when it has one.
    public var partnerTaxID: String?
    /// ISO 3166 code of the partner's country.
    public var partnerCountry: String
    /// The partner is registered for VAT (its document carries a VAT number): D394's partner type 1.
    public var partnerVATRegistered: Bool
    public var base: Int64
    /// The VAT on the document (zero under reverse charge and for exempt lines).
    public var vat: Int64
    /// Purchases: the part of `vat` not deducted (it went into the cost).
    public var nonDeductible: Int64
    /// Purchases under reverse charge or intra-Community acquisition: the VAT the buyer self-assessed (collected and
    /// deducted at once), at `selfAssessedPercent`.
    public var selfAssessed: Int64
    public var selfAssessedPercent: Decimal

    public init(
        direction: Direction, source: String, number: String, date: LocalDate, supplyDate: LocalDate, category: VATCategory,
        percent: Decimal, partnerCode: String, partnerName: String, partnerTaxID: String?, partnerCountry: String, base: Int64,
        vat: Int64, nonDeductible: Int64 = 0, selfAssessed: Int64 = 0, selfAssessedPercent: Decimal = 0,
        partnerVATRegistered: Bool = true
    ) {
        self.partnerVATRegistered = partnerVATRegistered
        self.direction = direction
        self.source = source
        self.number = number
        self.date = date
        self.supplyDate = supplyDate
        self.category = category
        self.percent = percent
        self.partnerCode = partnerCode
        self.partnerName = partnerName
        self.partnerTaxID = partnerTaxID
        self.partnerCountry = partnerCountry
        self.base = base
        self.vat = vat
        self.nonDeductible = nonDeductible
        self.selfAssessed = selfAssessed
        self.selfAssessedPercent = selfAssessedPercent
    }

    /// The partner is in another member state of the EU.
    public var intraCommunity: Bool { EUMemberStates.isOtherMemberState(partnerCountry) }
    public var domestic: Bool { partnerCountry.uppercased() == "RO" }
}

/// Which rows the D300 form has for a period. ANAF's structure `D300_A10.0.0` (from 01.08.2025) added rows for the
/// rates of before the change (19 %, 9 %, 5 %: 9.1, 10.1, 11.1, 12.3–12.5, 24.1, 25.1, 27.3–27.5) and removed them
/// again from 01.01.2026 (kit SOURCES §6; the schema of 2026-02-11 has none of them).
public enum D300Layout: String, Sendable, Equatable {
    case august2025, year2026

    public static func of(_ period: YearMonth) throws(DomainError) -> D300Layout {
        if period.year >= 2026 { return .year2026 }
        if period.year == 2025 && period.month >= 8 { return .august2025 }
        throw DomainError(
            "filing.d300_period", field: "period",
            "You cannot build the D300 of \(period) because Culise writes the form in use from August 2025 (Law 141/2025's rates).")
    }
}

/// The company's side of a tax return (D300, D390, D394): who files, and the bank account the D300 names.
public struct TaxReturnHeader: Sendable, Equatable {
    /// The CUI without `RO`.
    public var cui: String
    public var name: String
    public var address: String
    public var phone: String?
    public var email: String?
    public var bankName: String
    public var iban: String
    public var caen: String
    public var declarant: Declarant

    public init(
        cui: String, name: String, address: String, phone: String?, email: String?, bankName: String, iban: String, caen: String,
        declarant: Declarant
    ) {
        self.cui = cui
        self.name = name
        self.address = address
        self.phone = phone
        self.email = email
        self.bankName = bankName
        self.iban = iban
        self.caen = caen
        self.declarant = declarant
    }
}

/// A D300 VAT return: its rows in whole lei by the form's attribute names (`R9_1` is row 9's base, `R9_2` its VAT), and
/// what the documents collected and deducted in minor units, for the check against the VAT accounts.
public struct D300Return: Sendable, Equatable {
    public var period: YearMonth
    public var quarterly: Bool
    public var layout: D300Layout
    public var rows: [String: Int64]
    /// Documents the form has no row for (a 19 % line in a 2026 return), each named.
    public var unplaced: [FilingProblem]
    /// VAT collected (sales and self-assessed) and deducted (purchases, less non-deductible, plus self-assessed), minor units.
    public var collected: Int64
    public var deducted: Int64
    public var rectifying: Bool

    public func value(_ attribute: String) -> Int64 { rows[attribute] ?? 0 }
    /// VAT to pay for the period (row `R34_2`) or to recover (`R33_2`), whole lei.
    public var payable: Int64 { value("R34_2") }
    public var recoverable: Int64 { value("R33_2") }
}

/// The D300 VAT return (issue 16 item 3): the rows from the period's documents, ANAF's formulas for the totals, the
/// named cross-checks, the payment reference and the XML (namespace v12, kit README §8).
public enum D300 {
    public static let namespace = "mfp:anaf:dgti:d300:declaratie:v12"

    /// A row of the form: its attribute, and what it holds in English and Romanian (ANAF's structure D300_A10.0.0).
    public struct Row: Sendable, Equatable {
        public var attribute: String
        public var en: String
        public var ro: String
        /// Only in the form of August–December 2025.
        public var only2025: Bool
        /// A total ANAF's formulas compute; always written.
        public var total: Bool
    }

    /// The rows Culise fills, in the form's order.
    public static let rows: [Row] = {
        func r(_ a: String, _ en: String, _ ro: String, only2025: Bool = false, total: Bool = false) -> Row {
            Row(attribute: a, en: en, ro: ro, only2025: only2025, total: total)
        }
        return [
            r("R1_1", "Intra-Community supplies of goods, exempt (art. 294(2)(a),(d))", "Livrări intracomunitare de bunuri, scutite"),
            r(
                "R3_1", "Supplies and services with the place of supply outside Romania",
                "Livrări și prestări cu locul în afara României"),
            r("R3_1_1", "of which intra-Community services", "din care prestări de servicii intracomunitare"),
            r(
                "R5_1", "Intra-Community acquisitions of goods, reverse charge (base)",
                "Achiziții intracomunitare de bunuri, taxare inversă"),
            r("R5_2", "Intra-Community acquisitions of goods, reverse charge (VAT)", "Achiziții intracomunitare de bunuri (TVA)"),
            r("R5_1_1", "of which from suppliers registered for VAT (base)", "din care de la furnizori înregistrați în scopuri de TVA"),
            r("R5_1_2", "of which from suppliers registered for VAT (VAT)", "din care de la furnizori înregistrați (TVA)"),
            r("R7_1", "Other purchases with the buyer liable, reverse charge (base)", "Alte achiziții cu taxare inversă (bază)"),
            r("R7_2", "Other purchases with the buyer liable, reverse charge (VAT)", "Alte achiziții cu taxare inversă (TVA)"),
            r("R7_1_1", "of which intra-Community services (base)", "din care achiziții de servicii intracomunitare (bază)"),
            r("R7_1_2", "of which intra-Community services (VAT)", "din care achiziții de servicii intracomunitare (TVA)"),
            r("R9_1", "Supplies taxable at 21 % (base)", "Livrări taxabile cu cota 21 % (bază)"),
            r("R9_2", "Supplies taxable at 21 % (VAT)", "Livrări taxabile cu cota 21 % (TVA)"),
            r("R69_1", "Supplies taxable at 19 % (base)", "Livrări taxabile cu cota 19 % (bază)", only2025: true),
            r("R69_2", "Supplies taxable at 19 % (VAT)", "Livrări taxabile cu cota 19 % (TVA)", only2025: true),
            r("R10_1", "Supplies taxable at 11 % (base)", "Livrări taxabile cu cota 11 % (bază)"),
            r("R10_2", "Supplies taxable at 11 % (VAT)", "Livrări taxabile cu cota 11 % (TVA)"),
            r("R70_1", "Supplies taxable at 9 % (base)", "Livrări taxabile cu cota 9 % (bază)", only2025: true),
            r("R70_2", "Supplies taxable at 9 % (VAT)", "Livrări taxabile cu cota 9 % (TVA)", only2025: true),
            r(
                "R11_1", "Supplies taxable at 9 % under art. III of Law 141/2025 (base)",
                "Livrări cu cota 9 % conform art. III din Legea 141/2025 (bază)"),
            r(
                "R11_2", "Supplies taxable at 9 % under art. III of Law 141/2025 (VAT)",
                "Livrări cu cota 9 % conform art. III din Legea 141/2025 (TVA)"),
            r("R71_1", "Supplies taxable at 5 % (base)", "Livrări taxabile cu cota 5 % (bază)", only2025: true),
            r("R71_2", "Supplies taxable at 5 % (VAT)", "Livrări taxabile cu cota 5 % (TVA)", only2025: true),
            r("R12_1", "Domestic purchases under reverse charge (base)", "Achiziții supuse măsurilor de simplificare (bază)"),
            r("R12_2", "Domestic purchases under reverse charge (VAT)", "Achiziții supuse măsurilor de simplificare (TVA)"),
            r("R12_1_1", "of which at 21 % (base)", "din care cu cota 21 % (bază)"),
            r("R12_1_2", "of which at 21 % (VAT)", "din care cu cota 21 % (TVA)"),
            r("R12_2_1", "of which at 11 % (base)", "din care cu cota 11 % (bază)"),
            r("R12_2_2", "of which at 11 % (VAT)", "din care cu cota 11 % (TVA)"),
            r("R12_3_1", "of which at 19 % (base)", "din care cu cota 19 % (bază)", only2025: true),
            r("R12_3_2", "of which at 19 % (VAT)", "din care cu cota 19 % (TVA)", only2025: true),
            r("R13_1", "Domestic supplies under reverse charge", "Livrări supuse măsurilor de simplificare (taxare inversă)"),
            r("R14_1", "Exempt supplies with the right to deduct (exports)", "Livrări scutite cu drept de deducere (export)"),
            r("R15_1", "Exempt supplies without the right to deduct", "Livrări scutite fără drept de deducere"),
            r("R17_1", "Total collected (base)", "Total taxă colectată (bază)", total: true),
            r("R17_2", "Total VAT collected", "Total taxă colectată", total: true),
            r("R18_1", "Intra-Community acquisitions of goods (base)", "Achiziții intracomunitare de bunuri (bază)"),
            r("R18_2", "Intra-Community acquisitions of goods (VAT)", "Achiziții intracomunitare de bunuri (TVA)"),
            r("R18_1_1", "of which from suppliers registered for VAT (base)", "din care de la furnizori înregistrați (bază)"),
            r("R18_1_2", "of which from suppliers registered for VAT (VAT)", "din care de la furnizori înregistrați (TVA)"),
            r("R20_1", "Other purchases under reverse charge (base)", "Alte achiziții cu taxare inversă (bază)"),
            r("R20_2", "Other purchases under reverse charge (VAT)", "Alte achiziții cu taxare inversă (TVA)"),
            r("R20_1_1", "of which intra-Community services (base)", "din care servicii intracomunitare (bază)"),
            r("R20_1_2", "of which intra-Community services (VAT)", "din care servicii intracomunitare (TVA)"),
            r("R22_1", "Purchases taxable at 21 % (base)", "Achiziții taxabile cu cota 21 % (bază)"),
            r("R22_2", "Purchases taxable at 21 % (VAT)", "Achiziții taxabile cu cota 21 % (TVA)"),
            r("R74_1", "Purchases taxable at 19 % (base)", "Achiziții taxabile cu cota 19 % (bază)", only2025: true),
            r("R74_2", "Purchases taxable at 19 % (VAT)", "Achiziții taxabile cu cota 19 % (TVA)", only2025: true),
            r("R23_1", "Purchases taxable at 11 % (base)", "Achiziții taxabile cu cota 11 % (bază)"),
            r("R23_2", "Purchases taxable at 11 % (VAT)", "Achiziții taxabile cu cota 11 % (TVA)"),
            r("R75_1", "Purchases taxable at 9 % (base)", "Achiziții taxabile cu cota 9 % (bază)", only2025: true),
            r("R75_2", "Purchases taxable at 9 % (VAT)", "Achiziții taxabile cu cota 9 % (TVA)", only2025: true),
            r("R24_1", "Purchases taxable at 5 % (base)", "Achiziții taxabile cu cota 5 % (bază)", only2025: true),
            r("R24_2", "Purchases taxable at 5 % (VAT)", "Achiziții taxabile cu cota 5 % (TVA)", only2025: true),
            r(
                "R25_1", "Domestic purchases under reverse charge, deductible (base)",
                "Achiziții cu taxare inversă internă, deductibile (bază)"),
            r(
                "R25_2", "Domestic purchases under reverse charge, deductible (VAT)",
                "Achiziții cu taxare inversă internă, deductibile (TVA)"),
            r("R25_1_1", "of which at 21 % (base)", "din care cu cota 21 % (bază)"),
            r("R25_1_2", "of which at 21 % (VAT)", "din care cu cota 21 % (TVA)"),
            r("R25_2_1", "of which at 11 % (base)", "din care cu cota 11 % (bază)"),
            r("R25_2_2", "of which at 11 % (VAT)", "din care cu cota 11 % (TVA)"),
            r("R25_3_1", "of which at 19 % (base)", "din care cu cota 19 % (bază)", only2025: true),
            r("R25_3_2", "of which at 19 % (VAT)", "din care cu cota 19 % (TVA)", only2025: true),
            r("R26_1", "Purchases exempt or not taxable", "Achiziții scutite sau neimpozabile"),
            r("R26_1_1", "of which intra-Community services exempt", "din care servicii intracomunitare scutite"),
            r("R27_1", "Total deductible (base)", "Total taxă deductibilă (bază)", total: true),
            r("R27_2", "Total VAT deductible", "Total taxă deductibilă", total: true),
            r("R28_2", "Sub-total VAT deducted", "Sub-total taxă dedusă", total: true),
            r("R32_2", "Total VAT deducted", "Total taxă dedusă", total: true),
            r("R33_2", "Negative VAT of the period", "Suma negativă a TVA în perioada de raportare", total: true),
            r("R34_2", "VAT payable for the period", "Taxa de plată în perioada de raportare", total: true),
            r("R37_2", "Cumulated VAT payable", "TVA de plată cumulat", total: true),
            r("R38_2", "Negative VAT carried from the previous period", "Soldul sumei negative reportate din perioada precedentă"),
            r("R40_2", "Cumulated negative VAT", "Suma negativă a TVA cumulată", total: true),
            r("R41_2", "VAT payable at the end of the period", "Sold TVA de plată la sfârșitul perioadei", total: true),
            r("R42_2", "Negative VAT at the end of the period", "Soldul sumei negative la sfârșitul perioadei", total: true),
        ]
    }()

    /// The first and last day of the return's period: the month, or the quarter ending with it.
    public static func range(_ period: YearMonth, quarterly: Bool) throws(DomainError) -> (from: LocalDate, to: LocalDate) {
        guard quarterly else { return (period.firstDay, period.lastDay) }
        guard period.month % 3 == 0 else {
            throw DomainError(
                "filing.quarter", field: "period",
                "You cannot file a quarterly return for \(period) because a quarter ends in March, June, September or December.")
        }
        return (try YearMonth(year: period.year, month: period.month - 2).firstDay, period.lastDay)
    }

    /// Where each fact goes: contributions to rows (minor units), or the reason it has none.
    static func place(_ fact: VATFact, layout: D300Layout) -> Result<[(String, Int64)], FilingProblem> {
        let before = fact.supplyDate.iso < "2025-08-01"
        let old = layout == .august2025
        func unplaced(_ why: String, _ whyRO: String) -> Result<[(String, Int64)], FilingProblem> {
            .failure(
                FilingProblem(
                    check: "D300-row", message: "\(fact.number) (\(fact.partnerName)): \(why)",
                    messageRO: "\(fact.number) (\(fact.partnerName)): \(whyRO)"
                ))
        }
        let p = fact.percent
        switch fact.direction {
        case .sale:
            switch fact.category {
            case .standard:
                let pair: String? =
                    switch p {
                    case 21: "R9"
                    case 11: "R10"
                    case 9: before ? (old ? "R70" : nil) : "R11"
                    case 19: old ? "R69" : nil
                    case 5: old ? "R71" : nil
                    default: nil
                    }
                guard let pair else {
                    return unplaced(
                        "the form of \(layout == .year2026 ? "2026" : "2025") has no row for sales at \(p) % (supply of \(fact.supplyDate.iso)).",
                        "formularul nu are rând pentru livrări cu cota \(p) % (livrare din \(fact.supplyDate.iso)).")
                }
                return .success([("\(pair)_1", fact.base), ("\(pair)_2", fact.vat)])
            case .reverseCharge:
                if fact.domestic { return .success([("R13_1", fact.base)]) }
                return .success(fact.intraCommunity ? [("R3_1", fact.base), ("R3_1_1", fact.base)] : [("R3_1", fact.base)])
            case .intraCommunity: return .success([("R1_1", fact.base)])
            case .export, .zero: return .success([("R14_1", fact.base)])
            case .exempt: return .success([("R15_1", fact.base)])
            case .outOfScope: return .success(fact.domestic ? [] : [("R3_1", fact.base)])
            case .canaryIslands, .ceutaMelilla, .splitPayment:
                return unplaced(
                    "category \(fact.category.rawValue) is not a Romanian seller's.",
                    "categoria \(fact.category.rawValue) nu este a unui vânzător român.")
            }
        case .purchase:
            switch fact.category {
            case .standard:
                let pair: String? =
                    switch p {
                    case 21: "R22"
                    case 11: "R23"
                    case 19: old ? "R74" : nil
                    case 9: old ? "R75" : nil
                    case 5: old ? "R24" : nil
                    default: nil
                    }
                guard let pair else {
                    return unplaced(
                        "the form of \(layout == .year2026 ? "2026" : "2025") has no row for purchases at \(p) %.",
                        "formularul nu are rând pentru achiziții cu cota \(p) %.")
                }
                return .success([("\(pair)_1", fact.base), ("\(pair)_2", fact.vat)])
            case .reverseCharge:
                let (b, v) = (fact.base, fact.selfAssessed)
                if fact.domestic {
                    let sub: String? =
                        switch fact.selfAssessedPercent {
                        case 21: "1"
                        case 11: "2"
                        case 19: old ? "3" : nil
                        default: nil
                        }
                    guard let sub else {
                        return unplaced(
                            "the form has no row for reverse charge at \(fact.selfAssessedPercent) %.",
                            "formularul nu are rând pentru taxare inversă cu cota \(fact.selfAssessedPercent) %.")
                    }
                    return .success([
                        ("R12_\(sub)_1", b), ("R12_\(sub)_2", v), ("R25_\(sub)_1", b), ("R25_\(sub)_2", v),
                    ])
                }
                var rows = [("R7_1", b), ("R7_2", v), ("R20_1", b), ("R20_2", v)]
                if fact.intraCommunity { rows += [("R7_1_1", b), ("R7_1_2", v), ("R20_1_1", b), ("R20_1_2", v)] }
                return .success(rows)
            case .intraCommunity:
                let (b, v) = (fact.base, fact.selfAssessed)
                var rows = [("R5_1", b), ("R5_2", v), ("R18_1", b), ("R18_2", v)]
                if fact.partnerTaxID != nil { rows += [("R5_1_1", b), ("R5_1_2", v), ("R18_1_1", b), ("R18_1_2", v)] }
                return .success(rows)
            case .exempt, .zero, .outOfScope, .export, .canaryIslands, .ceutaMelilla, .splitPayment:
                return .success(
                    fact.category == .exempt && fact.intraCommunity
                        ? [("R26_1", fact.base), ("R26_1_1", fact.base)] : [("R26_1", fact.base)])
            }
        }
    }

    /// The return from the facts of its period (`range`), with ANAF's formulas for the totals. `carriedNegative` is the
    /// negative VAT left from the previous period for which no refund was asked (row `R38_2`, minor units).
    public static func compute(
        _ facts: [VATFact], period: YearMonth, quarterly: Bool, carriedNegative: Int64 = 0, rectifying: Bool = false
    ) throws(DomainError) -> D300Return {
        let layout = try D300Layout.of(period)
        var minor: [String: Int64] = [:]
        var unplaced: [FilingProblem] = []
        var collected: Int64 = 0
        var deducted: Int64 = 0
        var nonDeductible: Int64 = 0
        for fact in facts {
            switch place(fact, layout: layout) {
            case .success(let contributions):
                for (attribute, amount) in contributions { minor[attribute, default: 0] &+= amount }
            case .failure(let problem): unplaced.append(problem)
            }
            switch fact.direction {
            case .sale: collected &+= fact.vat
            case .purchase:
                collected &+= fact.selfAssessed
                deducted &+= fact.vat &- fact.nonDeductible &+ fact.selfAssessed
                nonDeductible &+= fact.nonDeductible
            }
        }
        var rows = minor.mapValues(FilingMath.lei)
        func v(_ a: String) -> Int64 { rows[a] ?? 0 }
        // Row 12 and its mirror 27 (R25) are the sums of their rounded sub-rows, so ANAF's V_19–V_26 hold.
        for (total, prefix) in [("R12", "R12"), ("R25", "R25")] {
            rows["\(total)_1"] = v("\(prefix)_1_1") + v("\(prefix)_2_1") + v("\(prefix)_3_1")
            rows["\(total)_2"] = v("\(prefix)_1_2") + v("\(prefix)_2_2") + v("\(prefix)_3_2")
        }
        let collectedBases = [
            "R1_1", "R2_1", "R3_1", "R4_1", "R5_1", "R6_1", "R7_1", "R8_1", "R9_1", "R10_1", "R11_1", "R12_1", "R13_1", "R14_1",
            "R15_1", "R16_1", "R64_1", "R65_1", "R69_1", "R70_1", "R71_1",
        ]
        let collectedVAT = [
            "R5_2", "R6_2", "R7_2", "R8_2", "R9_2", "R10_2", "R11_2", "R12_2", "R16_2", "R64_2", "R65_2", "R69_2", "R70_2", "R71_2",
        ]
        let deductibleBases = ["R18_1", "R19_1", "R20_1", "R21_1", "R22_1", "R23_1", "R24_1", "R25_1", "R74_1", "R75_1"]
        let deductibleVAT = ["R18_2", "R19_2", "R20_2", "R21_2", "R22_2", "R23_2", "R24_2", "R25_2", "R43_2", "R44_2", "R74_2", "R75_2"]
        rows["R17_1"] = collectedBases.reduce(0) { $0 + v($1) }
        rows["R17_2"] = collectedVAT.reduce(0) { $0 + v($1) }
        rows["R27_1"] = deductibleBases.reduce(0) { $0 + v($1) }
        rows["R27_2"] = deductibleVAT.reduce(0) { $0 + v($1) }
        rows["R28_2"] = v("R27_2") - FilingMath.lei(nonDeductible)
        rows["R32_2"] = v("R28_2") + v("R29_2") + v("R30_2") + v("R31_2")
        rows["R33_2"] = max(v("R32_2") - v("R17_2"), 0)
        rows["R34_2"] = max(v("R17_2") - v("R32_2"), 0)
        rows["R38_2"] = FilingMath.lei(max(carriedNegative, 0))
        rows["R37_2"] = v("R34_2") + v("R35_2") + v("R36_2")
        rows["R40_2"] = v("R33_2") + v("R38_2") + v("R39_2")
        rows["R41_2"] = max(v("R37_2") - v("R40_2"), 0)
        rows["R42_2"] = max(v("R40_2") - v("R37_2"), 0)
        rows = rows.filter { $0.value != 0 || (Self.rows(named: $0.key)?.total ?? false) }
        for row in Self.rows where row.total && rows[row.attribute] == nil { rows[row.attribute] = 0 }
        return D300Return(
            period: period, quarterly: quarterly, layout: layout, rows: rows, unplaced: unplaced, collected: collected, deducted: deducted,
            rectifying: rectifying)
    }

    static func rows(named attribute: String) -> Row? { rows.first { $0.attribute == attribute } }

    /// Every problem the return's checks find, each named: documents without a row, ANAF's checks of the form (V_6,
    /// the ±1 % band of each rate's VAT), and the return against the VAT accounts of the ledger (`D300-4427`,
    /// `D300-4426`), when the accounts' period turnovers are given (minor units, the VAT closing left out).
    public static func problems(_ r: D300Return, accounts: (collected: Int64, deducted: Int64)?) -> [FilingProblem] {
        var problems = r.unplaced
        func add(_ check: String, _ en: String, _ ro: String) { problems.append(FilingProblem(check: check, message: en, messageRO: ro)) }
        if r.value("R28_2") > r.value("R27_2") {
            add("D300-V_6", "Row R28 (\(r.value("R28_2"))) exceeds row R27 (\(r.value("R27_2"))).", "Rândul R28 depășește rândul R27.")
        }
        let bands: [(String, Int64)] = [
            ("R9", 21), ("R10", 11), ("R11", 9), ("R69", 19), ("R70", 9), ("R71", 5), ("R12_1", 21), ("R12_2", 11), ("R12_3", 19),
            ("R22", 21), ("R23", 11), ("R74", 19), ("R75", 9), ("R24", 5), ("R25_1", 21), ("R25_2", 11), ("R25_3", 19),
        ]
        for (row, percent) in bands {
            let base = r.value("\(row)_1")
            let vat = r.value("\(row)_2")
            guard base != 0 || vat != 0 else { continue }
            let a = rounded(base * (percent - 1), by: 100)
            let b = rounded(base * (percent + 1), by: 100)
            if vat < min(a, b) || vat > max(a, b) {
                add(
                    "D300-\(row)", "Row \(row): VAT \(vat) is not \(percent) % ± 1 % of the base \(base).",
                    "Rândul \(row): TVA \(vat) nu se încadrează în \(percent) % ± 1 % din baza \(base).")
            }
        }
        if let accounts {
            if accounts.collected != r.collected {
                add(
                    "D300-4427",
                    "The documents collected \(Money.ron(r.collected).decimalString) lei of VAT but account 4427 was credited \(Money.ron(accounts.collected).decimalString) lei in the period; an entry posted to 4427 by hand is not in the return.",
                    "Documentele au colectat \(Money.ron(r.collected).decimalString) lei TVA, dar contul 4427 a fost creditat cu \(Money.ron(accounts.collected).decimalString) lei în perioadă; o înregistrare manuală în 4427 nu este în decont."
                )
            }
            if accounts.deducted != r.deducted {
                add(
                    "D300-4426",
                    "The documents deducted \(Money.ron(r.deducted).decimalString) lei of VAT but account 4426 was debited \(Money.ron(accounts.deducted).decimalString) lei in the period; an entry posted to 4426 by hand is not in the return.",
                    "Documentele au dedus \(Money.ron(r.deducted).decimalString) lei TVA, dar contul 4426 a fost debitat cu \(Money.ron(accounts.deducted).decimalString) lei în perioadă; o înregistrare manuală în 4426 nu este în decont."
                )
            }
        }
        return problems
    }

    static func rounded(_ value: Int64, by divisor: Int64) -> Int64 {
        value >= 0 ? (value + divisor / 2) / divisor : -((-value + divisor / 2) / divisor)
    }

    /// The payment reference (`nr_evid`, 23 digits): `10`, the return's type (`301` monthly, `302` quarterly), `01`, the
    /// period's end as MMYY, the due date as DDMMYY, `0000`, and two check digits, the last two of the sum of the first
    /// 21 digits (ANAF's structure D300_A10.0.0, item 25). The due date is the nominal 25th, as the kit's example has it;
    /// whether ANAF wants the day moved past a weekend here: not verified.
    public static func paymentReference(period: YearMonth, quarterly: Bool) -> String {
        let due = FilingForm.d300.nominalDue(period)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n % 100)" }
        let body =
            "10" + (quarterly ? "302" : "301") + "01" + two(period.month) + two(period.year % 100) + two(due.day) + two(due.month)
            + two(due.year % 100) + "0000"
        let sum = body.compactMap(\.wholeNumberValue).reduce(0, +)
        return body + two(sum % 100)
    }

    /// The return's XML: the header, then every row that is not zero and every total, in the form's order; whole lei.
    public static func xml(_ r: D300Return, header h: TaxReturnHeader) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<declaratie300 xmlns=\"\(namespace)\""
        var attributes: [(String, String)] = [
            ("luna", "\(r.period.month)"), ("an", "\(r.period.year)"), ("depusReprezentant", "0"), ("bifa_interne", "0"),
            ("temei", "0"), ("nume_declar", h.declarant.lastName), ("prenume_declar", h.declarant.firstName),
            ("functie_declar", h.declarant.function), ("cui", h.cui), ("den", h.name), ("adresa", h.address),
        ]
        if let phone = h.phone, !phone.isEmpty { attributes.append(("telefon", String(phone.filter { $0 != " " }.prefix(15)))) }
        if let email = h.email, !email.isEmpty { attributes.append(("mail", email)) }
        let written = Self.rows.filter { r.rows[$0.attribute] != nil }
        let control = written.reduce(Int64(0)) { $0 &+ r.value($1.attribute) }
        attributes += [
            ("banca", h.bankName), ("cont", h.iban), ("caen", h.caen), ("tip_decont", r.quarterly ? "T" : "L"), ("pro_rata", "100"),
            ("bifa_cereale", "N"), ("bifa_mob", "N"), ("bifa_disp", "N"), ("bifa_cons", "N"), ("solicit_ramb", "N"),
            ("nr_evid", paymentReference(period: r.period, quarterly: r.quarterly)), ("totalPlata_A", "\(control)"),
        ]
        out += D112.attrs(attributes)
        out += "\n "
        out += D112.attrs(written.map { ($0.attribute, "\(r.value($0.attribute))") })
        out += "/>\n"
        return out
    }
}
