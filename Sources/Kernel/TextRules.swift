import Foundation

/// Rules every text a user sends must follow (issue 10): no NUL or other control character, except the line breaks
/// (LF, CR) that multi-line fields such as notes and descriptions allow. A NUL truncated names inside e-invoices.
public enum TextRules {
    /// Whether `scalar` is refused in any text field: C0 controls but LF and CR, DEL and the C1 controls.
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    /// The refusal for `text` in `field`, or nil when it is clean.
    public static func problem(_ text: String, field: String) -> DomainError? {
        guard let bad = text.unicodeScalars.first(where: isRefused) else { return nil }
        return DomainError(
            "text.control_character", field: field,
            "You cannot save field '\(field)' because it contains the control character U+\(String(format: "%04X", bad.value)); only letters, digits, punctuation and line breaks are allowed."
        )
    }

    /// Every refused text inside a decoded JSON value, with the field path (`lines[2].description`).
    public static func problems(inJSON value: Any, path: String = "") -> [DomainError] {
        switch value {
        case let text as String:
            return problem(text, field: path.isEmpty ? "body" : path).map { [$0] } ?? []
        case let object as [String: Any]:
            return object.keys.sorted().flatMap { key -> [DomainError] in
                var problems = problem(key, field: path.isEmpty ? key : "\(path).\(key)").map { [$0] } ?? []
                problems += self.problems(inJSON: object[key] ?? NSNull(), path: path.isEmpty ? key : "\(path).\(key)")
                return problems
            }
        case let array as [Any]:
            return array.enumerated().flatMap { problems(inJSON: $1, path: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    /// Whether a JSON text may hold a refused character: an escape `\u00XX` below 0x20 (but `\n`, `\r`), `\u007f`–`\u009f`,
    /// `\b` or `\f`, or a raw C1 control. Escapes are read in pairs, so `\\u0000` (an escaped backslash) is not one.
    public static func jsonMayHoldControl(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var window: [UInt8] = []
        while let byte = iterator.next() {
            if byte == 0xC2, let next = iterator.next() {
                if (0x80...0x9F).contains(next) { return true }
                continue
            }
            guard byte == 0x5C, let escaped = iterator.next() else { continue }
            switch escaped {
            case UInt8(ascii: "b"), UInt8(ascii: "f"): return true
            case UInt8(ascii: "u"):
                window.removeAll(keepingCapacity: true)
                for _ in 0..<4 { if let digit = iterator.next() { window.append(digit) } }
                let hex = String(decoding: window, as: UTF8.self)
                if let value = UInt32(hex, radix: 16), value != 0x0A, value != 0x0D, value < 0x20 || (0x7F...0x9F).contains(value) {
                    return true
                }
            default: continue
            }
        }
        return false
    }
}
