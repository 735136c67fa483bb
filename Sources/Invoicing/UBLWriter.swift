import Companies
import Foundation
import Kernel
import Tax

/// Writes a `CommercialDocument` as UBL 2.1 (CIUS-RO 1.0.1): `Invoice` for 380/384/389, `CreditNote` for 381.
/// Element order follows the UBL 2.1 schema; which elements appear follows EN 16931 and CIUS-RO.
public enum UBLWriter {
    public static let customizationID = "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1"

    public static func xml(_ document: CommercialDocument) -> String {
        var out = XMLOut()
        let credit = document.type.isCreditNote
        let root = credit ? "CreditNote" : "Invoice"
        let currency = document.currency.code
        out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.raw(
            "<\(root) xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:\(root)-2\" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
        )
        out.leaf("cbc:CustomizationID", customizationID)
        out.leaf("cbc:ID", document.number)
        out.leaf("cbc:IssueDate", document.issueDate.iso)
        if !credit, let due = document.dueDate { out.leaf("cbc:DueDate", due.iso) }
        out.leaf(credit ? "cbc:CreditNoteTypeCode" : "cbc:InvoiceTypeCode", document.type.rawValue)
        if let note = document.note { out.leaf("cbc:Note", note) }
        out.leaf("cbc:DocumentCurrencyCode", currency)
        if currency != "RON" { out.leaf("cbc:TaxCurrencyCode", "RON") }
        if let reference = document.buyerReference { out.leaf("cbc:BuyerReference", reference) }
        if let order = document.orderReference { out.open("cac:OrderReference") { $0.leaf("cbc:ID", order) } }
        for preceding in document.preceding {
            out.open("cac:BillingReference") {
                $0.open("cac:InvoiceDocumentReference") {
                    $0.leaf("cbc:ID", preceding.number)
                    $0.leaf("cbc:IssueDate", preceding.issueDate.iso)
                }
            }
        }
        out.open("cac:AccountingSupplierParty") { party(&$0, document.seller, seller: true) }
        out.open("cac:AccountingCustomerParty") { party(&$0, document.buyer, seller: false) }
        let intraCommunity = document.totals.breakdown.contains { $0.key.category == .intraCommunity }
        if document.supplyDate != document.issueDate || intraCommunity {
            out.open("cac:Delivery") {
                $0.leaf("cbc:ActualDeliveryDate", document.supplyDate.iso)
                if intraCommunity {
                    // BR-IC-12 wants the delivery country; CIUS-RO then wants the address's first line, city and
                    // subdivision (BR-RO-180, -201, -211): the buyer's address, its city standing in for a foreign
                    // buyer's subdivision when none is known (the RO list of BR-RO-111 applies to Romanian addresses).
                    let buyer = document.buyer
                    $0.open("cac:DeliveryLocation") {
                        $0.open("cac:Address") {
                            $0.leaf("cbc:StreetName", buyer.street)
                            $0.leaf("cbc:CityName", buyer.city)
                            if let postal = buyer.postalCode { $0.leaf("cbc:PostalZone", postal) }
                            $0.leaf("cbc:CountrySubentity", buyer.county ?? buyer.city)
                            $0.open("cac:Country") { $0.leaf("cbc:IdentificationCode", buyer.country) }
                        }
                    }
                }
            }
        }
        if let iban = document.seller.iban {
            out.open("cac:PaymentMeans") {
                $0.leaf("cbc:PaymentMeansCode", "30")
                if credit, let due = document.dueDate { $0.leaf("cbc:PaymentDueDate", due.iso) }
                if !document.number.isEmpty { $0.leaf("cbc:PaymentID", document.number) }
                $0.open("cac:PayeeFinancialAccount") { $0.leaf("cbc:ID", iban) }
            }
        }
        out.open("cac:PaymentTerms") {
            $0.leaf("cbc:Note", document.paymentTerms ?? (credit ? "Stornare" : "La vedere"))
        }
        for item in document.allowancesCharges {
            out.open("cac:AllowanceCharge") {
                $0.leaf("cbc:ChargeIndicator", item.isCharge ? "true" : "false")
                $0.leaf("cbc:AllowanceChargeReason", item.reason)
                $0.amount("cbc:Amount", item.amount, currency)
                taxCategory(&$0, "cac:TaxCategory", item.vat, reason: nil)
            }
        }
        out.open("cac:TaxTotal") {
            $0.amount("cbc:TaxAmount", document.totals.vatTotal, currency)
            for subtotal in document.totals.breakdown {
                $0.open("cac:TaxSubtotal") {
                    $0.amount("cbc:TaxableAmount", subtotal.taxable, currency)
                    $0.amount("cbc:TaxAmount", subtotal.amount, currency)
                    taxCategory(&$0, "cac:TaxCategory", subtotal.key, reason: subtotal.exemptionReason)
                }
            }
        }
        if currency != "RON" {
            out.open("cac:TaxTotal") { $0.amount("cbc:TaxAmount", document.totals.vatTotalRON ?? 0, "RON") }
        }
        out.open("cac:LegalMonetaryTotal") {
            let totals = document.totals
            $0.amount("cbc:LineExtensionAmount", totals.lineTotal, currency)
            $0.amount("cbc:TaxExclusiveAmount", totals.taxExclusive, currency)
            $0.amount("cbc:TaxInclusiveAmount", totals.taxInclusive, currency)
            if totals.allowanceTotal != 0 { $0.amount("cbc:AllowanceTotalAmount", totals.allowanceTotal, currency) }
            if totals.chargeTotal != 0 { $0.amount("cbc:ChargeTotalAmount", totals.chargeTotal, currency) }
            $0.amount("cbc:PayableAmount", totals.payable, currency)
        }
        for line in document.lines {
            out.open(credit ? "cac:CreditNoteLine" : "cac:InvoiceLine") {
                $0.leaf("cbc:ID", String(line.number))
                $0.quantity(credit ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", line.quantity, unit: line.unit)
                $0.amount("cbc:LineExtensionAmount", line.net, currency)
                for (isCharge, amount) in [(false, line.allowance), (true, line.charge)] where amount != 0 {
                    $0.open("cac:AllowanceCharge") {
                        $0.leaf("cbc:ChargeIndicator", isCharge ? "true" : "false")
                        $0.leaf("cbc:AllowanceChargeReason", isCharge ? "Cost suplimentar" : "Discount")
                        $0.amount("cbc:Amount", amount, currency)
                    }
                }
                $0.open("cac:Item") {
                    $0.leaf("cbc:Name", line.name)
                    if let code = line.productCode { $0.open("cac:SellersItemIdentification") { $0.leaf("cbc:ID", code) } }
                    taxCategory(&$0, "cac:ClassifiedTaxCategory", line.vat, reason: nil)
                }
                $0.open("cac:Price") {
                    $0.decimal("cbc:PriceAmount", line.unitPrice, currency)
                }
            }
        }
        out.raw("</\(root)>\n")
        return out.text
    }

    /// The exemption reason code EN 16931 expects for a category (VATEX list).
    static func exemptionCode(_ category: VATCategory) -> String? {
        switch category {
        case .reverseCharge: "VATEX-EU-AE"
        case .intraCommunity: "VATEX-EU-IC"
        case .export: "VATEX-EU-G"
        case .outOfScope: "VATEX-EU-O"
        default: nil
        }
    }

    static func taxCategory(_ out: inout XMLOut, _ element: String, _ key: VATKey, reason: String?) {
        out.open(element) {
            $0.leaf("cbc:ID", key.category.rawValue)
            if key.category != .outOfScope { $0.leaf("cbc:Percent", DecimalText.plain(key.percent)) }
            if let reason {
                if let code = exemptionCode(key.category) { $0.leaf("cbc:TaxExemptionReasonCode", code) }
                $0.leaf("cbc:TaxExemptionReason", reason)
            }
            $0.open("cac:TaxScheme") { $0.leaf("cbc:ID", "VAT") }
        }
    }

    static func party(_ out: inout XMLOut, _ party: Party, seller: Bool) {
        out.open("cac:Party") {
            $0.open("cac:PartyName") { $0.leaf("cbc:Name", party.name) }
            $0.open("cac:PostalAddress") {
                $0.leaf("cbc:StreetName", party.street)
                $0.leaf("cbc:CityName", party.city)
                if let postal = party.postalCode { $0.leaf("cbc:PostalZone", postal) }
                if let county = party.county { $0.leaf("cbc:CountrySubentity", county) }
                $0.open("cac:Country") { $0.leaf("cbc:IdentificationCode", party.country) }
            }
            if let vat = party.vatID {
                $0.open("cac:PartyTaxScheme") {
                    $0.leaf("cbc:CompanyID", vat)
                    $0.open("cac:TaxScheme") { $0.leaf("cbc:ID", "VAT") }
                }
            } else if seller, let legal = party.legalID {
                // BT-32, the seller's tax registration id when it is not VAT registered (BR-RO-065).
                $0.open("cac:PartyTaxScheme") {
                    $0.leaf("cbc:CompanyID", legal)
                    $0.open("cac:TaxScheme") { $0.leaf("cbc:ID", "TAX") }
                }
            }
            $0.open("cac:PartyLegalEntity") {
                $0.leaf("cbc:RegistrationName", party.name)
                // BT-30/BT-47: a non-VAT buyer's CUI or CNP goes here, not in PartyTaxScheme (UBL-SR-53).
                if let id = party.vatID == nil ? (party.legalID ?? party.tradeRegister) : party.tradeRegister {
                    $0.leaf("cbc:CompanyID", id)
                }
            }
            if party.email != nil || party.phone != nil {
                $0.open("cac:Contact") {
                    if let phone = party.phone { $0.leaf("cbc:Telephone", phone) }
                    if let email = party.email { $0.leaf("cbc:ElectronicMail", email) }
                }
            }
        }
    }
}

/// A small, escaping XML builder.
struct XMLOut {
    var text = ""
    var depth = 1

    static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default:
                // Characters XML 1.0 forbids are dropped.
                if character.value < 0x20 && ![0x9, 0xA, 0xD].contains(character.value) { continue }
                result.unicodeScalars.append(character)
            }
        }
        return result
    }

    mutating func raw(_ value: String) { text += value }

    mutating func leaf(_ name: String, _ value: String) {
        text += String(repeating: "  ", count: depth)
        text += "<\(name)>\(Self.escape(value))</\(name)>\n"
    }

    mutating func amount(_ name: String, _ minor: Int64, _ currency: String) {
        text += String(repeating: "  ", count: depth)
        text += "<\(name) currencyID=\"\(currency)\">\(DecimalText.amount(minor))</\(name)>\n"
    }

    mutating func decimal(_ name: String, _ value: Decimal, _ currency: String) {
        text += String(repeating: "  ", count: depth)
        text += "<\(name) currencyID=\"\(currency)\">\(DecimalText.plain(value))</\(name)>\n"
    }

    mutating func quantity(_ name: String, _ value: Decimal, unit: String) {
        text += String(repeating: "  ", count: depth)
        text += "<\(name) unitCode=\"\(Self.escape(unit))\">\(DecimalText.plain(value))</\(name)>\n"
    }

    mutating func open(_ name: String, _ body: (inout XMLOut) -> Void) {
        text += String(repeating: "  ", count: depth) + "<\(name)>\n"
        depth += 1
        body(&self)
        depth -= 1
        text += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }
}
