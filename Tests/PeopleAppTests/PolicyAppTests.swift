import Application
import Assembly
import Foundation
import Jobs
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// Policies on both engines: addressed to everyone or to a department (and the ones under it), acknowledged once per
/// version, a new version asks everyone again, the report lists who is missing, reminders go to those with an e-mail.
@Suite struct PolicyAppTests {
    static func hire(
        _ culise: Culise, _ company: CompanyID, _ code: String, cnp: String, department: String?, email: String?, actor: Actor
    )
        async throws
    {
        _ = try await culise.addEmployee(
            company: company,
            EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp, email: email, department: department),
            contract: ContractTerms(
                number: "CIM-\(code)", signed: try LocalDate(iso: "2020-01-06"), start: try LocalDate(iso: "2020-01-07"),
                duration: .indefinite, normHours: 8, baseSalary: Money(minorUnits: 600_000, currency: .ron), position: "AGENT",
                corCode: "332202"),
            actor: actor)
    }

    @Test(arguments: Engine.available)
    func acknowledgementsPerVersion(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addDepartment(company: company, Department(code: "OPS", name: "Operațiuni"), actor: actor)
            _ = try await culise.addDepartment(company: company, Department(code: "DEP", name: "Depozit", parent: "OPS"), actor: actor)
            _ = try await culise.addDepartment(company: company, Department(code: "ADM", name: "Administrativ"), actor: actor)
            try await Self.hire(
                culise, company, "E1", cnp: PeopleSamples.cnp(2, 90, 5, 17), department: "ADM", email: "e1@exemplu.ro", actor: actor)
            try await Self.hire(culise, company, "E2", cnp: PeopleSamples.cnp(1, 85, 3, 2), department: "DEP", email: nil, actor: actor)
            try await Self.hire(
                culise, company, "E3", cnp: PeopleSamples.cnp(1, 88, 7, 9), department: "OPS", email: "e3@exemplu.ro", actor: actor)

            let ri = try await culise.publishPolicy(
                company: company, PolicyInput(code: "ri", title: "Regulament intern"),
                file: ("regulament.pdf", Data("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)), actor: actor)
            #expect(ri.code == "RI" && ri.version == 1 && ri.addressed == 3 && ri.acknowledged == 0 && ri.document != nil)
            // SSM instructions for the operations department reach its warehouse too, not the office.
            let ssm = try await culise.publishPolicy(
                company: company, PolicyInput(code: "SSM", title: "Instrucțiuni SSM", audience: PolicyAudience(departments: ["ops"])),
                file: nil, actor: actor)
            #expect(ssm.addressed == 2)
            #expect(
                try await culise.policyReport(company: company, code: "SSM", actor: actor).lines.map(\.employee).sorted() == ["E2", "E3"])
            await expectRefusal("policy.not_addressed", field: "employee") {
                try await culise.acknowledgePolicy(company: company, code: "SSM", employee: "E1", actor: actor)
            }
            await expectRefusal("employee.not_found") {
                try await culise.acknowledgePolicy(company: company, code: "SSM", employee: "E9", actor: actor)
            }
            await expectRefusal("policy.not_found") {
                try await culise.acknowledgePolicy(company: company, code: "GDPR", employee: "E1", actor: actor)
            }

            // Acknowledged once; again changes nothing.
            let first = try await culise.acknowledgePolicy(company: company, code: "RI", employee: "e1", actor: actor)
            let again = try await culise.acknowledgePolicy(company: company, code: "RI", employee: "E1", actor: actor)
            #expect(first.acknowledgedAt != nil && first.acknowledgedAt == again.acknowledgedAt)
            _ = try await culise.acknowledgePolicy(company: company, code: "RI", employee: "E2", actor: actor)
            var report = try await culise.policyReport(company: company, code: "RI", actor: actor)
            #expect(report.policy.acknowledged == 2 && report.missing.map(\.employee) == ["E3"])

            // A new version resets everyone; the report remembers the version each had confirmed.
            let second = try await culise.publishPolicy(
                company: company, PolicyInput(code: "RI", title: "Regulament intern", summary: "Program flexibil"), file: nil, actor: actor)
            #expect(second.version == 2 && second.acknowledged == 0 && second.missing == 3)
            report = try await culise.policyReport(company: company, code: "RI", actor: actor)
            #expect(report.missing.map(\.employee).sorted() == ["E1", "E2", "E3"])
            #expect(report.lines.first { $0.employee == "E1" }?.previousVersion == 1)
            #expect(report.lines.first { $0.employee == "E3" }?.previousVersion == nil)

            // Reminders: one e-mail per missing employee who has an address; the others are named.
            _ = try await culise.acknowledgePolicy(company: company, code: "RI", employee: "E3", actor: actor)
            let reminded = try await culise.remindPolicy(company: company, code: "RI", actor: actor)
            #expect(reminded.queued == 1 && reminded.withoutEmail == ["E2"])
            let mail = try await culise.mailLog(company: company, entity: "policy", entityID: "RI", page: .first, actor: actor).items
            #expect(mail.map(\.to) == ["e1@exemplu.ro"] && mail.first?.subject.contains("versiunea 2") == true)
            #expect(
                try await culise.policies(company: company, actor: actor).map { "\($0.code) \($0.acknowledged)/\($0.addressed)" } == [
                    "RI 1/3", "SSM 0/2",
                ])
            let audit = try await culise.auditEntries(filter: AuditFilter(entity: "policy"), page: .first, actor: actor).items.map(\.action)
            #expect(audit.filter { $0 == "policy.acknowledge" }.count == 3 && audit.contains("policy.remind"))

            // The weekly job sends the same reminders on its own, to each employee missing a policy who has an address.
            #expect(StandardJobs.schedules.contains { $0.kind == "people.reminders" && $0.cron == "0 8 * * 1" })
            var expected = 0
            for policy in try await culise.policies(company: company, actor: actor) {
                expected += try await culise.policyReport(company: company, code: policy.code, actor: actor).missing
                    .filter { $0.email != nil }.count
            }
            let sent = try await culise.mailLog(company: company, page: .first, actor: actor).total
            _ = try await culise.enqueue(JobRequest(kind: "people.reminders", company: company), actor: .system("test"))
            // (The worker also takes the reminders' e-mails, which fail for want of SMTP and wait to be retried.)
            let worker = JobWorker(culise: culise, handlers: StandardJobs.handlers(JobEnvironment()), batch: 10)
            for _ in 0..<3 { _ = try await worker.runOnce() }
            #expect(try await culise.mailLog(company: company, page: .first, actor: actor).total == sent + expected)
            let done = try await culise.jobs(state: .succeeded, company: company, page: .first, actor: .system("test")).items
            #expect(done.first { $0.kind == "people.reminders" }?.result?.contains("\(expected) policy reminders") == true)
        }
    }

    @Test(arguments: Engine.available)
    func publishingRefusals(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusals(["policy.code", "policy.title", "policy.summary"]) {
                try await culise.publishPolicy(
                    company: company, PolicyInput(code: "R I", title: " ", summary: String(repeating: "x", count: 2001)), file: nil,
                    actor: actor)
            }
            await expectRefusal("policy.audience", field: "departments") {
                try await culise.publishPolicy(
                    company: company,
                    PolicyInput(
                        code: "RI", title: "Regulament", audience: PolicyAudience(departments: (0...Limits.policyAudience).map { "D\($0)" })
                    ),
                    file: nil, actor: actor)
            }
            await expectRefusals(["policy.department", "policy.position"]) {
                try await culise.publishPolicy(
                    company: company,
                    PolicyInput(code: "RI", title: "Regulament", audience: PolicyAudience(departments: ["NU"], positions: ["NICI"])),
                    file: nil, actor: actor)
            }
            // Nothing was half-written by the refusals.
            #expect(try await culise.policies(company: company, actor: actor).isEmpty)
            for _ in 0..<Limits.policyVersions {
                _ = try await culise.publishPolicy(
                    company: company, PolicyInput(code: "IT", title: "Utilizarea IT"), file: nil, actor: actor)
            }
            await expectRefusal("policy.versions", field: "code") {
                try await culise.publishPolicy(company: company, PolicyInput(code: "IT", title: "Utilizarea IT"), file: nil, actor: actor)
            }
            for number in 1..<Limits.policies {
                _ = try await culise.publishPolicy(
                    company: company, PolicyInput(code: "P\(number)", title: "Politica \(number)"), file: nil, actor: actor)
            }
            await expectRefusal("policy.count", field: "code") {
                try await culise.publishPolicy(company: company, PolicyInput(code: "GDPR", title: "Nota GDPR"), file: nil, actor: actor)
            }
        }
    }
}
