import Foundation
import Invoicing
import Kernel
import Tax
import TestSupport
import Testing

/// Each refusal of the invoicing domain, provoked and asserted by its id and field (the error catalogue).
@Suite struct InvoicingCatalogueTests {
    static let seller = Party(
        name: "Alfa Consult SRL", vatID: "RO18547290", legalID: nil, street: "Str. Memorandumului 28", city: "Cluj-Napoca", county: "RO-CJ")
    static let buyer = Party(
        name: "Beta Distribuție SRL", vatID: "RO23456786", legalID: nil, street: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ")

    static func context(_ side: DocumentContext.Side = .sales) throws -> DocumentContext {
        DocumentContext(
            side: side, seller: seller, buyer: buyer, products: [:], today: try LocalDate(iso: "2026-11-20"), paymentTermDays: 30,
            postableAccounts: ["704", "707", "628", "371"])
    }

    static func line(_ change: (inout LineInput) -> Void = { _ in }) -> LineInput {
        var line = LineInput(description: "Consultanță", quantity: "1", unit: "HUR", unitPrice: "100")
        change(&line)
        return line
    }

    static func document(_ change: (inout DocumentInput) -> Void) -> DocumentInput {
        var input = DocumentInput(partner: "BETA", lines: [line()])
        change(&input)
        return input
    }

    /// Every row: what the user typed wrong, the id and the field of the refusal.
    static let documentRows: [(String, String, @Sendable (inout DocumentInput) -> Void)] = [
        ("document.date", "issue_date", { $0.issueDate = "20.11.2026" }),
        (
            "document.due_date", "due_date",
            {
                $0.issueDate = "2026-11-20"; $0.dueDate = "2026-11-01"
            }
        ),
        ("document.currency", "currency", { $0.currency = "XYZ" }),
        (
            "document.exchange_rate", "exchange_rate",
            {
                $0.currency = "EUR"; $0.exchangeRate = "-1"
            }
        ),
        ("document.no_lines", "lines", { $0.lines = [] }),
        ("document.too_many_lines", "lines", { $0.lines = Array(repeating: line(), count: Limits.linesPerDocument + 1) }),
        (
            "document.too_many_allowances", "allowances_charges",
            {
                $0.allowancesCharges = Array(
                    repeating: AllowanceChargeInput(isCharge: false, amount: "1", reason: "Discount"), count: Limits.linesPerDocument + 1)
            }
        ),
        (
            "document.allowance_amount", "allowances_charges[0].amount",
            { $0.allowancesCharges = [.init(isCharge: true, amount: "0", reason: "Transport")] }
        ),
        (
            "document.allowance_reason", "allowances_charges[0].reason",
            { $0.allowancesCharges = [.init(isCharge: true, amount: "5", reason: " ")] }
        ),
        ("document.text_length", "note", { $0.note = String(repeating: "n", count: 301) }),
        ("document.product", "lines[0].product", { $0.lines = [line { $0.product = "NU-EXISTA" }] }),
        ("document.line_name", "lines[0].description", { $0.lines = [line { $0.description = String(repeating: "x", count: 101) }] }),
        ("document.quantity", "lines[0].quantity", { $0.lines = [line { $0.quantity = "0" }] }),
        ("document.unit_price", "lines[0].unit_price", { $0.lines = [line { $0.unitPrice = "doi lei" }] }),
        ("document.line_amount", "lines[0].allowance", { $0.lines = [line { $0.allowance = "-5" }] }),
        ("document.vat_category", "lines[0].vat_category", { $0.lines = [line { $0.vatCategory = "Q" }] }),
        ("document.vat_percent", "lines[0].vat_percent", { $0.lines = [line { $0.vatPercent = "100" }] }),
        ("document.vat_rate_kind", "lines[0].vat_rate_kind", { $0.lines = [line { $0.vatRateKind = "super" }] }),
        ("document.exemption_reason", "lines[0].exemption_reason", { $0.lines = [line { $0.vatCategory = "E" }] }),
        ("document.account", "lines[0].account", { $0.lines = [line { $0.account = "9999" }] }),
        // The reduced-low rate (5 %) was abolished on 1 August 2025 (Law 141/2025).
        (
            "vat.rate_abolished", "lines[0].vat_rate_kind",
            {
                $0.supplyDate = "2026-11-20"; $0.lines = [line { $0.vatRateKind = "reducedLow" }]
            }
        ),
        (
            "document.line_net", "lines[0].allowance",
            {
                $0.lines = [
                    line {
                        $0.unitPrice = "10"; $0.allowance = "50"
                    }
                ]
            }
        ),
        ("document.negative_total", "lines", { $0.allowancesCharges = [.init(isCharge: false, amount: "500", reason: "Discount")] }),
    ]

    @Test(arguments: 0..<documentRows.count) func documentRefusal(_ row: Int) async throws {
        let (id, field, change) = Self.documentRows[row]
        let input = Self.document(change)
        let context = try Self.context()
        await expectRefusal(id, field: field) { try input.validated(context) }
    }

    @Test func billNeedsTheSuppliersNumber() async throws {
        let context = try Self.context(.purchase)
        await expectRefusal("bill.number", field: "number") { try Self.document { $0.number = " " }.validated(context) }
    }

    @Test func noRateBeforeTheTableStarts() async throws {
        await expectRefusal("vat.no_rate", field: "vat_rate") {
            try VATRateTable.romania.rate(.standard, supplyDate: try LocalDate(iso: "1990-01-01"))
        }
    }

    static let productRows: [(String, String, @Sendable (inout ProductInput) -> Void)] = [
        ("product.code", "code", { $0.code = "cod cu spații" }),
        ("product.name", "name", { $0.name = "" }),
        ("product.price", "unit_price", { $0.unitPrice = "12,5,0" }),
        ("product.vat_category", "vat_category", { $0.vatCategory = "X" }),
        ("product.vat_rate", "vat_rate_kind", { $0.vatRateKind = "mare" }),
        (
            "product.exemption_reason", "exemption_reason",
            {
                $0.vatCategory = "E"; $0.exemptionReason = nil
            }
        ),
        ("product.account", "sales_account", { $0.salesAccount = "70A" }),
        ("product.unit", "unit", { $0.unit = "BUCATI" }),
    ]

    @Test(arguments: 0..<productRows.count) func productRefusal(_ row: Int) async {
        let (id, field, change) = Self.productRows[row]
        var input = ProductInput(code: "CONS-1", name: "Consultanță", unit: "HUR", unitPrice: "250")
        change(&input)
        await expectRefusal(id, field: field) { try input.validated() }
    }

    @Test func lifecyclesRefuseIllegalTransitions() async {
        await expectRefusal("invoice.illegal_transition") { try InvoiceState.issued.apply(.edit) }
        await expectRefusal("invoice.illegal_transition") { try InvoiceState.cancelled.apply(.pay) }
        await expectRefusal("bill.illegal_transition") { try BillState.posted.apply(.edit) }
        await expectRefusal("bill.illegal_transition") { try BillState.draft.apply(.pay) }
    }

    @Test func aFileThatIsNotUBLIsRefused() async {
        let xml = Data("<?xml version=\"1.0\"?><Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>".utf8)
        await expectRefusal("efactura.ubl_root", field: "xml") { try UBLReader.read(xml) }
    }
}
