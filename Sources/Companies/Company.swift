import Foundation
import Kernel

/// A legal entity whose books Culise keeps. Every business row belongs to exactly one company.
public struct Company: Hashable, Sendable, Codable {
    public let id: CompanyID
    public var legalName: String
    public var cui: CUI
    public var tradeRegister: TradeRegisterNumber?
    public var address: Address
    public var vatPayer: Bool
    public var functionalCurrency: Currency
    /// The month (1–12) the fiscal year starts in; Romanian companies use January unless approved otherwise.
    public var fiscalYearStartMonth: Int

    public init(
        id: CompanyID, legalName: String, cui: CUI, tradeRegister: TradeRegisterNumber?, address: Address,
        vatPayer: Bool, functionalCurrency: Currency = .ron, fiscalYearStartMonth: Int = 1
    ) {
        self.id = id
        self.legalName = legalName
        self.cui = cui
        self.tradeRegister = tradeRegister
        self.address = address
        self.vatPayer = vatPayer
        self.functionalCurrency = functionalCurrency
        self.fiscalYearStartMonth = fiscalYearStartMonth
    }

    /// The code shown on documents: `RO` + digits for VAT payers.
    public var fiscalCode: String { cui.display(vatPayer: vatPayer) }
}

/// What a user types to create or change a company: raw text, validated as a whole.
public struct CompanyInput: Sendable, Codable, Equatable {
    public var legalName: String
    public var cui: String
    public var tradeRegister: String?
    public var address: Address
    public var vatPayer: Bool
    public var fiscalYearStartMonth: Int?

    public init(
        legalName: String, cui: String, tradeRegister: String? = nil, address: Address, vatPayer: Bool,
        fiscalYearStartMonth: Int? = nil
    ) {
        self.legalName = legalName
        self.cui = cui
        self.tradeRegister = tradeRegister
        self.address = address
        self.vatPayer = vatPayer
        self.fiscalYearStartMonth = fiscalYearStartMonth
    }

    /// Validates every field and returns the company, or all problems at once.
    public func validated(id: CompanyID) throws(ValidationErrors) -> Company {
        var problems = ProblemCollector()
        let name = legalName.trimmingCharacters(in: .whitespaces)
        problems.check(
            !name.isEmpty, DomainError("company.name_required", field: "legal_name", "To save a company, you must give its legal name."))
        problems.check(
            name.count <= Limits.nameLength,
            DomainError(
                "company.name_length", field: "legal_name",
                "You cannot save this legal name because it is longer than \(Limits.nameLength) characters."))
        let cui = problems.collect { () throws(DomainError) in try CUI(self.cui) }
        var register: TradeRegisterNumber?
        if let text = tradeRegister?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            register = problems.collect { () throws(DomainError) in try TradeRegisterNumber(text) }
        }
        let address = problems.collect { () throws(ValidationErrors) in try self.address.validated() }
        let startMonth = fiscalYearStartMonth ?? 1
        problems.check(
            (1...12).contains(startMonth),
            DomainError(
                "company.fiscal_year_start", field: "fiscal_year_start_month",
                "You cannot start the fiscal year in month \(startMonth) because a month is 1 to 12."))
        if !problems.isEmpty { throw ValidationErrors(problems.problems) }
        return Company(
            id: id, legalName: name, cui: cui!, tradeRegister: register, address: address!, vatPayer: vatPayer,
            fiscalYearStartMonth: startMonth)
    }
}
