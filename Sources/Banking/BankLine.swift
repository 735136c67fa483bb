import Kernel

public enum BankAccountTag {}
public enum BankLineTag {}
public enum BankImportTag {}
public enum BankRuleTag {}
public typealias BankAccountID = ID<BankAccountTag>
public typealias BankLineID = ID<BankLineTag>
public typealias BankImportID = ID<BankImportTag>
public typealias BankRuleID = ID<BankRuleTag>

/// The lifecycle of an imported bank line: unmatched → matched (by a person or automatically) → unmatched again when
/// the match is undone (its entry reversed). Illegal transitions are typed errors.
public enum BankLineState: String, Sendable, Codable, CaseIterable {
    case unmatched
    case matched

    public enum Action: String, Sendable { case match, unmatch }

    public func apply(_ action: Action) throws(DomainError) -> BankLineState {
        switch (self, action) {
        case (.unmatched, .match): return .matched
        case (.matched, .unmatch): return .unmatched
        case (.matched, .match):
            throw DomainError(
                "bank.line_already_matched", kind: .conflict,
                "You cannot match this bank line because it is already matched; unmatch it first if the match is wrong.")
        case (.unmatched, .unmatch):
            throw DomainError("bank.line_not_matched", kind: .conflict, "You cannot unmatch this bank line because it is not matched.")
        }
    }
}

extension BankLineState {
    /// The state a list is filtered by (`matched` or `unmatched`), refused by name otherwise.
    public init(filter text: String) throws(DomainError) {
        guard let state = BankLineState(rawValue: text) else {
            throw DomainError("bank.state", field: "state", "You cannot filter by state '\(text.prefix(40))'; use matched or unmatched.")
        }
        self = state
    }
}

/// What kind of company account: a bank account (with an IBAN) or a cash register.
public enum BankAccountKind: String, Sendable, Codable, CaseIterable {
    case bank
    case cash

    /// The OMFP 1802 account a new bank or cash account posts to by default.
    public func defaultLedgerAccount(currency: String) -> String {
        switch self {
        case .bank: return currency == "RON" ? "5121" : "5124"
        case .cash: return currency == "RON" ? "5311" : "5314"
        }
    }
}
