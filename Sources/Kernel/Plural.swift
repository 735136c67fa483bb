/// Counted nouns as people write them. Romanian has three forms: `1 linie`, `2 linii` (also 0 and any number whose
/// last two digits are 1–19, e.g. `101 linii`), `20 de linii` (the rest, from 20 on). English has two.
public enum Plural {
    public static func romanian(_ count: Int, one: String, few: String, many: String) -> String {
        let magnitude = count.magnitude
        let lastTwo = magnitude % 100
        let form = magnitude == 1 ? one : (magnitude == 0 || (1...19).contains(lastTwo) ? few : many)
        return "\(count) \(form)"
    }

    public static func english(_ count: Int, one: String, other: String) -> String {
        "\(count) \(count.magnitude == 1 ? one : other)"
    }
}
