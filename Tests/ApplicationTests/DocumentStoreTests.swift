import Application
import Assembly
import BankingApp
import Documents
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@Suite struct DocumentStoreTests {
    static let pdf = Data("%PDF-1.4\n% a scanned bill\n".utf8) + Data((0..<2_000).map { UInt8($0 % 200) })

    static func withStore(_ engine: Engine, folder: Bool, _ body: @escaping @Sendable (Culise, String?) async throws -> Void) async throws {
        try await TestDatabase.withLocation(engine) { location in
            let started = try await TestDatabase.open(location)
            var settings = started.settings
            let directory =
                folder ? FileManager.default.temporaryDirectory.appendingPathComponent("culise-docs-\(UUID().uuidString)").path : nil
            settings.documentsFolder = directory
            let culise = Culise(database: started.database, logger: started.logger, settings: settings)
            defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
            try await body(culise, directory)
            await culise.close()
        }
    }

    /// On both stores (database blobs and a content-addressed folder): a PDF is kept with its SHA-256 and read back
    /// byte for byte; a program renamed .pdf and a file over 20 MiB are refused; a user without access to the bill
    /// gets "not found"; deleting the draft that owns a file removes the file.
    @Test(arguments: Engine.available, [false, true])
    func attachReadRefuseDelete(_ engine: Engine, _ folder: Bool) async throws {
        try await Self.withStore(engine, folder: folder) { culise, directory in
            let setup = try await InvoicingFixtures.setUp(culise)
            let bill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-77", issueDate: "2026-12-01",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "100", account: "604")]), actor: setup.actor)
            let owner = DocumentOwner(type: "bill", id: bill.id.description)
            let kept = try await culise.attachDocument(
                company: setup.company, owner: owner, fileName: "scan factura.pdf", data: Self.pdf, actor: setup.actor)
            #expect(kept.fileType == .pdf && kept.size == Int64(Self.pdf.count) && kept.sha256.count == 64)
            let (record, data) = try await culise.document(company: setup.company, id: kept.id, actor: setup.actor)
            #expect(record == kept && data == Self.pdf)
            if let directory {
                #expect(FileManager.default.fileExists(atPath: "\(directory)/\(setup.company)/\(kept.sha256.prefix(2))/\(kept.sha256)"))
            }
            // Refusals write nothing.
            await expectRefusal("document.type", field: "file") {
                try await culise.attachDocument(
                    company: setup.company, owner: owner, fileName: "factura.pdf",
                    data: Data([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 60)), actor: setup.actor)
            }
            await expectRefusal("document.too_large", field: "file") {
                try await culise.attachDocument(
                    company: setup.company, owner: owner, fileName: "mare.pdf", data: Data(count: Limits.documentBytes + 1),
                    actor: setup.actor)
            }
            await expectRefusal("document.owner_not_found") {
                try await culise.attachDocument(
                    company: setup.company, owner: DocumentOwner(type: "bill", id: BillID.generate().description), fileName: "x.pdf",
                    data: Self.pdf, actor: setup.actor)
            }
            #expect(try await culise.documents(company: setup.company, owner: owner, actor: setup.actor).count == 1)
            // An HR user cannot see invoicing records: the file does not exist for them.
            let hrID = try await culise.addUser(
                email: "hr@alfa.ro", displayName: "HR", password: Fixtures.password, company: setup.company, role: .hr,
                actor: .system("test"))
            let hr = Actor.user(Principal(userID: hrID, email: "hr@alfa.ro", displayName: "HR", companyID: setup.company, role: .hr))
            await expectRefusal("document.not_found") { try await culise.document(company: setup.company, id: kept.id, actor: hr) }
            await expectRefusal("document.not_found") { try await culise.documents(company: setup.company, owner: owner, actor: hr) }
            // A draft invoice with a file: deleting the draft deletes the file and its bytes.
            let draft = try await culise.createInvoiceDraft(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-12-04", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            let other = Data("%PDF-1.4\nonly on the draft\n".utf8)
            let onDraft = try await culise.attachDocument(
                company: setup.company, owner: DocumentOwner(type: "invoice", id: draft.id.description), fileName: "comanda.pdf",
                data: other,
                actor: setup.actor)
            try await culise.deleteInvoiceDraft(company: setup.company, id: draft.id, actor: setup.actor)
            await expectRefusal("document.not_found") {
                try await culise.document(company: setup.company, id: onDraft.id, actor: setup.actor)
            }
            let blobs = try await culise.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM document_blobs WHERE sha256 = \(bind: onDraft.sha256)").first()?.decode(
                    column: "n", as: Int64.self)
            }
            #expect(blobs == 0)
            if let directory {
                #expect(
                    !FileManager.default.fileExists(atPath: "\(directory)/\(setup.company)/\(onDraft.sha256.prefix(2))/\(onDraft.sha256)"))
            }
            // Deleting one file keeps another record's copy of the same bytes.
            let copy = try await culise.attachDocument(
                company: setup.company, owner: owner, fileName: "copie.pdf", data: Self.pdf, actor: setup.actor)
            try await culise.deleteDocument(company: setup.company, id: kept.id, actor: setup.actor)
            #expect(try await culise.document(company: setup.company, id: copy.id, actor: setup.actor).1 == Self.pdf)
        }
    }

    /// An ingested e-invoice keeps its original XML as a document of the bill.
    @Test(arguments: Engine.available)
    func ingestedEInvoiceKeepsItsOriginal(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let seller = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: seller.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-12-01", lines: [LineInput(product: "CONSULT", quantity: "2")]),
                actor: seller.actor)
            let xml = Data(try await culise.invoiceXML(company: seller.company, id: invoice.id, actor: seller.actor).xml.utf8)
            let (buyer, _, admin) = try await Fixtures.companyWithAdmin(
                culise, email: "admin@beta.ro", cuiBody: 2_345_678, name: "Beta Distribuție SRL")
            let outcome = try await culise.ingestEInvoices(company: buyer, files: [("in.xml", xml)], actor: .user(admin))[0]
            let files = try await culise.documents(
                company: buyer, owner: DocumentOwner(type: "bill", id: try #require(outcome.bill).description), actor: .user(admin))
            #expect(files.map(\.fileName) == ["efactura-EXD-1.xml"] && files[0].fileType == .xml)
            #expect(try await culise.document(company: buyer, id: files[0].id, actor: .user(admin)).1 == xml)
        }
    }
}
