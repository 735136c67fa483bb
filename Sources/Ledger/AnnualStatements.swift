import Foundation
import Kernel

/// The annual financial statements of a small entity (issue 16 item 6): the abridged balance sheet (F10, *bilanț
/// prescurtat*, cod 10) and the profit and loss account (F20, cod 20), rows and their accounts as data
/// (`Resources/annual_statements.json`, its `source` says what it follows and what was not verified).
public enum AnnualStatements {
    public struct Layouts: Sendable, Decodable {
        public let source: String
        public let f10: [StatementRowSpec]
        public let f20: [StatementRowSpec]
    }

    public static let layouts: Layouts = {
        guard let url = Bundle.module.url(forResource: "annual_statements", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let layouts = try? JSONDecoder().decode(Layouts.self, from: data)
        else { fatalError("Ledger resource annual_statements.json is missing or invalid") }  // trap-safe: a resource shipped in the binary
        return layouts
    }()

    /// A row with its two columns: F10's balances at the year's start and end, F20's prior and current year.
    public struct Row: Sendable, Equatable, Codable {
        public let code: String
        public let label: String
        public let labelEN: String?
        public let isTotal: Bool
        public let previous: Int64
        public let current: Int64

        public func label(language: String) -> String { language == "en" ? labelEN ?? label : label }
    }

    /// F10 from the net balances (debit − credit) at the start and at the end of the year.
    public static func f10(start: [String: Int64], end: [String: Int64]) -> [Row] {
        rows(layouts.f10, previous: start, current: end)
    }

    /// F20 from the net turnover (debit − credit) of the prior and of the current year, closing entries left out.
    public static func f20(prior: [String: Int64], current: [String: Int64]) -> [Row] {
        rows(layouts.f20, previous: prior, current: current)
    }

    static func rows(_ layout: [StatementRowSpec], previous: [String: Int64], current: [String: Int64]) -> [Row] {
        zip(Statement.compute(layout, net: previous), Statement.compute(layout, net: current)).map { before, now in
            Row(code: now.code, label: now.label, labelEN: now.labelEN, isTotal: now.isTotal, previous: before.amount, current: now.amount)
        }
    }

    /// The accounts with a balance that no row of `layout` takes (on the side of their balance): what the mapping misses.
    /// Off-balance (class 8) and management (class 9) accounts are not part of either statement.
    public static func unmapped(_ net: [String: Int64], layout: [StatementRowSpec]) -> [String] {
        net.filter { account, balance in
            balance != 0 && !(account.hasPrefix("8") || account.hasPrefix("9"))
                && !layout.contains { $0.covers(account) && $0.takes(balance: balance) }
        }.keys.sorted()
    }

    /// The statements as CSV (RFC 4180): form, row, label, the two columns in lei with two decimals.
    public static func csv(f10: [Row], f20: [Row], language: String = "ro") -> String {
        let english = language == "en"
        var lines = [
            english
                ? "form,row,label,previous,current"
                : "formular,rand,denumire,precedent,curent"
        ]
        for (form, rows) in [("F10", f10), ("F20", f20)] {
            for row in rows {
                let label = row.label(language: language).replacingOccurrences(of: "\"", with: "\"\"")
                lines.append(
                    "\(form),\(row.code),\"\(label)\",\(Money.ron(row.previous).decimalString),\(Money.ron(row.current).decimalString)")
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
