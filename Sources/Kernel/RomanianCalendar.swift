import Foundation

/// Legal public holidays in Romania (Codul muncii, art. 139): 1–2 and 6–7 January, 24 January, Orthodox Good Friday,
/// Easter Sunday and Monday, 1 May, 1 June, Pentecost (Rusalii) Sunday and Monday, 15 August, 30 November, 1 December,
/// 25–26 December.
public enum RomanianHolidays {
    static let fixed: Set<Int> = [101, 102, 106, 107, 124, 501, 601, 815, 1130, 1201, 1225, 1226]

    /// Orthodox Easter Sunday: Meeus' Julian computus, moved to the Gregorian calendar by the Julian–Gregorian
    /// difference of that year (13 days in 1900–2099, 14 in 2100–2199). Total for every year: no date to refuse.
    public static func orthodoxEaster(_ year: Int) -> LocalDate {
        let a = year % 4
        let b = year % 7
        let c = year % 19
        let d = (19 * c + 15) % 30
        let e = (2 * a + 4 * b - d + 34) % 7
        let month = (d + e + 114) / 31
        let day = (d + e + 114) % 31 + 1
        let julianToGregorian = year / 100 - year / 400 - 2
        return LocalDate(dayNumber: LocalDate.dayNumber(year: year, month: month, day: day) + julianToGregorian)
    }

    public static func isHoliday(_ date: LocalDate) -> Bool {
        if fixed.contains(date.month * 100 + date.day) { return true }
        let easter = orthodoxEaster(date.year)
        return [-2, 0, 1, 49, 50].contains(easter.days(until: date))
    }
}

/// Working days in Romania: Monday to Friday, except the legal public holidays (`RomanianHolidays`). The e-Factura
/// deadline, the REGES-ONLINE deadline, leave and timesheets count with it.
public enum WorkingDays {
    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public static func weekday(_ date: LocalDate) -> Int { ((date.dayNumber % 7) + 7 + 3) % 7 }

    public static func isWorkingDay(_ date: LocalDate) -> Bool { weekday(date) < 5 && !RomanianHolidays.isHoliday(date) }

    /// The last working day strictly before `date` (the day before a contract event takes effect, skipping weekends
    /// and holidays). Total: a week never has more than four holidays in a row.
    public static func previous(before date: LocalDate) -> LocalDate {
        var day = date.adding(days: -1)
        while !isWorkingDay(day) { day = day.adding(days: -1) }
        return day
    }

    /// Working days from `start` through `end`, both included; 0 when `end` is before `start`.
    public static func count(from start: LocalDate, through end: LocalDate) -> Int {
        guard start <= end else { return 0 }
        var count = 0
        var day = start
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
