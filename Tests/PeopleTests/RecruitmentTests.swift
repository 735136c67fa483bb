import Foundation
import Kernel
import People
import Testing

/// The recruitment rules without a database: the board's lifecycle (exhaustive), the applicant's retention date, the
/// interview and offer checks, and who a policy addresses.
@Suite struct RecruitmentTests {
    @Test func lifecyclesAreExhaustive() {
        let board: [ApplicantStage: [ApplicantStage.Action: ApplicantStage]] = [
            .applied: [.advance: .screening, .reject: .rejected],
            .screening: [.advance: .interview, .back: .applied, .reject: .rejected, .offer: .offer],
            .interview: [.back: .screening, .reject: .rejected, .offer: .offer],
            .offer: [.reject: .rejected, .offer: .offer, .hire: .hired],
            .hired: [:],
            .rejected: [:],
        ]
        for stage in ApplicantStage.allCases {
            for action in ApplicantStage.Action.allCases {
                #expect(stage.applying(action) == board[stage]?[action], "\(stage) \(action)")
            }
        }
        #expect(OpeningState.open.applying(.close) == .closed && OpeningState.open.applying(.reopen) == nil)
        #expect(OpeningState.closed.applying(.reopen) == .open && OpeningState.closed.applying(.close) == nil)
    }

    @Test func retentionDefaultsToSixMonthsHeldToTheMonthsEnd() throws {
        let today = try LocalDate(iso: "2026-12-07")
        let applicant = try Recruitment.applicant(
            ApplicantInput(lastName: "Pop", firstName: "Ana", consentDate: "2024-08-31"), today: today)
        #expect(applicant.retainUntil == (try LocalDate(iso: "2025-02-28")))
        #expect(try LocalDate(iso: "2024-01-31").addingMonths(1) == (try LocalDate(iso: "2024-02-29")))
        #expect(try LocalDate(iso: "2026-11-30").addingMonths(-12) == (try LocalDate(iso: "2025-11-30")))
        #expect(try LocalDate(iso: "2026-12-15").addingMonths(1) == (try LocalDate(iso: "2027-01-15")))
    }

    @Test func interviewAndOfferChecks() throws {
        let interview = try Recruitment.interview(InterviewInput(at: "2026-12-10T10:30", interviewers: [" A ", "", "B"], score: 3))
        #expect(interview.interviewers == ["A", "B"] && interview.score == 3 && interview.notes == nil)
        for bad in ["2026-12-10T24:00", "2026-12-10T10:5", "2026-13-10T10:30", "10:30", ""] {
            #expect(throws: ValidationErrors.self, "\(bad)") { try Recruitment.interview(InterviewInput(at: bad, interviewers: ["A"])) }
        }
        let offer = try Recruitment.offer(OfferInput(salary: "4050", start: "2027-01-04", normHours: 4))
        #expect(throws: ValidationErrors.self) {
            try Recruitment.offer(OfferInput(salary: String(repeating: "0", count: 16) + "1", start: "2027-01-04"))
        }
        #expect(offer.salary == Money(minorUnits: 405_000, currency: .ron) && offer.normHours == 4)
    }

    @Test func policyAudience() throws {
        let parents = ["DEP": "OPS", "OPS": "CONDUCERE", "LOOP1": "LOOP2", "LOOP2": "LOOP1"]
        let ops = PolicyAudience(departments: ["OPS"])
        #expect(Policies.addresses(ops, department: "DEP", position: nil, parents: parents))
        #expect(!Policies.addresses(ops, department: "CONDUCERE", position: nil, parents: parents))
        #expect(!Policies.addresses(ops, department: "LOOP1", position: nil, parents: parents))  // a cycle ends the walk
        #expect(Policies.addresses(PolicyAudience(positions: ["AGENT"]), department: nil, position: "AGENT", parents: [:]))
        #expect(Policies.addresses(PolicyAudience(), department: nil, position: nil, parents: [:]))
        let input = try PolicyInput(code: " ri ", title: " Regulament ", audience: PolicyAudience(departments: ["ops", "OPS", " "]))
            .validated()
        #expect(input.code == "RI" && input.title == "Regulament" && input.audience.departments == ["OPS"])
    }
}
