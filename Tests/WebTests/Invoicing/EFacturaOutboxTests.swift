import Application
import Assembly
import BankingApp
import EFactura
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp
import TestSupport
import Testing
import Web

@Suite struct EFacturaOutboxTests {
    static func issue(_ culise: Culise, _ setup: InvoicingSetup, partner: String = "BETA") async throws -> InvoiceRecord {
        try await culise.issueInvoice(
            company: setup.company,
            DocumentInput(partner: partner, issueDate: "2026-03-02", lines: [LineInput(product: "CONSULT", quantity: "3")]),
            actor: setup.actor)
    }

    @Test(arguments: Engine.available)
    func sendsOnceAcceptsAndCorrectsRejections(_ engine: Engine) async throws {
        let simulator = ANAFSimulator(token: "secret-token")
        let (url, task) = try await simulator.start()
        defer { task.cancel() }
        let client = ANAFClient(ANAFConfiguration(baseURL: url, token: "secret-token", initialBackoff: .milliseconds(10), timeout: 5))
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            // Double click: two sends at once upload once.
            let invoice = try await Self.issue(culise, setup)
            #expect(invoice.efactura?.deadline == (try LocalDate(iso: "2026-03-09")))
            async let first = culise.sendEFactura(company: setup.company, id: invoice.id, client: client, actor: setup.actor)
            async let second = culise.sendEFactura(company: setup.company, id: invoice.id, client: client, actor: setup.actor)
            _ = try await (first, second)
            let third = try await culise.sendEFactura(company: setup.company, id: invoice.id, client: client, actor: setup.actor)
            #expect(third.state == OutboxState.uploaded && third.uploadIndex != nil)
            #expect(simulator.uploadCount == 1)
            // Polling stores the signed ZIP.
            _ = try await culise.refreshEFactura(company: setup.company, client: client, actor: setup.actor)
            #expect(
                try await culise.invoice(company: setup.company, id: invoice.id, actor: setup.actor).efactura?.state == OutboxState.accepted
            )
            let zip = try await culise.acceptedZIP(company: setup.company, id: invoice.id, actor: setup.actor)
            #expect(try SPVArchive.files(in: zip).map(\.name).contains { $0.hasPrefix("semnatura_") })

            // A timeout after ANAF received the upload: the retry finds it in the message list and does not upload again.
            let slow = try await Self.issue(culise, setup)
            simulator.delayNextUpload(by: .seconds(6))
            let impatient = ANAFClient(ANAFConfiguration(baseURL: url, token: "secret-token", maxRetries: 0, timeout: 2))
            let unknown = try await culise.sendEFactura(company: setup.company, id: slow.id, client: impatient, actor: setup.actor)
            #expect(unknown.state == OutboxState.uploadUnknown)
            for _ in 0..<50 where simulator.uploadCount < 2 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(simulator.uploadCount == 2)
            let retried = try await culise.sendEFactura(company: setup.company, id: slow.id, client: client, actor: setup.actor)
            #expect(retried.state == OutboxState.uploaded && retried.uploadIndex != nil)
            #expect(simulator.uploadCount == 2)

            // ANAF rejects a buyer it does not know; the correction (credit note + reissue) is uploaded.
            simulator.rejectBuyers([Fixtures.cui(3_456_789)])
            let rejected = try await Self.issue(culise, setup, partner: "GAMA")
            _ = try await culise.sendEFactura(company: setup.company, id: rejected.id, client: client, actor: setup.actor)
            _ = try await culise.refreshEFactura(company: setup.company, client: client, actor: setup.actor)
            let status = try await culise.invoice(company: setup.company, id: rejected.id, actor: setup.actor).efactura!
            #expect(status.state == OutboxState.rejected)
            #expect(status.errors.contains { $0.contains("nu este inregistrat") })
            await #expect(throws: DomainError.self) {
                _ = try await culise.sendEFactura(company: setup.company, id: rejected.id, client: client, actor: setup.actor)
            }
            // The partner's CUI was wrong: fix it, then correct.
            var gama = InvoicingFixtures.partners.first { $0.code == "GAMA" }!
            gama.cui = Fixtures.cui(3_456_780)
            _ = try await culise.updatePartner(company: setup.company, code: "GAMA", gama, actor: setup.actor)
            let (credit, reissued) = try await culise.correctRejected(company: setup.company, id: rejected.id, actor: setup.actor)
            #expect(credit.type == .creditNote && credit.efactura?.state == OutboxState.notRequired)
            #expect(try await culise.invoice(company: setup.company, id: rejected.id, actor: setup.actor).state == .cancelled)
            let sent = try await culise.sendEFactura(company: setup.company, id: reissued.id, client: client, actor: setup.actor)
            #expect(sent.state == OutboxState.uploaded)
            _ = try await culise.refreshEFactura(company: setup.company, client: client, actor: setup.actor)
            #expect(
                try await culise.invoice(company: setup.company, id: reissued.id, actor: setup.actor).efactura?.state
                    == OutboxState.accepted)
            #expect(simulator.uploadCount == 4)
            // The dashboard's list: nothing pending but the rejected original is closed as corrected.
            let pending = try await culise.outbox(company: setup.company, pendingOnly: true, actor: setup.actor)
            #expect(pending.isEmpty)
            // The audit log tells the story.
            let audit = try await culise.auditEntries(
                filter: AuditFilter(entity: "invoice"), page: try PageRequest(limit: 500), actor: setup.actor
            ).items.map(\.action)
            for action in [
                "efactura.upload", "efactura.upload_unknown", "efactura.reconciled", "efactura.accepted", "efactura.rejected",
                "efactura.correct",
            ] {
                #expect(audit.contains(action), "\(action)")
            }
        }
    }

    @Test func clientRefusesWithoutToken() async throws {
        let simulator = ANAFSimulator(token: "right")
        let (url, task) = try await simulator.start()
        defer { task.cancel() }
        let client = ANAFClient(ANAFConfiguration(baseURL: url, token: "wrong", maxRetries: 0))
        do {
            _ = try await client.messages(days: 1, cif: "123")
            Issue.record("expected a failure")
        } catch {
            guard case .failed(let reason) = error else { Issue.record("expected .failed, got \(error)"); return }
            #expect(reason.contains("401"))
        }
    }
}
