import Foundation
import Kernel

/// One published reference rate: RON per 1 unit of `currency` (the BNR multiplier already applied).
public struct ExchangeRate: Hashable, Sendable, Codable {
    public let currency: String
    /// The `Cube date` BNR published it for.
    public let published: LocalDate
    public let ronPerUnit: Decimal

    public init(currency: String, published: LocalDate, ronPerUnit: Decimal) {
        self.currency = currency
        self.published = published
        self.ronPerUnit = ronPerUnit
    }
}

/// Which published rate applies to a date. BNR publishes around 13:00 on banking days; Romanian practice (and the
/// Fiscal Code's "last rate communicated before the chargeable event") uses the rate published on the previous
/// banking day: `previousPublication`. `samePublicationDay` uses the rate published on the date itself.
public enum RateConvention: String, Sendable, Codable, CaseIterable {
    case previousPublication = "previous"
    case samePublicationDay = "same-day"

    /// A published rate older than this many days is not used (long holidays are shorter); a missing rate is an error.
    public static let maximumAgeDays = 10

    /// The rate for `date` among a currency's rates, newest first; nil when none qualifies.
    public func pick(_ rates: [ExchangeRate], for date: LocalDate) -> ExchangeRate? {
        let candidates = rates.filter { self == .previousPublication ? $0.published < date : $0.published <= date }
        guard let best = candidates.max(by: { $0.published < $1.published }) else { return nil }
        return best.published.days(until: date) <= Self.maximumAgeDays ? best : nil
    }
}

/// Reads the BNR `nbrfxrates.xml` format (daily file or yearly archive): `DataSet > Header > Body > Cube[date] > Rate[currency, multiplier]`.
public enum BNRFeed {
    public static let namespace = "http://www.bnr.ro/xsd"

    /// Every rate in the file with the multiplier applied, or every problem with its position.
    public static func parse(_ data: Data) throws(ValidationErrors) -> [ExchangeRate] {
        guard data.count <= Limits.uploadBytes else {
            throw ValidationErrors([
                DomainError(
                    "fx.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a rates file of \(data.count) bytes; the limit is \(Limits.uploadBytes).")
            ])
        }
        let root: XMLElementNode
        do { root = try XMLTree.parse(data) } catch { throw ValidationErrors([error]) }
        var problems = ProblemCollector()
        guard root.name == "DataSet", let body = root.children.first(where: { $0.name == "Body" }) else {
            throw ValidationErrors([
                DomainError(
                    "fx.format", field: "file", "You cannot import this file because it is not a BNR DataSet with a Body (nbrfxrates.xml).")
            ])
        }
        var rates: [ExchangeRate] = []
        for cube in body.children where cube.name == "Cube" {
            guard let text = cube.attributes["date"], let date = try? LocalDate(iso: text) else {
                problems.add(
                    DomainError(
                        "fx.cube_date", field: "line \(cube.line)",
                        "You cannot import a Cube without a YYYY-MM-DD date (line \(cube.line))."))
                continue
            }
            for rate in cube.children where rate.name == "Rate" {
                let currency = rate.attributes["currency"] ?? ""
                let multiplier = Decimal(string: rate.attributes["multiplier"] ?? "1", locale: Locale(identifier: "en_US_POSIX")) ?? 0
                let value = Decimal(
                    string: rate.text.trimmingCharacters(in: .whitespacesAndNewlines), locale: Locale(identifier: "en_US_POSIX"))
                guard currency.count == 3, currency.allSatisfy({ $0.isUppercase }), let value, value > 0, multiplier > 0 else {
                    problems.add(
                        DomainError(
                            "fx.rate", field: "line \(rate.line)",
                            "You cannot import rate '\(rate.text)' for '\(currency)' on \(text) because it must be a positive number for an ISO currency (line \(rate.line))."
                        ))
                    continue
                }
                rates.append(ExchangeRate(currency: currency, published: date, ronPerUnit: value / multiplier))
            }
        }
        if rates.isEmpty && problems.isEmpty {
            problems.add(DomainError("fx.empty", field: "file", "You cannot import this file because it holds no rates."))
        }
        try problems.throwIfAny()
        return rates
    }
}
