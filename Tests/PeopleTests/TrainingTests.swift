import Foundation
import Kernel
import People
import Testing

/// Training rules without a database: the enrolment lifecycle (exhaustive) and a certificate's expiry and status.
@Suite struct TrainingTests {
    @Test func enrolmentLifecycleIsExhaustive() {
        let table: [EnrolmentState: [EnrolmentState.Action: EnrolmentState]] = [
            .enrolled: [.complete: .completed, .absent: .absent, .cancel: .cancelled], .completed: [:], .absent: [:], .cancelled: [:],
        ]
        for state in EnrolmentState.allCases {
            for action in EnrolmentState.Action.allCases { #expect(state.applying(action) == table[state]?[action], "\(state) \(action)") }
        }
    }

    @Test func expiryAndStatus() throws {
        let completed = try LocalDate(iso: "2025-08-31")
        let expires = try #require(Training.expiry(completed: completed, months: 6))
        #expect(expires == (try LocalDate(iso: "2026-02-27")))  // 28 February is the anniversary; valid through the day before
        #expect(Training.expiry(completed: completed, months: nil) == nil)
        #expect(try Training.status(expires: expires, held: true, on: try LocalDate(iso: "2026-01-28")) == .expiring)
        #expect(try Training.status(expires: expires, held: true, on: try LocalDate(iso: "2026-01-27")) == .valid)
        #expect(try Training.status(expires: expires, held: true, on: try LocalDate(iso: "2026-02-28")) == .expired)
        #expect(try Training.status(expires: nil, held: true, on: try LocalDate(iso: "2030-01-01")) == .valid)
        #expect(try Training.status(expires: nil, held: false, on: try LocalDate(iso: "2030-01-01")) == .missing)
    }
}
