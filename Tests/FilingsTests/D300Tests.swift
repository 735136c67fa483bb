import Filings
import Foundation
import Kernel
import Tax
import Testing

@Suite("D300: rows by rate and operation, ANAF's formulas, the payment reference, the form of each period")
struct D300Tests {
    static func fact(
        _ direction: VATFact.Direction, _ category: VATCategory, _ percent: Decimal, base: Int64, vat: Int64, country: String = "RO",
        supply: String = "2026-03-10", selfAssessed: Int64 = 0, assessedAt: Decimal = 21, nonDeductible: Int64 = 0, number: String = "F1"
    ) throws -> VATFact {
        VATFact(
            direction: direction, source: "invoice:\(number)", number: number, date: try LocalDate(iso: supply),
            supplyDate: try LocalDate(iso: supply), category: category, percent: percent, partnerCode: "P", partnerName: "Partener",
            partnerTaxID: country == "RO" ? "18547290" : "\(country)123456789", partnerCountry: country, base: base * 100, vat: vat * 100,
            nonDeductible: nonDeductible * 100, selfAssessed: selfAssessed * 100, selfAssessedPercent: assessedAt)
    }

    /// The month: 21 % and 11 % sales, a domestic reverse-charge purchase, an intra-Community supply, an exempt
    /// line, purchases at 21 % (part not deductible) and an intra-Community service bought; every row where the form
    /// puts it and ANAF's totals.
    @Test func aMonthOfEveryKind() throws {
        let march = try YearMonth(year: 2026, month: 3)
        let facts = [
            try Self.fact(.sale, .standard, 21, base: 100_000, vat: 21_000),
            try Self.fact(.sale, .standard, 11, base: 20_000, vat: 2_200),
            try Self.fact(.sale, .intraCommunity, 0, base: 15_000, vat: 0, country: "DE"),
            try Self.fact(.sale, .exempt, 0, base: 3_000, vat: 0),
            try Self.fact(.sale, .reverseCharge, 0, base: 4_000, vat: 0),
            try Self.fact(.sale, .export, 0, base: 1_000, vat: 0, country: "US"),
            try Self.fact(.purchase, .standard, 21, base: 60_000, vat: 12_600, nonDeductible: 600),
            try Self.fact(.purchase, .reverseCharge, 0, base: 10_000, vat: 0, selfAssessed: 2_100),
            try Self.fact(.purchase, .reverseCharge, 0, base: 2_000, vat: 0, country: "IE", selfAssessed: 420),
            try Self.fact(.purchase, .intraCommunity, 0, base: 5_000, vat: 0, country: "AT", selfAssessed: 1_050),
        ]
        let r = try D300.compute(facts, period: march, quarterly: false)
        let expected: [String: Int64] = [
            "R1_1": 15_000, "R9_1": 100_000, "R9_2": 21_000, "R10_1": 20_000, "R10_2": 2_200, "R13_1": 4_000,
            "R14_1": 1_000, "R15_1": 3_000, "R12_1": 10_000, "R12_2": 2_100, "R12_1_1": 10_000, "R12_1_2": 2_100, "R25_1": 10_000,
            "R25_2": 2_100, "R25_1_1": 10_000, "R25_1_2": 2_100, "R7_1": 2_000, "R7_2": 420, "R7_1_1": 2_000, "R7_1_2": 420,
            "R20_1": 2_000, "R20_2": 420, "R20_1_1": 2_000, "R20_1_2": 420, "R5_1": 5_000, "R5_2": 1_050, "R5_1_1": 5_000,
            "R5_1_2": 1_050, "R18_1": 5_000, "R18_2": 1_050, "R18_1_1": 5_000, "R18_1_2": 1_050, "R22_1": 60_000, "R22_2": 12_600,
        ]
        for (attribute, value) in expected where value != 0 { #expect(r.value(attribute) == value, "\(attribute)") }
        // Collected: sales 21,000 + 2,200 and the self-assessed 2,100 + 420 + 1,050; bases 1+3+5+7+9+10+12+13+14+15.
        #expect(r.value("R17_2") == 21_000 + 2_200 + 2_100 + 420 + 1_050)
        #expect(r.value("R17_1") == 15_000 + 5_000 + 2_000 + 100_000 + 20_000 + 10_000 + 4_000 + 1_000 + 3_000)
        #expect(r.value("R27_2") == 1_050 + 420 + 12_600 + 2_100 && r.value("R28_2") == r.value("R27_2") - 600)
        #expect(r.value("R32_2") == r.value("R28_2") && r.payable == r.value("R17_2") - r.value("R32_2") && r.recoverable == 0)
        #expect(r.value("R41_2") == r.payable && r.value("R42_2") == 0)
        #expect(r.collected == (21_000 + 2_200 + 2_100 + 420 + 1_050) * 100)
        #expect(r.deducted == (12_600 - 600 + 2_100 + 420 + 1_050) * 100)
        #expect(D300.problems(r, accounts: (r.collected, r.deducted)).isEmpty)
        // The VAT accounts disagree with the documents (an entry posted to 4427 by hand): named, with both amounts.
        let problems = D300.problems(r, accounts: (r.collected + 19_00, r.deducted))
        #expect(problems.map(\.check) == ["D300-4427"] && problems[0].message.contains(Money.ron(r.collected + 19_00).decimalString))
    }

    /// The quarter July–September 2025 spans the change of 1 August 2025: July's supplies at 19 % and 9 % go to rows 9.1
    /// and 10.1 of the form of August 2025, August's at 21 % and 11 % to rows 9 and 10; a 9 % supply after the change is
    /// art. III's (row 11). In a 2026 return a 19 % line has no row and is named.
    @Test func aPeriodSpanningTheRateChange() throws {
        let q3 = try YearMonth(year: 2025, month: 9)
        let facts = [
            try Self.fact(.sale, .standard, 19, base: 10_000, vat: 1_900, supply: "2025-07-15"),
            try Self.fact(.sale, .standard, 9, base: 1_000, vat: 90, supply: "2025-07-20"),
            try Self.fact(.sale, .standard, 21, base: 20_000, vat: 4_200, supply: "2025-08-05"),
            try Self.fact(.sale, .standard, 11, base: 2_000, vat: 220, supply: "2025-09-05"),
            try Self.fact(.sale, .standard, 9, base: 500, vat: 45, supply: "2025-09-10"),
            try Self.fact(.purchase, .standard, 19, base: 5_000, vat: 950, supply: "2025-07-01"),
            try Self.fact(.purchase, .standard, 21, base: 3_000, vat: 630, supply: "2025-08-01"),
        ]
        let r = try D300.compute(facts, period: q3, quarterly: true)
        #expect(r.layout == .august2025 && r.unplaced.isEmpty)
        #expect(r.value("R69_1") == 10_000 && r.value("R69_2") == 1_900 && r.value("R70_1") == 1_000 && r.value("R70_2") == 90)
        #expect(r.value("R9_1") == 20_000 && r.value("R10_1") == 2_000 && r.value("R11_1") == 500 && r.value("R11_2") == 45)
        #expect(r.value("R74_2") == 950 && r.value("R22_2") == 630 && r.value("R27_2") == 1_580)
        #expect(r.value("R17_2") == 1_900 + 90 + 4_200 + 220 + 45)
        #expect(try D300.range(q3, quarterly: true).from.iso == "2025-07-01")
        #expect(D300.problems(r, accounts: nil).isEmpty)

        let late = try D300.compute(
            [try Self.fact(.sale, .standard, 19, base: 1_000, vat: 190, supply: "2025-07-15", number: "F-19")],
            period: try YearMonth(year: 2026, month: 1), quarterly: false)
        #expect(late.unplaced.map(\.check) == ["D300-row"] && late.unplaced[0].message.contains("F-19"))
        #expect(throws: DomainError.self) { try D300.compute([], period: try YearMonth(year: 2025, month: 7), quarterly: false) }
        let refused = #expect(throws: DomainError.self) { try D300.range(try YearMonth(year: 2026, month: 2), quarterly: true) }
        #expect(refused?.id == "filing.quarter")
    }

    /// The calendar's obligations from the settings: monthly or quarterly VAT, employer, SAF-T, D390 months.
    @Test func calendarObligations() throws {
        let from = try YearMonth(year: 2026, month: 1)
        let to = try YearMonth(year: 2026, month: 3)
        let monthly = FilingCalendar.obligations(
            from: from, to: to, vatPayer: true, vatQuarterly: false, employer: true, saft: true, intraCommunity: [to])
        #expect(monthly.count == 3 * 4 + 1)
        #expect(monthly.filter { $0.period == to }.map(\.form.rawValue).sorted() == ["d112", "d300", "d390", "d394", "d406"])
        #expect(monthly.first { $0.form == .d406 && $0.period == to }?.due.iso == "2026-04-30")
        let quarterly = FilingCalendar.obligations(from: from, to: to, vatPayer: true, vatQuarterly: true, employer: false, saft: true)
        #expect(
            quarterly.map { "\($0.form.rawValue) \($0.period) \($0.quarterly)" } == [
                "d300 2026-03 true", "d394 2026-03 true", "d406 2026-03 true",
            ])
        // Not a VAT payer: no VAT returns, SAF-T quarterly.
        let small = FilingCalendar.obligations(from: from, to: to, vatPayer: false, vatQuarterly: false, employer: true, saft: true)
        #expect(small.filter { $0.form != .d112 }.map(\.form) == [.d406] && small.filter { $0.form == .d112 }.count == 3)
    }

    /// The payment reference of the kit's example (March 2026, due 25 April 2026): `10301010326250426000036`.
    @Test func paymentReference() throws {
        #expect(D300.paymentReference(period: try YearMonth(year: 2026, month: 3), quarterly: false) == "10301010326250426000036")
        let quarter = D300.paymentReference(period: try YearMonth(year: 2026, month: 6), quarterly: true)
        #expect(quarter.count == 23 && quarter.hasPrefix("1030201062625072") == true)
    }

    /// ANAF's ±1 % band: a row whose VAT is not its rate of the base is named.
    @Test func rateBands() throws {
        let r = try D300.compute(
            [try Self.fact(.sale, .standard, 21, base: 1_000, vat: 250)], period: try YearMonth(year: 2026, month: 3), quarterly: false)
        #expect(D300.problems(r, accounts: nil).map(\.check) == ["D300-R9"])
        // Whole lei: half a leu and more rounds up, less rounds down, the same away from zero for credit notes.
        #expect(FilingMath.lei(12_350) == 124 && FilingMath.lei(12_349) == 123 && FilingMath.lei(-12_350) == -124)
    }
}
