import Foundation
import Kernel
import Tax

/// UNTDID 1001 document types CIUS-RO allows (BR-RO-020).
public enum DocumentType: String, Sendable, Codable, CaseIterable {
    case invoice = "380"
    case correctedInvoice = "384"
    case selfBilledInvoice = "389"
    case creditNote = "381"

    public var isCreditNote: Bool { self == .creditNote }
}

/// The lifecycle of a customer invoice. Payment states follow the ledger; they are derived, never typed in.
public enum InvoiceState: String, Sendable, Codable, CaseIterable {
    case draft
    case issued
    case partiallyPaid = "partially_paid"
    case paid
    case cancelled

    public enum Action: String, Sendable { case edit, issue, pay, credit, delete }

    /// The state after `action`, or a typed error naming the illegal transition.
    public func apply(_ action: Action) throws(DomainError) -> InvoiceState? {
        switch (self, action) {
        case (.draft, .edit): return .draft
        case (.draft, .delete): return nil
        case (.draft, .issue): return .issued
        case (.issued, .pay), (.partiallyPaid, .pay): return .partiallyPaid
        case (.issued, .credit), (.partiallyPaid, .credit), (.paid, .credit): return self
        default:
            let reason =
                switch self {
                case .draft: "it is still a draft; issue it first"
                case .cancelled: "it was cancelled by a credit note"
                default: "it was issued and an issued invoice never changes; correct it with a credit note"
                }
            throw DomainError(
                "invoice.illegal_transition", kind: .conflict,
                "You cannot \(action.rawValue) an invoice in state \(rawValue) because \(reason).")
        }
    }

    /// The state of an issued invoice from its total, what was paid and what credit notes took off (document currency, minor units).
    public static func settled(total: Int64, paid: Int64, credited: Int64) -> InvoiceState {
        if total > 0 && credited >= total { return .cancelled }
        if total - paid - credited <= 0 { return .paid }
        return paid > 0 ? .partiallyPaid : .issued
    }
}

/// A VAT category with its percent: the key of the VAT breakdown (BG-23).
public struct VATKey: Hashable, Sendable, Codable, Comparable {
    public let category: VATCategory
    public let percent: Decimal

    public init(category: VATCategory, percent: Decimal) {
        self.category = category
        self.percent = percent
    }

    public static func < (lhs: VATKey, rhs: VATKey) -> Bool {
        lhs.percent != rhs.percent ? lhs.percent > rhs.percent : lhs.category.rawValue < rhs.category.rawValue
    }
}

/// A party on a document (seller or buyer), as printed and sent to e-Factura.
public struct Party: Hashable, Sendable, Codable {
    public var name: String
    /// BT-31/BT-48: `RO…` (or another country prefix) for VAT-registered parties.
    public var vatID: String?
    /// BT-30/BT-47: the CUI of a company without VAT registration, a CNP, or `0000000000000`.
    public var legalID: String?
    /// The trade register number (printed; BT-30 for VAT payers).
    public var tradeRegister: String?
    public var street: String
    public var city: String
    public var postalCode: String?
    /// ISO 3166-2 subdivision (`RO-CJ`, `RO-B`); required in Romania.
    public var county: String?
    public var country: String
    public var email: String?
    public var phone: String?
    public var iban: String?
    /// The partner code in Culise (buyers and suppliers only).
    public var partnerCode: String?

    public init(
        name: String, vatID: String?, legalID: String?, tradeRegister: String? = nil, street: String, city: String,
        postalCode: String? = nil, county: String?, country: String = "RO", email: String? = nil, phone: String? = nil,
        iban: String? = nil, partnerCode: String? = nil
    ) {
        self.name = name
        self.vatID = vatID
        self.legalID = legalID
        self.tradeRegister = tradeRegister
        self.street = street
        self.city = city
        self.postalCode = postalCode
        self.county = county
        self.country = country
        self.email = email
        self.phone = phone
        self.iban = iban
        self.partnerCode = partnerCode
    }
}

/// One validated document line. Amounts are minor units of the document currency.
public struct DocumentLine: Hashable, Sendable, Codable {
    public var number: Int
    public var productCode: String?
    public var name: String
    public var quantity: Decimal
    public var unit: String
    public var unitPrice: Decimal
    public var allowance: Int64
    public var charge: Int64
    /// BT-131: quantity × price − allowance + charge, rounded (`InvoiceMath.lineNet`).
    public var net: Int64
    public var vat: VATKey
    public var exemptionReason: String?
    /// Revenue (invoices) or expense (bills) account.
    public var account: String
    /// Bills: VAT of this line is not deductible and goes to the expense account.
    public var nonDeductible: Bool

    public init(
        number: Int, productCode: String?, name: String, quantity: Decimal, unit: String, unitPrice: Decimal, allowance: Int64 = 0,
        charge: Int64 = 0, net: Int64, vat: VATKey, exemptionReason: String?, account: String, nonDeductible: Bool = false
    ) {
        self.number = number
        self.productCode = productCode
        self.name = name
        self.quantity = quantity
        self.unit = unit
        self.unitPrice = unitPrice
        self.allowance = allowance
        self.charge = charge
        self.net = net
        self.vat = vat
        self.exemptionReason = exemptionReason
        self.account = account
        self.nonDeductible = nonDeductible
    }
}

/// A document-level allowance (discount) or charge (BG-20, BG-21).
public struct AllowanceCharge: Hashable, Sendable, Codable {
    public var isCharge: Bool
    public var amount: Int64
    public var reason: String
    public var vat: VATKey
    public var exemptionReason: String?

    public init(isCharge: Bool, amount: Int64, reason: String, vat: VATKey, exemptionReason: String? = nil) {
        self.isCharge = isCharge
        self.amount = amount
        self.reason = reason
        self.vat = vat
        self.exemptionReason = exemptionReason
    }
}

/// One row of the VAT breakdown (BG-23).
public struct VATSubtotal: Hashable, Sendable, Codable {
    public var key: VATKey
    public var taxable: Int64
    public var amount: Int64
    public var exemptionReason: String?
}

/// Document totals (BG-22), in minor units of the document currency.
public struct DocumentTotals: Hashable, Sendable, Codable {
    public var lineTotal: Int64
    public var allowanceTotal: Int64
    public var chargeTotal: Int64
    public var taxExclusive: Int64
    public var vatTotal: Int64
    public var taxInclusive: Int64
    public var payable: Int64
    public var breakdown: [VATSubtotal]
    /// BT-111: the VAT total in RON when the document currency is not RON (BR-RO-030).
    public var vatTotalRON: Int64?
}

/// A reference to an earlier invoice (BG-3), e.g. the one a credit note corrects.
public struct PrecedingInvoice: Hashable, Sendable, Codable {
    public var number: String
    public var issueDate: LocalDate

    public init(number: String, issueDate: LocalDate) {
        self.number = number
        self.issueDate = issueDate
    }
}

/// A complete, validated commercial document: a customer invoice or credit note, or a supplier bill.
public struct CommercialDocument: Hashable, Sendable, Codable {
    public var type: DocumentType
    /// BT-1; empty for a draft (assigned at issue).
    public var number: String
    public var issueDate: LocalDate
    /// The supply date (tax point, BT-72); the VAT rate follows it.
    public var supplyDate: LocalDate
    public var dueDate: LocalDate?
    /// The document currency (BT-5): every amount of the document is in it, as EN 16931 has it.
    public var currency: Currency
    /// RON per unit of `currency`; nil for RON documents.
    public var exchangeRate: Decimal?
    public var seller: Party
    public var buyer: Party
    public var lines: [DocumentLine]
    public var allowancesCharges: [AllowanceCharge]
    public var totals: DocumentTotals
    public var note: String?
    public var buyerReference: String?
    public var orderReference: String?
    public var preceding: [PrecedingInvoice]
    public var paymentTerms: String?

    public init(
        type: DocumentType, number: String, issueDate: LocalDate, supplyDate: LocalDate, dueDate: LocalDate?, currency: Currency,
        exchangeRate: Decimal?, seller: Party, buyer: Party, lines: [DocumentLine], allowancesCharges: [AllowanceCharge],
        totals: DocumentTotals, note: String? = nil, buyerReference: String? = nil, orderReference: String? = nil,
        preceding: [PrecedingInvoice] = [], paymentTerms: String? = nil
    ) {
        self.type = type
        self.number = number
        self.issueDate = issueDate
        self.supplyDate = supplyDate
        self.dueDate = dueDate
        self.currency = currency
        self.exchangeRate = exchangeRate
        self.seller = seller
        self.buyer = buyer
        self.lines = lines
        self.allowancesCharges = allowancesCharges
        self.totals = totals
        self.note = note
        self.buyerReference = buyerReference
        self.orderReference = orderReference
        self.preceding = preceding
        self.paymentTerms = paymentTerms
    }
}

/// The EN 16931 calculation model; every rounding step is a named function.
public enum InvoiceMath {
    /// Minor units of a decimal amount, rounded half away from zero to 2 decimals.
    public static func minor(_ amount: Decimal) -> Int64 { VATRounding.minorUnits(amount) }

    /// Decimal value of minor units.
    public static func decimal(_ minor: Int64) -> Decimal { Decimal(minor) / 100 }

    /// BT-131 line net = quantity × price − line allowance + line charge, rounded to 2 decimals.
    public static func lineNet(quantity: Decimal, unitPrice: Decimal, allowance: Int64, charge: Int64) -> Int64 {
        minor(VATRounding.lineNet(quantity: quantity, unitPrice: unitPrice, allowances: decimal(allowance), charges: decimal(charge)))
    }

    /// BT-117 for one category and rate, on the summed taxable amount (BR-CO-17).
    public static func categoryVAT(taxable: Int64, percent: Decimal) -> Int64 {
        minor(VATRounding.categoryVAT(taxable: decimal(taxable), percent: percent))
    }

    /// BT-111: the VAT total converted to RON at the document's rate, rounded to the ban.
    public static func vatInRON(_ vat: Int64, rate: Decimal) -> Int64 { minor(decimal(vat) * rate) }

    /// The totals of a document: VAT per (category, percent) over line nets plus charges minus allowances.
    public static func totals(lines: [DocumentLine], allowancesCharges: [AllowanceCharge], exchangeRate: Decimal?) -> DocumentTotals {
        var taxable: [VATKey: Int64] = [:]
        var reasons: [VATKey: String] = [:]
        for line in lines {
            taxable[line.vat, default: 0] += line.net
            if let reason = line.exemptionReason { reasons[line.vat] = reasons[line.vat] ?? reason }
        }
        for item in allowancesCharges {
            taxable[item.vat, default: 0] += item.isCharge ? item.amount : -item.amount
            if let reason = item.exemptionReason { reasons[item.vat] = reasons[item.vat] ?? reason }
        }
        let breakdown = taxable.keys.sorted().map { key in
            VATSubtotal(
                key: key, taxable: taxable[key]!, amount: categoryVAT(taxable: taxable[key]!, percent: key.percent),
                exemptionReason: reasons[key])
        }
        let lineTotal = lines.reduce(0) { $0 + $1.net }
        let allowances = allowancesCharges.filter { !$0.isCharge }.reduce(0) { $0 + $1.amount }
        let charges = allowancesCharges.filter(\.isCharge).reduce(0) { $0 + $1.amount }
        let exclusive = lineTotal - allowances + charges
        let vat = breakdown.reduce(0) { $0 + $1.amount }
        return DocumentTotals(
            lineTotal: lineTotal, allowanceTotal: allowances, chargeTotal: charges, taxExclusive: exclusive, vatTotal: vat,
            taxInclusive: exclusive + vat, payable: exclusive + vat, breakdown: breakdown,
            vatTotalRON: exchangeRate.map { vatInRON(vat, rate: $0) })
    }
}

/// Parsing helpers shared by document inputs.
public enum DecimalText {
    /// A decimal as typed (`12.5`, `12,5`, `1.234,56`, `1,234.56`; `NumberText`), with at most `scale` decimals and 12
    /// whole digits; nil when malformed or, typed by a person, ambiguous (`NumberText.ambiguityIfAny` says so).
    public static func parse(_ text: String?, scale: Int = 6, allowNegative: Bool = false) -> Decimal? {
        guard let text, case .success(let plain) = NumberText.normalize(text, scale: scale, allowNegative: allowNegative) else {
            return nil
        }
        guard plain.drop(while: { $0 == "-" }).prefix(while: { $0 != "." }).count <= 12 else { return nil }
        return Decimal(string: plain, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A machine decimal (XML, files): digits, an optional minus and one dot; no grouping, no comma.
    public static func parseMachine(_ text: String?, scale: Int = 6, allowNegative: Bool = false) -> Decimal? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let pattern = "^\(allowNegative ? "-?" : "")[0-9]{1,12}(\\.[0-9]{1,\(scale)})?$"
        guard text.range(of: pattern, options: .regularExpression) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// "1234.50" for minor units.
    public static func amount(_ minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// A decimal without exponent or trailing zeros ("2", "0.5", "12.345").
    public static func plain(_ value: Decimal) -> String {
        var text = NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

public enum InvoiceTag {}
public enum BillTag {}
public enum PaymentTag {}
public typealias InvoiceID = ID<InvoiceTag>
public typealias BillID = ID<BillTag>
public typealias PaymentID = ID<PaymentTag>

/// The e-Factura upload deadline: 5 working days after the issue date (GEO 89/2025, from 2026-01-01).
/// Weekends and Romanian public holidays (`RomanianHolidays`) are not working days.
public enum EFacturaDeadline {
    public static let workingDays = 5

    /// 0 = Monday … 6 = Sunday.
    public static func weekday(_ date: LocalDate) -> Int { WorkingDays.weekday(date) }

    public static func isWorkingDay(_ date: LocalDate) -> Bool { WorkingDays.isWorkingDay(date) }

    public static func due(issued: LocalDate) -> LocalDate {
        var date = issued
        var left = workingDays
        while left > 0 {
            date = date.adding(days: 1)
            if isWorkingDay(date) { left -= 1 }
        }
        return date
    }
}

/// Receivable and payable aging buckets.
public enum AgingBucket: String, Sendable, Codable, CaseIterable {
    case current
    case days1to30 = "1-30"
    case days31to60 = "31-60"
    case days61to90 = "61-90"
    case over90 = "90+"

    /// The bucket of an amount `daysOverdue` days past its due date (≤ 0: not yet due).
    public static func of(daysOverdue: Int) -> AgingBucket {
        switch daysOverdue {
        case ..<1: .current
        case 1...30: .days1to30
        case 31...60: .days31to60
        case 61...90: .days61to90
        default: .over90
        }
    }
}

/// Dunning levels and reminder texts.
public enum Dunning {
    /// 1: a friendly reminder (1–15 days overdue), 2: a firm reminder (16–45), 3: a final notice (over 45).
    public static func level(daysOverdue: Int) -> Int {
        switch daysOverdue {
        case ..<1: 0
        case 1...15: 1
        case 16...45: 2
        default: 3
        }
    }

    public struct Item: Sendable, Codable, Equatable {
        public var number: String
        public var dueDate: LocalDate
        public var daysOverdue: Int
        public var open: Money

        public init(number: String, dueDate: LocalDate, daysOverdue: Int, open: Money) {
            self.number = number
            self.dueDate = dueDate
            self.daysOverdue = daysOverdue
            self.open = open
        }
    }

    /// The reminder letter to one partner, in Romanian (`ro`) or English.
    public static func letter(to partner: String, from company: String, items: [Item], level: Int, language: String) -> String {
        let list = items.map { item in
            language == "en"
                ? "- invoice \(item.number), due \(item.dueDate), \(item.daysOverdue) days overdue: \(MoneyFormat.money(item.open, locale: .en))"
                : "- factura \(item.number), scadentă la \(item.dueDate), întârziere \(item.daysOverdue) zile: \(MoneyFormat.money(item.open, locale: .ro))"
        }.joined(separator: "\n")
        if language == "en" {
            let opening =
                [
                    1: "This is a friendly reminder that the following invoices are past due:",
                    2: "Despite our earlier reminder, the following invoices are still unpaid:",
                    3:
                        "FINAL NOTICE: the following invoices remain unpaid. Without payment within 7 days we will start recovery proceedings:",
                ][level] ?? ""
            return
                "Dear \(partner),\n\n\(opening)\n\(list)\n\nIf you have already paid, please disregard this message.\n\nKind regards,\n\(company)"
        }
        let opening =
            [
                1: "Vă reamintim cu amabilitate că următoarele facturi au depășit scadența:",
                2: "În ciuda notificării anterioare, următoarele facturi sunt încă neachitate:",
                3:
                    "ULTIMA NOTIFICARE: următoarele facturi sunt în continuare neachitate. Fără plata în 7 zile vom începe procedura de recuperare:",
            ][level] ?? ""
        return
            "Stimate client \(partner),\n\n\(opening)\n\(list)\n\nDacă ați efectuat deja plata, vă rugăm să ignorați acest mesaj.\n\nCu stimă,\n\(company)"
    }
}

/// How people name an issued invoice: its number (`EXD-1042`), or its number and the year it was issued in
/// (`EXD-1/2026`). The year is needed when a series restarted its numbering and the number exists in several years.
/// Series are letters and digits only, so the `/` cannot be part of a number.
public struct InvoiceReference: Sendable, Equatable, CustomStringConvertible {
    public let number: String
    public let year: Int?

    /// Reads `EXD-1042` or `EXD-1/2026`; an explicit `year` wins over the one in the text.
    public init(_ text: String, year: Int? = nil) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.lastIndex(of: "/"), case let suffix = trimmed[trimmed.index(after: slash)...],
            suffix.count == 4, suffix.allSatisfy(\.isASCII), let parsed = Int(suffix)
        {
            number = String(trimmed[..<slash])
            self.year = year ?? parsed
        } else {
            number = trimmed
            self.year = year
        }
    }

    public var description: String { year.map { "\(number)/\($0)" } ?? number }
}
