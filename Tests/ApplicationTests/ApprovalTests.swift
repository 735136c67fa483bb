import Application
import Approvals
import Assembly
import BankingApp
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@Suite struct ApprovalTests {
    static func bill(_ culise: Culise, _ setup: InvoicingSetup, number: String, price: String, actor: Actor) async throws -> BillRecord {
        try await culise.createBill(
            company: setup.company,
            DocumentInput(
                partner: "DELTA", number: number, issueDate: "2026-12-01",
                lines: [LineInput(description: "Hârtie", quantity: "1", unitPrice: price, account: "604")]), actor: actor)
    }

    /// Ioana, the company's accountant, who may approve bills.
    static func accountant(_ culise: Culise, _ setup: InvoicingSetup) async throws -> (UserID, Actor) {
        let id = try await culise.addUser(
            email: "ioana@alfa.ro", displayName: "Ioana", password: Fixtures.password, company: setup.company, role: .accountant,
            actor: .system("test"))
        return (id, .user(Principal(userID: id, email: "ioana@alfa.ro", displayName: "Ioana", companyID: setup.company, role: .accountant)))
    }

    /// Bills from 1,000 RON need a second person: posting opens the request and is refused until another approver
    /// approves; the bill's creator cannot approve it; below the threshold bills post at once.
    @Test(arguments: Engine.available)
    func billAboveTheThresholdWaitsForAnotherPerson(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (accountantID, accountant) = try await Self.accountant(culise, setup)
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "1000", actor: setup.actor)
            // Below: posts at once.
            let small = try await Self.bill(culise, setup, number: "F-1", price: "500", actor: setup.actor)
            #expect(try await culise.postBill(company: setup.company, id: small.id, actor: setup.actor).state == .posted)
            // Above: refused, the request is open, the accountant is told (not the creator).
            let large = try await Self.bill(culise, setup, number: "F-2", price: "1500", actor: setup.actor)
            await expectRefusal("approval.required") { try await culise.postBill(company: setup.company, id: large.id, actor: setup.actor) }
            var requests = try await culise.approvals(company: setup.company, documentID: large.id.description, actor: setup.actor)
            #expect(
                requests.count == 1 && requests[0].state == .pending && requests[0].amount == large.total.minorUnits
                    && requests[0].creator == "admin@alfa.ro")
            #expect(try await culise.unreadNotifications(company: setup.company, user: accountantID) == 1)
            #expect(try await culise.unreadNotifications(company: setup.company, user: setup.admin.userID) == 0)
            await expectRefusal("approval.pending") { try await culise.postBill(company: setup.company, id: large.id, actor: setup.actor) }
            await expectRefusal("approval.pending") { try await culise.postBill(company: setup.company, id: large.id, actor: accountant) }
            // The creator cannot approve; the command line cannot either; the accountant can.
            await expectRefusal("approval.own_document") {
                try await culise.decideApproval(company: setup.company, id: requests[0].id, approve: true, comment: nil, actor: setup.actor)
            }
            await expectRefusal("approval.person") {
                try await culise.decideApproval(
                    company: setup.company, id: requests[0].id, approve: true, comment: nil, actor: .system("cli"))
            }
            let approved = try await culise.decideApproval(
                company: setup.company, id: requests[0].id, approve: true, comment: "Conform comenzii 17", actor: accountant)
            #expect(approved.state == .approved && approved.decidedBy == "ioana@alfa.ro")
            await expectRefusal("approval.illegal_transition") {
                try await culise.decideApproval(company: setup.company, id: requests[0].id, approve: false, comment: nil, actor: accountant)
            }
            #expect(try await culise.unreadNotifications(company: setup.company, user: setup.admin.userID) == 1)
            #expect(try await culise.postBill(company: setup.company, id: large.id, actor: setup.actor).state == .posted)
            // A rejected bill asks again on the next attempt.
            let third = try await Self.bill(culise, setup, number: "F-3", price: "2000", actor: setup.actor)
            await expectRefusal("approval.required") { try await culise.postBill(company: setup.company, id: third.id, actor: setup.actor) }
            requests = try await culise.approvals(company: setup.company, documentID: third.id.description, actor: setup.actor)
            _ = try await culise.decideApproval(
                company: setup.company, id: requests[0].id, approve: false, comment: "Preț greșit", actor: accountant)
            await expectRefusal("approval.required") { try await culise.postBill(company: setup.company, id: third.id, actor: setup.actor) }
            #expect(
                try await culise.approvals(company: setup.company, state: nil, documentID: third.id.description, actor: setup.actor).count
                    == 2)
            // Paying needs a posted bill, so an unapproved bill cannot be paid either.
            await expectRefusal("payment.document") {
                try await culise.recordPayment(
                    company: setup.company,
                    PaymentInput(
                        direction: "out", partner: "DELTA", date: "2026-12-05", amount: "100",
                        allocations: [.init(document: third.id.description, amount: "100")]), actor: setup.actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func ruleInputIsChecked(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            await expectRefusal("approval.document_type", field: "document_type") {
                try await culise.setApprovalRule(company: setup.company, documentType: "invoice", threshold: "1", actor: setup.actor)
            }
            await expectRefusal("approval.threshold", field: "threshold") {
                try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "-5", actor: setup.actor)
            }
            await expectRefusal("approval.roles", field: "approver_roles") {
                try await culise.setApprovalRule(
                    company: setup.company, documentType: "bill", threshold: "5", approverRoles: [], actor: setup.actor)
            }
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "5", actor: setup.actor)
            #expect(
                try await culise.approvalRule(company: setup.company, documentType: "bill", actor: setup.actor)?.thresholdMinorUnits == 500)
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: nil, actor: setup.actor)
            #expect(try await culise.approvalRule(company: setup.company, documentType: "bill", actor: setup.actor) == nil)
        }
    }
}

extension ApprovalTests {
    /// When the company stops requiring approvals while a request is open, deciding that request is refused by name
    /// (there is no rule left to check the approver against) and the bill posts without one.
    @Test(arguments: Engine.available)
    func aRequestOutlivingItsRuleCannotBeDecided(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, accountant) = try await Self.accountant(culise, setup)
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "1000", actor: setup.actor)
            let large = try await Self.bill(culise, setup, number: "F-9", price: "1500", actor: setup.actor)
            await expectRefusal("approval.required") { try await culise.postBill(company: setup.company, id: large.id, actor: setup.actor) }
            let request = try #require(
                try await culise.approvals(company: setup.company, documentID: large.id.description, actor: setup.actor).first)
            try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: nil, actor: setup.actor)
            await expectRefusal("approval.no_rule") {
                try await culise.decideApproval(company: setup.company, id: request.id, approve: true, comment: nil, actor: accountant)
            }
            #expect(try await culise.postBill(company: setup.company, id: large.id, actor: setup.actor).state == .posted)
        }
    }
}
