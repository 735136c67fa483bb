import Foundation

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    public let minorDigits: Int

    public static let ron = Currency(uncheckedCode: "RON", minorDigits: 2)
    public static let eur = Currency(uncheckedCode: "EUR", minorDigits: 2)
    public static let usd = Currency(uncheckedCode: "USD", minorDigits: 2)
    public static let gbp = Currency(uncheckedCode: "GBP", minorDigits: 2)
    public static let chf = Currency(uncheckedCode: "CHF", minorDigits: 2)
    public static let huf = Currency(uncheckedCode: "HUF", minorDigits: 2)
    public static let jpy = Currency(uncheckedCode: "JPY", minorDigits: 0)

    private static let known: [String: Currency] = Dictionary(
        uniqueKeysWithValues: [ron, eur, usd, gbp, chf, huf, jpy].map { ($0.code, $0) })

    private init(uncheckedCode: String, minorDigits: Int) {
        self.code = uncheckedCode
        self.minorDigits = minorDigits
    }

    /// Accepts any three-letter uppercase code; known codes carry their minor digits, others default to 2.
    public init(code: String) throws(DomainError) {
        let upper = code.uppercased()
        if let known = Currency.known[upper] {
            self = known
            return
        }
        guard upper.count == 3, upper.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else {
            throw DomainError(
                "money.currency_code", field: "currency",
                "You cannot use currency '\(code)' because a currency must be a three-letter ISO 4217 code such as RON or EUR.")
        }
        self.code = upper
        self.minorDigits = 2
    }

    public var description: String { code }

    /// The lei, the company's own currency: documents in any other currency carry a BNR rate.
    public var isRON: Bool { code == "RON" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(code: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// An exact amount: `Int64` minor units (bani, cents) plus a currency. Never a `Double`.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Parses a decimal text such as `1234.5`, `-0.07` or `1 234,50` exactly, without floating point.
    /// More fraction digits than the currency has is an error, never a silent rounding.
    public init(parsing text: String, currency: Currency, field: String = "amount") throws(DomainError) {
        let minor = try Money.parseMinorUnits(text, digits: currency.minorDigits, field: field)
        self.init(minorUnits: minor, currency: currency)
    }

    /// Minor units of a decimal text, refused when its magnitude passes `Limits.amountMinorUnits`.
    public static func parseMinorUnits(_ raw: String, digits: Int, field: String) throws(DomainError) -> Int64 {
        let value: Int64
        if let fast = fastMinorUnits(raw, digits: digits) {
            value = fast
        } else {
            value = try slowMinorUnits(raw, digits: digits, field: field)
        }
        try Money.checkCeiling(value, field: field)
        return value
    }

    /// Refuses an amount whose magnitude passes the ceiling every entry point applies (`Limits.amountMinorUnits`).
    public static func checkCeiling(_ minorUnits: Int64, field: String) throws(DomainError) {
        guard minorUnits.magnitude <= UInt64(Limits.amountMinorUnits) else { throw tooLarge(field: field) }
    }

    /// The refusal of an amount over the ceiling.
    public static func tooLarge(field: String) -> DomainError {
        DomainError(
            "money.too_large", field: field,
            "You cannot use this amount because it is larger than \(ceilingText), the most any one line or document may carry.")
    }

    /// `999999999999.99`: the ceiling as text, for messages and the API document.
    public static let ceilingText = Money(minorUnits: Limits.amountMinorUnits, currency: .ron).decimalString

    /// Minor units (2 decimals) of a decimal amount rounded half away from zero, or nil when the magnitude passes
    /// `limit` minor units. Exact: no floating point, no silent wrap (`NSDecimalNumber.int64Value` wraps).
    public static func minorUnits(_ amount: Decimal, digits: Int = 2, limit: Int64 = Limits.amountMinorUnits) -> Int64? {
        var scaled = amount
        for _ in 0..<digits { scaled *= 10 }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard !rounded.isNaN, rounded.magnitude <= Decimal(limit) else { return nil }
        // An integral decimal of at most 19 digits prints as plain digits.
        return Int64(rounded.description)
    }

    /// The common form `-1234.5` / `1234,50` without spaces, parsed on bytes; nil sends it to the full parser.
    static func fastMinorUnits(_ raw: String, digits: Int) -> Int64? {
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var negative = false
        var seenSeparator = false
        var seenDigit = false
        for (index, byte) in raw.utf8.enumerated() {
            switch byte {
            case 48...57:
                seenDigit = true
                if seenSeparator {
                    fractionDigits += 1
                    guard fractionDigits <= digits else { return nil }
                    fraction = fraction * 10 + Int64(byte - 48)
                } else {
                    guard whole < 100_000_000_000_000 else { return nil }
                    whole = whole * 10 + Int64(byte - 48)
                }
            case 46, 44:
                guard !seenSeparator, seenDigit else { return nil }
                seenSeparator = true
            case 45 where index == 0: negative = true
            default: return nil
            }
        }
        guard seenDigit else { return nil }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        var fractionScale: Int64 = 1
        for _ in fractionDigits..<digits { fractionScale *= 10 }
        let value = whole * scale + fraction * fractionScale
        return negative ? -value : value
    }

    static func slowMinorUnits(_ raw: String, digits: Int, field: String) throws(DomainError) -> Int64 {
        let text: String
        switch NumberText.normalize(raw, scale: digits) {
        case .success(let plain): text = plain
        case .failure(.ambiguous): throw NumberText.ambiguity(raw, field: field)
        case .failure:
            throw DomainError(
                "money.format", field: field,
                "You cannot use '\(raw)' as an amount because it must be a number with at most \(digits) decimals, like 1234.50 or 1.234,50."
            )
        }
        let negative = text.hasPrefix("-")
        let parts = text.drop(while: { $0 == "-" }).split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts.first ?? "0"
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        let padded = fraction + String(repeating: "0", count: max(0, digits - fraction.count))
        guard let wholeValue = Int64(whole), let fractionValue = padded.isEmpty ? 0 : Int64(padded) else {
            throw DomainError("money.overflow", field: field, "You cannot use '\(raw)' because it is too large for an amount.")
        }
        let scale = Money.powerOfTen(digits)
        let (scaled, overflow1) = wholeValue.multipliedReportingOverflow(by: scale)
        let (sum, overflow2) = scaled.addingReportingOverflow(fractionValue)
        guard !overflow1, !overflow2 else {
            throw DomainError("money.overflow", field: field, "You cannot use '\(raw)' because it is too large for an amount.")
        }
        return negative ? -sum : sum
    }

    static func powerOfTen(_ digits: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<digits { value *= 10 }
        return value
    }

    public func adding(_ other: Money) throws(DomainError) -> Money {
        try requireSameCurrency(other)
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else {
            throw DomainError("money.overflow", "You cannot add these amounts because the result is too large.")
        }
        return Money(minorUnits: sum, currency: currency)
    }

    public func subtracting(_ other: Money) throws(DomainError) -> Money {
        try adding(other.negated())
    }

    public func negated() -> Money { Money(minorUnits: -minorUnits, currency: currency) }

    /// Lei: the company's own currency and the ledger's.
    public static func ron(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .ron) }

    /// Another amount in this amount's currency (a derived position: open, paid, credited).
    public func with(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }

    public var isZero: Bool { minorUnits == 0 }

    private func requireSameCurrency(_ other: Money) throws(DomainError) {
        guard other.currency == currency else {
            throw DomainError(
                "money.currency_mismatch",
                "You cannot combine \(currency) and \(other.currency) amounts because they are different currencies.")
        }
    }

    /// `1234.50`: a dot and exactly the currency's minor digits; used in CSV, JSON and hledger output.
    public var decimalString: String {
        let digits = currency.minorDigits
        guard digits > 0 else { return String(minorUnits) }
        let scale = Money.powerOfTen(digits)
        let magnitude = minorUnits.magnitude
        let whole = magnitude / UInt64(scale)
        let fraction = String(magnitude % UInt64(scale))
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return (minorUnits < 0 ? "-" : "") + "\(whole).\(padded)"
    }

    public var description: String { "\(decimalString) \(currency.code)" }
}

extension Character {
    var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}

/// The number conventions of a reader: Romanian `1.234,56`, English `1,234.56`.
public enum NumberLocale: String, Sendable, CaseIterable {
    case ro
    case en

    var groupSeparator: Character { self == .ro ? "." : "," }
    var decimalSeparator: Character { self == .ro ? "," : "." }
}

/// The one formatter of amounts per locale, used by pages, CLI tables and PDFs.
public enum MoneyFormat {
    /// Minor units as grouped text: 123456789 → `1.234.567,89` (ro) or `1,234,567.89` (en); negatives start with `-`.
    public static func amount(_ minorUnits: Int64, digits: Int = 2, locale: NumberLocale) -> String {
        let magnitude = minorUnits.magnitude
        let scale = UInt64(Money.powerOfTen(digits))
        let whole = String(magnitude / scale)
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(locale.groupSeparator) }
            grouped.append(character)
        }
        var text = (minorUnits < 0 ? "-" : "") + grouped
        if digits > 0 {
            let fraction = String(magnitude % scale)
            text.append(locale.decimalSeparator)
            text += String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
        }
        return text
    }

    /// A decimal (price, quantity, rate) grouped the reader's way, without trailing zeros but with at least
    /// `minimumFractionDigits`: `1.234,5` (ro), `1,234.5` (en); a price with 2 → `3.500,00`, `12,3456`.
    public static func decimal(_ value: Decimal, minimumFractionDigits: Int = 0, locale: NumberLocale) -> String {
        var plain = NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
        let negative = plain.hasPrefix("-")
        if negative { plain.removeFirst() }
        let parts = plain.split(separator: ".", maxSplits: 1).map(String.init)
        let whole = parts.first ?? "0"
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        while fraction.count < minimumFractionDigits { fraction += "0" }
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(locale.groupSeparator) }
            grouped.append(character)
        }
        let text = grouped + (fraction.isEmpty ? "" : String(locale.decimalSeparator) + fraction)
        return negative && text.contains(where: { $0 >= "1" && $0 <= "9" }) ? "-" + text : text
    }

    /// An amount with its currency code: `1.234,56 RON`.
    public static func money(_ money: Money, locale: NumberLocale) -> String {
        amount(money.minorUnits, digits: money.currency.minorDigits, locale: locale) + " " + money.currency.code
    }
}
