import Foundation
import Kernel

/// A Romanian fiscal code (CUI/CIF): 2 to 10 digits, the last a check digit computed
/// with the key 753217532. VAT payers carry the `RO` prefix in VAT contexts.
public struct CUI: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The digits alone, without `RO`.
    public let digits: String

    static let key: [Int] = [7, 5, 3, 2, 1, 7, 5, 3, 2]

    /// Parses `RO 18547290`, `ro18547290` or `18547290`; spaces are ignored.
    public init(_ text: String, field: String = "cui") throws(DomainError) {
        var compact = text.uppercased().filter { !$0.isWhitespace }
        if compact.hasPrefix("RO") { compact.removeFirst(2) }
        guard !compact.isEmpty else {
            throw DomainError(
                "cui.required", field: field, "To save a company, you must give its fiscal code (CUI).")
        }
        guard compact.allSatisfy({ $0.isASCII && $0 >= "0" && $0 <= "9" }), (2...10).contains(compact.count) else {
            throw DomainError(
                "cui.format", field: field,
                "You cannot use '\(text)' as a CUI because a CUI is 2 to 10 digits, optionally preceded by RO.")
        }
        guard compact.first != "0" else {
            throw DomainError(
                "cui.format", field: field, "You cannot use '\(text)' as a CUI because a CUI does not start with 0.")
        }
        guard CUI.checkDigit(for: String(compact.dropLast())) == compact.last?.wholeNumberValue else {
            throw DomainError(
                "cui.check_digit", field: field,
                "You cannot use '\(text)' as a CUI because its check digit is wrong; check the number for a typo.")
        }
        self.digits = compact
    }

    /// The check digit for the digits before it (at most 9): weighted sum × 10 mod 11, and 10 becomes 0.
    public static func checkDigit(for body: String) -> Int {
        let values = body.compactMap(\.wholeNumberValue)
        let padded = [Int](repeating: 0, count: max(0, 9 - values.count)) + values
        var sum = 0
        for (value, weight) in zip(padded, key) { sum += value * weight }
        let remainder = (sum * 10) % 11
        return remainder == 10 ? 0 : remainder
    }

    /// `RO18547290` for a VAT payer, `18547290` otherwise.
    public func display(vatPayer: Bool) -> String { vatPayer ? "RO" + digits : digits }

    public var description: String { digits }

    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}
