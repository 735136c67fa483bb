import Application
import Banking
import Foundation
import Identity
import Invoicing
import Kernel
import SQLKit
import Storage

/// What an import of a rates file did.
public struct FXImportReport: Sendable, Equatable {
    public var rates: Int
    public var new: Int
    public var days: Int
    public var first: LocalDate?
    public var last: LocalDate?
}

extension Culise {
    package static let bnrSource = "BNR"

    /// Imports a BNR `nbrfxrates.xml` file (daily or yearly archive); a rate already stored for the same day is
    /// replaced by the file's (BNR's corrections win). Whole file or nothing.
    public func importBNRRates(_ data: Data, actor: Actor) async throws -> FXImportReport {
        try actor.require(.accounting, .write, in: nil)
        // One rate per (currency, day); a file that repeats a day keeps its last value.
        var unique: [String: ExchangeRate] = [:]
        for rate in try BNRFeed.parse(data) { unique["\(rate.currency)|\(rate.published.iso)"] = rate }
        let rates = unique.values.sorted { ($0.published, $0.currency) < ($1.published, $1.currency) }
        return try await transaction { db in
            let existing = try await db.raw("SELECT COUNT(*) AS n FROM fx_rates WHERE source = \(bind: Self.bnrSource)").first()!
                .decode(column: "n", as: Int64.self)
            try await SQLBulk.insert(
                db, into: "fx_rates", columns: ["source", "currency", "published", "ron_per_unit", "imported_at"],
                values: rates.map {
                    [.text(Self.bnrSource), .text($0.currency), .text($0.published.iso), .text("\($0.ronPerUnit)"), .text(self.nowText)]
                },
                suffix: "ON CONFLICT (source, currency, published) DO UPDATE SET ron_per_unit = EXCLUDED.ron_per_unit")
            let after = try await db.raw("SELECT COUNT(*) AS n FROM fx_rates WHERE source = \(bind: Self.bnrSource)").first()!
                .decode(column: "n", as: Int64.self)
            let days = Set(rates.map(\.published))
            try await AuditLog.append(
                db, actor: actor, company: nil, action: "fx.import", entity: "fx_rates", entityID: Self.bnrSource,
                changes: [
                    FieldChange("rates", before: nil, after: String(rates.count)),
                    FieldChange("days", before: nil, after: String(days.count)),
                ],
                now: self.now)
            return FXImportReport(rates: rates.count, new: Int(after - existing), days: days.count, first: days.min(), last: days.max())
        }
    }

    /// The rate convention in force (a platform setting; default: the previous publication).
    public func rateConvention() async throws -> RateConvention {
        try await read { db in
            try await db.raw("SELECT value FROM settings WHERE key = 'fx_convention'").first()
                .flatMap { RateConvention(rawValue: try $0.decode(column: "value", as: String.self)) } ?? .previousPublication
        }
    }

    public func setRateConvention(_ convention: RateConvention, actor: Actor) async throws {
        try actor.require(.accounting, .write, in: nil)
        try await transaction { db in
            try await db.raw(
                """
                INSERT INTO settings (key, value) VALUES ('fx_convention', \(bind: convention.rawValue))
                ON CONFLICT (key) DO UPDATE SET value = \(bind: convention.rawValue)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: nil, action: "fx.convention", entity: "settings", entityID: "fx_convention",
                changes: [FieldChange("value", before: nil, after: convention.rawValue)], now: self.now)
        }
    }

    /// The BNR rate for a currency on a date under the convention in force, or a typed error: never a silent 1.
    public func exchangeRate(currency: String, on date: LocalDate) async throws -> ExchangeRate {
        try await read { db in try await Self.exchangeRate(db, currency: currency, on: date) }
    }

    /// A sales document in a foreign currency without a typed rate takes the BNR rate of its supply date
    /// (the issue date, or today, when no supply date is given).
    package static func withBNRRate(_ db: any SQLDatabase, _ input: DocumentInput, today: LocalDate) async throws -> DocumentInput {
        let currency = (input.currency ?? "RON").uppercased().trimmingCharacters(in: .whitespaces)
        guard currency != "RON", (input.exchangeRate ?? "").trimmingCharacters(in: .whitespaces).isEmpty,
            CurrencyCodes.known.contains(currency)
        else {
            return input
        }
        let dateText = input.supplyDate?.nilIfEmptyText ?? input.issueDate?.nilIfEmptyText
        let date = dateText.flatMap { try? LocalDate(iso: $0) } ?? today
        var copy = input
        copy.exchangeRate = "\(try await exchangeRate(db, currency: currency, on: date).ronPerUnit)"
        return copy
    }

    package static func exchangeRate(_ db: any SQLDatabase, currency: String, on date: LocalDate) async throws -> ExchangeRate {
        let convention =
            try await db.raw("SELECT value FROM settings WHERE key = 'fx_convention'").first()
            .flatMap { RateConvention(rawValue: try $0.decode(column: "value", as: String.self)) } ?? .previousPublication
        let from = date.adding(days: -RateConvention.maximumAgeDays).iso
        let rates = try await db.raw(
            """
            SELECT published, ron_per_unit FROM fx_rates
            WHERE source = \(bind: bnrSource) AND currency = \(bind: currency) AND published >= \(bind: from) AND published <= \(bind: date.iso)
            """
        ).all().map {
            ExchangeRate(
                currency: currency, published: try LocalDate(iso: $0.decode(column: "published", as: String.self)),
                ronPerUnit: Decimal(
                    string: try $0.decode(column: "ron_per_unit", as: String.self), locale: Locale(identifier: "en_US_POSIX")) ?? 0)
        }
        guard let rate = convention.pick(rates, for: date) else {
            throw DomainError(
                "fx.missing_rate", kind: .conflict, field: "exchange_rate",
                "You cannot use \(currency) on \(date) without a rate because no BNR rate for it is stored for that date; import BNR rates (culise fx import) or type the rate."
            )
        }
        return rate
    }
}
