import Companies
import Foundation
import Kernel
import Tax

/// A supplier's e-invoice as read from UBL, before it becomes a draft bill.
public struct IncomingDocument: Sendable, Equatable {
    public var isCreditNote: Bool
    public var typeCode: String
    public var number: String
    public var issueDate: LocalDate
    public var dueDate: LocalDate?
    public var currency: String
    public var supplier: Party
    public var customer: Party
    public var lines: [DocumentLine]
    public var allowancesCharges: [AllowanceCharge]
    public var totals: DocumentTotals
    public var prepaid: Int64
    public var note: String?
}

/// Reads UBL 2.1 CIUS-RO invoices and credit notes and checks the rules that decide whether they can be booked:
/// structure, element order, CustomizationID, code lists, parties and that totals follow from the lines.
public enum UBLReader {
    static let invoiceNamespace = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    static let creditNoteNamespace = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
    static let invoiceOrder =
        "UBLExtensions,UBLVersionID,CustomizationID,ProfileID,ProfileExecutionID,ID,CopyIndicator,UUID,IssueDate,IssueTime,DueDate,InvoiceTypeCode,Note,TaxPointDate,DocumentCurrencyCode,TaxCurrencyCode,PricingCurrencyCode,PaymentCurrencyCode,PaymentAlternativeCurrencyCode,AccountingCostCode,AccountingCost,LineCountNumeric,BuyerReference,InvoicePeriod,OrderReference,BillingReference,DespatchDocumentReference,ReceiptDocumentReference,StatementDocumentReference,OriginatorDocumentReference,ContractDocumentReference,AdditionalDocumentReference,ProjectReference,Signature,AccountingSupplierParty,AccountingCustomerParty,PayeeParty,BuyerCustomerParty,SellerSupplierParty,TaxRepresentativeParty,Delivery,DeliveryTerms,PaymentMeans,PaymentTerms,PrepaidPayment,AllowanceCharge,TaxExchangeRate,PricingExchangeRate,PaymentExchangeRate,PaymentAlternativeExchangeRate,TaxTotal,WithholdingTaxTotal,LegalMonetaryTotal,InvoiceLine"
        .split(separator: ",").map(String.init)
    static let creditNoteOrder =
        "UBLExtensions,UBLVersionID,CustomizationID,ProfileID,ProfileExecutionID,ID,CopyIndicator,UUID,IssueDate,IssueTime,TaxPointDate,CreditNoteTypeCode,Note,DocumentCurrencyCode,TaxCurrencyCode,PricingCurrencyCode,PaymentCurrencyCode,PaymentAlternativeCurrencyCode,AccountingCostCode,AccountingCost,LineCountNumeric,BuyerReference,InvoicePeriod,DiscrepancyResponse,OrderReference,BillingReference,DespatchDocumentReference,ReceiptDocumentReference,ContractDocumentReference,AdditionalDocumentReference,StatementDocumentReference,OriginatorDocumentReference,Signature,AccountingSupplierParty,AccountingCustomerParty,PayeeParty,BuyerCustomerParty,SellerSupplierParty,TaxRepresentativeParty,Delivery,DeliveryTerms,PaymentMeans,PaymentTerms,TaxExchangeRate,PricingExchangeRate,PaymentExchangeRate,PaymentAlternativeExchangeRate,AllowanceCharge,TaxTotal,LegalMonetaryTotal,CreditNoteLine"
        .split(separator: ",").map(String.init)

    static let currencies: Set<String> = CurrencyCodes.known.union(Locale.commonISOCurrencyCodes)

    /// Reads a document; every problem at once (each message names the rule or the element and its line).
    public static func read(_ data: Data) throws(ValidationErrors) -> IncomingDocument {
        guard data.count <= Limits.eInvoiceBytes else {
            throw ValidationErrors([
                DomainError(
                    "efactura.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a file of \(data.count) bytes because the limit is \(Limits.eInvoiceBytes).")
            ])
        }
        let root: XMLElementNode
        do { root = try XMLTree.parse(data) } catch { throw ValidationErrors([error]) }
        var problems = ProblemCollector()
        func fail(_ rule: String, _ message: String, line: Int? = nil) {
            let at = line.map { " (line \($0))" } ?? ""
            problems.add(DomainError("efactura.\(rule.lowercased())", field: "xml", "\(message)\(at) [\(rule)]"))
        }
        let isCredit: Bool
        switch (root.name, root.namespace) {
        case ("Invoice", invoiceNamespace): isCredit = false
        case ("CreditNote", creditNoteNamespace): isCredit = true
        default:
            throw ValidationErrors([
                DomainError(
                    "efactura.ubl_root", field: "xml",
                    "You cannot import this file because its root is \(root.name), not a UBL 2.1 Invoice or CreditNote. [UBL-ROOT]")
            ])
        }
        // The schema fixes the order of the top-level elements.
        let order = isCredit ? creditNoteOrder : invoiceOrder
        var last = -1
        var lastName = ""
        for child in root.children {
            guard let position = order.firstIndex(of: child.name) else {
                fail("XSD", "You cannot import this file because \(child.name) is not an element of a UBL \(root.name)", line: child.line)
                continue
            }
            if position < last {
                fail(
                    "XSD", "You cannot import this file because \(child.name) comes after \(lastName), but UBL puts it before",
                    line: child.line)
            }
            if position > last {
                last = position
                lastName = child.name
            }
        }
        if root.value("CustomizationID") != UBLWriter.customizationID {
            fail(
                "BR-RO-001",
                "You cannot import this file because its CustomizationID is '\(root.value("CustomizationID") ?? "")', not CIUS-RO 1.0.1")
        }
        let number = root.value("ID") ?? ""
        if number.isEmpty { fail("BR-02", "You cannot import this file because it has no invoice number (cbc:ID)") }
        func date(_ text: String?, _ name: String) -> LocalDate? {
            guard let text else { return nil }
            guard let value = try? LocalDate(iso: text) else {
                fail("BR-RO-DT001", "You cannot import this file because \(name) '\(text)' is not a YYYY-MM-DD date")
                return nil
            }
            return value
        }
        let issue = date(root.value("IssueDate"), "IssueDate")
        if root.value("IssueDate") == nil { fail("BR-03", "You cannot import this file because it has no IssueDate") }
        let due = date(root.value("DueDate") ?? root.value("PaymentMeans/PaymentDueDate"), "DueDate")
        let typeCode = root.value(isCredit ? "CreditNoteTypeCode" : "InvoiceTypeCode") ?? ""
        if !["380", "381", "384", "389", "751"].contains(typeCode) {
            fail("BR-RO-020", "You cannot import this file because document type '\(typeCode)' is not one CIUS-RO allows")
        }
        let currency = root.value("DocumentCurrencyCode") ?? ""
        if !currencies.contains(currency) {
            fail("BR-CL-04", "You cannot import this file because currency '\(currency)' is not an ISO 4217 code")
        }
        func party(_ node: XMLElementNode?, role: String) -> Party? {
            guard let node = node?.child("Party") else {
                fail(role == "seller" ? "BR-06" : "BR-07", "You cannot import this file because the \(role) party is missing")
                return nil
            }
            let vat = node.all("PartyTaxScheme").first { $0.value("TaxScheme/ID") == "VAT" }?.value("CompanyID")
            let taxRegistration = node.all("PartyTaxScheme").first { $0.value("TaxScheme/ID") != "VAT" }?.value("CompanyID")
            let result = Party(
                name: node.value("PartyLegalEntity/RegistrationName") ?? node.value("PartyName/Name") ?? "",
                vatID: vat, legalID: node.value("PartyLegalEntity/CompanyID") ?? taxRegistration,
                street: node.value("PostalAddress/StreetName") ?? "", city: node.value("PostalAddress/CityName") ?? "",
                postalCode: node.value("PostalAddress/PostalZone"), county: node.value("PostalAddress/CountrySubentity"),
                country: node.value("PostalAddress/Country/IdentificationCode") ?? "",
                email: node.value("Contact/ElectronicMail"), phone: node.value("Contact/Telephone"))
            if result.country == "RO" {
                if result.county == nil || County.names[result.county!] == nil {
                    fail(
                        role == "seller" ? "BR-RO-110" : "BR-RO-111",
                        "You cannot import this file because the \(role)'s Romanian address has no ISO 3166-2:RO county")
                } else if result.county == County.bucharest && !County.bucharestSectors.contains(result.city.uppercased()) {
                    fail(
                        role == "seller" ? "BR-RO-100" : "BR-RO-101",
                        "You cannot import this file because the \(role)'s Bucharest address does not name SECTOR1 to SECTOR6")
                }
            }
            if result.street.isEmpty || result.city.isEmpty {
                fail(
                    role == "seller" ? "BR-RO-081" : "BR-RO-091",
                    "You cannot import this file because the \(role) address has no street or city")
            }
            return result
        }
        let supplier = party(root.child("AccountingSupplierParty"), role: "seller")
        let customer = party(root.child("AccountingCustomerParty"), role: "buyer")
        if let supplier, supplier.vatID == nil && supplier.legalID == nil {
            fail("BR-RO-065", "You cannot import this file because the seller has no VAT or tax registration id")
        }
        // ANAF's rule files never fire BR-RO-120 on a CreditNote (see the conformance kit's README); neither does Culise.
        if !isCredit, let customer, customer.vatID == nil && customer.legalID == nil {
            fail("BR-RO-120", "You cannot import this file because the buyer has neither a VAT id (BT-48) nor a legal id (BT-47)")
        }
        func amount(_ node: XMLElementNode?, _ path: String, required: Bool = true) -> Int64 {
            guard let text = node?.value(path) else {
                if required { fail("BR-CO", "You cannot import this file because \(path) is missing") }
                return 0
            }
            guard let value = DecimalText.parseMachine(text, scale: 2, allowNegative: true) else {
                fail("UBL-DT-01", "You cannot import this file because \(path) '\(text)' is not an amount with at most 2 decimals")
                return 0
            }
            return InvoiceMath.minor(value)
        }
        func key(_ node: XMLElementNode?) -> VATKey? {
            guard let node, let category = VATCategory(rawValue: node.value("ID") ?? "") else {
                fail("BR-CL-17", "You cannot import this file because a VAT category code is missing or unknown", line: node?.line)
                return nil
            }
            let percent = DecimalText.parseMachine(node.value("Percent") ?? "0", scale: 4) ?? 0
            return VATKey(category: category, percent: percent)
        }
        var lines: [DocumentLine] = []
        let lineName = isCredit ? "CreditNoteLine" : "InvoiceLine"
        let quantityName = isCredit ? "CreditedQuantity" : "InvoicedQuantity"
        for (index, node) in root.all(lineName).enumerated() {
            guard let vat = key(node.at("Item/ClassifiedTaxCategory")) else { continue }
            let quantity = DecimalText.parseMachine(node.value(quantityName), scale: 6, allowNegative: true) ?? 0
            let lineAllowances = node.all("AllowanceCharge").filter { $0.value("ChargeIndicator") == "false" }
                .reduce(Int64(0)) { $0 + amount($1, "Amount") }
            let lineCharges = node.all("AllowanceCharge").filter { $0.value("ChargeIndicator") == "true" }
                .reduce(Int64(0)) { $0 + amount($1, "Amount") }
            let price = DecimalText.parseMachine(node.value("Price/PriceAmount"), scale: 8) ?? 0
            let base = DecimalText.parseMachine(node.value("Price/BaseQuantity"), scale: 6) ?? 1
            lines.append(
                DocumentLine(
                    number: index + 1, productCode: node.value("Item/SellersItemIdentification/ID"),
                    name: node.value("Item/Name") ?? node.value("Item/Description") ?? "", quantity: quantity,
                    unit: node.at(quantityName)?.attributes["unitCode"] ?? "H87", unitPrice: base == 0 ? price : price / base,
                    allowance: lineAllowances, charge: lineCharges, net: amount(node, "LineExtensionAmount"), vat: vat,
                    exemptionReason: nil, account: ""))
        }
        if lines.isEmpty { fail("BR-16", "You cannot import this file because it has no lines") }
        if lines.count > Limits.linesPerDocument {
            fail("LIMIT", "You cannot import a document with \(lines.count) lines because the limit is \(Limits.linesPerDocument)")
        }
        var items: [AllowanceCharge] = []
        for node in root.all("AllowanceCharge") {
            guard let vat = key(node.child("TaxCategory")) else { continue }
            items.append(
                AllowanceCharge(
                    isCharge: node.value("ChargeIndicator") == "true", amount: amount(node, "Amount"),
                    reason: node.value("AllowanceChargeReason") ?? node.value("AllowanceChargeReasonCode") ?? "", vat: vat))
        }
        // The VAT breakdown in the document currency (the TaxTotal with subtotals).
        let taxTotal = root.all("TaxTotal").first { $0.at("TaxAmount")?.attributes["currencyID"] == currency } ?? root.child("TaxTotal")
        var breakdown: [VATSubtotal] = []
        for node in taxTotal?.all("TaxSubtotal") ?? [] {
            guard let vat = key(node.child("TaxCategory")) else { continue }
            breakdown.append(
                VATSubtotal(
                    key: vat, taxable: amount(node, "TaxableAmount"), amount: amount(node, "TaxAmount"),
                    exemptionReason: node.value("TaxCategory/TaxExemptionReason")))
        }
        let reasons = Dictionary(breakdown.map { ($0.key, $0.exemptionReason) }, uniquingKeysWith: { first, _ in first })
        for index in lines.indices { lines[index].exemptionReason = reasons[lines[index].vat] ?? nil }
        let ronTotal = root.all("TaxTotal").first { $0.at("TaxAmount")?.attributes["currencyID"] == "RON" && currency != "RON" }
        let monetary = root.child("LegalMonetaryTotal")
        let totals = DocumentTotals(
            lineTotal: amount(monetary, "LineExtensionAmount"), allowanceTotal: amount(monetary, "AllowanceTotalAmount", required: false),
            chargeTotal: amount(monetary, "ChargeTotalAmount", required: false), taxExclusive: amount(monetary, "TaxExclusiveAmount"),
            vatTotal: amount(taxTotal, "TaxAmount"), taxInclusive: amount(monetary, "TaxInclusiveAmount"),
            payable: amount(monetary, "PayableAmount"), breakdown: breakdown,
            vatTotalRON: ronTotal.map { amount($0, "TaxAmount") })
        let prepaid = amount(monetary, "PrepaidAmount", required: false)
        let rounding = amount(monetary, "PayableRoundingAmount", required: false)
        // Totals must follow from the lines (BR-CO-10, 13, 14, 15, 16, 17).
        let sumLines = lines.reduce(Int64(0)) { $0 + $1.net }
        if sumLines != totals.lineTotal {
            fail(
                "BR-CO-10",
                "You cannot import this file because its lines add up to \(DecimalText.amount(sumLines)), not \(DecimalText.amount(totals.lineTotal))"
            )
        }
        let allowances = items.filter { !$0.isCharge }.reduce(Int64(0)) { $0 + $1.amount }
        let charges = items.filter(\.isCharge).reduce(Int64(0)) { $0 + $1.amount }
        if totals.lineTotal - totals.allowanceTotal + totals.chargeTotal != totals.taxExclusive || allowances != totals.allowanceTotal
            || charges != totals.chargeTotal
        {
            fail("BR-CO-13", "You cannot import this file because the total without VAT does not equal lines − allowances + charges")
        }
        if breakdown.reduce(Int64(0), { $0 + $1.amount }) != totals.vatTotal {
            fail("BR-CO-14", "You cannot import this file because the VAT total is not the sum of the VAT breakdown")
        }
        for subtotal in breakdown where subtotal.key.category == .standard {
            let expected = InvoiceMath.categoryVAT(taxable: subtotal.taxable, percent: subtotal.key.percent)
            if abs(expected - subtotal.amount) > 100 {
                fail("BR-CO-17", "You cannot import this file because the \(subtotal.key.percent) % VAT is not taxable × rate")
            }
        }
        if totals.taxExclusive + totals.vatTotal != totals.taxInclusive {
            fail(
                "BR-CO-15",
                "You cannot import this file because the total with VAT \(DecimalText.amount(totals.taxInclusive)) is not the total without VAT plus VAT (\(DecimalText.amount(totals.taxExclusive + totals.vatTotal)))"
            )
        }
        if totals.taxInclusive - prepaid + rounding != totals.payable {
            fail("BR-CO-16", "You cannot import this file because the amount due is not the total with VAT − prepaid + rounding")
        }
        if currency != "RON" && currency != "" && ronTotal == nil && root.value("TaxCurrencyCode") != "RON" {
            fail("BR-RO-030", "You cannot import this file because a \(currency) invoice must state its VAT in RON")
        }
        try problems.throwIfAny()
        return IncomingDocument(
            isCreditNote: isCredit, typeCode: typeCode, number: number, issueDate: issue!, dueDate: due, currency: currency,
            supplier: supplier!, customer: customer!, lines: lines, allowancesCharges: items, totals: totals, prepaid: prepaid,
            note: root.value("Note"))
    }
}
