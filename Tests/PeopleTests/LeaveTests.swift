import Kernel
import People
import TestSupport
import Testing

/// Leave rules and monthly timesheets, in the domain.
@Suite struct LeaveTests {
    typealias F = PeopleFixtures

    /// 21 days for a joiner on 1 April: 21 × 275 / 365 = 15.82, rounded half up to 16.
    @Test func entitlementIsProratedToTheDaysEmployed() {
        #expect(LeaveRules.proratedEntitlement(days: 21, year: 2026, employedFrom: F.date("2026-04-01"), through: nil) == 16)
        #expect(LeaveRules.proratedEntitlement(days: 21, year: 2026, employedFrom: F.date("2020-03-01"), through: nil) == 21)
        // A leaver on 30 June: 21 × 181 / 365 = 10.41 → 10.
        #expect(
            LeaveRules.proratedEntitlement(days: 21, year: 2026, employedFrom: F.date("2020-03-01"), through: F.date("2026-06-30")) == 10)
        #expect(LeaveRules.proratedEntitlement(days: 21, year: 2026, employedFrom: F.date("2027-01-04"), through: nil) == 0)
        #expect(LeaveRules.roundHalfUp(numerator: 5, denominator: 2) == 3 && LeaveRules.roundHalfUp(numerator: 7, denominator: 5) == 1)
    }

    /// From Thursday 9 to Wednesday 15 April 2026: Good Friday, the Easter weekend and Easter Monday are out: 3 days.
    @Test func aRequestOverEasterCountsItsWorkingDays() {
        #expect(LeaveRules.days(from: F.date("2026-04-09"), through: F.date("2026-04-15")) == 3)
        #expect(LeaveRules.days(from: F.date("2026-03-02"), through: F.date("2026-03-13")) == 10)
        #expect(LeaveRules.days(from: F.date("2026-12-24"), through: F.date("2026-12-31")) == 5)
    }

    @Test func aRequestIsCheckedWhole() async throws {
        await expectRefusal("leave.dates", field: "to") {
            try check(LeaveRules.check(type: .annual, from: F.date("2026-05-10"), to: F.date("2026-05-01"), certificate: nil))
        }
        await expectRefusal("leave.no_working_day", field: "from") {
            try check(LeaveRules.check(type: .annual, from: F.date("2026-05-02"), to: F.date("2026-05-03"), certificate: nil))
        }
        await expectRefusal("leave.certificate", field: "certificate") {
            try check(
                LeaveRules.check(
                    type: .medical, from: F.date("2026-05-04"), to: F.date("2026-05-08"),
                    certificate: MedicalCertificate(series: "CCMAM", number: "123", indemnityCode: "16")))
        }
        #expect(
            LeaveRules.check(
                type: .medical, from: F.date("2026-05-04"), to: F.date("2026-05-08"),
                certificate: MedicalCertificate(series: "CCMAM", number: "1234567", indemnityCode: "01")
            ).isEmpty)
    }

    func check(_ problems: [DomainError]) throws(ValidationErrors) {
        if !problems.isEmpty { throw ValidationErrors(problems) }
    }

    @Test func theLifecyclesAreExhaustive() {
        let leave: [LeaveState: [LeaveState.Action: LeaveState]] = [
            .requested: [.approve: .approved, .reject: .rejected, .cancel: .cancelled], .approved: [.cancel: .cancelled], .rejected: [:],
            .cancelled: [:],
        ]
        for state in LeaveState.allCases {
            for action in LeaveState.Action.allCases { #expect(state.applying(action) == leave[state]?[action], "\(state) \(action)") }
        }
        #expect(TimesheetState.draft.applying(.approve) == .approved && TimesheetState.draft.applying(.reopen) == nil)
        #expect(TimesheetState.approved.applying(.reopen) == .draft && TimesheetState.approved.applying(.approve) == nil)
    }

    /// March 2026 for a full-time employee: 22 working days, 176 hours; a week of annual leave shows as CO.
    @Test func aMarchTimesheet() throws {
        let contract = try Contract(hire: F.terms())
        let march = try YearMonth(year: 2026, month: 3)
        let days = Timesheets.generate(month: march, contract: { contract.terms(on: $0) }, leave: [])
        #expect(days.count == 31 && Timesheets.totals(days).hours == 176 && days.filter { $0.hours == 8 }.count == 22)
        let withLeave = Timesheets.generate(
            month: march, contract: { contract.terms(on: $0) },
            leave: [LeavePeriod(type: .annual, from: F.date("2026-03-09"), to: F.date("2026-03-15"))])
        #expect(Timesheets.totals(withLeave).hours == 136 && Timesheets.totals(withLeave).byCode == ["CO": 5])
        // April: Good Friday and Easter Monday are holidays (SL); a part-time norm of 4 hours.
        var part = F.terms()
        part.normHours = 4
        let april = Timesheets.generate(
            month: try YearMonth(year: 2026, month: 4), contract: { try? Contract(hire: part).terms(on: $0) }, leave: [])
        #expect(Timesheets.totals(april).hours == 80 && Timesheets.totals(april).byCode == ["SL": 2])
        // Before the first day, no contract.
        let december = Timesheets.generate(month: try YearMonth(year: 2025, month: 12), contract: { contract.terms(on: $0) }, leave: [])
        #expect(december.allSatisfy { $0.code == Timesheets.noContractCode })
    }

    @Test func onlyADraftChanges() async throws {
        let contract = try Contract(hire: F.terms())
        var days = Timesheets.generate(month: try YearMonth(year: 2026, month: 3), contract: { contract.terms(on: $0) }, leave: [])
        try Timesheets.edit(&days, state: .draft, date: F.date("2026-03-02"), hours: 10, code: "ON")
        #expect(Timesheets.totals(days).hours == 178)
        await expectRefusal("timesheet.locked") {
            try Timesheets.edit(&days, state: .approved, date: F.date("2026-03-02"), hours: 8, code: "")
        }
        await expectRefusal("timesheet.day", field: "date") {
            try Timesheets.edit(&days, state: .draft, date: F.date("2026-04-01"), hours: 8, code: "")
        }
        await expectRefusal("timesheet.entry", field: "hours") {
            try Timesheets.edit(&days, state: .draft, date: F.date("2026-03-03"), hours: 25, code: "")
        }
        await expectRefusal("timesheet.entry", field: "hours") {
            try Timesheets.edit(&days, state: .draft, date: F.date("2026-03-03"), hours: 8, code: "XYZ")
        }
    }
}
