import Kernel
import People
import TestSupport
import Testing

/// Contracts as dated events: the terms on any day, the transition table, the REGES-ONLINE deadlines.
@Suite struct ContractTests {
    typealias F = PeopleFixtures

    /// Amended twice and suspended once: the terms on five days.
    @Test func termsOnFiveDays() throws {
        var contract = try Contract(hire: F.terms())
        try contract.append(
            ContractEvent(kind: .amendment, effective: F.date("2026-03-02"), change: ContractChange(baseSalary: F.money(5_500))))
        try contract.append(
            ContractEvent(
                kind: .amendment, effective: F.date("2026-05-04"),
                change: ContractChange(normHours: 6, position: "ECONOMIST", corCode: "263106")))
        try contract.append(ContractEvent(kind: .suspension, effective: F.date("2026-07-01"), reason: "art. 51 alin. (1) lit. a)"))
        #expect(contract.terms(on: F.date("2026-01-04")) == nil)
        let january = try #require(contract.terms(on: F.date("2026-02-01")))
        #expect(january.state == .active && january.terms.baseSalary == F.money(5_000) && january.terms.normHours == 8)
        let april = try #require(contract.terms(on: F.date("2026-04-01")))
        #expect(april.state == .active && april.terms.baseSalary == F.money(5_500) && april.terms.normHours == 8)
        let june = try #require(contract.terms(on: F.date("2026-06-15")))
        #expect(june.state == .active && june.terms.baseSalary == F.money(5_500) && june.terms.normHours == 6)
        #expect(june.terms.position == "ECONOMIST" && june.terms.corCode == "263106")
        let july = try #require(contract.terms(on: F.date("2026-07-15")))
        #expect(july.state == .suspended && july.terms.normHours == 6)
        // The day an amendment takes effect, it is in force.
        #expect(contract.terms(on: F.date("2026-03-02"))?.terms.baseSalary == F.money(5_500))
        #expect(contract.terms(on: F.date("2026-03-01"))?.terms.baseSalary == F.money(5_000))
    }

    /// The register wants each event by the working day before it takes effect: weekends and public holidays skipped.
    @Test(arguments: [
        ("2026-01-05", "2025-12-31"),  // Monday after 1–2 January (holidays) and a weekend
        ("2026-03-02", "2026-02-27"),  // Monday: the Friday before
        ("2026-04-14", "2026-04-09"),  // after Orthodox Good Friday (10), Easter (12) and Easter Monday (13)
        ("2026-06-02", "2026-05-29"),  // after Whit Monday (1 June, also Children's Day) and a weekend
        ("2026-12-03", "2026-12-02"),  // an ordinary Thursday
        ("2026-12-02", "2026-11-27"),  // after 1 December (national day) and 30 November (St Andrew), a Monday
    ])
    func regesDeadlineSkipsWeekendsAndHolidays(_ effective: String, _ deadline: String) {
        #expect(ContractEvent(kind: .amendment, effective: F.date(effective)).regesDeadline == F.date(deadline))
    }

    @Test func theTransitionTableIsExhaustive() {
        let expected: [ContractState: [ContractEvent.Kind: ContractState]] = [
            .signed: [.hire: .active],
            .active: [.amendment: .active, .suspension: .suspended, .termination: .ended],
            .suspended: [.amendment: .suspended, .resumption: .active, .termination: .ended],
            .ended: [:],
        ]
        for state in ContractState.allCases {
            for kind in ContractEvent.Kind.allCases {
                #expect(Contract.next(state, kind) == expected[state]?[kind], "\(state) + \(kind)")
            }
        }
    }

    @Test func illegalEventsAreRefused() async throws {
        var contract = try Contract(hire: F.terms())
        await expectRefusal("contract.illegal_transition", field: "kind") {
            try contract.append(ContractEvent(kind: .resumption, effective: F.date("2026-02-01")))
        }
        await expectRefusal("contract.empty_amendment", field: "change") {
            try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-02-01"), change: ContractChange()))
        }
        await expectRefusal("contract.norm_hours", field: "norm_hours") {
            try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-02-01"), change: ContractChange(normHours: 9)))
        }
        await expectRefusal("contract.suspension_reason", field: "reason") {
            try contract.append(ContractEvent(kind: .suspension, effective: F.date("2026-02-01"), reason: " "))
        }
        await expectRefusal("contract.article", field: "article") {
            try contract.append(ContractEvent(kind: .termination, effective: F.date("2026-02-01"), reason: "99"))
        }
        try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-03-02"), change: ContractChange(normHours: 7)))
        await expectRefusal("contract.event_order", field: "date") {
            try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-03-01"), change: ContractChange(normHours: 4)))
        }
        try contract.append(ContractEvent(kind: .termination, effective: F.date("2026-03-31"), reason: "55 lit. b"))
        await expectRefusal("contract.illegal_transition", field: "kind") {
            try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-04-01"), change: ContractChange(normHours: 4)))
        }
        // The termination's date is the last day: active on it, ended the day after.
        #expect(contract.terms(on: F.date("2026-03-31"))?.state == .active)
        #expect(contract.terms(on: F.date("2026-04-01"))?.state == .ended)
        await expectRefusal("contract.no_hire") { try Contract(events: []) }
    }

    @Test func aFixedTermContractEndsAfterItsLastDay() throws {
        var terms = F.terms()
        terms.duration = .fixed(end: F.date("2026-06-30"))
        let contract = try Contract(hire: terms)
        #expect(contract.terms(on: F.date("2026-06-30"))?.state == .active)
        #expect(contract.terms(on: F.date("2026-07-01"))?.state == .ended)
    }

    @Test func theTermsAreCheckedWhole() async throws {
        var terms = F.terms()
        terms.number = ""
        terms.signed = F.date("2026-02-01")
        terms.duration = .fixed(end: F.date("2025-12-31"))
        terms.baseSalary = F.money(0)
        terms.leaveDays = 19
        terms.probationDays = 91
        for (id, field) in [
            ("contract.number", "contract_number"), ("contract.signed_after_start", "contract_date"),
            ("contract.end_before_start", "contract_type"), ("contract.salary", "base_salary"), ("contract.leave_days", "leave_days"),
            ("contract.probation", "probation_days"),
        ] {
            await expectRefusal(id, field: field) { try Contract(hire: terms) }
        }
        await expectRefusal("contract.type", field: "contract_type") { try ContractDuration(parsing: "forever") }
        #expect(try ContractDuration(parsing: "fixed:2027-01-31") == .fixed(end: F.date("2027-01-31")))
    }

    @Test func aContractHoldsAtMostItsLimitOfEvents() async throws {
        var contract = try Contract(hire: F.terms())
        for index in 1..<Limits.contractEvents {
            try contract.append(
                ContractEvent(kind: .amendment, effective: F.date("2026-02-01"), change: ContractChange(normHours: 1 + index % 8)))
        }
        await expectRefusal("contract.too_many_events") {
            try contract.append(ContractEvent(kind: .amendment, effective: F.date("2026-02-01"), change: ContractChange(normHours: 8)))
        }
    }
}
