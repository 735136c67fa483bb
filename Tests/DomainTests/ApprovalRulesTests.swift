import Approvals
import Kernel
import Testing

/// The pure rules of approvals: the lifecycle and who may decide.
@Suite struct ApprovalRulesTests {
    static let rule = ApprovalRule(
        documentType: "bill", thresholdMinorUnits: 1_000_000, approverRoles: ["admin", "accountant"], roleLimits: ["accountant": 5_000_000])

    @Test func lifecycleTable() throws {
        #expect(try ApprovalState.pending.apply(.approve) == .approved)
        #expect(try ApprovalState.pending.apply(.reject) == .rejected)
        #expect(try ApprovalState.pending.apply(.withdraw) == .withdrawn)
        for state in [ApprovalState.approved, .rejected, .withdrawn] {
            for event in [ApprovalState.Event.approve, .reject, .withdraw] {
                do {
                    _ = try state.apply(event)
                    Issue.record("\(state) \(event) was allowed")
                } catch { #expect(error.id == "approval.illegal_transition") }
            }
        }
    }

    @Test func thresholdIsInclusive() {
        #expect(!Self.rule.requiresApproval(amountMinorUnits: 999_999))
        #expect(Self.rule.requiresApproval(amountMinorUnits: 1_000_000))
    }

    @Test(arguments: [
        ("ana@alfa.ro", "admin", 2_000_000, "approval.own_document"),  // the creator
        ("mihai@alfa.ro", "admin", 2_000_000, "approval.own_document"),  // the requester
        ("ioana@alfa.ro", "auditor", 2_000_000, "approval.role"),
        ("ioana@alfa.ro", "accountant", 6_000_000, "approval.limit"),
    ])
    func whoMayNotDecide(_ name: String, _ role: String, _ amount: Int64, _ id: String) {
        do {
            try ApprovalPolicy.check(
                Self.rule, amountMinorUnits: amount, creator: "ana@alfa.ro", requester: "mihai@alfa.ro",
                decider: .init(name: name, role: role))
            Issue.record("\(name) as \(role) may decide")
        } catch {
            #expect(error.id == id && error.kind == .forbidden)
        }
    }

    @Test func anotherApproverWithinTheLimitMayDecide() throws {
        try ApprovalPolicy.check(
            Self.rule, amountMinorUnits: 5_000_000, creator: "ana@alfa.ro", requester: "ana@alfa.ro",
            decider: .init(name: "ioana@alfa.ro", role: "accountant"))
        try ApprovalPolicy.check(
            Self.rule, amountMinorUnits: 90_000_000, creator: "ana@alfa.ro", requester: "ana@alfa.ro",
            decider: .init(name: "victor@alfa.ro", role: "admin"))
    }
}
