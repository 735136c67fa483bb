import Foundation
import Kernel

/// One row of a financial statement layout, read from `Resources/statements.json` (data, not code).
public struct StatementRowSpec: Sendable, Codable {
    public let code: String
    /// The row's name in the Romanian form (OMFP 1802/2014), and in English for English readers.
    public let label: String
    public let labelEN: String?
    /// `debit` (only accounts with a debit balance), `credit` (only credit balances, shown positive),
    /// `net_debit` (debit minus credit), `net_credit` (credit minus debit).
    public let mode: String?
    public let include: [String]?
    public let exclude: [String]?
    /// A total of earlier rows, each with a sign.
    public let sum: [[StringOrInt]]?

    enum CodingKeys: String, CodingKey {
        case code, label, mode, include, exclude, sum
        case labelEN = "label_en"
    }
}

/// JSON arrays like `["B1", 1]`.
public enum StringOrInt: Sendable, Codable {
    case string(String)
    case int(Int)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        }
    }
}

public struct StatementLayouts: Sendable, Codable {
    public let balanceSheet: [StatementRowSpec]
    public let profitLoss: [StatementRowSpec]

    enum CodingKeys: String, CodingKey {
        case balanceSheet = "balance_sheet"
        case profitLoss = "profit_loss"
    }

    public static let standard: StatementLayouts = {
        guard let url = Bundle.module.url(forResource: "statements", withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let layouts = try? JSONDecoder().decode(StatementLayouts.self, from: data)
        else { fatalError("Ledger resource statements.json is missing or invalid") }
        return layouts
    }()
}

/// A computed statement row.
public struct StatementRow: Sendable, Codable, Equatable {
    public let code: String
    public let label: String
    public var labelEN: String? = nil

    enum CodingKeys: String, CodingKey { case code, label, amount, isTotal }

    /// The row's name for a reader of `language` ("en" or "ro").
    public func label(language: String) -> String { language == "en" ? labelEN ?? label : label }
    public let amount: Int64
    public let isTotal: Bool
}

public enum Statement {
    /// Applies `rows` to the accounts' net balances (debit minus credit, by posting account code). Rows of accounts are
    /// computed first, then the totals in their order, so a total may be listed before the rows it adds (a form's
    /// "1. Cifra de afaceri netă (rd. 02 + 03 − 04 + 05)" above its parts).
    public static func compute(_ rows: [StatementRowSpec], net: [String: Int64]) -> [StatementRow] {
        var values: [String: Int64] = [:]
        for spec in rows where spec.sum == nil { values[spec.code] = amount(spec, net: net) }
        for spec in rows {
            guard let sum = spec.sum else { continue }
            var amount: Int64 = 0
            for term in sum {
                guard term.count == 2, case .string(let code) = term[0], case .int(let sign) = term[1] else { continue }
                amount &+= Int64(sign) &* (values[code] ?? 0)
            }
            values[spec.code] = amount
        }
        return rows.map { spec in
            StatementRow(
                code: spec.code, label: spec.label, labelEN: spec.labelEN, amount: values[spec.code] ?? 0, isTotal: spec.sum != nil)
        }
    }

    /// A row of accounts: the balances of the accounts it includes (by code prefix) and does not exclude, taken as its
    /// mode says.
    static func amount(_ spec: StatementRowSpec, net: [String: Int64]) -> Int64 {
        var amount: Int64 = 0
        for (account, balance) in net where spec.covers(account) {
            switch spec.mode {
            case "debit": amount &+= max(balance, 0)
            case "credit": amount &+= max(-balance, 0)
            case "net_credit": amount &-= balance
            default: amount &+= balance
            }
        }
        return amount
    }
}

extension StatementRowSpec {
    /// Whether this row of accounts takes `account` (a total takes none).
    public func covers(_ account: String) -> Bool {
        guard sum == nil else { return false }
        return (include ?? []).contains(where: { account.hasPrefix($0) }) && !(exclude ?? []).contains(where: { account.hasPrefix($0) })
    }

    /// Whether it takes a balance of this sign: `debit` rows only debit balances, `credit` rows only credit ones.
    public func takes(balance: Int64) -> Bool {
        switch mode {
        case "debit": return balance > 0
        case "credit": return balance < 0
        default: return true
        }
    }
}
