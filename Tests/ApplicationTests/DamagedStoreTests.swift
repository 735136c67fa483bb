import Application
import Assembly
import Documents
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import TestSupport
import Testing

/// Refusals that guard against a damaged database or file store, and the bounds of users and tokens: each provoked by
/// damaging the store the way a failing disk, a restore gone wrong or a hand edit would, and asserted by its id.
@Suite struct DamagedStoreTests {
    /// A document whose bytes changed or vanished is refused, not served; a folder that cannot be written refuses the
    /// upload by name; a stored id that does not parse is reported as damage, not as a crash.
    @Test(arguments: Engine.available, [false, true])
    func damagedDocumentsAreRefusedByName(_ engine: Engine, _ folder: Bool) async throws {
        try await DocumentStoreTests.withStore(engine, folder: folder) { culise, directory in
            let setup = try await InvoicingFixtures.setUp(culise)
            let bill = try await ApprovalTests.bill(culise, setup, number: "F-78", price: "50", actor: setup.actor)
            let owner = DocumentOwner(type: "bill", id: bill.id.description)
            let kept = try await culise.attachDocument(
                company: setup.company, owner: owner, fileName: "scan.pdf", data: DocumentStoreTests.pdf, actor: setup.actor)
            let company = setup.company.description
            let path = directory.map { "\($0)/\(company)/\(kept.sha256.prefix(2))/\(kept.sha256)" }
            // Changed bytes: the SHA-256 no longer matches.
            if let path {
                try Data("%PDF-1.4\nchanged\n".utf8).write(to: URL(fileURLWithPath: path))
            } else {
                try await culise.database.transaction { db in
                    try await db.raw(
                        "UPDATE document_blobs SET content = \(bind: Data("%PDF-1.4\nchanged\n".utf8)) WHERE company_id = \(bind: company)"
                    ).run()
                }
            }
            await expectRefusal("document.corrupt") { try await culise.document(company: setup.company, id: kept.id, actor: setup.actor) }
            // Vanished bytes.
            if let path {
                try FileManager.default.removeItem(atPath: path)
            } else {
                try await culise.database.transaction { db in
                    try await db.raw("DELETE FROM document_blobs WHERE company_id = \(bind: company)").run()
                }
            }
            await expectRefusal("document.missing") { try await culise.document(company: setup.company, id: kept.id, actor: setup.actor) }
            // A folder that cannot be written (here a plain file stands where the folder should be).
            if let directory {
                try FileManager.default.removeItem(atPath: directory)
                #expect(FileManager.default.createFile(atPath: directory, contents: Data("not a folder".utf8)))
                await expectRefusal("document.store") {
                    try await culise.attachDocument(
                        company: setup.company, owner: owner, fileName: "alt.pdf", data: Data("%PDF-1.4\nother\n".utf8), actor: setup.actor)
                }
                #expect(try await culise.documents(company: setup.company, owner: owner, actor: setup.actor).count == 1)
            }
            // A stored id that does not parse.
            try await culise.database.transaction { db in
                try await db.raw("UPDATE documents SET id = 'nu-este-un-id' WHERE company_id = \(bind: company)").run()
            }
            await expectRefusal("storage.corrupt") { try await culise.documents(company: setup.company, owner: owner, actor: setup.actor) }
        }
    }

    /// Without the audit chain's head or the company's ledger settings, writing stops with a named refusal and nothing
    /// is written, instead of starting a second chain or posting into books that were never set up.
    @Test(arguments: Engine.available)
    func missingChainHeadAndLedgerSettingsStopWrites(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            try await culise.database.transaction { db in
                try await db.raw("DELETE FROM ledger_settings WHERE company_id = \(bind: setup.company.description)").run()
            }
            await expectRefusal("ledger.not_set_up") { try await culise.ledgerSettings(company: setup.company, actor: setup.actor) }
            await expectRefusal("ledger.not_set_up") {
                try await culise.issueInvoice(
                    company: setup.company,
                    DocumentInput(partner: "BETA", issueDate: "2026-12-04", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                    actor: setup.actor)
            }
            try await culise.database.transaction { db in
                try await db.raw("DELETE FROM chain_heads WHERE name = 'audit'").run()
            }
            await expectRefusal("audit.no_head") {
                try await culise.setApprovalRule(company: setup.company, documentType: "bill", threshold: "1000", actor: setup.actor)
            }
            #expect(try await culise.approvalRule(company: setup.company, documentType: "bill", actor: setup.actor) == nil)
        }
    }

    /// A user belongs to at most `Limits.companiesPerUser` companies; a token is only for a company its user belongs
    /// to (the command line can name any company, so the rule is checked in the use case).
    @Test(arguments: Engine.available)
    func companiesPerUserAndTokensForMembersOnly(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, user, _) = try await Fixtures.companyWithAdmin(culise)
            let other = try await culise.createCompany(
                Fixtures.companyInput(name: "Beta Trade SRL", cuiBody: 2_964_118), actor: .system("test"))
            await expectRefusal("token.not_member", field: "company") {
                try await culise.createToken(user: user, company: other.id, name: "export", actor: .system("test"))
            }
            _ = try await culise.createToken(user: user, company: company, name: "export", actor: .system("test"))
            // Fill the user's memberships up to the bound (companies written directly: creating each with its chart of
            // accounts would take most of a minute), then one more is refused.
            try await culise.database.transaction { db in
                for index in 1..<Limits.companiesPerUser {
                    let id = CompanyID.generate().description
                    try await db.raw(
                        """
                        INSERT INTO companies (id, legal_name, cui, address_line, city, country, vat_payer, currency, fiscal_year_start_month, created_at)
                        VALUES (\(bind: id), \(bind: "Firma \(index) SRL"), \(bind: "RO9\(index)"), 'Str. 1', 'Cluj-Napoca', 'RO', \(bind: false), 'RON', 1, '2026-12-01T00:00:00Z')
                        """
                    ).run()
                    try await db.raw(
                        """
                        INSERT INTO memberships (company_id, user_id, role, created_at)
                        VALUES (\(bind: id), \(bind: user.description), 'admin', '2026-12-01T00:00:00Z')
                        """
                    ).run()
                }
            }
            await expectRefusal("user.too_many_companies", field: "company") {
                try await culise.createCompany(
                    Fixtures.companyInput(name: "Gama Serv SRL", cuiBody: 3_107_552), actor: .system("test"), owner: user)
            }
            // A user acting on their own account (no company selected) cannot use a company's books.
            let account = Actor.account(user, email: "admin@alfa.ro")
            await expectRefusal("auth.no_company") { try await culise.ledgerSettings(company: company, actor: account) }
        }
    }
}
