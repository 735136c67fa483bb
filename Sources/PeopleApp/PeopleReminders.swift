import Application
import Foundation
import Kernel
import People

/// What one run of the weekly people reminders queued.
public struct PeopleReminderRun: Sendable, Equatable {
    /// E-mails about mandatory training (SSM, PSI) missing, expired or expiring.
    public var training: Int
    /// E-mails asking to acknowledge a policy's current version.
    public var policies: Int
    /// Employees who could not be reached (no e-mail address on record).
    public var withoutEmail: [String]
}

extension Culise {
    /// The reminders the `people.reminders` job sends each week (issue 14 items 7 and 8): mandatory training to do or
    /// renew, policies not yet acknowledged. Nothing is queued, and nothing audited, for what needs no reminder.
    public func sendPeopleReminders(company: CompanyID, actor: Actor) async throws -> PeopleReminderRun {
        try actor.require(.hr, .write, in: company)
        var run = PeopleReminderRun(training: 0, policies: 0, withoutEmail: [])
        var unreachable: Set<String> = []
        if try await trainingCompliance(company: company, on: today, actor: actor).contains(where: { $0.status != .valid }) {
            let result = try await remindTraining(company: company, actor: actor)
            run.training = result.queued
            unreachable.formUnion(result.withoutEmail)
        }
        for policy in try await policies(company: company, actor: actor) where policy.missing > 0 {
            let result = try await remindPolicy(company: company, code: policy.code, actor: actor)
            run.policies += result.queued
            unreachable.formUnion(result.withoutEmail)
        }
        run.withoutEmail = unreachable.sorted()
        return run
    }
}
