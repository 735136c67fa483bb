import Crypto
import Foundation
import Kernel

/// The tamper-evident chain of posted entries (docs/ledger.md): each posted entry carries a gapless
/// sequence number and SHA-256 over the previous entry's hash and the canonical serialisation.
public enum EntryChain {
    public static let genesis = String(repeating: "0", count: 64)
    static let unit = "\u{1F}"
    static let record = "\u{1E}"

    /// Fields joined by U+001F; the header first, then one record per line, records joined by U+001E.
    public static func canonical(
        seq: Int64, entry: EntryID, journal: String, number: String, date: LocalDate, description: String, externalRef: String?,
        reverses: EntryID?, lines: [EntryLine]
    ) -> String {
        var parts = [
            [
                String(seq), entry.description, journal, number, date.iso, description, externalRef ?? "", reverses?.description ?? "",
            ].joined(separator: unit)
        ]
        for (index, line) in lines.enumerated() {
            parts.append(
                [
                    String(index + 1), line.account, String(line.debit), String(line.credit), line.partner ?? "", line.description ?? "",
                    line.currency ?? "", line.amountCurrency.map(String.init) ?? "", line.rate.map { "\($0)" } ?? "",
                    line.source?.type ?? "", line.source?.id ?? "",
                ].joined(separator: unit))
        }
        return parts.joined(separator: record)
    }

    public static func hash(previous: String, canonical: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previous.utf8))
        hasher.update(data: Data(canonical.utf8))
        return Hex.encode(hasher.finalize())
    }
}
