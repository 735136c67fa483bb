import Foundation
import Kernel

/// A trade-register (Registrul Comerțului) number.
///
/// Accepted forms:
/// - the classic one, `J40/1234/2020`: type letter (J company, F sole trader, C cooperative),
///   county code 1–52, order number, year of registration;
/// - the form ONRC has issued since 2024, `J2024012345408`: type letter, year, six-digit order
///   number and three-digit county code;
/// - either prefixed by the EUID country register code, `ROONRC.J40/1234/2020`.
public struct TradeRegisterNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String, field: String = "trade_register") throws(DomainError) {
        let compact = text.uppercased().filter { !$0.isWhitespace }
        var body = compact
        if body.hasPrefix("ROONRC.") { body.removeFirst("ROONRC.".count) }
        guard TradeRegisterNumber.isClassic(body) || TradeRegisterNumber.isModern(body) else {
            throw DomainError(
                "company.trade_register", field: field,
                "You cannot use '\(text)' as a trade-register number because it must look like J40/1234/2020 or J2024012345408.")
        }
        self.value = compact
    }

    static func isClassic(_ body: String) -> Bool {
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let head = parts[0].first, "JFC".contains(head) else { return false }
        let countyText = parts[0].dropFirst()
        guard (1...2).contains(countyText.count), countyText.allSatisfy(\.isNumber), let county = Int(countyText),
            (1...52).contains(county)
        else { return false }
        guard (1...6).contains(parts[1].count), parts[1].allSatisfy(\.isNumber) else { return false }
        guard parts[2].count == 4, let year = Int(parts[2]), (1990...2100).contains(year) else { return false }
        return true
    }

    static func isModern(_ body: String) -> Bool {
        guard body.count == 14, let head = body.first, "JFC".contains(head) else { return false }
        let digits = body.dropFirst()
        guard digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let year = Int(digits.prefix(4)),
            (1990...2100).contains(year)
        else { return false }
        return true
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
