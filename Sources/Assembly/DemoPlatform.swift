import Application
import BankingApp
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

extension Culise {
    /// The demo's shared services: supplier bills from 5,000 RON need a second person, and one such bill, entered by
    /// the accountant, waits for the administrator's approval (a notification says so); the bill keeps a scan; the
    /// standard job schedules are installed. Runs once (skipped when the company has an approval rule).
    public func seedPlatformDemo(company: CompanyID) async throws {
        let system = Actor.system("demo")
        if try await approvalRule(company: company, documentType: "bill", actor: system) != nil { return }
        try await installStandardSchedules()
        try await setApprovalRule(company: company, documentType: "bill", threshold: "5000", approverRoles: [.admin], actor: system)
        guard let accountant = try? await user(email: "contabil@exemplu.ro") else { return }
        let actor = Actor.user(
            Principal(
                userID: accountant.id, email: accountant.email, displayName: accountant.displayName, companyID: company, role: .accountant))
        let bill = try await createBill(
            company: company,
            DocumentInput(
                partner: "TRANS", number: "TR-2044", issueDate: today.adding(days: -3).iso,
                lines: [LineInput(description: "Transport echipamente Cluj–București", quantity: "1", unitPrice: "6200", account: "624")]),
            actor: actor)
        let scan = InvoicePDF.render(bill.document, created: now)
        _ = try await attachDocument(
            company: company, owner: DocumentOwner(type: "bill", id: bill.id.description), fileName: "TR-2044-scan.pdf", data: scan,
            actor: actor)
        do {
            _ = try await postBill(company: company, id: bill.id, actor: actor)
        } catch let error as DomainError where error.id == "approval.required" {
            // Expected: the request is open and the administrator is notified.
        }
    }
}
