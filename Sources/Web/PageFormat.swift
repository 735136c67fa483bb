import Companies
import Foundation
import Kernel

/// How pages write numbers and dates for their reader (the API keeps the machine forms): Romanian `1.234,56` and
/// `07.08.2026`, English `1,234.56` and `2026-08-07`. `IdentityMiddleware` sets the locale for each page request.
enum PageFormat {
    @TaskLocal static var locale: NumberLocale = .ro

    /// An amount in minor units, grouped: `1.234,56` (ro), `1,234.56` (en).
    static func amount(_ minorUnits: Int64, digits: Int = 2) -> String {
        MoneyFormat.amount(minorUnits, digits: digits, locale: locale)
    }

    /// A document's or a bank line's amount without the code: `1.234,56` (ro), `1,234.56` (en). Documents keep hundredths
    /// in every currency (EN 16931 amounts have two decimals, BR-DEC-09 and the like), so two digits.
    static func amount(_ money: Money) -> String { amount(money.minorUnits) }

    /// The same with its currency code: `1.234,56 RON` (ro), `1,234.56 EUR` (en).
    static func money(_ money: Money) -> String { amount(money) + " " + money.currency.code }

    /// A quantity or rate: `1.234,5` (ro), `1,234.5` (en).
    static func decimal(_ value: Decimal) -> String { MoneyFormat.decimal(value, locale: locale) }

    /// A unit price, at least two decimals: `1.234,56`, `12,3456`.
    static func price(_ value: Decimal) -> String { MoneyFormat.decimal(value, minimumFractionDigits: 2, locale: locale) }

    /// A date as the reader reads it: `07.08.2026` (ro), `2026-08-07` (en).
    static func date(_ date: LocalDate) -> String { date.formatted(locale) }

    /// The value of a date input: a Romanian page types dates in a text input as `07.08.2026`; an English page keeps
    /// the browser's date input, whose value is ISO. The server reads both (`LocalDate(iso:)` for a person).
    static func inputDate(_ date: LocalDate) -> String { self.date(date) }

    /// A date input's value given as text (echoed form input or an ISO default), shown the reader's way.
    static func inputDate(text: String) -> String {
        guard locale == .ro, let parsed = try? LocalDate(iso: text) else { return text }
        return parsed.romanian
    }

    /// `type`, `inputmode`, `placeholder` and `pattern` of a date input for this reader.
    static var dateInput: [String: String] {
        locale == .ro
            ? [
                "date_type": "text", "date_inputmode": "numeric", "date_placeholder": "zz.ll.aaaa",
                "date_pattern": "[0-9]{2}\\.[0-9]{2}\\.[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}",
            ]
            : ["date_type": "date", "date_inputmode": "", "date_placeholder": "", "date_pattern": ""]
    }

    /// Business days left before a deadline, or how late it is in words with the language's plural
    /// ("întârziere 3 zile lucrătoare", "întârziere 20 de zile lucrătoare", "3 business days late").
    static func businessDaysLeft(_ days: Int, _ t: [String: String]) -> String {
        guard days < 0 else { return String(days) }
        let late = days == Int.min ? Int.max : -days
        let words =
            locale == .en
            ? Plural.english(late, one: t["ef_business_day_one"] ?? "", other: t["ef_business_day_few"] ?? "")
            : Plural.romanian(
                late, one: t["ef_business_day_one"] ?? "", few: t["ef_business_day_few"] ?? "", many: t["ef_business_day_many"] ?? "")
        return (t["ef_days_late"] ?? "{days}").replacingOccurrences(of: "{days}", with: words)
    }

    /// A stored timestamp (ISO 8601, UTC) as the reader reads it, in Romania's time: `06.12.2026 23:30` (ro),
    /// `2026-12-06 23:30` (en). Text that is not a timestamp is shown as it is.
    static func timestamp(_ text: String) -> String {
        guard let instant = Timestamp.parse(text) else { return text }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Bucharest") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
            let date = try? LocalDate(year: year, month: month, day: day)
        else { return text }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(self.date(date)) \(two(hour)):\(two(minute))"
    }

    /// Romanian counties for a select, by name (the ISO 3166-2:RO code is the value the form sends); "—" for none
    /// (a foreign address). A code the list does not know (typed through the API) stays selectable as itself.
    static func countyChoices(selected: String?) -> [(value: String, label: String)] {
        var choices = [(value: "", label: "—")] + County.names.sorted { $0.value < $1.value }.map { (value: $0.key, label: $0.value) }
        if let selected, !selected.isEmpty, County.names[selected.uppercased()] == nil { choices.append((selected, selected)) }
        return choices
    }
}
