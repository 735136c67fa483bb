import Application
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Jobs
import Kernel
import TestSupport
import Testing
import Web

@Suite struct JobWebTests {
    /// The jobs page shows what ran and what failed; an administrator retries a dead job; an employee cannot see it.
    @Test(arguments: Engine.available)
    func jobsPageShowsFailuresAndRetries(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, _, _) = try await Fixtures.companyWithAdmin(culise)
            var handlers = JobHandlers()
            handlers.register("test.broken") { _, _ in throw DomainError("test.broken", "You cannot finish this job because it is broken.")
            }
            handlers.register("test.fine") { _, _ in "all good" }
            let dead = try await culise.enqueue(JobRequest(kind: "test.broken", company: company, maxAttempts: 1), actor: .system("test"))
            _ = try await culise.enqueue(JobRequest(kind: "test.fine", company: company), actor: .system("test"))
            #expect(try await JobWorker(culise: culise, handlers: handlers).runOnce() == 2)
            try await culise.installStandardSchedules()
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/jobs")
            #expect(page.status == .ok)
            #expect(page.text.contains("test.broken") && page.text.contains("because it is broken") && page.text.contains("all good"))
            #expect(page.text.contains("efactura.poll") && page.text.contains("*/15 * * * *"))
            let retried = try await browser.post("/jobs/\(dead)/retry", [:], from: "/jobs")
            #expect(retried.status == .seeOther)
            #expect(try await culise.job(dead, company: company, actor: .system("test")).0.state == .queued)
            // An employee has no access to the jobs page.
            _ = try await culise.addUser(
                email: "ana@alfa.ro", displayName: "Ana", password: Fixtures.password, company: company, role: .employee,
                actor: .system("test"))
            let other = Browser(browser.client)
            try await other.login("ana@alfa.ro", Fixtures.password)
            #expect(try await other.get("/jobs").status == .forbidden)
        }
    }
}
