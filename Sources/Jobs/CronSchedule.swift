import Foundation
import Kernel

/// A cron-like schedule, `minute hour day-of-month month day-of-week`, read in a time zone (Europe/Bucharest for
/// companies). Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and lists `a,b`. Day of week is 0–7
/// (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day matching either one fires.
///
/// Around daylight-saving changes: a wall time that does not exist (the spring gap, 03:00–03:59 in Bucharest on the
/// last Sunday of March) fires at the same offset after the gap (03:30 → 04:30); a wall time that happens twice (the
/// autumn repeat, 03:00–03:59 on the last Sunday of October) fires once, at its first occurrence.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { expression }

    public init(_ expression: String) throws(DomainError) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5, expression.count <= 200 else {
            throw DomainError(
                "job.cron", field: "cron",
                "You cannot use '\(expression.prefix(60))' as a schedule because it needs five fields: minute hour day month weekday.")
        }
        self.expression = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], 0...59, name: "minute")
        hours = try Self.field(fields[1], 0...23, name: "hour")
        daysOfMonth = try Self.field(fields[2], 1...31, name: "day of month")
        months = try Self.field(fields[3], 1...12, name: "month")
        var weekdays = try Self.field(fields[4], 0...7, name: "day of week")
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    static func field(_ text: String, _ range: ClosedRange<Int>, name: String) throws(DomainError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw invalid(text, name, range) }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed >= 1, parsed <= range.upperBound + 1 else { throw invalid(text, name, range) }
                step = parsed
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last ?? ""), low <= high,
                    range.contains(low), range.contains(high)
                else { throw invalid(text, name, range) }
                span = low...(pieces.count == 2 && bounds.count == 1 ? range.upperBound : high)
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return values
    }

    static func invalid(_ text: String, _ name: String, _ range: ClosedRange<Int>) -> DomainError {
        DomainError(
            "job.cron", field: "cron",
            "You cannot use '\(text.prefix(40))' as the \(name) of a schedule; use *, a number from \(range.lowerBound) to \(range.upperBound), a range a-b, a step */n or a list."
        )
    }

    /// The first instant strictly after `instant` at which the schedule fires, in `timeZone`; nil when it never fires
    /// within the next eight years (such as `0 0 31 2 *`).
    public func next(after instant: Date, in timeZone: TimeZone) -> Date? {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        let localStart = seconds + Int64(timeZone.secondsFromGMT(for: instant))
        var day = LocalDate(dayNumber: Int(Self.floorDivide(localStart, 86_400)))
        for _ in 0..<(8 * 366) {
            if matches(day) {
                for hour in hours.sorted() {
                    for minute in minutes.sorted() {
                        let wall = Int64(day.dayNumber) * 86_400 + Int64(hour * 3_600 + minute * 60)
                        let fire = Self.instant(wall: wall, in: timeZone)
                        if fire > seconds { return Date(timeIntervalSince1970: TimeInterval(fire)) }
                    }
                }
            }
            day = day.adding(days: 1)
        }
        return nil
    }

    func matches(_ day: LocalDate) -> Bool {
        guard months.contains(day.month) else { return false }
        let weekday = (day.dayNumber % 7 + 7 + 4) % 7  // 1970-01-01 was a Thursday (4); 0 = Sunday
        let byMonth = daysOfMonth.contains(day.day)
        let byWeek = daysOfWeek.contains(weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return byMonth || byWeek
        case (true, false): return byMonth
        case (false, true): return byWeek
        case (false, false): return true
        }
    }

    /// The instant (Unix seconds) of a wall-clock time (seconds since 1970-01-01 00:00 local): the earliest instant
    /// showing that wall time, or for a time inside a spring gap, the wall time read with the offset before the gap.
    static func instant(wall: Int64, in timeZone: TimeZone) -> Int64 {
        let before = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall - 86_400))))
        let after = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall + 86_400))))
        let candidates = Set([wall - before, wall - after]).sorted().filter {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0)))) == wall - $0
        }
        return candidates.first ?? wall - before
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
