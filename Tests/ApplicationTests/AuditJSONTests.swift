import Application
import Foundation
import TestSupport
import Testing

/// The audit diff is written directly when it can only be written one way, and by `JSONEncoder` otherwise; the two
/// must agree byte for byte, because the text is hashed into the chain.
@Suite struct AuditJSONTests {
    @Test func theDirectWriterAgreesWithTheEncoder() {
        var random = SeededRandom(state: 1_207)
        let keys = ["state", "amount", "allocated", "target", "explanation", "score", "due_date", "Total", "line2", "a", "ab", "b"]
        let pieces = [
            "", "x", "1.234,56 RON", "EXD-1042=12.00", "Plată", "ș ț ă î â", "\"quoted\"", "back\\slash", "a/b", "tab\there",
            "new\nline", "\u{1}", "\u{7F}", "\u{2028}", "😀", "{\"json\":1}", "<b>&amp;</b>",
        ]
        var direct = 0
        for _ in 0..<2_000 {
            var changes: [FieldChange] = []
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                func value() -> String? {
                    Int.random(in: 0...5, using: &random) == 0
                        ? nil
                        : (0..<Int.random(in: 1...3, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
                }
                changes.append(
                    FieldChange(
                        keys.randomElement(using: &random) ?? "state", before: value(), after: value(),
                        personal: Int.random(in: 0...7, using: &random) == 0))
            }
            var object: [String: [String: String?]] = [:]
            for change in changes {
                object[change.field] = [
                    "from": change.personal && change.before != nil ? "***" : change.before,
                    "to": change.personal && change.after != nil ? "***" : change.after,
                ]
            }
            if AuditLog.plainJSON(object) != nil { direct += 1 }
            #expect(AuditLog.diffJSON(changes) == AuditLog.encoderJSON(object), "\(changes)")
        }
        // Most diffs take the direct way (the encoder only for the odd names and characters).
        #expect(direct > 300, "\(direct)")
    }
}
