import Foundation
import Kernel
import Tax

/// What a user types for one line of an invoice or bill.
public struct LineInput: Sendable, Codable, Equatable {
    /// A product code; its name, unit, price, VAT and accounts are the defaults for the fields left empty.
    public var product: String?
    public var description: String?
    public var quantity: String
    public var unit: String?
    public var unitPrice: String?
    public var vatCategory: String?
    /// For category S: standard, reduced or reducedLow; the percent follows the supply date.
    public var vatRateKind: String?
    /// An explicit percent overrides the rate table (imported bills, special regimes).
    public var vatPercent: String?
    public var exemptionReason: String?
    public var allowance: String?
    public var charge: String?
    public var account: String?
    public var nonDeductible: Bool?

    public init(
        product: String? = nil, description: String? = nil, quantity: String, unit: String? = nil, unitPrice: String? = nil,
        vatCategory: String? = nil, vatRateKind: String? = nil, vatPercent: String? = nil, exemptionReason: String? = nil,
        allowance: String? = nil, charge: String? = nil, account: String? = nil, nonDeductible: Bool? = nil
    ) {
        self.product = product
        self.description = description
        self.quantity = quantity
        self.unit = unit
        self.unitPrice = unitPrice
        self.vatCategory = vatCategory
        self.vatRateKind = vatRateKind
        self.vatPercent = vatPercent
        self.exemptionReason = exemptionReason
        self.allowance = allowance
        self.charge = charge
        self.account = account
        self.nonDeductible = nonDeductible
    }
}

/// A document-level allowance or charge as typed.
public struct AllowanceChargeInput: Sendable, Codable, Equatable {
    public var isCharge: Bool
    public var amount: String
    public var reason: String
    public var vatCategory: String?
    public var vatRateKind: String?
    public var exemptionReason: String?

    public init(
        isCharge: Bool, amount: String, reason: String, vatCategory: String? = "S", vatRateKind: String? = "standard",
        exemptionReason: String? = nil
    ) {
        self.isCharge = isCharge
        self.amount = amount
        self.reason = reason
        self.vatCategory = vatCategory
        self.vatRateKind = vatRateKind
        self.exemptionReason = exemptionReason
    }
}

/// What a user types for a customer invoice, credit note or supplier bill.
public struct DocumentInput: Sendable, Codable, Equatable {
    public var partner: String
    /// Invoices: the series (default: the company's default series).
    public var series: String?
    /// 380 (default), 384, 389; credit notes are made from an invoice.
    public var type: String?
    /// Bills: the supplier's invoice number.
    public var number: String?
    public var issueDate: String?
    /// Defaults to the issue date; the VAT rate follows it.
    public var supplyDate: String?
    /// Defaults to the issue date plus the partner's payment term.
    public var dueDate: String?
    public var currency: String?
    /// RON per unit of a foreign currency (manual until the banking issue brings BNR rates).
    public var exchangeRate: String?
    public var lines: [LineInput]
    public var allowancesCharges: [AllowanceChargeInput]?
    public var note: String?
    public var buyerReference: String?
    public var orderReference: String?

    public init(
        partner: String, series: String? = nil, type: String? = nil, number: String? = nil, issueDate: String? = nil,
        supplyDate: String? = nil, dueDate: String? = nil, currency: String? = nil, exchangeRate: String? = nil, lines: [LineInput],
        allowancesCharges: [AllowanceChargeInput]? = nil, note: String? = nil, buyerReference: String? = nil,
        orderReference: String? = nil
    ) {
        self.partner = partner
        self.series = series
        self.type = type
        self.number = number
        self.issueDate = issueDate
        self.supplyDate = supplyDate
        self.dueDate = dueDate
        self.currency = currency
        self.exchangeRate = exchangeRate
        self.lines = lines
        self.allowancesCharges = allowancesCharges
        self.note = note
        self.buyerReference = buyerReference
        self.orderReference = orderReference
    }
}

/// Everything outside the input that validation needs; the app layer loads it.
public struct DocumentContext: Sendable {
    public enum Side: Sendable { case sales, purchase }
    public var side: Side
    public var seller: Party
    public var buyer: Party
    public var products: [String: Product]
    public var vatRates: VATRateTable
    public var today: LocalDate
    public var paymentTermDays: Int
    /// Accounts that exist and can be posted to.
    public var postableAccounts: Set<String>

    public init(
        side: Side, seller: Party, buyer: Party, products: [String: Product], vatRates: VATRateTable = .romania, today: LocalDate,
        paymentTermDays: Int, postableAccounts: Set<String>
    ) {
        self.side = side
        self.seller = seller
        self.buyer = buyer
        self.products = products
        self.vatRates = vatRates
        self.today = today
        self.paymentTermDays = paymentTermDays
        self.postableAccounts = postableAccounts
    }
}

/// Currencies Culise accepts on documents (ISO 4217).
public enum CurrencyCodes {
    public static let known: Set<String> = [
        "RON", "EUR", "USD", "GBP", "CHF", "HUF", "PLN", "CZK", "BGN", "SEK", "DKK", "NOK", "JPY", "CAD", "AUD", "CNY", "TRY", "MDL",
        "UAH", "RSD",
    ]
}

extension DocumentInput {
    /// Validates the whole document and computes it; every problem at once.
    public func validated(_ context: DocumentContext) throws(ValidationErrors) -> CommercialDocument {
        var problems = ProblemCollector()
        let sales = context.side == .sales
        func date(_ text: String?, _ field: String) -> LocalDate? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return problems.collect { () throws(DomainError) in
                do { return try LocalDate(iso: text, field: field) } catch let error as DomainError where error.id == "date.out_of_range" {
                    throw error
                } catch {
                    throw DomainError(
                        "document.date", field: field, "You cannot use '\(text)' as a date because it must be written YYYY-MM-DD.")
                }
            }
        }
        let issue = date(issueDate, "issue_date") ?? context.today
        let supply = date(supplyDate, "supply_date") ?? issue
        let due = date(dueDate, "due_date") ?? issue.adding(days: context.paymentTermDays)
        // A due date computed from payment terms must stay a business date too (it is stored and read back).
        if !Limits.businessYears.contains(due.year) { problems.add(LocalDate.outOfRange(due.iso, field: "due_date")) }
        problems.check(
            due >= issue,
            DomainError(
                "document.due_date", field: "due_date", "You cannot set the due date before the issue date \(issue)."))
        let type = DocumentType(rawValue: self.type ?? "380")
        problems.check(
            type != nil && type != .creditNote,
            DomainError(
                "document.type", field: "type",
                "You cannot use document type '\(self.type ?? "")' here because it must be 380, 384 or 389; a credit note is made from its invoice."
            ))
        let currency = (self.currency ?? "RON").uppercased().trimmingCharacters(in: .whitespaces)
        let documentCurrency = CurrencyCodes.known.contains(currency) ? try? Currency(code: currency) : nil
        problems.check(
            documentCurrency != nil,
            DomainError(
                "document.currency", field: "currency",
                "You cannot use currency '\(self.currency ?? "")' because it must be an ISO 4217 code such as RON, EUR or USD."))
        var rate: Decimal?
        if currency != "RON" {
            rate = DecimalText.parse(exchangeRate, scale: 6)
            if (rate ?? 0) <= 0 || (rate ?? 0) > Decimal(Limits.exchangeRateMaximum) {
                if sales || exchangeRate != nil {
                    problems.add(
                        DomainError(
                            "document.exchange_rate", field: "exchange_rate",
                            "To invoice in \(currency), you must give the exchange rate in RON per \(currency), like 4.9731."))
                }
                rate = nil
            }
        }
        if !sales {
            let number = (self.number ?? "").trimmingCharacters(in: .whitespaces)
            problems.check(
                !number.isEmpty && number.count <= 200,
                DomainError(
                    "bill.number", field: "number",
                    "To record a bill, you must give the supplier's invoice number (at most 200 characters)."
                ))
        }
        problems.check(
            !lines.isEmpty, DomainError("document.no_lines", field: "lines", "To save a document, you must give at least one line."))
        problems.check(
            lines.count <= Limits.linesPerDocument,
            DomainError(
                "document.too_many_lines", kind: .tooLarge, field: "lines",
                "You cannot save a document with \(lines.count) lines because the limit is \(Limits.linesPerDocument); split it."))
        var documentLines: [DocumentLine] = []
        if lines.count <= Limits.linesPerDocument {
            for (index, input) in lines.enumerated() {
                if let line = validateLine(input, index: index, supply: supply, context: context, problems: &problems) {
                    documentLines.append(line)
                }
            }
        }
        var items: [AllowanceCharge] = []
        problems.check(
            (allowancesCharges ?? []).count <= Limits.linesPerDocument,
            DomainError(
                "document.too_many_allowances", kind: .tooLarge, field: "allowances_charges",
                "You cannot save a document with \((allowancesCharges ?? []).count) allowances and charges because the limit is \(Limits.linesPerDocument)."
            ))
        for (index, input) in (allowancesCharges ?? []).prefix(Limits.linesPerDocument).enumerated() {
            let field = "allowances_charges[\(index)]"
            let amount = DecimalText.parse(input.amount, scale: 2)
            if !(amount.map { $0 > 0 } ?? false) {
                problems.add(
                    NumberText.ambiguityIfAny(input.amount, scale: 2, field: "\(field).amount")
                        ?? DomainError(
                            "document.allowance_amount", field: "\(field).amount",
                            "You cannot use '\(input.amount)' as an amount because it must be a positive number with at most 2 decimals."))
            }
            let reason = input.reason.trimmingCharacters(in: .whitespaces)
            problems.check(
                !reason.isEmpty && reason.count <= 100,
                DomainError(
                    "document.allowance_reason", field: "\(field).reason",
                    "To add an allowance or charge, you must give its reason (at most 100 characters)."))
            if let vat = vatKey(
                category: input.vatCategory, kind: input.vatRateKind, percent: nil, supply: supply, field: field, context: context,
                problems: &problems), let amount, amount > 0
            {
                items.append(
                    AllowanceCharge(
                        isCharge: input.isCharge, amount: InvoiceMath.minor(amount), reason: reason, vat: vat,
                        exemptionReason: vat.category.needsExemptionReason ? (input.exemptionReason ?? reason) : nil))
            }
        }
        for (field, text, limit) in [
            ("note", note, 300), ("buyer_reference", buyerReference, 200), ("order_reference", orderReference, 200),
        ] {
            problems.check(
                (text ?? "").count <= limit,
                DomainError(
                    "document.text_length", field: field, "You cannot save this \(field) because it is longer than \(limit) characters."))
        }
        // Every line and allowance is within the ceiling and there are at most 1,000 of each, so the totals below cannot
        // leave Int64 (≤ 4 × 10^17 with VAT under 100 %; the RON VAT saturates); the document's totals, in its currency
        // and in RON, are then checked exactly against the ceiling.
        try problems.throwIfAny()
        guard let documentCurrency else { throw ValidationErrors(problems.problems) }
        let totals = InvoiceMath.totals(lines: documentLines, allowancesCharges: items, exchangeRate: rate)
        let largest =
            [totals.lineTotal, totals.allowanceTotal, totals.chargeTotal, totals.taxExclusive, totals.vatTotal, totals.taxInclusive]
            .map(\.magnitude).max() ?? 0
        if Decimal(largest) * max(rate ?? 1, 1) > Decimal(Limits.amountMinorUnits) {
            throw ValidationErrors([
                DomainError(
                    "document.total_too_large", field: "lines",
                    "You cannot save this document because its total (with VAT, in RON) would be more than \(Money.ceilingText), the most one document may carry."
                )
            ])
        }
        if totals.payable < 0 {
            throw ValidationErrors([
                DomainError(
                    "document.negative_total", field: "lines",
                    "You cannot save a document whose total is negative; issue a credit note instead.")
            ])
        }
        return CommercialDocument(
            type: type!, number: sales ? "" : (self.number ?? "").trimmingCharacters(in: .whitespaces), issueDate: issue,
            supplyDate: supply, dueDate: due, currency: documentCurrency, exchangeRate: rate, seller: context.seller, buyer: context.buyer,
            lines: documentLines, allowancesCharges: items, totals: totals, note: note?.nilIfBlank,
            buyerReference: buyerReference?.nilIfBlank, orderReference: orderReference?.nilIfBlank,
            paymentTerms: context.paymentTermDays > 0 ? "\(context.paymentTermDays) zile" : nil)
    }

    private func vatKey(
        category: String?, kind: String?, percent: String?, supply: LocalDate, field: String, context: DocumentContext,
        problems: inout ProblemCollector
    ) -> VATKey? {
        guard let category = VATCategory(rawValue: (category ?? "S").uppercased()), VATCategory.issuable.contains(category) else {
            problems.add(
                DomainError(
                    "document.vat_category", field: "\(field).vat_category",
                    "You cannot use VAT category '\(category ?? "")' because the categories are \(VATCategory.issuable.map(\.rawValue).joined(separator: ", "))."
                ))
            return nil
        }
        guard category == .standard else { return VATKey(category: category, percent: 0) }
        if let percent {
            guard let value = DecimalText.parse(percent, scale: 2), value > 0, value < 100 else {
                problems.add(
                    DomainError(
                        "document.vat_percent", field: "\(field).vat_percent",
                        "You cannot use VAT percent '\(percent)' because it must be above 0 and below 100."))
                return nil
            }
            return VATKey(category: .standard, percent: value)
        }
        guard let rateKind = VATRate.Kind(rawValue: kind ?? "standard") else {
            problems.add(
                DomainError(
                    "document.vat_rate_kind", field: "\(field).vat_rate_kind",
                    "You cannot use rate kind '\(kind ?? "")' because it must be standard, reduced or reducedLow."))
            return nil
        }
        let value = problems.collect { () throws(DomainError) in
            try context.vatRates.rate(rateKind, supplyDate: supply, field: "\(field).vat_rate_kind")
        }
        return value.map { VATKey(category: .standard, percent: $0) }
    }

    private func validateLine(
        _ input: LineInput, index: Int, supply: LocalDate, context: DocumentContext, problems: inout ProblemCollector
    ) -> DocumentLine? {
        let field = "lines[\(index)]"
        let before = problems.problems.count
        var product: Product?
        if let code = input.product?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            product = context.products[code]
            if product == nil {
                problems.add(
                    DomainError(
                        "document.product", field: "\(field).product",
                        "You cannot use product '\(code)' because it does not exist or is archived."))
            }
        }
        // An unknown product is the one problem of its line: its defaults are missing, not the user's input.
        let unknownProduct = product == nil && input.product?.nilIfBlank != nil
        let name = (input.description?.nilIfBlank ?? product?.name ?? "").trimmingCharacters(in: .whitespaces)
        problems.check(
            unknownProduct || (!name.isEmpty && name.count <= 100),
            DomainError(
                "document.line_name", field: "\(field).description",
                "To save line \(index + 1), you must give a description of at most 100 characters (BT-153)."))
        let quantity = DecimalText.parse(input.quantity, scale: 6, allowNegative: true)
        if let quantity {
            problems.check(
                quantity > 0,
                DomainError(
                    "document.quantity", field: "\(field).quantity",
                    "You cannot invoice quantity \(input.quantity) because a quantity must be above 0; issue a credit note to take something back."
                ))
        } else {
            problems.add(
                NumberText.ambiguityIfAny(input.quantity, scale: 6, field: "\(field).quantity")
                    ?? DomainError(
                        "document.quantity", field: "\(field).quantity",
                        "You cannot use '\(input.quantity)' as a quantity because it must be a number with at most 6 decimals."))
        }
        let unit = problems.collect { () throws(DomainError) in
            try UnitCode.validated(input.unit?.nilIfBlank ?? product?.unit ?? "H87", field: "\(field).unit")
        }
        var price = product?.unitPrice
        if let text = input.unitPrice?.nilIfBlank {
            price = DecimalText.parse(text, scale: 6)
            if price == nil {
                problems.add(
                    NumberText.ambiguityIfAny(text, scale: 6, field: "\(field).unit_price")
                        ?? DomainError(
                            "document.unit_price", field: "\(field).unit_price",
                            "You cannot use '\(text)' as a price because it must be 0 or more with at most 6 decimals."))
            }
        } else if price == nil && !unknownProduct {
            problems.add(
                DomainError("document.unit_price", field: "\(field).unit_price", "To save line \(index + 1), you must give its unit price.")
            )
        }
        func money(_ text: String?, _ name: String) -> Int64 {
            guard let text = text?.nilIfBlank else { return 0 }
            guard let value = DecimalText.parse(text, scale: 2) else {
                problems.add(
                    NumberText.ambiguityIfAny(text, scale: 2, field: "\(field).\(name)")
                        ?? DomainError(
                            "document.line_amount", field: "\(field).\(name)",
                            "You cannot use '\(text)' as the \(name) because it must be 0 or more with at most 2 decimals."))
                return 0
            }
            return InvoiceMath.minor(value)
        }
        let allowance = money(input.allowance, "allowance")
        let charge = money(input.charge, "charge")
        let vat = vatKey(
            category: input.vatCategory ?? product?.vatCategory.rawValue, kind: input.vatRateKind ?? product?.vatRateKind?.rawValue,
            percent: input.vatPercent, supply: supply, field: field, context: context, problems: &problems)
        let reason = input.exemptionReason?.nilIfBlank ?? product?.exemptionReason
        if let vat, vat.category.needsExemptionReason {
            problems.check(
                (reason ?? "").count > 0 && (reason ?? "").count <= 100,
                DomainError(
                    "document.exemption_reason", field: "\(field).exemption_reason",
                    "To use VAT category \(vat.category.rawValue) on line \(index + 1), you must give the exemption reason (at most 100 characters)."
                ))
        }
        let sales = context.side == .sales
        let account =
            input.account?.nilIfBlank ?? (sales ? product?.salesAccount : product?.purchaseAccount)
            ?? (sales ? DefaultAccounts.serviceSales : DefaultAccounts.servicePurchases)
        problems.check(
            context.postableAccounts.contains(account),
            DomainError(
                "document.account", field: "\(field).account",
                "You cannot use account '\(account)' on line \(index + 1) because it is not a postable account of the chart."))
        guard problems.problems.count == before, let quantity, let price, let unit, let vat else { return nil }
        // Quantity × price is checked as an exact decimal before it becomes minor units: never wrapped, never trapped.
        let gross = quantity * price
        guard gross.magnitude * 100 <= Decimal(Limits.amountMinorUnits) else {
            problems.add(
                DomainError(
                    "document.line_too_large", field: "\(field).quantity",
                    "You cannot save line \(index + 1) because quantity × unit price is more than \(Money.ceilingText), the most one line may carry."
                ))
            return nil
        }
        let net = InvoiceMath.lineNet(quantity: quantity, unitPrice: price, allowance: allowance, charge: charge)
        if net < 0 {
            problems.add(
                DomainError(
                    "document.line_net", field: "\(field).allowance",
                    "You cannot give line \(index + 1) an allowance larger than its amount."))
            return nil
        }
        return DocumentLine(
            number: index + 1, productCode: product?.code, name: name, quantity: quantity, unit: unit, unitPrice: price,
            allowance: allowance, charge: charge, net: net, vat: vat,
            exemptionReason: vat.category.needsExemptionReason ? reason : nil, account: account,
            nonDeductible: input.nonDeductible ?? false)
    }
}

extension String {
    var nilIfBlank: String? {
        let trimmed = trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
