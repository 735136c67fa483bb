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

/// A company with customers, suppliers and products, ready to invoice.
public struct InvoicingSetup: Sendable {
    public let company: CompanyID
    public let admin: Principal
    public var actor: Actor { .user(admin) }
}

public enum InvoicingFixtures {
    public static let companyIBAN = "RO49AAAA1B31007593840000"

    public static func setUp(_ culise: Culise, cuiBody: Int = 1_854_729) async throws -> InvoicingSetup {
        let (company, _, admin) = try await Fixtures.companyWithAdmin(culise, cuiBody: cuiBody)
        let actor = Actor.user(admin)
        var settings = try await culise.invoiceSettings(company: company, actor: actor)
        settings.iban = companyIBAN
        settings.email = "facturare@alfa-consult.ro"
        settings.phone = "0264 000 111"
        try await culise.updateInvoiceSettings(company: company, settings, actor: actor)
        try await culise.addSeries(company: company, code: "EXD", name: "Facturi export date", actor: actor)
        for input in partners {
            _ = try await culise.createPartner(company: company, input, actor: actor)
        }
        for input in products {
            _ = try await culise.createProduct(company: company, input, actor: actor)
        }
        return InvoicingSetup(company: company, admin: admin)
    }

    /// Issues one invoice of `quantity` × `product` to `partner` in series EXD.
    public static func issue(
        _ culise: Culise, _ setup: InvoicingSetup, partner: String = "BETA", product: String = "CONSULT", quantity: String = "1",
        on date: String = "2026-11-20"
    ) async throws -> InvoiceRecord {
        try await culise.issueInvoice(
            company: setup.company,
            DocumentInput(partner: partner, series: "EXD", issueDate: date, lines: [LineInput(product: product, quantity: quantity)]),
            actor: setup.actor)
    }

    public static let partners: [PartnerInput] = [
        PartnerInput(
            code: "BETA", kind: .company, name: "Beta Distribuție SRL", cui: "RO" + Fixtures.cui(2_345_678), vatPayer: true,
            tradeRegister: "J12/1234/2019",
            address: Address(line: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400620"),
            ibans: ["RO09BCYP0000001234567890"], email: "contabilitate@beta.ro", paymentTermDays: 30, isCustomer: true, isSupplier: true),
        PartnerInput(
            code: "GAMA", kind: .company, name: "Gama Servicii SRL", cui: Fixtures.cui(3_456_789), vatPayer: false,
            address: Address(line: "Bd. Unirii 10, bl. A1", city: "Sector 3", county: "RO-B", postalCode: "030167"),
            paymentTermDays: 15, isCustomer: true, isSupplier: false),
        PartnerInput(
            code: "ION", kind: .individual, name: "Ion Popescu",
            address: Address(line: "Str. Lalelelor 5", city: "Iași", county: "RO-IS", postalCode: "700001"), paymentTermDays: 0,
            isCustomer: true, isSupplier: false),
        PartnerInput(
            code: "DELTA", kind: .company, name: "Delta Papetărie SRL", cui: "RO" + Fixtures.cui(4_567_890), vatPayer: true,
            address: Address(line: "Calea Victoriei 100", city: "Sector 1", county: "RO-B", postalCode: "010071"), paymentTermDays: 30,
            isCustomer: false, isSupplier: true),
    ]

    public static let products: [ProductInput] = [
        ProductInput(code: "LAPTOP", name: "Laptop 14 inch", unit: "H87", unitPrice: "3500", vatCategory: "S", vatRateKind: "standard"),
        ProductInput(code: "CARTE", name: "Manual tehnic (carte)", unit: "H87", unitPrice: "80", vatCategory: "S", vatRateKind: "reduced"),
        ProductInput(code: "CONSULT", name: "Consultanță IT", unit: "HUR", unitPrice: "150", vatCategory: "S", vatRateKind: "standard"),
        ProductInput(
            code: "CURS", name: "Curs de formare profesională", unit: "HUR", unitPrice: "200", vatCategory: "E", vatRateKind: nil,
            exemptionReason: "Scutit conform art. 292 alin. (1) lit. a) Cod fiscal"),
        ProductInput(
            code: "DESEURI", name: "Deșeuri feroase", unit: "KGM", unitPrice: "1.25", vatCategory: "AE", vatRateKind: nil,
            exemptionReason: "Taxare inversă conform art. 331 Cod fiscal", salesAccount: "707"),
    ]

    /// Where tests write the e-Factura XML CI validates (`$CULISE_TEST_OUTPUT/efactura`), or nil outside CI.
    public static var outputDirectory: URL? {
        guard let root = ProcessInfo.processInfo.environment["CULISE_TEST_OUTPUT"], !root.isEmpty else { return nil }
        let url = URL(fileURLWithPath: root).appendingPathComponent("efactura")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a generated document (a PDF) under `$CULISE_TEST_OUTPUT/documents` for inspection in CI; nothing outside CI.
    public static func writeDocument(_ data: Data, name: String) throws {
        guard let root = ProcessInfo.processInfo.environment["CULISE_TEST_OUTPUT"], !root.isEmpty else { return }
        let directory = URL(fileURLWithPath: root).appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try data.write(to: directory.appendingPathComponent(name))
    }

    public static func write(_ xml: String, name: String) throws {
        guard let directory = outputDirectory else { return }
        try Data(xml.utf8).write(to: directory.appendingPathComponent(name))
    }

    /// The conformance kit's folder beside the checkout, if present.
    public static var conformanceKit: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }
}
