import Companies
import Foundation
import Kernel
import Tax

/// The CIUS-RO and EN 16931 rules Culise checks natively before it queues a document for e-Factura.
/// The official validator (`validate-efactura`) remains the authority; these catch what Culise's own data can get wrong.
public enum EInvoiceRules {
    /// Every problem of the document, each with the rule id in its message.
    public static func problems(_ document: CommercialDocument) -> [DomainError] {
        var problems: [DomainError] = []
        func add(_ rule: String, _ field: String, _ message: String) {
            problems.append(DomainError("efactura.\(rule.lowercased())", field: field, "\(message) (\(rule))"))
        }
        if document.number.isEmpty || document.number.count > 200 || !document.number.contains(where: \.isNumber) {
            add(
                "BR-RO-010", "number",
                "You cannot send invoice '\(document.number)' because its number must contain a digit and have at most 200 characters.")
        }
        for (role, party) in [("seller", document.seller), ("buyer", document.buyer)] {
            partyProblems(party, role: role, add: add)
        }
        if document.seller.vatID == nil && document.seller.legalID == nil {
            add("BR-RO-065", "seller", "To send an invoice, the seller must have a VAT id or a tax registration id.")
        }
        if document.buyer.vatID == nil && document.buyer.legalID == nil {
            add(
                "BR-RO-120", "buyer",
                "To send an invoice, the buyer must have a VAT id, a CUI or a CNP (0000000000000 for an individual without one).")
        }
        let categories = Set(document.totals.breakdown.map(\.key.category))
        if categories.contains(.reverseCharge) || categories.contains(.intraCommunity) {
            if document.seller.vatID == nil { add("BR-AE-02", "seller", "To invoice with reverse charge, the seller must have a VAT id.") }
            if document.buyer.vatID == nil && (categories.contains(.intraCommunity) || document.buyer.legalID == nil) {
                add("BR-AE-02", "buyer", "To invoice with reverse charge or an intra-community supply, the buyer must have a VAT id.")
            }
        }
        if !document.currency.isRON && document.totals.vatTotalRON == nil {
            add(
                "BR-RO-030", "currency",
                "To invoice in \(document.currency), you must state the VAT in RON, so the exchange rate is needed.")
        }
        if (document.note ?? "").count > 300 { add("BR-RO-L022", "note", "You cannot send a note longer than 300 characters.") }
        for line in document.lines {
            let field = "lines[\(line.number - 1)]"
            if line.name.isEmpty || line.name.count > 100 {
                add(
                    "BR-RO-L153", "\(field).description",
                    "You cannot send line \(line.number) because its name must have 1 to 100 characters.")
            }
            if line.vat.category.needsExemptionReason && (line.exemptionReason ?? "").isEmpty {
                add("BR-E-10", "\(field).exemption_reason", "To send line \(line.number), you must give its VAT exemption reason.")
            }
            if (line.exemptionReason ?? "").count > 100 {
                add("BR-RO-L120", "\(field).exemption_reason", "You cannot send an exemption reason longer than 100 characters.")
            }
            if UnitCode.names[line.unit] == nil {
                add("BR-CL-23", "\(field).unit", "You cannot send unit '\(line.unit)' because it is not a UN/ECE Rec 20 code Culise knows.")
            }
        }
        let recomputed = InvoiceMath.totals(
            lines: document.lines, allowancesCharges: document.allowancesCharges, exchangeRate: document.exchangeRate)
        if recomputed != document.totals {
            add("BR-CO-15", "totals", "You cannot send this document because its totals do not follow from its lines.")
        }
        return problems
    }

    static func partyProblems(_ party: Party, role: String, add: (String, String, String) -> Void) {
        if party.name.isEmpty || party.name.count > 200 {
            add("BR-RO-L027", "\(role).name", "You cannot send a \(role) name that is empty or longer than 200 characters.")
        }
        if party.street.isEmpty || party.street.count > 150 {
            add(
                role == "seller" ? "BR-RO-081" : "BR-RO-091", "\(role).address.line",
                "To send an invoice, the \(role)'s street line must have 1 to 150 characters.")
        }
        if party.city.isEmpty || party.city.count > 50 {
            add(
                role == "seller" ? "BR-RO-082" : "BR-RO-092", "\(role).address.city",
                "To send an invoice, the \(role)'s city must have 1 to 50 characters.")
        }
        if (party.postalCode ?? "").count > 20 {
            add("BR-RO-L0200", "\(role).address.postal_code", "You cannot send a postal code longer than 20 characters.")
        }
        if party.country == "RO" {
            guard let county = party.county, County.names[county] != nil else {
                add(
                    role == "seller" ? "BR-RO-110" : "BR-RO-111", "\(role).address.county",
                    "To send an invoice, the \(role)'s Romanian address must have an ISO 3166-2:RO county such as RO-CJ.")
                return
            }
            if county == County.bucharest && !County.bucharestSectors.contains(party.city) {
                add(
                    role == "seller" ? "BR-RO-100" : "BR-RO-101", "\(role).address.city",
                    "To send an invoice, a Bucharest \(role) address must have SECTOR1 to SECTOR6 as its city.")
            }
        }
        if let vat = party.vatID, vat.count < 3 || !vat.prefix(2).allSatisfy({ $0 >= "A" && $0 <= "Z" }) {
            add("BR-CO-09", "\(role).vat_id", "You cannot send VAT id '\(vat)' because it must start with a country code such as RO.")
        }
        if let email = party.email,
            email.filter({ $0 == "@" }).count != 1 || email.hasPrefix(".") || email.hasSuffix(".") || email.count > 100
        {
            add(
                "BR-RO-L0302", "\(role).email",
                "You cannot send e-mail '\(email)' because it is not a valid address of at most 100 characters.")
        }
        if let phone = party.phone, phone.filter(\.isNumber).count < 3 || phone.count > 100 {
            add("BR-RO-L0303", "\(role).phone", "You cannot send phone '\(phone)' because it needs at least 3 digits.")
        }
    }
}
