import Companies
import Foundation
import Kernel

/// A customer, supplier or both; a company (with a CUI) or an individual (with an optional CNP).
public struct Partner: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case company, individual }

    public let code: String
    public var kind: Kind
    public var name: String
    /// Companies: the fiscal code; VAT payers show it with `RO`.
    public var cui: CUI?
    public var vatPayer: Bool
    public var tradeRegister: TradeRegisterNumber?
    /// Individuals: the CNP when known.
    public var cnp: CNP?
    public var address: Address?
    public var ibans: [IBAN]
    public var email: String?
    public var phone: String?
    /// Days from issue to due date.
    public var paymentTermDays: Int
    public var isCustomer: Bool
    public var isSupplier: Bool
    /// The identifier written on a foreign or unverifiable e-invoice (`DK12345678`, a 13-digit code) when it is not a Romanian CUI.
    public var taxID: String? = nil

    public init(
        code: String, kind: Kind, name: String, cui: CUI?, vatPayer: Bool, tradeRegister: TradeRegisterNumber?, cnp: CNP?,
        address: Address?,
        ibans: [IBAN], email: String?, phone: String?, paymentTermDays: Int, isCustomer: Bool, isSupplier: Bool
    ) {
        self.code = code
        self.kind = kind
        self.name = name
        self.cui = cui
        self.vatPayer = vatPayer
        self.tradeRegister = tradeRegister
        self.cnp = cnp
        self.address = address
        self.ibans = ibans
        self.email = email
        self.phone = phone
        self.paymentTermDays = paymentTermDays
        self.isCustomer = isCustomer
        self.isSupplier = isSupplier
    }

    /// The buyer identifier e-Factura needs: `RO…` for VAT payers, the CUI, the CNP, or 13 zeros for an individual without one.
    public var fiscalIdentifier: String {
        switch kind {
        case .company: return cui.map { $0.display(vatPayer: vatPayer) } ?? ""
        case .individual: return cnp?.value ?? CNP.anonymous
        }
    }
}

/// What a user types for a partner, validated as a whole.
public struct PartnerInput: Sendable, Codable, Equatable {
    public var code: String
    public var kind: Partner.Kind
    public var name: String
    public var cui: String?
    public var vatPayer: Bool
    public var tradeRegister: String?
    public var cnp: String?
    public var address: Address?
    public var ibans: [String]
    public var email: String?
    public var phone: String?
    public var paymentTermDays: Int?
    public var isCustomer: Bool
    public var isSupplier: Bool
    /// A company of another country: its VAT number with the country prefix (`DE123456789`, `EL…` for Greece), as
    /// intra-Community invoices, D390 and D394 name it.
    public var vatNumber: String?

    public init(
        code: String, kind: Partner.Kind, name: String, cui: String? = nil, vatPayer: Bool = false, tradeRegister: String? = nil,
        cnp: String? = nil, address: Address? = nil, ibans: [String] = [], email: String? = nil, phone: String? = nil,
        paymentTermDays: Int? = nil, isCustomer: Bool = true, isSupplier: Bool = false, vatNumber: String? = nil
    ) {
        self.vatNumber = vatNumber
        self.code = code
        self.kind = kind
        self.name = name
        self.cui = cui
        self.vatPayer = vatPayer
        self.tradeRegister = tradeRegister
        self.cnp = cnp
        self.address = address
        self.ibans = ibans
        self.email = email
        self.phone = phone
        self.paymentTermDays = paymentTermDays
        self.isCustomer = isCustomer
        self.isSupplier = isSupplier
    }

    public static let maxIBANs = 10

    /// Every problem at once, or the partner.
    public func validated() throws(ValidationErrors) -> Partner {
        var problems = ProblemCollector()
        let code = self.code.trimmingCharacters(in: .whitespaces)
        problems.check(
            (1...40).contains(code.count) && code.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." },
            DomainError(
                "partner.code", field: "code",
                "You cannot use '\(self.code)' as a partner code because it must be 1 to 40 letters, digits, '-', '_' or '.'."))
        let name = self.name.trimmingCharacters(in: .whitespaces)
        problems.check(
            !name.isEmpty && name.count <= Limits.nameLength,
            DomainError(
                "partner.name", field: "name", "To save a partner, you must give a name of at most \(Limits.nameLength) characters."))
        var cui: CUI?
        var taxID: String?
        var cnp: CNP?
        var register: TradeRegisterNumber?
        switch kind {
        case .company:
            if let text = self.cui, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                cui = problems.collect { () throws(DomainError) in try CUI(text) }
            } else if address?.country ?? "RO" == "RO" {
                problems.add(DomainError("partner.cui_required", field: "cui", "To save a Romanian company, you must give its CUI."))
            }
            if let text = vatNumber?.uppercased().filter({ !$0.isWhitespace }), !text.isEmpty {
                let country = (address?.country ?? "RO").uppercased()
                let prefix = String(text.prefix(2))
                let body = text.dropFirst(2)
                if country == "RO" {
                    problems.add(
                        DomainError(
                            "partner.vat_number", field: "vat_number",
                            "You cannot give a foreign VAT number to a Romanian company because its CUI identifies it."))
                } else if prefix != (country == "GR" ? "EL" : country) || !(2...13).contains(body.count)
                    || !body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
                {
                    problems.add(
                        DomainError(
                            "partner.vat_number", field: "vat_number",
                            "You cannot use '\(text.prefix(20))' as the VAT number because it must be the country's prefix (\(country == "GR" ? "EL" : country)) followed by 2 to 13 letters or digits."
                        ))
                } else {
                    taxID = text
                }
            }
            if let text = tradeRegister, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                register = problems.collect { () throws(DomainError) in try TradeRegisterNumber(text) }
            }
        case .individual:
            if let text = self.cnp, !text.trimmingCharacters(in: .whitespaces).isEmpty {
                cnp = problems.collect { () throws(DomainError) in try CNP(text) }
            }
        }
        var address: Address?
        if let input = self.address {
            address = problems.collect { () throws(ValidationErrors) in try input.validated() }
        }
        problems.check(
            ibans.count <= PartnerInput.maxIBANs,
            DomainError(
                "partner.too_many_ibans", field: "ibans", "You cannot save more than \(PartnerInput.maxIBANs) IBANs for one partner."))
        var accounts: [IBAN] = []
        for (index, text) in ibans.enumerated() {
            if let iban = problems.collect({ () throws(DomainError) in try IBAN(text, field: "ibans[\(index)]") }) { accounts.append(iban) }
        }
        var email: String?
        if let text = self.email?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            let parts = text.split(separator: "@")
            if parts.count == 2, parts[1].contains("."), text.count <= Limits.emailLength {
                email = text.lowercased()
            } else {
                problems.add(
                    DomainError("partner.email", field: "email", "You cannot use '\(text)' as an e-mail address because it is not one."))
            }
        }
        let term = paymentTermDays ?? 30
        problems.check(
            (0...365).contains(term),
            DomainError(
                "partner.payment_term", field: "payment_term_days",
                "You cannot use \(term) days as a payment term because it must be 0 to 365."))
        problems.check(
            isCustomer || isSupplier,
            DomainError("partner.role", field: "is_customer", "To save a partner, you must mark it a customer, a supplier or both."))
        try problems.throwIfAny()
        var partner = Partner(
            code: code, kind: kind, name: name, cui: cui, vatPayer: kind == .company && vatPayer, tradeRegister: register, cnp: cnp,
            address: address, ibans: accounts, email: email, phone: phone?.trimmingCharacters(in: .whitespaces), paymentTermDays: term,
            isCustomer: isCustomer, isSupplier: isSupplier)
        partner.taxID = taxID
        return partner
    }
}
