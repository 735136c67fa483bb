import Foundation
import Kernel

/// A Romanian personal numeric code (CNP): 13 digits `S YY MM DD JJ NNN C`, the last a check digit
/// computed with the key 279146358279 (sum × mod 11, 10 becomes 1).
public struct CNP: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    static let key = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]

    /// The e-Factura buyer id for an individual without a CNP (accepted by ANAF since 2025-01-01).
    public static let anonymous = "0000000000000"

    public init(_ text: String, field: String = "cnp") throws(DomainError) {
        let digits = text.filter { !$0.isWhitespace }
        let values = digits.compactMap(\.wholeNumberValue)
        guard digits.count == 13, values.count == 13 else {
            throw DomainError("partner.cnp_format", field: field, "You cannot use '\(text)' as a CNP because a CNP has exactly 13 digits.")
        }
        guard (1...9).contains(values[0]) else {
            throw DomainError(
                "partner.cnp_format", field: field, "You cannot use '\(text)' as a CNP because its first digit must be 1 to 9.")
        }
        let month = values[3] * 10 + values[4]
        let day = values[5] * 10 + values[6]
        guard (1...12).contains(month), (1...31).contains(day) else {
            throw DomainError(
                "partner.cnp_date", field: field, "You cannot use '\(text)' as a CNP because digits 4 to 7 are not a month and day.")
        }
        guard CNP.checkDigit(values) == values[12] else {
            throw DomainError(
                "partner.cnp_check_digit", field: field,
                "You cannot use '\(text)' as a CNP because its check digit is wrong; check it for a typo.")
        }
        self.value = digits
    }

    public static func checkDigit(_ values: [Int]) -> Int {
        var sum = 0
        for index in 0..<12 { sum += values[index] * key[index] }
        let remainder = sum % 11
        return remainder == 10 ? 1 : remainder
    }

    public var description: String { value }
}

/// An IBAN, validated with the ISO 13616 mod-97 check; Romanian IBANs are 24 characters.
public struct IBAN: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String, field: String = "iban") throws(DomainError) {
        let compact = text.uppercased().filter { !$0.isWhitespace }
        guard (15...34).contains(compact.count),
            compact.allSatisfy({ $0.isASCII && (($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9")) }),
            compact.prefix(2).allSatisfy(\.isLetter), compact.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
        else {
            throw DomainError(
                "partner.iban_format", field: field,
                "You cannot use '\(text)' as an IBAN because it must be a country code, two check digits and the account, e.g. RO49AAAA1B31007593840000."
            )
        }
        if compact.hasPrefix("RO") && compact.count != 24 {
            throw DomainError("partner.iban_length", field: field, "You cannot use '\(text)' because a Romanian IBAN has 24 characters.")
        }
        guard IBAN.mod97(compact) == 1 else {
            throw DomainError(
                "partner.iban_check", field: field,
                "You cannot use '\(text)' as an IBAN because its check digits are wrong; check it for a typo.")
        }
        self.value = compact
    }

    /// The remainder of the rearranged IBAN (first four characters moved to the end, letters as 10–35) modulo 97.
    static func mod97(_ iban: String) -> Int {
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for character in rearranged {
            let value: Int
            if let digit = character.wholeNumberValue {
                value = digit
                remainder = (remainder * 10 + value) % 97
            } else {
                value = Int(character.asciiValue ?? 55) - 55
                remainder = (remainder * 100 + value) % 97
            }
        }
        return remainder
    }

    /// Groups of four for display: `RO49 AAAA 1B31 0075 9384 0000`.
    public var grouped: String {
        stride(from: 0, to: value.count, by: 4).map { start -> String in
            let from = value.index(value.startIndex, offsetBy: start)
            let to = value.index(from, offsetBy: min(4, value.count - start))
            return String(value[from..<to])
        }.joined(separator: " ")
    }

    public var description: String { value }
}
