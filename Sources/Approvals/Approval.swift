import Kernel

public enum ApprovalTag {}
public typealias ApprovalID = ID<ApprovalTag>

/// The lifecycle of one approval request: pending until an allowed person approves or rejects it, or its requester
/// withdraws the document (a leave request cancelled before anyone decided). A rejected document is changed and asked
/// again (a new request); a decision is never changed.
public enum ApprovalState: String, Sendable, Codable, CaseIterable {
    case pending
    case approved
    case rejected
    case withdrawn

    public enum Event: String, Sendable { case approve, reject, withdraw }

    public func apply(_ event: Event) throws(DomainError) -> ApprovalState {
        switch (self, event) {
        case (.pending, .approve): return .approved
        case (.pending, .reject): return .rejected
        case (.pending, .withdraw): return .withdrawn
        default:
            throw DomainError(
                "approval.illegal_transition", kind: .conflict,
                "You cannot \(event.rawValue) this request because it was already \(rawValue); a new request is needed for a new decision.")
        }
    }
}

/// Which documents of a type need a second person, and who that may be.
public struct ApprovalRule: Sendable, Codable, Equatable {
    /// `bill`, later `leave`, `payroll_run`, …
    public var documentType: String
    /// Documents from this amount (RON minor units) need approval.
    public var thresholdMinorUnits: Int64
    /// The roles that may approve (`admin`, `accountant`, `manager`, …).
    public var approverRoles: Set<String>
    /// The most a role may approve (RON minor units); a role not listed has no limit.
    public var roleLimits: [String: Int64]

    public init(documentType: String, thresholdMinorUnits: Int64, approverRoles: Set<String>, roleLimits: [String: Int64] = [:]) {
        self.documentType = documentType
        self.thresholdMinorUnits = thresholdMinorUnits
        self.approverRoles = approverRoles
        self.roleLimits = roleLimits
    }

    public func requiresApproval(amountMinorUnits: Int64) -> Bool { amountMinorUnits >= thresholdMinorUnits }
}

/// Who may decide a request: someone other than the document's creator and the requester, holding an approver role,
/// within the role's limit.
public enum ApprovalPolicy {
    public struct Decider: Sendable {
        public var name: String
        public var role: String
        public init(name: String, role: String) {
            self.name = name
            self.role = role
        }
    }

    public static func check(
        _ rule: ApprovalRule, amountMinorUnits: Int64, creator: String, requester: String, decider: Decider
    ) throws(DomainError) {
        guard decider.name != creator && decider.name != requester else {
            throw DomainError(
                "approval.own_document", kind: .forbidden,
                "You cannot approve a document you created or submitted because approval needs a second person.")
        }
        guard rule.approverRoles.contains(decider.role) else {
            throw DomainError(
                "approval.role", kind: .forbidden,
                "You cannot decide this request because your role '\(decider.role)' is not among the approvers (\(rule.approverRoles.sorted().joined(separator: ", ")))."
            )
        }
        if let limit = rule.roleLimits[decider.role], amountMinorUnits > limit {
            throw DomainError(
                "approval.limit", kind: .forbidden,
                "You cannot approve \(Money(minorUnits: amountMinorUnits, currency: .ron).decimalString) RON because your role may approve up to \(Money(minorUnits: limit, currency: .ron).decimalString) RON."
            )
        }
    }
}
