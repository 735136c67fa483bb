import Foundation

/// A calendar date without a time zone (`2026-11-29`), as accounting documents use.
/// Stored as `YYYY-MM-DD` text, which sorts correctly on every engine.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A calendar date within `Limits.businessYears` (1900–2199); anything else is refused.
    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            throw DomainError(
                "date.invalid", "You cannot use \(year)-\(month)-\(day) because it is not a calendar date.")
        }
        guard Limits.businessYears.contains(year) else { throw LocalDate.outOfRange("\(year)-\(month)-\(day)", field: nil) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The refusal of a date outside `Limits.businessYears`.
    public static func outOfRange(_ text: String, field: String?) -> DomainError {
        DomainError(
            "date.out_of_range", field: field,
            "You cannot use \(text) because business dates must lie between \(Limits.businessYears.lowerBound)-01-01 and \(Limits.businessYears.upperBound)-12-31."
        )
    }

    /// The first day of a month; `month` must be 1…12 (computed, never from input).
    static func firstOf(year: Int, month: Int) -> LocalDate {
        LocalDate(dayNumber: LocalDate.dayNumber(year: year, month: month, day: 1))
    }

    /// Parses `YYYY-MM-DD` strictly; a person (`InputSource.person`) may also write the Romanian `DD.MM.YYYY`.
    public init(iso text: String, field: String = "date") throws(DomainError) {
        var utf8 = Array(text.utf8)
        if InputSource.current == .person, utf8.count == 10, utf8[2] == 46, utf8[5] == 46 {
            utf8 = Array(utf8[6..<10]) + [45] + Array(utf8[3..<5]) + [45] + Array(utf8[0..<2])
        }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = utf8[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count == 10, utf8[4] == 45, utf8[7] == 45, let year = digits(0..<4), let month = digits(5..<7),
            let day = digits(8..<10)
        else {
            throw DomainError(
                "date.format", field: field,
                InputSource.current == .person
                    ? "You cannot use '\(text)' as a date because it must be written DD.MM.YYYY or YYYY-MM-DD."
                    : "You cannot use '\(text)' as a date because it must be written YYYY-MM-DD.")
        }
        guard (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else {
            throw DomainError("date.invalid", field: field, "You cannot use '\(text)' because it is not a calendar date.")
        }
        guard Limits.businessYears.contains(year) else { throw LocalDate.outOfRange(text, field: field) }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date in Romania's time zone at `now`, which callers take from the app's clock (`Culise.today`), never the wall clock.
    public static func today(
        in timeZone: TimeZone = TimeZone(identifier: "Europe/Bucharest") ?? .gmt, now: Date
    )
        -> LocalDate
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        // Components of a real Date are a calendar date; computed by day number so nothing can trap.
        return LocalDate(
            dayNumber: LocalDate.dayNumber(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1))
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date as a reader of `locale` reads it: `07.08.2026` (ro), `2026-08-07` (en).
    public func formatted(_ locale: NumberLocale) -> String { locale == .ro ? romanian : iso }

    /// `07.08.2026`: the Romanian way people read a date.
    public var romanian: String {
        let iso = Array(self.iso.utf8)
        return String(decoding: Array(iso[8..<10]) + [46] + Array(iso[5..<7]) + [46] + Array(iso[0..<4]), as: UTF8.self)
    }

    public var iso: String {
        // Hand-formatted: String(format:) is slow in hot paths (imports format millions of dates).
        var bytes: [UInt8] = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0]
        var value = year
        for index in stride(from: 3, through: 0, by: -1) {
            bytes[index] = UInt8(48 + value % 10)
            value /= 10
        }
        bytes[5] = UInt8(48 + month / 10)
        bytes[6] = UInt8(48 + month % 10)
        bytes[8] = UInt8(48 + day / 10)
        bytes[9] = UInt8(48 + day % 10)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { iso }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for date arithmetic.
    public var dayNumber: Int { LocalDate.dayNumber(year: year, month: month, day: day) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (total for any integers: out-of-range days roll over).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// The same day `months` later (or earlier), held to the last day of a shorter month: 31 August + 6 months is
    /// 28 (or 29) February. Callers bound `months`.
    public func addingMonths(_ months: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + months
        let (y, m) = (index / 12, index % 12 + 1)
        return LocalDate(dayNumber: LocalDate.dayNumber(year: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y))))
    }

    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(iso: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

/// A calendar month, the unit of accounting periods.
public struct YearMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws(DomainError) {
        guard Limits.businessYears.contains(year), (1...12).contains(month) else {
            throw DomainError("date.month_invalid", "You cannot use \(year)-\(month) because it is not a calendar month.")
        }
        self.year = year
        self.month = month
    }

    public init(_ date: LocalDate) {
        self.year = date.year
        self.month = date.month
    }

    /// Parses `YYYY-MM`.
    public init(text: String, field: String = "month") throws(DomainError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            Limits.businessYears.contains(year), (1...12).contains(month)
        else {
            throw DomainError("date.month_format", field: field, "You cannot use '\(text)' as a month because it must be written YYYY-MM.")
        }
        self.year = year
        self.month = month
    }

    public var firstDay: LocalDate { LocalDate.firstOf(year: year, month: month) }
    public var lastDay: LocalDate {
        LocalDate(dayNumber: LocalDate.dayNumber(year: year, month: month, day: LocalDate.daysIn(month: month, year: year)))
    }
    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

/// A UTC timestamp as stored: ISO 8601 with milliseconds, identical text on every engine.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    public static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text)
    }
}
