import Application
import Assembly
import BankingApp
import Companies
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp
import TestSupport
import Testing

@Suite struct PartnerServiceTests {
    static let iban = "RO49AAAA1B31007593840000"

    static func alfa(code: String = "C1", cui: String = "RO18547290", ibans: [String] = [iban]) -> PartnerInput {
        PartnerInput(
            code: code, kind: .company, name: "Alfa Distribuție SRL", cui: cui, vatPayer: true, tradeRegister: "J12/345/2015",
            address: Address(line: "Str. Memorandumului 28", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400114"), ibans: ibans,
            email: "Contabilitate@Alfa.ro", paymentTermDays: 15, isCustomer: true, isSupplier: true)
    }

    @Test(arguments: Engine.available)
    func createSearchAndUpdate(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise, cuiBody: 2_222_222)
            let created = try await culise.createPartner(company: company, Self.alfa(), actor: .user(admin))
            #expect(created.fiscalIdentifier == "RO18547290")
            #expect(created.email == "contabilitate@alfa.ro")
            _ = try await culise.createPartner(
                company: company, PartnerInput(code: "P2", kind: .individual, name: "Ion Popescu"), actor: .user(admin))
            for query in ["alfa", "RO18547290", "18547290", "RO49 AAAA 1B31 0075 9384 0000", "C1"] {
                let found = try await culise.searchPartners(company: company, query: query, page: .first, actor: .user(admin))
                #expect(found.items.map(\.code) == ["C1"], "search \(query)")
            }
            #expect(try await culise.searchPartners(company: company, query: nil, page: .first, actor: .user(admin)).total == 2)
            var changed = Self.alfa()
            changed.name = "Alfa Distribuție și Logistică SRL"
            changed.ibans = []
            let updated = try await culise.updatePartner(company: company, code: "C1", changed, actor: .user(admin))
            #expect(updated.ibans.isEmpty)
            #expect(try await culise.partner(company: company, code: "C1", actor: .user(admin)).name == "Alfa Distribuție și Logistică SRL")
            await #expect(throws: DomainError.self) { try await culise.partner(company: company, code: "nope", actor: .user(admin)) }
        }
    }

    @Test(arguments: Engine.available)
    func duplicatesAreRefusedAndNothingIsWritten(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise, cuiBody: 2_222_222)
            _ = try await culise.createPartner(company: company, Self.alfa(), actor: .user(admin))
            let before = try await culise.tableCounts()
            for (input, id) in [
                (Self.alfa(), "partner.code_taken"), (Self.alfa(code: "C2"), "partner.cui_taken"),
                (Self.alfa(code: "C3", cui: Fixtures.cui(3_333_333)), "partner.iban_taken"),
            ] {
                do {
                    _ = try await culise.createPartner(company: company, input, actor: .user(admin))
                    Issue.record("expected \(id)")
                } catch let error as DomainError {
                    #expect(error.id == id)
                }
            }
            #expect(try await culise.tableCounts() == before)
            // Another company may have the same partner.
            let other = try await culise.createCompany(Fixtures.companyInput(name: "Beta SRL", cuiBody: 4_444_444), actor: .system("t"))
            _ = try await culise.createPartner(company: other.id, Self.alfa(), actor: .system("t"))
            // An HR user cannot see partners.
            let hr = Principal(userID: admin.userID, email: "hr@alfa.ro", displayName: "", companyID: company, role: .hr)
            await #expect(throws: DomainError.self) {
                try await culise.searchPartners(company: company, query: nil, page: .first, actor: .user(hr))
            }
        }
    }
}

@Suite struct ProductServiceTests {
    @Test(arguments: Engine.available)
    func createListArchive(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise, cuiBody: 2_222_222)
            let paper = try await culise.createProduct(
                company: company, ProductInput(code: "HARTIE-A4", name: "Hârtie A4", unit: "h87", unitPrice: "23,4567"), actor: .user(admin)
            )
            #expect(paper.unit == "H87")
            #expect(paper.unitPrice == Decimal(string: "23.4567"))
            #expect(paper.salesAccount == "707")
            let audit = try await culise.createProduct(
                company: company, ProductInput(code: "AUDIT", name: "Audit financiar", unit: "HUR", unitPrice: "350"), actor: .user(admin))
            #expect(audit.salesAccount == "704" && audit.purchaseAccount == "628")
            await #expect(throws: DomainError.self) {
                try await culise.createProduct(
                    company: company, ProductInput(code: "AUDIT", name: "x", unit: "HUR", unitPrice: "1"), actor: .user(admin))
            }
            do {
                _ = try await culise.createProduct(
                    company: company,
                    ProductInput(code: "X", name: "Export", unit: "XYZ", unitPrice: "1.2.3", vatCategory: "E", salesAccount: "9999"),
                    actor: .user(admin))
                Issue.record("expected problems")
            } catch let error as ValidationErrors {
                #expect(Set(error.problems.compactMap(\.field)) == ["unit", "unit_price", "exemption_reason"])
            }
            await #expect(throws: ValidationErrors.self) {
                try await culise.createProduct(
                    company: company, ProductInput(code: "Y", name: "y", unit: "H87", unitPrice: "1", salesAccount: "9999"),
                    actor: .user(admin))
            }
            #expect(
                try await culise.products(company: company, query: "hârtie", page: .first, actor: .user(admin)).items.map(\.code) == [
                    "HARTIE-A4"
                ])
            try await culise.archiveProduct(company: company, code: "AUDIT", actor: .user(admin))
            #expect(try await culise.products(company: company, query: nil, page: .first, actor: .user(admin)).total == 1)
            #expect(
                try await culise.products(company: company, query: nil, includeArchived: true, page: .first, actor: .user(admin)).total == 2
            )
        }
    }
}

@Suite struct PartnerCRMTests {
    @Test(arguments: Engine.available)
    func contactsInteractionsAndFollowUps(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            await #expect(throws: ValidationErrors.self) {
                _ = try await culise.addContact(
                    company: setup.company, partner: "BETA", Contact(name: "", email: "not-an-email", phone: "1"), actor: setup.actor)
            }
            let contact = try await culise.addContact(
                company: setup.company, partner: "BETA",
                Contact(name: "Maria Ionescu", role: "Contabil", email: "Maria@Beta.ro", phone: "0744 000 111"),
                actor: setup.actor)
            #expect(contact.contact.email == "maria@beta.ro")
            #expect(try await culise.contacts(company: setup.company, partner: "BETA", actor: setup.actor).count == 1)
            _ = try await culise.logInteraction(
                company: setup.company, partner: "BETA", kind: "call", date: "2026-03-01", summary: "Discutat scadența facturii EXD-1",
                followUp: "2026-03-05", actor: setup.actor)
            _ = try await culise.logInteraction(
                company: setup.company, partner: "BETA", kind: "note", date: "2026-03-02", summary: "Client mulțumit", followUp: nil,
                actor: setup.actor)
            await #expect(throws: ValidationErrors.self) {
                _ = try await culise.logInteraction(
                    company: setup.company, partner: "BETA", kind: "fax", date: "2026-03-02", summary: "", followUp: "2026-01-01",
                    actor: setup.actor)
            }
            let history = try await culise.interactions(company: setup.company, partner: "BETA", actor: setup.actor)
            #expect(history.map(\.interaction.kind) == [.note, .call])
            #expect(history[0].user == "admin@alfa.ro")
            let due = try await culise.interactions(
                company: setup.company, partner: nil, dueBy: try LocalDate(iso: "2026-03-10"), actor: setup.actor)
            #expect(due.count == 1)
            try await culise.completeFollowUp(company: setup.company, interaction: due[0].id, actor: setup.actor)
            #expect(
                try await culise.interactions(
                    company: setup.company, partner: nil, dueBy: try LocalDate(iso: "2026-03-10"), actor: setup.actor
                ).isEmpty)
        }
    }

    /// Merging moves documents and ledger balances (by reclassification, per document) and keeps the books intact.
    @Test(arguments: Engine.available)
    func mergeMovesDocumentsAndBalances(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (company, actor) = (setup.company, setup.actor)
            _ = try await culise.createPartner(
                company: company,
                PartnerInput(
                    code: "BETA2", kind: .company, name: "Beta Distributie S.R.L.", cui: Fixtures.cui(2_345_679),
                    address: Address(line: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ"), paymentTermDays: 30), actor: actor)
            _ = try await culise.logInteraction(
                company: company, partner: "BETA2", kind: "email", date: nil, summary: "Ofertă", followUp: nil, actor: actor)
            let one = try await culise.issueInvoice(
                company: company,
                DocumentInput(partner: "BETA", issueDate: "2026-02-01", lines: [LineInput(product: "CONSULT", quantity: "1")]), actor: actor
            )
            let two = try await culise.issueInvoice(
                company: company,
                DocumentInput(partner: "BETA2", issueDate: "2026-02-02", lines: [LineInput(product: "CONSULT", quantity: "2")]),
                actor: actor)
            _ = try await culise.recordPayment(
                company: company,
                PaymentInput(direction: "in", partner: "BETA2", amount: "100", allocations: [.init(document: two.number!, amount: "100")]),
                actor: actor)
            let asOf = try LocalDate(iso: "2030-01-01")
            let before = try await culise.aging(company: company, side: "receivable", asOf: asOf, actor: actor)
            let report = try await culise.mergePartners(company: company, keep: "BETA", duplicate: "BETA2", actor: actor)
            #expect(report.documents == 2 && report.entries.count == 1)
            let after = try await culise.aging(company: company, side: "receivable", asOf: asOf, actor: actor)
            #expect(after.total == before.total)
            #expect(after.rows.map(\.partner) == ["BETA"])
            #expect(after.rows[0].total == one.total.minorUnits + two.total.minorUnits - 10_000)
            let balances = try await culise.partnerBalances(company: company, account: "4111", asOf: asOf, actor: actor)
            #expect(balances.map(\.partner) == ["BETA"])
            #expect(try await culise.invoice(company: company, id: two.id, actor: actor).partner == "BETA")
            #expect(try await culise.invoice(company: company, id: two.id, actor: actor).open.minorUnits == two.total.minorUnits - 10_000)
            #expect(try await culise.interactions(company: company, partner: "BETA", actor: actor).count == 1)
            #expect(try await culise.searchPartners(company: company, query: "BETA2", page: .first, actor: actor).total == 0)
            #expect(try await culise.verifyLedger(company: company, actor: actor).isIntact)
            await #expect(throws: DomainError.self) {
                _ = try await culise.mergePartners(company: company, keep: "BETA", duplicate: "BETA", actor: actor)
            }
        }
    }
}
