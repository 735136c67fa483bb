import Foundation
import Kernel
import Payroll
import TestSupport
import Testing

/// Gross to net, pure (issue 15 acceptance): the published examples to the leu, a table of cases each worked out by
/// hand in its comment, properties over generated employees, the net-to-gross search, and every refusal.
///
/// March 2026 has 22 working days (1 March is a Sunday; no public holiday) and uses the first parameter set: minimum
/// wage 4,050, untaxed amount 300 up to a gross of 4,300. August 2026 uses the second: 4,325, untaxed 200 up to 4,600.
@Suite struct GrossToNetTests {
    static let march = (try? YearMonth(year: 2026, month: 3)) ?? YearMonth(LocalDate.epochForTests)
    static let august = (try? YearMonth(year: 2026, month: 8)) ?? YearMonth(LocalDate.epochForTests)
    static let born1985 = (try? LocalDate(iso: "1985-04-02")) ?? LocalDate.epochForTests

    static func lei(_ whole: Int64) -> Money { .ron(whole * 100) }

    static func input(
        _ month: YearMonth = march, base: Int64 = 4_050, norm: Int = 8, worked: Int = 22, leave: Int = 0, days: Int = 22,
        birth: LocalDate = born1985, mainJob: Bool = true, dependants: Int = 0, children: Int = 0, overtime: Int = 0,
        bonuses: Int64 = 0, leaveAverage: Int64? = nil, vouchers: Int = 0, voucherValue: Int64 = 0, advance: Int64 = 0,
        garnishments: Int64 = 0, segments: [PaySegment]? = nil
    ) -> PayInput {
        PayInput(
            employee: "E1", month: month, birthDate: birth, mainJob: mainJob, dependants: dependants, childrenInSchool: children,
            monthWorkingDays: days,
            segments: segments ?? [PaySegment(baseSalary: lei(base), normHours: norm, workedDays: worked, paidLeaveDays: leave)],
            overtimeHours: overtime, bonuses: lei(bonuses), leaveDailyAverage: leaveAverage.map(lei), mealVouchers: vouchers,
            mealVoucherValue: lei(voucherValue), advance: lei(advance), garnishments: lei(garnishments))
    }

    static func compute(_ input: PayInput) throws -> PayResult {
        try GrossToNet.compute(input, try PayrollParameterTable.inForce(input.month))
    }

    /// Whole lei of the result: gross, CAS, CASS, deduction, tax, net, CAM, cost.
    static func summary(_ result: PayResult) -> [Int64] {
        [result.gross, result.cas, result.cass, result.deduction, result.tax, result.net, result.cam, result.employerCost].map {
            $0.minorUnits / 100
        }
    }

    @Test func publishedExamples() throws {
        // Reference §6.1: 4,050 − 300 untaxed = 3,750; CAS 937.5 → 938, CASS 375, deduction 20 % of 4,050 = 810;
        // taxable 3,750 − 938 − 375 − 810 = 1,627 → tax 162.7 → 163; net 2,574; CAM 84.375 → 84; cost 4,134.
        let before = try Self.compute(Self.input())
        #expect(Self.summary(before) == [4_050, 938, 375, 810, 163, 2_574, 84, 4_134])
        #expect(before.untaxed == Self.lei(300) && before.taxable == Self.lei(1_627))
        // From July: 4,325 − 200 = 4,125; CAS 1,031.25 → 1,031, CASS 412.5 → 413, deduction 865; taxable 1,816 → tax
        // 181.6 → 182; net 2,699; CAM 92.81 → 93; cost 4,418.
        let after = try Self.compute(Self.input(Self.august, base: 4_325, worked: 21, days: 21))
        #expect(Self.summary(after) == [4_325, 1_031, 413, 865, 182, 2_699, 93, 4_418])
        // Every line explains itself.
        #expect(
            before.lines.first { $0.code == "deduction" }?.explanation
                == "personal deduction 810.00 = 20 % of 4050.00: income ≤ minimum wage, 0 dependants")
        #expect(before.lines.first { $0.code == "untaxed" }?.explanationRO.hasPrefix("suma netaxabilă 300.00 × 22/22 zile") == true)
    }

    // Each case: the input, then [gross, CAS, CASS, deduction, tax, net, CAM, cost], worked out in its comment.
    static let cases: [(String, PayInput, [Int64])] = [
        // 1 dependant: deduction 25 % × 4,050 = 1,012.5 → 1,013; taxable 3,750 − 938 − 375 − 1,013 = 1,424 → 142.
        ("1 dependant", input(dependants: 1), [4_050, 938, 375, 1_013, 142, 2_595, 84, 4_134]),
        // 2 dependants: 30 % = 1,215; taxable 1,222 → 122; net 4,050 − 938 − 375 − 122 = 2,615.
        ("2 dependants", input(dependants: 2), [4_050, 938, 375, 1_215, 122, 2_615, 84, 4_134]),
        // 4 dependants: 45 % = 1,822.5 → 1,823; taxable 614 → 61.4 → 61; net 2,676.
        ("4 dependants", input(dependants: 4), [4_050, 938, 375, 1_823, 61, 2_676, 84, 4_134]),
        // Under 26 (born 2002, 23 in March 2026): 810 + 15 % × 4,050 = 607.5 → 608, total 1,418; taxable 1,019 → 102.
        ("under 26", input(birth: (try? LocalDate(iso: "2002-05-10")) ?? born1985), [4_050, 938, 375, 1_418, 102, 2_635, 84, 4_134]),
        // A child in school who is also the dependant: 1,013 + 100 = 1,113; taxable 1,324 → 132; net 2,605.
        ("child in school", input(dependants: 1, children: 1), [4_050, 938, 375, 1_113, 132, 2_605, 84, 4_134]),
        // Band: 4,500 is 450 above the minimum: 9 started steps of 50 → 20 − 4.5 = 15.5 % → 627.75 → 628; CAS 1,125,
        // CASS 450, taxable 4,500 − 1,125 − 450 − 628 = 2,297 → 229.7 → 230; net 2,695; CAM 101.25 → 101.
        ("band 4,500", input(base: 4_500), [4_500, 1_125, 450, 628, 230, 2_695, 101, 4_601]),
        // Band: 5,000 is 950 above: 19 steps → 10.5 % → 425.25 → 425; taxable 2,825 → 282.5 → 283; CAM 112.5 → 113.
        ("band 5,000", input(base: 5_000), [5_000, 1_250, 500, 425, 283, 2_967, 113, 5_113]),
        // Band: 6,000 is 1,950 above: 39 steps → 0.5 % → 20.25 → 20; taxable 3,880 → 388; CAM 135.
        ("band 6,000", input(base: 6_000), [6_000, 1_500, 600, 20, 388, 3_512, 135, 6_135]),
        // Above minimum + 2,000: no deduction; CAS 1,512.75 → 1,513, CASS 605.1 → 605, tax 3,933 → 393.3 → 393.
        ("no deduction above 6,050", input(base: 6_051), [6_051, 1_513, 605, 0, 393, 3_540, 136, 6_187]),
        // At the ceiling: minimum wage + 250 bonus = 4,300 keeps the untaxed 300: base 4,000, CAS 1,000, CASS 400,
        // deduction 250 above → 5 steps → 17.5 % → 708.75 → 709; taxable 1,891 → 189; net 2,711; CAM 90.
        ("gross at the untaxed ceiling", input(bonuses: 250), [4_300, 1_000, 400, 709, 189, 2_711, 90, 4_390]),
        // Just above: 4,350 loses it: CAS 1,087.5 → 1,088, CASS 435, 300 above → 6 steps → 17 % → 688.5 → 689;
        // taxable 2,138 → 213.8 → 214; net 2,613; CAM 97.875 → 98.
        ("gross above the untaxed ceiling", input(bonuses: 300), [4_350, 1_088, 435, 689, 214, 2_613, 98, 4_448]),
        // Part time 4 h/day at 2,025: no untaxed (not full time); deduction 810; CAS 506.25 → 506, CASS 202.5 → 203;
        // taxable 506 → 50.6 → 51; net 1,265; CAM 45.56 → 46.
        ("part time 4 h", input(base: 2_025, norm: 4), [2_025, 506, 203, 810, 51, 1_265, 46, 2_071]),
        // Joiner on Tuesday 10 March: 16 working days of 22 at 5,000 = 3,636.36 → 3,636; deduction 810; CAS 909,
        // CASS 363.6 → 364; taxable 1,553 → 155.3 → 155; net 2,208; CAM 81.81 → 82.
        ("joiner on the 10th", input(base: 5_000, worked: 16), [3_636, 909, 364, 810, 155, 2_208, 82, 3_718]),
        // Leaver on Friday 20 March: 15 days at 6,000 = 4,090.91 → 4,091; 41 above → 1 step → 19.5 % → 789.75 → 790;
        // CAS 1,022.75 → 1,023, CASS 409.1 → 409; taxable 1,869 → 186.9 → 187; net 2,472; CAM 92.05 → 92.
        ("leaver on the 20th", input(base: 6_000, worked: 15), [4_091, 1_023, 409, 790, 187, 2_472, 92, 4_183]),
        // Salary change from Monday 16 March: 10 days at 5,000 = 2,272.73 → 2,273 and 12 days at 5,500 = 3,000;
        // gross 5,273, 1,223 above → 25 steps → 7.5 % → 303.75 → 304; CAS 1,318.25 → 1,318, CASS 527.3 → 527;
        // taxable 3,124 → 312.4 → 312; net 3,116; CAM 118.64 → 119.
        (
            "salary change on the 15th",
            input(segments: [
                PaySegment(baseSalary: lei(5_000), normHours: 8, workedDays: 10),
                PaySegment(baseSalary: lei(5_500), normHours: 8, workedDays: 12),
            ]), [5_273, 1_318, 527, 304, 312, 3_116, 119, 5_392]
        ),
        // 5 days of paid leave, no earlier months: 17 days at 5,000 = 3,863.64 → 3,864 and 5 days = 1,136.36 → 1,136;
        // gross 5,000 as in the band case.
        ("5 days of paid leave", input(base: 5_000, worked: 17, leave: 5), [5_000, 1_250, 500, 425, 283, 2_967, 113, 5_113]),
        // The same at a daily average of 250 (last three months): 3,864 + 1,250 = 5,114; 1,064 above → 22 steps → 9 %
        // → 364.5 → 365; CAS 1,278.5 → 1,279, CASS 511.4 → 511; taxable 2,959 → 295.9 → 296; net 3,028; CAM 115.07 → 115.
        (
            "paid leave at the 3-month average", input(base: 5_000, worked: 17, leave: 5, leaveAverage: 250),
            [5_114, 1_279, 511, 365, 296, 3_028, 115, 5_229]
        ),
        // 20 meal vouchers of 45 = 900: CASS 10 % of 5,900 = 590, no CAS or CAM on them; taxable 5,000 + 900 − 1,250 −
        // 590 − 425 = 3,635 → 363.5 → 364; net 5,000 − 1,250 − 590 − 364 = 2,796.
        ("20 meal vouchers", input(base: 5_000, vouchers: 20, voucherValue: 45), [5_000, 1_250, 590, 425, 364, 2_796, 113, 5_113]),
        // Overtime: 10 h at 4,400 / (22 × 8) = 25 an hour × 1.75 = 437.5 → 438; gross 4,838, 788 above → 16 steps → 12 %
        // = 486; CAS 1,209.5 → 1,210, CASS 483.8 → 484; taxable 2,658 → 265.8 → 266; net 2,878; CAM 108.86 → 109.
        ("10 h overtime", input(base: 4_400, overtime: 10), [4_838, 1_210, 484, 486, 266, 2_878, 109, 4_947]),
        // Not the main job: no untaxed amount, no deduction: CAS 1,012.5 → 1,013, CASS 405, taxable 2,632 → 263.
        ("second job", input(mainJob: false), [4_050, 1_013, 405, 0, 263, 2_369, 91, 4_141]),
    ]

    @Test func casesWorkedOutByHand() throws {
        for (name, input, expected) in Self.cases {
            #expect(Self.summary(try Self.compute(input)) == expected, "\(name)")
        }
        #expect(Self.cases.count >= 15)
    }

    @Test func advanceAndGarnishmentComeOffTheNet() throws {
        // 5,000 gives a net of 2,967; an advance of 1,000 and a garnishment of 300 leave 1,667 to pay.
        let result = try Self.compute(Self.input(base: 5_000, advance: 1_000, garnishments: 300))
        #expect(result.net == Self.lei(2_967) && result.netToPay == Self.lei(1_667))
        #expect(result.lines.map(\.code).suffix(4) == ["garnishments", "net_to_pay", "cam", "cost"])
    }

    /// For generated employees: net + CAS + CASS + tax = gross; cost = gross + CAM; net to pay + advance + withholdings =
    /// net; nothing negative.
    @Test func balancesHoldForGeneratedEmployees() throws {
        var seed: UInt64 = 0x5EED_2026
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<2_000 {
            let days = 19 + next(5)
            let worked = next(days + 1)
            let leave = next(days - worked + 1)
            let input = Self.input(
                next(2) == 0 ? Self.march : Self.august, base: Int64(1_000 + next(30_000)), norm: 1 + next(8), worked: worked, leave: leave,
                days: days, dependants: next(6), children: next(3), overtime: next(40), bonuses: Int64(next(3) == 0 ? next(5_000) : 0),
                vouchers: next(worked + 1), voucherValue: Int64(next(46)))
            let result = try Self.compute(input)
            #expect(
                result.net.minorUnits + result.cas.minorUnits + result.cass.minorUnits + result.tax.minorUnits == result.gross.minorUnits)
            #expect(result.employerCost.minorUnits == result.gross.minorUnits + result.cam.minorUnits)
            #expect(result.netToPay.minorUnits + result.advance.minorUnits + result.garnishments.minorUnits == result.net.minorUnits)
            #expect([result.cas, result.cass, result.tax, result.taxable, result.deduction, result.cam].allSatisfy { $0.minorUnits >= 0 })
        }
    }

    @Test func netToGrossFindsTheGross() throws {
        let parameters = try PayrollParameterTable.inForce(Self.march)
        let template = Self.input()
        // The minimum wage's net (2,574) is reached at the minimum wage itself, though 4,051 nets only 2,449.
        let minimum = try NetToGross.gross(forNet: Self.lei(2_574), template: template, parameters)
        #expect(minimum.gross == Self.lei(4_050) && minimum.exact)
        // 5,000 nets 2,967, and so does 4,999 (CAS 1,249.75 → 1,250, CASS 499.9 → 500, 19 steps → 425, taxable
        // 2,824 → 282): the smallest gross is the answer.
        let band = try NetToGross.gross(forNet: Self.lei(2_967), template: template, parameters)
        #expect(band.gross == Self.lei(4_999) && band.exact, "\(band.gross) \(band.result.net)")
        // 2,600 lies between the minimum wage's net and the next nets: the smallest gross above that reaches it.
        let between = try NetToGross.gross(forNet: Self.lei(2_600), template: template, parameters)
        #expect(between.result.net.minorUnits >= 260_000 && between.gross.minorUnits > 405_000)
        let below = try GrossToNet.compute(
            Self.input(base: between.gross.minorUnits / 100 - 1), parameters)
        #expect(below.net.minorUnits < 260_000)
    }

    /// The answer is the smallest gross that reaches the net: nothing in the 400 lei below it (nor the minimum wage,
    /// when below) reaches it.
    @Test func netToGrossIsTheSmallestGross() throws {
        let parameters = try PayrollParameterTable.inForce(Self.march)
        for target in stride(from: Int64(1_000), through: 9_000, by: 277) {
            let answer = try NetToGross.gross(forNet: Self.lei(target), template: Self.input(), parameters)
            #expect(answer.result.net.minorUnits >= target * 100)
            let found = answer.gross.minorUnits / 100
            for leu in max(1, found - 400)..<found {
                #expect(try GrossToNet.compute(Self.input(base: leu), parameters).net.minorUnits < target * 100, "\(target): \(leu)")
            }
        }
    }

    @Test func refusals() async throws {
        let parameters = try PayrollParameterTable.inForce(Self.march)
        await expectRefusals([
            "payroll.working_days", "payroll.days", "payroll.norm", "payroll.overtime", "payroll.meal_vouchers",
            "payroll.meal_voucher_value", "payroll.dependants",
        ]) {
            try GrossToNet.compute(
                Self.input(norm: 9, worked: 40, days: 32, dependants: 99, overtime: 9_999, vouchers: 40, voucherValue: 46), parameters)
        }
        await expectRefusal("payroll.segments", field: "segments") {
            try GrossToNet.compute(Self.input(segments: []), parameters)
        }
        await expectRefusal("payroll.amount", field: "base_salary") {
            try GrossToNet.compute(Self.input(base: 2_000_000), parameters)
        }
        await expectRefusal("payroll.amount", field: "advance") {
            try GrossToNet.compute(Self.input(advance: -5), parameters)
        }
        await expectRefusal("payroll.withheld_over_net", field: "garnishments") {
            try GrossToNet.compute(Self.input(advance: 2_000, garnishments: 1_000), parameters)
        }
        await expectRefusal("payroll.net_target", field: "net") {
            try NetToGross.gross(forNet: .ron(0), template: Self.input(), parameters)
        }
        var odd = parameters
        odd.casPercent = Decimal(string: "25.125") ?? 25
        await expectRefusal("payroll.parameters", field: "parameters") { try GrossToNet.prepare(odd) }
        #expect([2_500, 225, 1_950, 5, 0].map(PayrollRounding.percentText) == ["25", "2.25", "19.5", "0.05", "0"])
        // Half up to the whole leu: 937.50 → 938, 937.49 → 937.
        #expect(PayrollRounding.percentOf(375_000, basisPoints: 2_500) == 93_800)
        #expect(PayrollRounding.wholeLeu(numerator: 93_749, denominator: 1) == 93_700)
        await expectRefusal("payroll.no_parameters", field: "month") {
            try PayrollParameterTable.inForce(try YearMonth(year: 2024, month: 12))
        }
    }
}

extension LocalDate {
    /// A date every test can fall back on without a forced unwrap.
    static var epochForTests: LocalDate { (try? LocalDate(iso: "2026-01-01")) ?? (try? LocalDate(iso: "2000-01-01"))! }
}
