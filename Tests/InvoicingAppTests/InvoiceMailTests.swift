import Application
import Assembly
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import Mail
import Partners
import PartnersApp
import TestSupport
import Testing

@Suite struct InvoiceMailTests {
    static func issue(_ culise: Culise, _ setup: InvoicingSetup) async throws -> InvoiceRecord {
        try await culise.issueInvoice(
            company: setup.company,
            DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-12-04", lines: [LineInput(product: "CONSULT", quantity: "3")]),
            actor: setup.actor)
    }

    /// The SMTP server is down when the invoice is e-mailed: the job fails and waits; once the server is up, the next
    /// attempt delivers one message with the PDF and the XML; running the job again sends nothing more.
    @Test(arguments: Engine.available)
    func invoiceEmailSurvivesAnSMTPOutage(_ engine: Engine) async throws {
        guard SMTPSink.python != nil else {
            Issue.record("aiosmtpd is not installed (CI sets CULISE_TEST_AIOSMTPD_PYTHON)")
            return
        }
        let clock = ManualClock("2026-12-07T08:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            _ = try await culise.addContact(
                company: setup.company, partner: "BETA", Contact(name: "Maria Pop", role: "Facturare", email: "facturi@beta.ro"),
                actor: setup.actor)
            let invoice = try await Self.issue(culise, setup)
            let port = SMTPSink.freePort()
            let smtp = SMTPSettings(host: "127.0.0.1", port: port, security: .none, from: "facturare@alfa-consult.ro")
            let worker = JobWorker(culise: culise, handlers: StandardJobs.handlers(JobEnvironment(smtp: smtp)), name: "mailer")
            let queued = try await culise.emailInvoice(company: setup.company, id: invoice.id, actor: setup.actor)
            #expect(queued.to == "facturi@beta.ro" && queued.state == "queued")
            #expect(queued.attachments == ["EXD-1_2026.pdf", "EXD-1_2026.xml"])
            // Down: the attempt fails and the job waits 30 s.
            #expect(try await worker.runOnce() == 1)
            var log = try await culise.mailLog(company: setup.company, page: .first, actor: setup.actor).items
            #expect(
                log.count == 1 && log[0].state == "queued" && log[0].attempts == 1
                    && log[0].lastError?.contains("127.0.0.1:\(port)") == true)
            // Up again on the same port.
            let sink = try #require(try await SMTPSink.start(port: port))
            defer { sink.stop() }
            #expect(try await worker.runOnce() == 0)
            clock.advance(seconds: 30)
            #expect(try await worker.runOnce() == 1)
            let received = try await sink.waitForMessages(1)
            #expect(received.count == 1)
            let raw = try #require(received.first)
            #expect(
                raw.contains("To: <facturi@beta.ro>") && raw.contains("filename=\"EXD-1_2026.pdf\"")
                    && raw.contains("filename=\"EXD-1_2026.xml\""))
            let expectedPDF = try await culise.invoicePDF(company: setup.company, id: invoice.id, actor: setup.actor).data
            #expect(Self.attachment(raw, "EXD-1_2026.pdf")?.starts(with: Data("%PDF-1.4".utf8)) == true)
            #expect(Self.attachment(raw, "EXD-1_2026.pdf")?.count == expectedPDF.count)
            let xml = try await culise.invoiceXML(company: setup.company, id: invoice.id, actor: setup.actor).xml
            #expect(Self.attachment(raw, "EXD-1_2026.xml") == Data(xml.utf8))
            log = try await culise.mailLog(company: setup.company, page: .first, actor: setup.actor).items
            #expect(log[0].state == "sent" && log[0].sentAt != nil && log[0].attempts == 2)
            // The job again (as after a lost lease): already sent, nothing more arrives.
            _ = try await culise.enqueue(
                JobRequest(kind: "mail.send", company: setup.company, payload: #"{"mail":"\#(queued.id)"}"#), actor: .system("test"))
            #expect(try await worker.runOnce() == 1)
            try await Task.sleep(nanoseconds: 300_000_000)
            #expect(sink.messages().count == 1)
            let done = try await culise.jobs(state: .succeeded, company: setup.company, page: .first, actor: .system("test")).items
            #expect(done.contains { $0.result == "already sent to facturi@beta.ro" })
        }
    }

    /// Bad recipients and drafts are refused before anything is queued; without SMTP settings the job fails and says why.
    @Test(arguments: Engine.available)
    func refusalsAndMissingConfiguration(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let invoice = try await Self.issue(culise, setup)
            await expectRefusal("mail.address", field: "to") {
                try await culise.emailInvoice(company: setup.company, id: invoice.id, to: "not an address", actor: setup.actor)
            }
            let draft = try await culise.createInvoiceDraft(
                company: setup.company,
                DocumentInput(
                    partner: "GAMA", series: "EXD", issueDate: "2026-12-04", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            await expectRefusal("mail.invoice_draft") {
                try await culise.emailInvoice(company: setup.company, id: draft.id, actor: setup.actor)
            }
            let gama = try await culise.issueDraft(company: setup.company, id: draft.id, actor: setup.actor)
            await expectRefusal("mail.no_recipient", field: "to") {
                try await culise.emailInvoice(company: setup.company, id: gama.id, actor: setup.actor)
            }
            #expect(try await culise.mailLog(company: setup.company, page: .first, actor: setup.actor).total == 0)
            // Partner e-mail as the fallback recipient; no SMTP configured: the attempt fails with the reason.
            let mail = try await culise.emailInvoice(company: setup.company, id: invoice.id, actor: setup.actor)
            #expect(mail.to == "contabilitate@beta.ro")
            #expect(try await JobWorker(culise: culise, handlers: StandardJobs.handlers(JobEnvironment())).runOnce() == 1)
            let job = try await culise.jobs(state: .queued, company: setup.company, page: .first, actor: .system("test")).items.first
            #expect(
                job?.lastError?.contains("no SMTP server is configured") == true && job?.lastError?.contains("mail.not_configured") == true)
        }
    }

    /// A job that dies tells the company's administrators; the inbox counts unread notifications and marks them read.
    @Test(arguments: Engine.available)
    func deadJobNotifiesAdministrators(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            var handlers = JobHandlers()
            handlers.register("test.broken") { _, _ in throw DomainError("test.broken", "You cannot finish this because it is broken.") }
            _ = try await culise.enqueue(JobRequest(kind: "test.broken", company: setup.company, maxAttempts: 1), actor: .system("test"))
            #expect(try await JobWorker(culise: culise, handlers: handlers).runOnce() == 1)
            #expect(try await culise.unreadNotifications(company: setup.company, user: setup.admin.userID) == 1)
            let inbox = try await culise.notifications(company: setup.company, page: .first, actor: setup.actor)
            #expect(inbox.items.first?.title == "Sarcina test.broken a eșuat definitiv")
            #expect(inbox.items.first?.body.contains("because it is broken") == true && inbox.items.first?.link == "/jobs?state=dead")
            // In English once the user reads English.
            try await culise.setLanguage(user: setup.admin.userID, language: "en")
            _ = try await culise.enqueue(JobRequest(kind: "test.broken", company: setup.company, maxAttempts: 1), actor: .system("test"))
            _ = try await JobWorker(culise: culise, handlers: handlers).runOnce()
            #expect(
                try await culise.notifications(company: setup.company, page: .first, actor: setup.actor).items.first?.title
                    == "Job test.broken failed for good")
            try await culise.markNotificationsRead(company: setup.company, id: nil, actor: setup.actor)
            #expect(try await culise.unreadNotifications(company: setup.company, user: setup.admin.userID) == 0)
        }
    }

    /// The decoded bytes of the attachment named `name` in a raw message.
    static func attachment(_ raw: String, _ name: String) -> Data? {
        let normalised = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let start = normalised.range(of: "filename=\"\(name)\"") else { return nil }
        let rest = normalised[start.upperBound...]
        guard let blank = rest.range(of: "\n\n") else { return nil }
        let body = rest[blank.upperBound...].prefix { $0 != "-" }
        return Data(base64Encoded: body.filter { !$0.isWhitespace })
    }
}
