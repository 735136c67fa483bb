import Foundation
import Kernel
import Tax

/// UN/ECE Recommendation 20 unit codes Culise offers (the subset Romanian invoices use most).
public enum UnitCode {
    public static let names: [String: String] = [
        "H87": "bucată", "C62": "unitate", "KGM": "kilogram", "GRM": "gram", "TNE": "tonă", "LTR": "litru", "MTR": "metru",
        "KMT": "kilometru", "MTK": "metru pătrat", "MTQ": "metru cub", "HUR": "oră", "MIN": "minut", "DAY": "zi", "WEE": "săptămână",
        "MON": "lună", "ANN": "an", "KWH": "kilowatt-oră", "SET": "set", "PR": "pereche", "XPK": "pachet", "XBX": "cutie",
        "E48": "unitate de serviciu", "LS": "forfetar",
    ]

    /// What people write on paper for a unit (the UN/ECE code stays in the XML): Romanian and English.
    static let paper: [String: (ro: String, en: String)] = [
        "H87": ("buc", "pcs"), "C62": ("unit.", "unit"), "KGM": ("kg", "kg"), "GRM": ("g", "g"), "TNE": ("t", "t"),
        "LTR": ("l", "l"), "MTR": ("m", "m"), "KMT": ("km", "km"), "MTK": ("m²", "m²"), "MTQ": ("m³", "m³"),
        "HUR": ("oră", "h"), "MIN": ("min", "min"), "DAY": ("zi", "day"), "WEE": ("săpt.", "week"), "MON": ("lună", "month"),
        "ANN": ("an", "year"), "KWH": ("kWh", "kWh"), "SET": ("set", "set"), "PR": ("pereche", "pair"), "XPK": ("pachet", "pack"),
        "XBX": ("cutie", "box"), "E48": ("serviciu", "service"), "LS": ("forfetar", "lump sum"),
    ]

    /// The unit as printed on an invoice: `buc`, `oră`, `kg` (English `pcs`, `h`, `kg`); an unknown code stays a code.
    public static func paperName(_ code: String, english: Bool = false) -> String {
        paper[code].map { english ? $0.en : $0.ro } ?? code
    }

    public static func validated(_ text: String, field: String = "unit") throws(DomainError) -> String {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard names[code] != nil else {
            throw DomainError(
                "product.unit", field: field,
                "You cannot use unit '\(text)' because it must be a UN/ECE Rec 20 code such as H87 (piece), KGM, HUR or C62.")
        }
        return code
    }
}

/// A product or service that invoices and bills reference.
public struct Product: Hashable, Sendable, Codable {
    public let code: String
    public var name: String
    public var unit: String
    /// Net unit price in RON, exact (may have more decimals than a ban).
    public var unitPrice: Decimal
    public var vatCategory: VATCategory
    /// For category S: which rate kind applies (the percent follows the supply date).
    public var vatRateKind: VATRate.Kind?
    /// For E, AE, K, G, O: the exemption reason printed on the invoice.
    public var exemptionReason: String?
    public var salesAccount: String
    public var purchaseAccount: String
    public var archived: Bool

    public init(
        code: String, name: String, unit: String, unitPrice: Decimal, vatCategory: VATCategory, vatRateKind: VATRate.Kind?,
        exemptionReason: String?, salesAccount: String, purchaseAccount: String, archived: Bool = false
    ) {
        self.code = code
        self.name = name
        self.unit = unit
        self.unitPrice = unitPrice
        self.vatCategory = vatCategory
        self.vatRateKind = vatRateKind
        self.exemptionReason = exemptionReason
        self.salesAccount = salesAccount
        self.purchaseAccount = purchaseAccount
        self.archived = archived
    }
}

/// What a user types for a product, validated as a whole.
public struct ProductInput: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var unit: String
    public var unitPrice: String
    public var vatCategory: String
    public var vatRateKind: String?
    public var exemptionReason: String?
    public var salesAccount: String?
    public var purchaseAccount: String?

    public init(
        code: String, name: String, unit: String, unitPrice: String, vatCategory: String = "S", vatRateKind: String? = "standard",
        exemptionReason: String? = nil, salesAccount: String? = nil, purchaseAccount: String? = nil
    ) {
        self.code = code
        self.name = name
        self.unit = unit
        self.unitPrice = unitPrice
        self.vatCategory = vatCategory
        self.vatRateKind = vatRateKind
        self.exemptionReason = exemptionReason
        self.salesAccount = salesAccount
        self.purchaseAccount = purchaseAccount
    }

    /// Every problem at once, or the product. Services (units HUR, DAY, MON, E48, LS…) default to account 704, goods to 707.
    public func validated() throws(ValidationErrors) -> Product {
        var problems = ProblemCollector()
        let code = self.code.trimmingCharacters(in: .whitespaces)
        problems.check(
            (1...40).contains(code.count) && code.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) },
            DomainError(
                "product.code", field: "code",
                "You cannot use '\(self.code)' as a product code because it must be 1 to 40 letters, digits, '-', '_' or '.'."))
        let name = self.name.trimmingCharacters(in: .whitespaces)
        problems.check(
            !name.isEmpty && name.count <= Limits.nameLength,
            DomainError(
                "product.name", field: "name", "To save a product, you must give a name of at most \(Limits.nameLength) characters."))
        let unit = problems.collect { () throws(DomainError) in try UnitCode.validated(self.unit) }
        let priceText = unitPrice.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let wellFormed = priceText.range(of: "^[0-9]{1,12}(\\.[0-9]{1,6})?$", options: .regularExpression) != nil
        let price = wellFormed ? Decimal(string: priceText, locale: Locale(identifier: "en_US_POSIX")) : nil
        if let price {
            problems.check(
                price >= 0 && price < 1_000_000_000,
                DomainError(
                    "product.price", field: "unit_price",
                    "You cannot use price \(unitPrice) because it must be 0 or more and below one billion."))
        } else {
            problems.add(
                DomainError(
                    "product.price", field: "unit_price",
                    "You cannot use '\(unitPrice)' as a price because it must be a number with at most 6 decimals, like 12.50."))
        }
        let category = VATCategory(rawValue: vatCategory.uppercased()).flatMap { VATCategory.issuable.contains($0) ? $0 : nil }
        if category == nil {
            problems.add(
                DomainError(
                    "product.vat_category", field: "vat_category",
                    "You cannot use VAT category '\(vatCategory)' because the categories are \(VATCategory.issuable.map(\.rawValue).joined(separator: ", "))."
                ))
        }
        var kind: VATRate.Kind?
        if category == .standard {
            kind = VATRate.Kind(rawValue: vatRateKind ?? "standard")
            problems.check(
                kind != nil,
                DomainError(
                    "product.vat_rate", field: "vat_rate_kind",
                    "To use category S, you must choose the rate kind: standard, reduced or reducedLow."))
        }
        let reason = exemptionReason?.trimmingCharacters(in: .whitespaces)
        if let category, category.needsExemptionReason {
            problems.check(
                !(reason ?? "").isEmpty,
                DomainError(
                    "product.exemption_reason", field: "exemption_reason",
                    "To use VAT category \(category.rawValue), you must give the exemption reason."))
        }
        let service = ["HUR", "MIN", "DAY", "WEE", "MON", "ANN", "E48", "LS"].contains(unit ?? "")
        let sales =
            salesAccount?.trimmingCharacters(in: .whitespaces).nilIfEmpty
            ?? (service ? DefaultAccounts.serviceSales : DefaultAccounts.goodsSales)
        let purchase =
            purchaseAccount?.trimmingCharacters(in: .whitespaces).nilIfEmpty
            ?? (service ? DefaultAccounts.servicePurchases : DefaultAccounts.goodsPurchases)
        for (field, value) in [("sales_account", sales), ("purchase_account", purchase)] {
            problems.check(
                !value.isEmpty && value.count <= 20 && value.allSatisfy { $0.isNumber || $0 == "." },
                DomainError(
                    "product.account", field: field,
                    "You cannot use '\(value)' as an account because it must be an account code such as 707."))
        }
        try problems.throwIfAny()
        return Product(
            code: code, name: name, unit: unit!, unitPrice: price!, vatCategory: category!, vatRateKind: kind,
            exemptionReason: category!.needsExemptionReason ? reason : nil, salesAccount: sales, purchaseAccount: purchase)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// The accounts a line posts to when neither the line nor its product names one (OMFP 1802/2014 chart).
public enum DefaultAccounts {
    /// Venituri din servicii prestate.
    public static let serviceSales = "704"
    /// Venituri din vânzarea mărfurilor.
    public static let goodsSales = "707"
    /// Alte cheltuieli cu serviciile executate de terți.
    public static let servicePurchases = "628"
    /// Mărfuri.
    public static let goodsPurchases = "371"
}
