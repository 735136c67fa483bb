/// Numbers as people and machines write them: `1.234,56` and `1234,56` (Romanian), `1,234.56` and `1234.56`
/// (English and machine), `1 234,56`. One reader for amounts, prices, quantities and rates.
///
/// The one case no rule can settle is a single separator followed by exactly three digits (`1.234`, `1,234`): a
/// Romanian reader means one thousand two hundred thirty-four, a machine means one point two three four. Machine
/// input (the API, files, the CLI) reads it as a decimal, as it always has; a person's form input
/// (`InputSource.current == .person`, set by the web layer for pages) is refused with a clear message, never guessed.
/// Whose text is being read: a program's (API, files, CLI; the default) or a person's typing on a page. A person's
/// `1.234` is ambiguous and refused; a person may write dates `07.08.2026` as well as `2026-08-07`.
public enum InputSource: Sendable {
    case machine
    case person

    /// The source of the current task; the web layer sets `.person` around page requests.
    @TaskLocal public static var current: InputSource = .machine
}

public enum NumberText {
    public enum Problem: Error, Equatable, Sendable {
        /// Not a number: letters, misplaced or repeated separators, groups that are not three digits.
        case malformed
        /// `1.234` typed by a person: a thousand or a fraction.
        case ambiguous
        /// More decimals than the field allows.
        case tooManyDecimals
        /// A minus sign where the value cannot be negative.
        case negative
    }

    /// The machine form (`-1234.56`, no grouping, a dot) of a typed number, or why it cannot be read.
    public static func normalize(
        _ raw: String, scale: Int, allowNegative: Bool = true, source: InputSource? = nil
    )
        -> Result<String, Problem>
    {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        } else if text.first == "+" {
            text = text.dropFirst()
        }
        // Spaces (also no-break and narrow no-break) group thousands freely.
        let bytes = Array(text.unicodeScalars.filter { $0 != " " && $0 != "\u{00A0}" && $0 != "\u{202F}" })
        guard let first = bytes.first, let last = bytes.last, isDigit(first), isDigit(last) else { return .failure(.malformed) }
        var dots = 0
        var commas = 0
        var lastSeparator: Unicode.Scalar?
        for scalar in bytes {
            switch scalar {
            case ".": dots += 1; lastSeparator = scalar
            case ",": commas += 1; lastSeparator = scalar
            case _ where isDigit(scalar): break
            default: return .failure(.malformed)
            }
        }
        var decimal: Unicode.Scalar?
        var group: Unicode.Scalar?
        if dots > 0 && commas > 0 {
            // Both: the last one is the decimal separator and appears once; the other groups thousands before it.
            guard let separator = lastSeparator, (separator == "." ? dots : commas) == 1 else { return .failure(.malformed) }
            decimal = separator
            group = separator == "." ? "," : "."
        } else if dots + commas > 1 {
            group = dots > 0 ? "." : ","
        } else if dots + commas == 1 {
            let separator: Unicode.Scalar = dots == 1 ? "." : ","
            let parts = split(bytes, on: separator)
            let looksGrouped = parts[1].count == 3 && (1...3).contains(parts[0].count) && parts[0].first != "0"
            if looksGrouped && (source ?? InputSource.current) == .person { return .failure(.ambiguous) }
            decimal = separator
        }
        var whole = bytes
        var fraction: [Unicode.Scalar] = []
        if let decimal {
            let parts = split(bytes, on: decimal)
            guard parts.count == 2 else { return .failure(.malformed) }
            whole = parts[0]
            fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy(isDigit) else { return .failure(.malformed) }
        }
        if let group {
            let groups = split(whole, on: group)
            guard let head = groups.first, (1...3).contains(head.count), head.allSatisfy(isDigit), groups.count == 1 || head.first != "0",
                groups.dropFirst().allSatisfy({ $0.count == 3 && $0.allSatisfy(isDigit) })
            else { return .failure(.malformed) }
            whole = groups.flatMap { $0 }
        }
        guard !whole.isEmpty, whole.allSatisfy(isDigit) else { return .failure(.malformed) }
        guard fraction.count <= scale else { return .failure(.tooManyDecimals) }
        let digits = String(String.UnicodeScalarView(whole))
        let isZero = whole.allSatisfy { $0 == "0" } && fraction.allSatisfy { $0 == "0" }
        if negative && !allowNegative && !isZero { return .failure(.negative) }
        var result = (negative && !isZero ? "-" : "") + digits
        if !fraction.isEmpty { result += "." + String(String.UnicodeScalarView(fraction)) }
        return .success(result)
    }

    /// The refusal of a person's `1.234`, naming the field: which of the two readings to write instead.
    public static func ambiguity(_ raw: String, field: String) -> DomainError {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter { $0 >= "0" && $0 <= "9" }
        return DomainError(
            "number.ambiguous", field: field,
            "You cannot use '\(trimmed)' because it could mean \(digits) or a fraction; write \(digits) for the whole number, or \(trimmed)0 with a fourth decimal for the fraction."
        )
    }

    /// The refusal of `raw` in `field` when a person's reading finds it ambiguous; nil otherwise.
    public static func ambiguityIfAny(_ raw: String?, scale: Int, field: String) -> DomainError? {
        guard let raw, case .failure(.ambiguous) = normalize(raw, scale: scale) else { return nil }
        return ambiguity(raw, field: field)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    private static func split(_ scalars: [Unicode.Scalar], on separator: Unicode.Scalar) -> [[Unicode.Scalar]] {
        scalars.split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
    }
}
