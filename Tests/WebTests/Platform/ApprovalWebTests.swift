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
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing
import Web

@Suite struct ApprovalWebTests {
    /// On the pages: posting a bill above the threshold shows why it waits; the creator gets no approve button; a
    /// second person approves from the bill page; then the bill posts.
    @Test(arguments: Engine.available)
    func approveABillOnItsPage(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            _ = try await culise.addUser(
                email: "ioana@alfa.ro", displayName: "Ioana", password: Fixtures.password, company: setup.company, role: .accountant,
                actor: .system("test"))
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "1000", actor: setup.actor)
            let bill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-9", issueDate: "2026-12-01",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "2000", account: "604")]), actor: setup.actor)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let refused = try await browser.post("/bills/\(bill.id)/post", ["account.1": "604"], from: "/bills/\(bill.id)")
            #expect(refused.status == .unprocessableContent && refused.text.contains("depășește pragul de aprobare"))
            let own = try await browser.get("/bills/\(bill.id)")
            #expect(own.text.contains("În așteptare") && !own.text.contains("/approve\""))
            let other = Browser(browser.client)
            try await other.login("ioana@alfa.ro", Fixtures.password)
            #expect(try await other.get("/home").text.contains("class=\"badge\""))
            // The notification keeps its facts: each reader gets it in their language, amounts written their way.
            let inbox = try await other.get("/notifications")
            #expect(inbox.text.contains("cere aprobarea pentru factura de furnizor F-9 (DELTA) (2.420,00 RON)"))
            let english = try await other.get("/notifications?lang=en")
            #expect(english.text.contains("asks you to approve supplier bill F-9 (DELTA) (2,420.00 RON)"))
            let page = try await other.get("/bills/\(bill.id)")
            let approval = try #require(try await culise.approvals(company: setup.company, actor: setup.actor).first)
            #expect(page.text.contains("/approvals/\(approval.id)/approve"))
            let approved = try await other.post("/approvals/\(approval.id)/approve", ["comment": "OK"], from: "/bills/\(bill.id)")
            #expect(approved.status == .seeOther)
            let posted = try await browser.post("/bills/\(bill.id)/post", ["account.1": "604"], from: "/bills/\(bill.id)")
            #expect(posted.status == .seeOther)
            #expect(try await culise.bill(company: setup.company, id: bill.id, actor: setup.actor).state == .posted)
        }
    }
}
