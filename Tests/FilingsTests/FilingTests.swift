import Filings
import Foundation
import Kernel
import Testing

@Suite("Filings: the shared lifecycle, due dates and D112's cross-checks")
struct FilingTests {
    /// Every (state, event) pair: the table's allowed transitions, every other one refused with its id.
    @Test func transitionTableIsExhaustive() throws {
        let allowed: [String: FilingState] = [
            "generated validate0": .validated, "generated validate1": .invalid, "invalid validate0": .validated,
            "invalid validate1": .invalid, "validated validate0": .validated, "validated validate1": .invalid,
            "validated file": .filed, "filed accept": .accepted, "filed reject": .rejected, "accepted rectify": .rectified,
            "rejected rectify": .rectified, "generated discard": .discarded, "invalid discard": .discarded,
            "validated discard": .discarded,
        ]
        var checked = 0
        for state in FilingState.allCases {
            for event in FilingState.Event.all {
                let key: String
                switch event {
                case .validate(let problems): key = "\(state.rawValue) validate\(problems)"
                case .file: key = "\(state.rawValue) file"
                case .accept: key = "\(state.rawValue) accept"
                case .reject: key = "\(state.rawValue) reject"
                case .rectify: key = "\(state.rawValue) rectify"
                case .discard: key = "\(state.rawValue) discard"
                }
                if let next = allowed[key] {
                    #expect(try state.apply(event) == next, "\(key)")
                } else {
                    do {
                        _ = try state.apply(event)
                        Issue.record("\(key) was allowed")
                    } catch { #expect(error.id == "filing.illegal_transition", "\(key)") }
                }
                checked += 1
            }
        }
        #expect(checked == FilingState.allCases.count * FilingState.Event.all.count)
        // A rejected filing is only ever followed by a rectifying one: it cannot be filed, validated or discarded.
        for event: FilingState.Event in [.file, .validate(problems: 0), .discard, .accept] {
            #expect(throws: DomainError.self) { _ = try FilingState.rejected.apply(event) }
        }
    }

    @Test func dueDatesMoveToTheNextWorkingDay() throws {
        // March 2026: D112 on Saturday 25 April 2026 moves to Monday 27 April; D406 on 30 April (a Thursday) stays.
        let march = try YearMonth(year: 2026, month: 3)
        #expect(FilingForm.d112.nominalDue(march).iso == "2026-04-25")
        #expect(FilingForm.d112.due(march).iso == "2026-04-27")
        #expect(FilingForm.d406.due(march).iso == "2026-04-30")
        // December 2026: the 25th of January 2027 is a Monday; D394's 31 January 2027 is a Sunday → 1 February.
        let december = try YearMonth(year: 2026, month: 12)
        #expect(FilingForm.d300.due(december).iso == "2027-01-25")
        #expect(FilingForm.d394.due(december).iso == "2027-02-01")
        // November 2026: 25 December is Christmas, 26 December a holiday, 27 a Sunday → Monday 28 December.
        #expect(FilingForm.d112.due(try YearMonth(year: 2026, month: 11)).iso == "2026-12-28")
    }

    static func minimumWage(_ cnp: String, last: String = "Ionescu", first: String = "Andrei") throws -> D112Insured {
        // 4,050 lei with the 300-lei untaxed amount: bases 3,750, CAS 938, CASS 375, deduction 810, taxable 1,627,
        // tax 163, net 2,574 (shared reference §6.1).
        D112Insured(
            cnp: cnp, lastName: last, firstName: first, hired: try LocalDate(iso: "2023-09-01"), healthFund: "CJ", normHours: 8,
            workedDays: 22, workedHours: 176, baseSalary: 405_000, gross: 405_000, untaxed: 30_000, cas: 93_800, cass: 37_500,
            basicDeduction: 81_000, taxable: 162_700, tax: 16_300, net: 257_400)
    }

    static func declaration(_ insured: [D112Insured]) throws -> D112Declaration {
        D112Declaration(
            period: try YearMonth(year: 2026, month: 3),
            employer: D112Employer(cif: "18547290", name: "Exemplu <Distributie> & Co", caen: "4690", healthFund: "CJ"),
            declarant: Declarant(lastName: "Popescu", firstName: "Maria", function: "Administrator"), insured: insured,
            casRate: 2_500, cassRate: 1_000, taxRate: 1_000, camRate: 225)
    }

    @Test func theMinimumWageDeclaresItsPublishedAmounts() throws {
        let declaration = try Self.declaration([try Self.minimumWage("1900315120017")])
        #expect(D112.problems(declaration).isEmpty)
        let totals = D112.totals(declaration)
        #expect(totals.cas == 938 && totals.cass == 375 && totals.incomeTax == 163 && totals.camBase == 3_750 && totals.cam == 84)
        #expect(totals.total == 938 + 375 + 163 + 84)
        let xml = D112.xml(declaration)
        #expect(xml.contains("den=\"Exemplu &lt;Distributie&gt; &amp; Co\""))
        #expect(xml.contains("A_13=\"3750\" A_14=\"938\"") && xml.contains("A_11=\"3750\" A_12=\"375\""))
        #expect(xml.contains("E3_14=\"1627\" E3_15=\"163\" E3_16=\"2574\""))
        #expect(xml.contains("<angajatorC4 C4_baza=\"3750\" C4_ct=\"84\"/>") && xml.contains("d_rec=\"0\""))
    }

    @Test func crossChecksNameEveryProblemAtOnce() throws {
        var wrong = try Self.minimumWage("1900315120018", last: "Marin", first: "Elena")
        wrong.cas = 100_000
        wrong.tax = 20_000
        wrong.normHours = 0
        var twice = try Self.minimumWage("1900315120017")
        twice.taxable = 100_000
        var declaration = try Self.declaration([try Self.minimumWage("1900315120017"), wrong, twice])
        declaration.employer.caen = "46A"
        let checks = D112.problems(declaration).map(\.check)
        #expect(
            Set(checks) == ["D112-CAEN", "D112-CNP", "D112-A_3", "D112-A_14", "D112-E3_15", "D112-E3_14", "D112-CNP-TWICE", "D112-A_6"])
        #expect(D112.problems(try Self.declaration([])).map(\.check) == ["D112-EMPTY"])
        #expect(D112.problems(declaration).allSatisfy { !$0.messageRO.isEmpty && $0.messageRO != $0.message })
    }

    @Test func wholeLeiRoundHalfUpAndAttributesCarryNoControlCharacters() {
        #expect(D112.lei(405_049) == 4_050 && D112.lei(405_050) == 4_051 && D112.lei(-150) == -2)
        #expect(D112.percent(3_750, 2_500) == 938 && D112.percent(3_750, 225) == 84)
        #expect(D112.escape("a\u{1}b\"c'\n") == "ab&quot;c&apos; ")
    }
}
