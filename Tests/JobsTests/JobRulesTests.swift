import Foundation
import Jobs
import Kernel
import Testing

/// The pure rules of background jobs: the lifecycle table, the backoff, cron expressions in Europe/Bucharest.
@Suite struct JobRulesTests {
    static let bucharest = TimeZone(identifier: "Europe/Bucharest")!

    static func instant(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    static func iso(_ date: Date?) -> String { date.map { ISO8601DateFormatter().string(from: $0) } ?? "never" }

    /// Every (state, event) pair: the allowed ones and where they lead; every other pair is `job.illegal_transition`.
    @Test func lifecycleTable() throws {
        let events: [JobState.Event] = [
            .claim, .succeed, .fail(attempt: 1, maxAttempts: 3), .fail(attempt: 3, maxAttempts: 3), .leaseExpired, .retryByHand,
        ]
        let allowed: [JobState: [Int: JobState]] = [
            .queued: [0: .running],
            .running: [1: .succeeded, 2: .queued, 3: .dead, 4: .queued],
            .dead: [5: .queued],
            .succeeded: [:],
        ]
        for state in JobState.allCases {
            for (index, event) in events.enumerated() {
                if let expected = allowed[state]?[index] {
                    #expect(try state.apply(event) == expected, "\(state) \(event)")
                } else {
                    #expect(throws: DomainError.self, "\(state) \(event)") { try state.apply(event) }
                    do { _ = try state.apply(event) } catch { #expect(error.id == "job.illegal_transition") }
                }
            }
        }
    }

    @Test func backoffDoublesAndStopsAtAnHour() {
        #expect((1...9).map { RetryPolicy.backoffSeconds(afterAttempt: $0) } == [30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600])
        #expect(RetryPolicy.backoffSeconds(afterAttempt: 0) == 30 && RetryPolicy.backoffSeconds(afterAttempt: Int.max) == 3_600)
    }

    @Test(arguments: [
        ("* * * *", "five fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"),
        ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"),
        ("a * * * *", "minute"), ("1/2/3 * * * *", "minute"),
    ])
    func badExpressionsAreRefused(_ expression: String, _ named: String) {
        do {
            _ = try CronSchedule(expression)
            Issue.record("\(expression) was accepted")
        } catch {
            #expect(error.id == "job.cron" && error.field == "cron" && error.message.contains(named), "\(error)")
        }
    }

    @Test func fieldsListsRangesAndSteps() throws {
        let schedule = try CronSchedule("0,30 8-17/3 * * 1-5")
        // Hours 8, 11, 14, 17: Friday 2026-12-04 16:40 local → 17:00; after 17:30 → Monday 2026-12-07 08:00 (06:00Z).
        #expect(Self.iso(schedule.next(after: Self.instant("2026-12-04T14:40:00Z"), in: Self.bucharest)) == "2026-12-04T15:00:00Z")
        #expect(Self.iso(schedule.next(after: Self.instant("2026-12-04T15:31:00Z"), in: Self.bucharest)) == "2026-12-07T06:00:00Z")
        let sunday = try CronSchedule("15 10 * * 7")
        #expect(Self.iso(sunday.next(after: Self.instant("2026-12-06T00:00:00Z"), in: Self.bucharest)) == "2026-12-06T08:15:00Z")
        // Both day fields restricted: either matches (the 1st, or any Monday).
        let either = try CronSchedule("0 0 1 * 1")
        #expect(Self.iso(either.next(after: Self.instant("2026-12-02T00:00:00Z"), in: Self.bucharest)) == "2026-12-06T22:00:00Z")
        #expect(try CronSchedule("0 0 31 2 *").next(after: Self.instant("2026-01-01T00:00:00Z"), in: Self.bucharest) == nil)
    }

    /// A daily 02:00 job fires at 02:00 Bucharest time on each side of both daylight-saving changes.
    @Test func dailyJobAcrossDaylightSaving() throws {
        let daily = try CronSchedule("0 2 * * *")
        var instant = Self.instant("2026-10-23T12:00:00Z")
        var fired: [String] = []
        for _ in 0..<4 {
            guard let next = daily.next(after: instant, in: Self.bucharest) else { break }
            fired.append(Self.iso(next))
            instant = next
        }
        // EEST (UTC+3) until 2026-10-25 04:00, then EET (UTC+2).
        #expect(fired == ["2026-10-23T23:00:00Z", "2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z", "2026-10-27T00:00:00Z"])
        instant = Self.instant("2027-03-26T12:00:00Z")
        fired = []
        for _ in 0..<3 {
            guard let next = daily.next(after: instant, in: Self.bucharest) else { break }
            fired.append(Self.iso(next))
            instant = next
        }
        // EET until 2027-03-28 03:00, then EEST.
        #expect(fired == ["2027-03-27T00:00:00Z", "2027-03-28T00:00:00Z", "2027-03-28T23:00:00Z"])
    }

    /// In the spring gap a 03:30 job runs at 04:30 (same offset after the gap); in the autumn repeat it runs once.
    @Test func gapAndRepeatedHour() throws {
        let half = try CronSchedule("30 3 * * *")
        #expect(Self.iso(half.next(after: Self.instant("2027-03-27T12:00:00Z"), in: Self.bucharest)) == "2027-03-28T01:30:00Z")
        let first = try #require(half.next(after: Self.instant("2026-10-24T12:00:00Z"), in: Self.bucharest))
        #expect(Self.iso(first) == "2026-10-25T00:30:00Z")
        #expect(Self.iso(half.next(after: first, in: Self.bucharest)) == "2026-10-26T01:30:00Z")
    }
}
