import Foundation
import Kernel

/// The function of an account (SAF-T `AccountType`): assets are debit accounts, liabilities credit
/// accounts, bifunctional ones may carry either balance.
public enum AccountType: String, Sendable, Codable, CaseIterable {
    case activ = "A"
    case pasiv = "P"
    case bifunctional = "B"

    public var safTName: String {
        switch self {
        case .activ: return "Activ"
        case .pasiv: return "Pasiv"
        case .bifunctional: return "Bifunctional"
        }
    }
}

/// An account code: digits (`4111`), or a synthetic code plus an analytic suffix (`4111.00023`).
public struct AccountCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String, field: String = "account") throws(DomainError) {
        if !text.isEmpty, text.utf8.count <= 6, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            self.value = text
            return
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let head = parts.first, (1...6).contains(head.count),
            head.allSatisfy({ $0 >= "0" && $0 <= "9" }),
            parts.count == 1 || (1...12).contains(parts[1].count) && parts[1].allSatisfy({ $0.isLetter || $0.isNumber })
        else {
            throw DomainError(
                "ledger.account_code", field: field,
                "You cannot use '\(text)' as an account code because it must be digits such as 4111, optionally followed by an analytic suffix such as 4111.00023."
            )
        }
        self.value = trimmed
    }

    /// The class: the first digit.
    public var accountClass: Int { Int(String(value.first!))! }

    /// The synthetic part, before any analytic suffix.
    public var synthetic: String { String(value.split(separator: ".").first!) }

    public var isAnalytic: Bool { value.contains(".") }

    /// Balance-sheet accounts are classes 1–5; classes 6 and 7 are the profit-and-loss accounts.
    public var isProfitAndLoss: Bool { accountClass == 6 || accountClass == 7 }

    public var description: String { value }

    public static func < (lhs: AccountCode, rhs: AccountCode) -> Bool { lhs.value < rhs.value }
}

/// An account of a company's chart.
public struct Account: Hashable, Sendable, Codable {
    public let code: AccountCode
    public var name: String
    public var type: AccountType
    /// The code of the parent in the hierarchy (class → group → synthetic → analytic); nil for a class.
    public var parent: String?
    /// Only accounts without children take postings.
    public var isPostable: Bool
    public var requiresPartner: Bool
    public var isActive: Bool

    public init(
        code: AccountCode, name: String, type: AccountType, parent: String?, isPostable: Bool, requiresPartner: Bool,
        isActive: Bool = true
    ) {
        self.code = code
        self.name = name
        self.type = type
        self.parent = parent
        self.isPostable = isPostable
        self.requiresPartner = requiresPartner
        self.isActive = isActive
    }

    /// The level in the hierarchy, for display.
    public var level: Int {
        if code.isAnalytic { return 4 }
        return min(code.value.count - 1, 3)
    }
}

/// Builds the chart a new company starts with: classes, groups and the OMFP 1802 accounts, each
/// linked to its longest existing prefix.
public enum ChartSeed {
    /// Third-party accounts that must carry a partner on every line.
    public static let partnerAccounts: Set<String> = ["401", "403", "404", "405", "408", "4111", "4118", "413", "418", "419"]

    public static func accounts() -> [Account] {
        var result: [String: Account] = [:]
        for (digit, name) in RomanianChart.classNames {
            let code = try! AccountCode(digit)
            result[digit] = Account(code: code, name: name, type: .bifunctional, parent: nil, isPostable: false, requiresPartner: false)
        }
        var groups: Set<String> = []
        for entry in RomanianChart.accounts { groups.insert(String(entry.code.prefix(2))) }
        for group in groups {
            result[group] = Account(
                code: try! AccountCode(group), name: "Grupa \(group)", type: .bifunctional, parent: String(group.prefix(1)),
                isPostable: false, requiresPartner: false)
        }
        for entry in RomanianChart.accounts {
            result[entry.code] = Account(
                code: try! AccountCode(entry.code), name: entry.name, type: entry.type, parent: nil, isPostable: true,
                requiresPartner: partnerAccounts.contains(entry.code))
        }
        return link(Array(result.values))
    }

    /// Sets each account's parent to its longest proper prefix present, and marks parents not postable.
    public static func link(_ accounts: [Account]) -> [Account] {
        let codes = Set(accounts.map(\.code.value))
        var linked = accounts.map { account -> Account in
            var copy = account
            copy.parent = parentCode(of: account.code, among: codes)
            return copy
        }
        let parents = Set(linked.compactMap(\.parent))
        for index in linked.indices where parents.contains(linked[index].code.value) { linked[index].isPostable = false }
        return linked.sorted { $0.code < $1.code }
    }

    /// `4111.00023` → `4111`; `4111` → `411` if present, else `41`; `41` → `4`.
    public static func parentCode(of code: AccountCode, among codes: Set<String>) -> String? {
        if code.isAnalytic { return code.synthetic }
        var prefix = code.value
        while prefix.count > 1 {
            prefix.removeLast()
            if codes.contains(prefix) { return prefix }
        }
        return nil
    }
}
