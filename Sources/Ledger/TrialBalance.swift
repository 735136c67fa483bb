import Foundation
import Kernel

/// Debit and credit totals of one account over some span.
public struct Turnover: Hashable, Sendable, Codable {
    public var debit: Int64
    public var credit: Int64
    public init(debit: Int64 = 0, credit: Int64 = 0) {
        self.debit = debit
        self.credit = credit
    }
    public var net: Int64 { debit - credit }
    public static func + (lhs: Turnover, rhs: Turnover) -> Turnover {
        Turnover(debit: lhs.debit + rhs.debit, credit: lhs.credit + rhs.credit)
    }
    /// A net amount shown on its side: positive on debit, negative on credit.
    public static func side(_ net: Int64) -> Turnover { net >= 0 ? Turnover(debit: net, credit: 0) : Turnover(debit: 0, credit: -net) }
}

/// One row of the trial balance (balanța de verificare).
public struct TrialBalanceRow: Hashable, Sendable, Codable {
    public let code: String
    public let name: String
    /// `account`, `class` (subtotal) or `total`.
    public let kind: String
    public let opening: Turnover
    public let period: Turnover
    public let total: Turnover
    public let closing: Turnover
}

/// The trial balance with its equalities checked.
public struct TrialBalance: Sendable, Codable {
    public let from: LocalDate?
    public let to: LocalDate?
    public let rows: [TrialBalanceRow]
    /// The Romanian equalities: opening, period, cumulative and closing debits equal their credits.
    public let equalitiesHold: Bool
    /// The hash of the last posted entry up to `to`, so an exported report can be matched with the database.
    public var chainHead: String?
    public var chainSeq: Int64?

    /// Builds the rows from each account's turnover before the span (`opening`) and within it (`period`).
    public static func build(
        accounts: [String: Account], opening: [String: Turnover], period: [String: Turnover], from: LocalDate?, to: LocalDate?
    ) -> TrialBalance {
        let codes = Set(opening.keys).union(period.keys).sorted()
        var rows: [TrialBalanceRow] = []
        var classTotal: (String, Turnover, Turnover, Turnover, Turnover)?
        var grand = (Turnover(), Turnover(), Turnover(), Turnover())
        func flushClass() {
            guard let (digit, o, p, t, c) = classTotal else { return }
            rows.append(
                TrialBalanceRow(
                    code: digit, name: "Total clasa \(digit)", kind: "class", opening: o, period: p, total: t, closing: c))
            classTotal = nil
        }
        for code in codes {
            let openingTurnover = opening[code] ?? Turnover()
            let periodTurnover = period[code] ?? Turnover()
            if openingTurnover == Turnover() && periodTurnover == Turnover() { continue }
            let openingSide = Turnover.side(openingTurnover.net)
            let total = openingSide + periodTurnover
            let closing = Turnover.side(total.net)
            let digit = String(code.prefix(1))
            if classTotal?.0 != digit {
                flushClass()
                classTotal = (digit, Turnover(), Turnover(), Turnover(), Turnover())
            }
            if var running = classTotal {
                running.1 = running.1 + openingSide
                running.2 = running.2 + periodTurnover
                running.3 = running.3 + total
                running.4 = running.4 + closing
                classTotal = running
            }
            grand = (grand.0 + openingSide, grand.1 + periodTurnover, grand.2 + total, grand.3 + closing)
            rows.append(
                TrialBalanceRow(
                    code: code, name: accounts[code]?.name ?? code, kind: "account", opening: openingSide, period: periodTurnover,
                    total: total, closing: closing))
        }
        flushClass()
        rows.append(
            TrialBalanceRow(code: "", name: "Total", kind: "total", opening: grand.0, period: grand.1, total: grand.2, closing: grand.3))
        let holds =
            grand.0.debit == grand.0.credit && grand.1.debit == grand.1.credit && grand.2.debit == grand.2.credit
            && grand.3.debit == grand.3.credit
        return TrialBalance(from: from, to: to, rows: rows, equalitiesHold: holds, chainHead: nil, chainSeq: nil)
    }

    public static let csvHeader =
        "account_code,account_name,opening_debit,opening_credit,period_debit,period_credit,total_debit,total_credit,closing_debit,closing_credit"

    /// The CSV the issue specifies: account rows only, amounts with a dot and two decimals.
    public func csv() -> String {
        var lines = [TrialBalance.csvHeader]
        for row in rows where row.kind == "account" {
            let amounts = [
                row.opening.debit, row.opening.credit, row.period.debit, row.period.credit, row.total.debit, row.total.credit,
                row.closing.debit, row.closing.credit,
            ].map { Money(minorUnits: $0, currency: .ron).decimalString }
            lines.append(([CSV.cell(row.code), CSV.cell(row.name)] + amounts).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

public enum CSV {
    /// A text cell of a CSV meant for people (reports opened in a spreadsheet): a value starting with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return is prefixed with `'` so no spreadsheet runs it as a formula (OWASP "CSV
    /// injection"), then quoted. Amount columns are written by the formatter and never pass through here; the
    /// journal CSV (`ledger export`, `ledger import`) is a machine format and stays exact (docs/ledger.md).
    public static func cell(_ field: String, separator: Character = ",") -> String {
        guard let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else {
            return quote(field, separator: separator)
        }
        return quote("'" + field, separator: separator)
    }

    /// Quotes a field when it holds the separator (a comma, or `;` in Romanian CSV for people), a quote or a newline.
    public static func quote(_ field: String, separator: Character = ",") -> String {
        guard field.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits one CSV record (RFC 4180 quoting); nil when a quote is left open. Works on UTF-8 bytes.
    public static func fields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        fields.reserveCapacity(9)
        var current: [UInt8] = []
        var quoted = false
        var afterQuote = false
        let bytes = Array(line.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == 34 {
                    if index + 1 < bytes.count && bytes[index + 1] == 34 {
                        current.append(34)
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == 44 {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                afterQuote = false
            } else if byte == 34 && current.isEmpty && !afterQuote {
                quoted = true
            } else if byte != 13 {
                current.append(byte)
            }
            index += 1
        }
        if quoted { return nil }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
