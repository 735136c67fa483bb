import Foundation
import Kernel

/// The lifecycle of a payroll run (issue 15 item 3): computed (again and again) until someone approves it; once
/// approved it is posted, then paid (by hand, or when the bank lines paying every net are matched). A rejected run goes
/// back to draft to be computed again. A posted run is never computed again: a mistake is corrected by a correcting run
/// for the same month. A run the bank statement paid is posted again (`reopen`) when one of those lines is unmatched.
public enum PayrollRunState: String, Sendable, Codable, CaseIterable {
    case draft, computed, approved, posted, paid

    public enum Event: String, Sendable, CaseIterable { case compute, approve, reject, post, pay, reopen }

    /// The transition table; every other pair is refused with the reason.
    public func apply(_ event: Event) throws(DomainError) -> PayrollRunState {
        switch (self, event) {
        case (.draft, .compute), (.computed, .compute): return .computed
        case (.computed, .approve): return .approved
        case (.computed, .reject): return .draft
        case (.approved, .post): return .posted
        case (.posted, .pay): return .paid
        case (.paid, .reopen): return .posted
        case (.approved, .compute), (.posted, .compute), (.paid, .compute):
            throw DomainError(
                "payroll.illegal_transition", kind: .conflict, field: "action",
                "You cannot compute a run that is \(rawValue) because its amounts are fixed; \(self == .approved ? "post it" : "correct it with a correcting run for the same month")."
            )
        default:
            throw DomainError(
                "payroll.illegal_transition", kind: .conflict, field: "action",
                "You cannot \(event.rawValue) a payroll run that is \(rawValue).")
        }
    }
}

/// Who may approve a run: anyone allowed except the person who computed it (approval needs a second person).
public enum PayrollApproval {
    public static func check(computedBy: String, decider: String) throws(DomainError) {
        guard computedBy != decider else {
            throw DomainError(
                "payroll.own_run", kind: .forbidden,
                "You cannot approve a payroll run you computed because approval needs a second person.")
        }
    }
}
