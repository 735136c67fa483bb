import Kernel
import Payroll
import Testing

/// The run's lifecycle, every state against every event, and the second person.
@Suite struct PayrollRunTests {
    @Test func transitionTable() {
        let allowed: [PayrollRunState: [PayrollRunState.Event: PayrollRunState]] = [
            .draft: [.compute: .computed],
            .computed: [.compute: .computed, .approve: .approved, .reject: .draft],
            .approved: [.post: .posted],
            .posted: [.pay: .paid],
            .paid: [.reopen: .posted],
        ]
        for state in PayrollRunState.allCases {
            for event in PayrollRunState.Event.allCases {
                do {
                    let next = try state.apply(event)
                    #expect(allowed[state]?[event] == next, "\(state) \(event)")
                } catch {
                    #expect(allowed[state]?[event] == nil, "\(state) \(event)")
                    #expect(error.id == "payroll.illegal_transition")
                }
            }
        }
        // A posted run is corrected, not recomputed, and says so.
        #expect(throws: DomainError.self) { try PayrollRunState.posted.apply(.compute) }
        do { _ = try PayrollRunState.posted.apply(.compute) } catch { #expect(error.message.contains("correcting run")) }
    }

    @Test func whoComputedCannotApprove() {
        #expect(throws: Never.self) { try PayrollApproval.check(computedBy: "ana@alfa.ro", decider: "mihai@alfa.ro") }
        do {
            try PayrollApproval.check(computedBy: "ana@alfa.ro", decider: "ana@alfa.ro")
            Issue.record("the one who computed approved")
        } catch { #expect(error.id == "payroll.own_run") }
    }
}
