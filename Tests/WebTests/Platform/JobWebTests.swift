import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Invoicing
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import PartnersApp
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

@Suite struct NotificationWebTests {
    /// The header counts unread notifications; the inbox lists and clears them; an invoice is e-mailed from its page
    /// and the API, and the mail log shows it.
    @Test(arguments: Engine.available)
    func inboxAndInvoiceEmail(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(!(try await browser.get("/home").text.contains("class=\"badge\"")))
            var handlers = JobHandlers()
            handlers.register("test.broken") { _, _ in throw DomainError("test.broken", "You cannot finish this because it is broken.") }
            _ = try await culise.enqueue(JobRequest(kind: "test.broken", company: setup.company, maxAttempts: 1), actor: .system("test"))
            _ = try await JobWorker(culise: culise, handlers: handlers).runOnce()
            let home = try await browser.get("/home")
            #expect(home.text.contains("<span class=\"badge\" aria-label=\"necitite\">1</span>"))
            let inbox = try await browser.get("/notifications")
            #expect(inbox.status == .ok && inbox.text.contains("Sarcina test.broken a eșuat definitiv"))
            #expect(try await browser.post("/notifications/read", [:], from: "/notifications").status == .seeOther)
            #expect(!(try await browser.get("/home").text.contains("class=\"badge\"")))
            // E-mail an invoice from its page: a bad address is shown on the form, a good one is queued and logged.
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-12-04", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            let page = try await browser.get("/invoices/\(invoice.id)")
            #expect(page.text.contains("action=\"/invoices/\(invoice.id)/email\""))
            let bad = try await browser.post("/invoices/\(invoice.id)/email", ["to": "nu-e-adresa"], from: "/invoices/\(invoice.id)")
            #expect(bad.status == .ok && bad.text.contains("aria-invalid=\"true\""))
            let good = try await browser.post("/invoices/\(invoice.id)/email", ["to": "plati@beta.ro"], from: "/invoices/\(invoice.id)")
            #expect(good.status == .seeOther)
            let log = try await browser.get("/mail")
            #expect(log.text.contains("plati@beta.ro") && log.text.contains("EXD-1_2026.pdf, EXD-1_2026.xml"))
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "m", actor: setup.actor)
            let api = try await browser.api(
                .post, "/api/v1/invoices/\(invoice.id)/email", token: token, json: #"{"to":"ana@beta.ro","language":"en"}"#)
            #expect(api.status == .accepted && api.json["to"] as? String == "ana@beta.ro" && api.json["state"] as? String == "queued")
            let listed = try await browser.api(.get, "/api/v1/mail?invoice=\(invoice.id)", token: token)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 2)
        }
    }

    /// The inbox over the API: the list with its unread count, one marked read, a foreign or unknown id 404, all read.
    @Test(arguments: Engine.available)
    func inboxOverTheAPI(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            var handlers = JobHandlers()
            handlers.register("test.broken") { _, _ in throw DomainError("test.broken", "You cannot finish this because it is broken.") }
            for _ in 0..<2 {
                _ = try await culise.enqueue(
                    JobRequest(kind: "test.broken", company: setup.company, maxAttempts: 1), actor: .system("test"))
                _ = try await JobWorker(culise: culise, handlers: handlers).runOnce()
            }
            let inbox = try await browser.api(.get, "/api/v1/notifications", token: token)
            #expect(inbox.status == .ok && inbox.json["unread"] as? Int == 2 && inbox.json["total"] as? Int == 2, "\(inbox.text)")
            let items = try #require(inbox.json["items"] as? [[String: Any]])
            let first = try #require(items.first?["id"] as? String)
            #expect((items.first?["title"] as? String)?.contains("test.broken") == true)
            #expect(try await browser.api(.post, "/api/v1/notifications/\(first)/read", token: token).status == .noContent)
            #expect(try await browser.api(.post, "/api/v1/notifications/\(first)/read", token: token).status == .noContent)
            let unread = try await browser.api(.get, "/api/v1/notifications?unread=true", token: token)
            #expect(unread.json["unread"] as? Int == 1 && (unread.json["items"] as? [Any])?.count == 1, "\(unread.text)")
            let unknown = try await browser.api(.post, "/api/v1/notifications/\(NotificationID.generate())/read", token: token)
            #expect(unknown.status == .notFound && unknown.text.contains("notification.not_found"), "\(unknown.text)")
            // Another user of the company sees an empty inbox and cannot touch the admin's notifications.
            let accountant = try await culise.addUser(
                email: "contabil@alfa.ro", displayName: "Contabil", password: Fixtures.password, company: setup.company, role: .accountant,
                actor: setup.actor)
            let (_, other) = try await culise.createToken(
                user: accountant, company: setup.company, name: "t",
                actor: .user(
                    Principal(
                        userID: accountant, email: "contabil@alfa.ro", displayName: "Contabil", companyID: setup.company, role: .accountant)
                ))
            #expect(try await browser.api(.get, "/api/v1/notifications", token: other).json["total"] as? Int == 0)
            #expect(try await browser.api(.post, "/api/v1/notifications/\(first)/read", token: other).status == .notFound)
            #expect(try await browser.api(.post, "/api/v1/notifications/read", token: token).status == .noContent)
            #expect(try await browser.api(.get, "/api/v1/notifications", token: token).json["unread"] as? Int == 0)
        }
    }
}
