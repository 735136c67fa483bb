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
    /// Applies `rows` to the accounts' net balances (debit minus credit, by posting account code).
    public static func compute(_ rows: [StatementRowSpec], net: [String: Int64]) -> [StatementRow] {
        var values: [String: Int64] = [:]
        var result: [StatementRow] = []
        for spec in rows {
            var amount: Int64 = 0
            if let sum = spec.sum {
                for term in sum {
                    guard term.count == 2, case .string(let code) = term[0], case .int(let sign) = term[1] else { continue }
                    amount += Int64(sign) * (values[code] ?? 0)
                }
            } else {
                let include = spec.include ?? []
                let exclude = spec.exclude ?? []
                for (account, balance) in net {
                    guard include.contains(where: { account.hasPrefix($0) }), !exclude.contains(where: { account.hasPrefix($0) }) else {
                        continue
                    }
                    switch spec.mode {
                    case "debit": amount += max(balance, 0)
                    case "credit": amount += max(-balance, 0)
                    case "net_credit": amount -= balance
                    default: amount += balance
                    }
                }
            }
            values[spec.code] = amount
            result.append(StatementRow(code: spec.code, label: spec.label, labelEN: spec.labelEN, amount: amount, isTotal: spec.sum != nil))
        }
        return result
    }
}
