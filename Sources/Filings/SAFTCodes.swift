import Foundation
import Kernel
import Tax

/// ANAF's code lists the SAF-T (D406) file needs, shipped as data with their edition (issue 16 item 2).
///
/// - Tax codes (`TaxType` 300, VAT): the subset of ANAF's `RO_SAFT_SchemaDefCod_16.02.2026.xlsx` the shared reference
///   lists (§1, read in storno's `tax_codes.json`). Codes the subset lacks (purchases under reverse charge or from the EU,
///   exempt or out-of-scope purchases, intra-Community services) are mapped as `purchaseCode` and `saleCode` say, and
///   the mapping is **not verified** against ANAF's full list.
/// - Account nomenclature: ANAF's sheet was not available; the general chart of OMFP 1802/2014 as the reference ships it
///   (§9.3, 234 accounts) stands in for it: an account whose synthetic code is not there has no `StandardAccountID`.
/// - Partner identifiers: the prefixes `00` (Romanian CUI), `01`/`02` (VAT number of an EU/non-EU company), `03` (CNP),
///   `04` (the company's own code for a person without one) follow ANAF's D406 structure as a public implementation
///   reads it (not in the shared reference: **not verified**).
public enum SAFTCodes {
    public static let taxCodesEdition = "RO_SAFT_SchemaDefCod 16.02.2026 (subset, shared reference §1)"
    public static let accountsEdition = "OMFP 1802/2014 general chart (shared reference §9.3)"

    /// The pair for general-ledger lines not relevant to a tax (ANAF: TaxType 000, TaxCode 000000).
    public static let noTaxType = "000"
    public static let noTaxCode = "000000"
    public static let vatType = "300"

    /// A sale's VAT code for a category and rate; `nil` when the list has none (a standard rate other than 21/19/11/9/5 %).
    public static func saleCode(_ category: VATCategory, percent: Decimal) -> String? {
        switch category {
        case .standard:
            return ["21": "310344", "19": "310309", "11": "310351", "9": "310310", "5": "310311"][SAFTCodes.key(percent)]
        case .reverseCharge: return "310312"
        // Goods and services are one category in Culise's documents; an intra-Community supply is reported as goods.
        case .intraCommunity: return "310301"
        case .export: return "310313"
        case .zero: return "310314"
        case .exempt: return "310326"
        case .outOfScope: return "310324"
        case .canaryIslands, .ceutaMelilla, .splitPayment: return nil
        }
    }

    /// A purchase's VAT code: the standard purchase code of the rate deducted (for reverse charge and intra-Community
    /// acquisitions, the rate self-assessed); `nil` for purchases without VAT (exempt, out of scope, imports' zero).
    public static func purchaseCode(percent: Decimal) -> String? {
        ["21": "301104", "19": "301101", "11": "301105", "9": "301102", "5": "301103"][SAFTCodes.key(percent)]
    }

    /// A code's description for the tax table.
    public static func describe(_ code: String) -> String {
        switch code {
        case "310344", "310309", "310351", "310310", "310311": return "TVA colectată, cota standard sau redusă"
        case "310312": return "Livrări cu taxare inversă"
        case "310301": return "Livrări intracomunitare de bunuri scutite"
        case "310313": return "Export scutit"
        case "310314": return "Livrări scutite cu drept de deducere"
        case "310326": return "Livrări scutite fără drept de deducere"
        case "310324": return "Operațiuni în afara sferei TVA"
        case "301104", "301101", "301105", "301102", "301103": return "TVA deductibilă, achiziții"
        default: return "Fără taxă"
        }
    }

    /// The rate a code stands for, percent.
    public static func percent(_ code: String) -> Decimal {
        switch code {
        case "310344", "301104": return 21
        case "310309", "301101": return 19
        case "310351", "301105": return 11
        case "310310", "301102": return 9
        case "310311", "301103": return 5
        default: return 0
        }
    }

    /// Units of measure (UN/ECE Rec. 20) with their Romanian names; a code not here is described by itself.
    public static let units: [String: String] = [
        "H87": "bucată", "C62": "unitate", "HUR": "oră", "DAY": "zi", "MON": "lună", "KGM": "kilogram", "MTR": "metru",
        "LTR": "litru", "MTK": "metru pătrat", "MTQ": "metru cub", "SET": "set", "KMT": "kilometru", "TNE": "tonă",
        "XPK": "pachet", "E48": "serviciu",
    ]

    static func key(_ percent: Decimal) -> String {
        NSDecimalNumber(decimal: percent).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
}

/// How a partner is identified in the file.
public enum SAFTPartnerID {
    /// The identifier and, for a legal entity, the registration number shown in its `CompanyStructure`; `nil` when the
    /// partner has none the file accepts (a company without CUI or VAT number).
    public static func id(
        person: Bool, cui: String?, cnp: String?, vatNumber: String?, country: String, code: String
    ) -> (id: String, registration: String)? {
        let country = country.uppercased()
        let digits = cui.map { text -> String in
            let t = text.uppercased().filter { !$0.isWhitespace }
            return t.hasPrefix("RO") ? String(t.dropFirst(2)) : t
        }
        if let digits, !digits.isEmpty, digits.count <= 10, digits.allSatisfy(\.isNumber), country == "RO" {
            return ("00" + digits, digits)
        }
        if person, let cnp, cnp.count == 13, cnp.allSatisfy(\.isNumber) { return ("03" + cnp, cnp) }
        let foreign = (vatNumber ?? (country == "RO" ? nil : cui))?.uppercased().filter { $0.isLetter || $0.isNumber }
        if country != "RO", let foreign, !foreign.isEmpty {
            // An EU VAT number carries its country's prefix (`DE…`, `EL…` for Greece): written once, after `01`.
            let eu = EUMemberStates.isOtherMemberState(country)
            let national =
                eu && (foreign.hasPrefix(country) || (country == "GR" && foreign.hasPrefix("EL"))) ? String(foreign.dropFirst(2)) : foreign
            let prefix = eu ? "01" : "02"
            let id = prefix + country + national
            if id.count <= 35 { return (id, foreign) }
        }
        if person {
            let own = code.filter { $0.isLetter || $0.isNumber }
            return ("04" + own.prefix(33), own)
        }
        return nil
    }
}
