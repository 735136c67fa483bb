import Kernel

/// The lifecycle of a background job: a sans-IO state machine (`apply(_:)`), so the queue's SQL only ever writes a
/// transition this table allows.
///
///     queued ──claim──▶ running ──succeed──▶ succeeded
///       ▲                 │  │
///       └──fail (retry)───┘  └──fail (last attempt)──▶ dead ──retry (by hand)──▶ queued
///       ▲                 │
///       └─lease expired───┘   (a worker that died: the job is claimed again)
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    case dead

    public enum Event: Sendable, Equatable {
        case claim
        case succeed
        /// A failed attempt; `attempt` is the number of the attempt that failed (1 = the first), out of `maxAttempts`.
        case fail(attempt: Int, maxAttempts: Int)
        case leaseExpired
        case retryByHand
    }

    /// The state after `event`, or a typed error naming the illegal transition.
    public func apply(_ event: Event) throws(DomainError) -> JobState {
        switch (self, event) {
        case (.queued, .claim): return .running
        case (.running, .succeed): return .succeeded
        case (.running, .fail(let attempt, let maxAttempts)): return attempt >= maxAttempts ? .dead : .queued
        case (.running, .leaseExpired): return .queued
        case (.dead, .retryByHand): return .queued
        default:
            throw DomainError(
                "job.illegal_transition", kind: .conflict,
                "You cannot \(event.verb) a job in state \(rawValue) because \(reason(for: event)).")
        }
    }

    private func reason(for event: Event) -> String {
        switch self {
        case .succeeded: "it already succeeded"
        case .dead: "it failed every attempt; retry it by hand first"
        case .queued: event == .retryByHand ? "it is already waiting to run" : "it is not running"
        case .running: "another worker is running it"
        }
    }
}

extension JobState.Event {
    var verb: String {
        switch self {
        case .claim: "claim"
        case .succeed: "complete"
        case .fail: "fail"
        case .leaseExpired: "expire the lease of"
        case .retryByHand: "retry"
        }
    }
}

/// How long a failed job waits before its next attempt: 30 s doubled per attempt, at most one hour
/// (30 s, 1 min, 2 min, 4 min, … 1 h). Deterministic, so tests can set the clock to the next attempt.
public enum RetryPolicy {
    public static let firstDelaySeconds: Int64 = 30
    public static let maximumDelaySeconds: Int64 = 3_600

    /// The delay after failed attempt number `attempt` (1 = the first).
    public static func backoffSeconds(afterAttempt attempt: Int) -> Int64 {
        let doublings = max(0, min(attempt - 1, 20))
        return min(firstDelaySeconds << Int64(doublings), maximumDelaySeconds)
    }
}

public enum JobTag {}
public typealias JobID = ID<JobTag>
