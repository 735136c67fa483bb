import Foundation
import Kernel

extension D406 {
    /// The file as ANAF's `AuditFile`, elements in the schema's order. Texts longer than their field (a description over
    /// 256 characters, a name over 70 in an invoice's partner block) are shortened to it: the format's bound, not Culise's
    /// data limit; identifiers are never shortened (a too long one is a blocker before this runs).
    public static func xml(_ file: File) -> String {
        var w = SAFTWriter()
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AuditFile xmlns=\"\(namespace)\">\n")
        header(&w, file.header)
        masterFiles(&w, file)
        generalLedger(&w, file)
        sourceDocuments(&w, file)
        w.raw("</AuditFile>\n")
        return w.string
    }

    static func header(_ w: inout SAFTWriter, _ h: Header) {
        w.open("Header")
        w.leaf("AuditFileVersion", auditFileVersion)
        w.leaf("AuditFileCountry", "RO")
        w.leaf("AuditFileDateCreated", h.created.iso)
        w.leaf("SoftwareCompanyName", "Culise")
        w.leaf("SoftwareID", "Culise")
        w.leaf("SoftwareVersion", softwareVersion)
        w.open("Company")
        w.leaf("RegistrationNumber", h.registration, max: 35)
        w.leaf("Name", h.name, max: 256)
        address(&w, "Address", street: h.street, city: h.city, postalCode: h.postalCode, region: h.region, country: "RO")
        w.open("Contact")
        w.open("ContactPerson")
        w.leaf("FirstName", h.contactFirstName, max: 35)
        w.leaf("LastName", h.contactLastName, max: 70)
        w.close("ContactPerson")
        w.leaf("Telephone", h.phone, max: 18)
        if let email = h.email { w.leaf("Email", email, max: 70) }
        w.close("Contact")
        w.open("BankAccount")
        w.leaf("IBANNumber", h.iban, max: 35)
        w.close("BankAccount")
        w.close("Company")
        w.leaf("DefaultCurrencyCode", "RON")
        w.open("SelectionCriteria")
        w.leaf("SelectionStartDate", h.from.iso)
        w.leaf("SelectionEndDate", h.to.iso)
        w.close("SelectionCriteria")
        // L: the monthly file, T: the quarterly one (ANAF's codes for the D406 kinds; A annual assets, C on request).
        w.leaf("HeaderComment", h.quarterly ? "T" : "L")
        w.leaf("SegmentIndex", "1")
        w.leaf("TotalSegmentsInsequence", "1")
        w.leaf("TaxAccountingBasis", "A")
        w.close("Header")
    }

    static func address(
        _ w: inout SAFTWriter, _ name: StaticString, street: String?, city: String, postalCode: String?, region: String?, country: String
    ) {
        w.open(name)
        if let street, !street.isEmpty { w.leaf("StreetName", street, max: 70) }
        w.leaf("City", city, max: 35)
        if let postalCode, !postalCode.isEmpty { w.leaf("PostalCode", postalCode, max: 18) }
        if let region, !region.isEmpty { w.leaf("Region", region, max: 35) }
        w.leaf("Country", country)
        w.close(name)
    }

    static func balance(_ w: inout SAFTWriter, _ opening: Int64, _ closing: Int64) {
        if opening >= 0 { w.amount("OpeningDebitBalance", opening) } else { w.amount("OpeningCreditBalance", -opening) }
        if closing >= 0 { w.amount("ClosingDebitBalance", closing) } else { w.amount("ClosingCreditBalance", -closing) }
    }

    static func masterFiles(_ w: inout SAFTWriter, _ file: File) {
        w.open("MasterFiles")
        w.open("GeneralLedgerAccounts")
        for account in file.accounts {
            w.open("Account")
            w.leaf("AccountID", account.id, max: 70)
            w.leaf("AccountDescription", account.name, max: 256)
            if let standard = account.standard { w.leaf("StandardAccountID", standard, max: 35) }
            w.leaf("AccountType", account.type)
            balance(&w, account.opening, account.closing)
            w.close("Account")
        }
        w.close("GeneralLedgerAccounts")
        for (section, element, idName, parties) in [
            ("Customers", "Customer", "CustomerID", file.customers), ("Suppliers", "Supplier", "SupplierID", file.suppliers),
        ] as [(StaticString, StaticString, StaticString, [Party])] {
            w.open(section)
            for party in parties {
                w.open(element)
                if let city = party.city, !city.isEmpty {
                    w.open("CompanyStructure")
                    w.leaf("RegistrationNumber", party.registration, max: 35)
                    w.leaf("Name", party.name, max: 256)
                    address(
                        &w, "Address", street: party.street, city: city, postalCode: party.postalCode, region: party.region,
                        country: party.country)
                    w.close("CompanyStructure")
                }
                w.leaf(idName, party.id, max: 35)
                w.leaf("AccountID", party.account, max: 70)
                balance(&w, party.opening, party.closing)
                w.close(element)
            }
            w.close(section)
        }
        // The tax table: every code the file uses, VAT's under 300, the no-tax pair under 000.
        var codes: [String: Set<String>] = [:]
        for journal in file.journals {
            for transaction in journal.transactions {
                for line in transaction.lines { codes[line.tax.type, default: []].insert(line.tax.code) }
            }
        }
        for invoice in file.sales + file.purchases {
            for line in invoice.lines { codes[line.tax.type, default: []].insert(line.tax.code) }
        }
        for payment in file.payments {
            for line in payment.lines { codes[line.tax.type, default: []].insert(line.tax.code) }
        }
        w.open("TaxTable")
        for type in codes.keys.sorted() {
            w.open("TaxTableEntry")
            w.leaf("TaxType", type)
            w.leaf("Description", type == SAFTCodes.vatType ? "Taxa pe valoarea adăugată" : "Fără taxă")
            for code in (codes[type] ?? []).sorted() {
                w.open("TaxCodeDetails")
                w.leaf("TaxCode", code)
                w.leaf("Description", SAFTCodes.describe(code), max: 256)
                w.leaf("TaxPercentage", FilingText.decimal(SAFTCodes.percent(code)))
                w.leaf("BaseRate", "100")
                w.leaf("Country", "RO")
                w.close("TaxCodeDetails")
            }
            w.close("TaxTableEntry")
        }
        w.close("TaxTable")
        w.open("UOMTable")
        for unit in Set((file.sales + file.purchases).flatMap { $0.lines.map(\.unit) }).sorted() {
            w.open("UOMTableEntry")
            w.leaf("UnitOfMeasure", unit, max: 9)
            w.leaf("Description", SAFTCodes.units[unit] ?? unit, max: 256)
            w.close("UOMTableEntry")
        }
        w.close("UOMTable")
        w.raw("<AnalysisTypeTable/>\n<MovementTypeTable/>\n<Products/>\n<Owners/>\n<Assets/>\n")
        w.close("MasterFiles")
    }

    static func money(_ w: inout SAFTWriter, _ name: StaticString, amount: Int64, currency: String?, currencyAmount: Int64?, rate: String?)
    {
        w.open(name)
        w.amount("Amount", amount)
        if let currency, currency != "RON", let currencyAmount {
            w.leaf("CurrencyCode", currency)
            w.amount("CurrencyAmount", currencyAmount)
            if let rate { w.leaf("ExchangeRate", rate) }
        } else {
            w.leaf("CurrencyCode", "RON")
            w.amount("CurrencyAmount", amount)
        }
        w.close(name)
    }

    static func taxInformation(_ w: inout SAFTWriter, _ tax: Tax, element: StaticString = "TaxInformation") {
        w.open(element)
        w.leaf("TaxType", tax.type)
        w.leaf("TaxCode", tax.code)
        if tax.type != SAFTCodes.noTaxType {
            w.leaf("TaxPercentage", FilingText.decimal(tax.percent))
            w.leaf("TaxBase", FilingText.amount(tax.base))
        }
        money(&w, "TaxAmount", amount: tax.amount, currency: nil, currencyAmount: nil, rate: nil)
        w.close(element)
    }

    static func generalLedger(_ w: inout SAFTWriter, _ file: File) {
        var debit: Int64 = 0
        var credit: Int64 = 0
        for journal in file.journals {
            for transaction in journal.transactions {
                for line in transaction.lines {
                    if line.debit != 0 { debit &+= line.debit } else { credit &+= line.credit }
                }
            }
        }
        w.open("GeneralLedgerEntries")
        w.integer("NumberOfEntries", file.transactionCount)
        w.amount("TotalDebit", debit)
        w.amount("TotalCredit", credit)
        let own = file.header.ownID
        for journal in file.journals where !journal.transactions.isEmpty {
            w.open("Journal")
            w.leaf("JournalID", journal.id, max: 18)
            w.leaf("Description", journal.name, max: 256)
            w.leaf("Type", journal.id.count <= 9 ? journal.id : "GL")
            for transaction in journal.transactions {
                w.open("Transaction")
                w.leaf("TransactionID", transaction.id, max: 70)
                w.integer("Period", transaction.date.month)
                w.integer("PeriodYear", transaction.date.year)
                w.leaf("TransactionDate", transaction.date.iso)
                w.leaf("Description", transaction.description, max: 256)
                w.leaf("SystemEntryDate", transaction.entered.iso)
                w.leaf("GLPostingDate", transaction.date.iso)
                let customer = transaction.lines.lazy.compactMap(\.customer).first
                let supplier = transaction.lines.lazy.compactMap(\.supplier).first
                w.leaf("CustomerID", customer ?? own, max: 35)
                w.leaf("SupplierID", supplier ?? own, max: 35)
                for line in transaction.lines {
                    w.open("TransactionLine")
                    w.integer("RecordID", line.number)
                    w.leaf("AccountID", line.account, max: 70)
                    if let source = line.source, source.count <= 35 { w.leaf("SourceDocumentID", source) }
                    w.leaf("CustomerID", line.customer ?? own, max: 35)
                    w.leaf("SupplierID", line.supplier ?? own, max: 35)
                    w.leaf("Description", line.description, max: 256)
                    if line.debit != 0 {
                        money(
                            &w, "DebitAmount", amount: line.debit, currency: line.currency, currencyAmount: line.currencyAmount.map(abs),
                            rate: line.rate)
                    } else {
                        money(
                            &w, "CreditAmount", amount: line.credit, currency: line.currency, currencyAmount: line.currencyAmount.map(abs),
                            rate: line.rate)
                    }
                    taxInformation(&w, line.tax)
                    w.close("TransactionLine")
                }
                w.close("Transaction")
            }
            w.close("Journal")
        }
        w.close("GeneralLedgerEntries")
    }

    static func invoices(_ w: inout SAFTWriter, _ section: StaticString, _ invoices: [Invoice], sales: Bool) {
        let total = invoices.reduce(Int64(0)) { $0 &+ $1.lines.reduce(Int64(0)) { $0 &+ $1.amount } }
        w.open(section)
        w.integer("NumberOfEntries", invoices.count)
        w.amount("TotalDebit", sales ? 0 : total)
        w.amount("TotalCredit", sales ? total : 0)
        for invoice in invoices {
            w.open("Invoice")
            w.leaf("InvoiceNo", invoice.number, max: 70)
            w.open(sales ? "CustomerInfo" : "SupplierInfo")
            w.leaf(sales ? "CustomerID" : "SupplierID", invoice.partner, max: 35)
            address(&w, "BillingAddress", street: nil, city: invoice.city, postalCode: nil, region: nil, country: invoice.country)
            w.close(sales ? "CustomerInfo" : "SupplierInfo")
            w.leaf("AccountID", invoice.account, max: 70)
            w.leaf("Period", String(invoice.date.month))
            w.leaf("PeriodYear", String(invoice.date.year))
            w.leaf("InvoiceDate", invoice.date.iso)
            w.leaf("InvoiceType", invoice.type)
            w.leaf("SelfBillingIndicator", invoice.type == "389" ? "1" : "0")
            for line in invoice.lines {
                w.open("InvoiceLine")
                w.integer("LineNumber", line.number)
                w.leaf("AccountID", line.account, max: 70)
                w.leaf("Quantity", FilingText.decimal(line.quantity))
                w.leaf("InvoiceUOM", line.unit, max: 9)
                w.leaf("UnitPrice", FilingText.decimal(line.unitPrice))
                w.leaf("TaxPointDate", line.taxPoint.iso)
                w.leaf("Description", line.description, max: 256)
                money(
                    &w, "InvoiceLineAmount", amount: line.amount, currency: line.currency, currencyAmount: line.currencyAmount,
                    rate: line.rate)
                w.leaf("DebitCreditIndicator", sales ? "C" : "D")
                taxInformation(&w, line.tax)
                w.close("InvoiceLine")
            }
            w.open("InvoiceDocumentTotals")
            for tax in invoice.taxes { taxInformation(&w, tax, element: "TaxInformationTotals") }
            w.amount("NetTotal", invoice.net)
            w.amount("GrossTotal", invoice.gross)
            w.close("InvoiceDocumentTotals")
            w.close("Invoice")
        }
        w.close(section)
    }

    static func sourceDocuments(_ w: inout SAFTWriter, _ file: File) {
        w.open("SourceDocuments")
        invoices(&w, "SalesInvoices", file.sales, sales: true)
        invoices(&w, "PurchaseInvoices", file.purchases, sales: false)
        var debit: Int64 = 0
        var credit: Int64 = 0
        for payment in file.payments {
            for line in payment.lines {
                if line.debit != 0 { debit &+= line.debit } else { credit &+= line.credit }
            }
        }
        let own = file.header.ownID
        w.open("Payments")
        w.integer("NumberOfEntries", file.payments.count)
        w.amount("TotalDebit", debit)
        w.amount("TotalCredit", credit)
        for payment in file.payments {
            w.open("Payment")
            w.leaf("PaymentRefNo", payment.reference, max: 35)
            w.leaf("Period", String(payment.date.month))
            w.leaf("PeriodYear", String(payment.date.year))
            w.leaf("TransactionID", payment.transaction, max: 70)
            w.leaf("TransactionDate", payment.date.iso)
            w.leaf("PaymentMethod", payment.method)
            w.leaf("Description", payment.description, max: 256)
            for line in payment.lines {
                w.open("PaymentLine")
                w.integer("LineNumber", line.number)
                if let source = line.source, source.count <= 35 { w.leaf("SourceDocumentID", source) }
                w.leaf("AccountID", line.account, max: 70)
                w.leaf("CustomerID", line.customer ?? own, max: 35)
                w.leaf("SupplierID", line.supplier ?? own, max: 35)
                w.leaf("Description", line.description, max: 256)
                w.leaf("DebitCreditIndicator", line.debit != 0 ? "D" : "C")
                money(
                    &w, "PaymentLineAmount", amount: line.debit != 0 ? line.debit : line.credit, currency: line.currency,
                    currencyAmount: line.currencyAmount.map(abs), rate: line.rate)
                taxInformation(&w, line.tax)
                w.close("PaymentLine")
            }
            w.open("PaymentSettlement")
            w.leaf("PaymentMechanism", payment.mechanism)
            w.close("PaymentSettlement")
            w.close("Payment")
        }
        w.close("Payments")
        w.raw("<MovementOfGoods/>\n")
        w.close("SourceDocuments")
    }
}

/// A small, fast XML writer for SAF-T: bytes appended to one buffer, text escaped, control characters dropped, numbers
/// written without building strings (a month of 100,000 entries is a file of some 300 MB).
struct SAFTWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 20) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func name(_ name: StaticString) {
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func open(_ element: StaticString) {
        bytes.append(60)
        name(element)
        bytes.append(62)
        bytes.append(10)
    }

    mutating func close(_ element: StaticString) {
        bytes.append(60)
        bytes.append(47)
        name(element)
        bytes.append(62)
        bytes.append(10)
    }

    mutating func leaf(_ element: StaticString, _ value: String, max: Int? = nil) {
        bytes.append(60)
        name(element)
        bytes.append(62)
        var text = value
        if let max, text.utf8.count > max, text.count > max { text = String(text.prefix(max)) }
        text.utf8.withContiguousStorageIfAvailable { append(escaping: $0) } ?? append(escaping: Array(text.utf8))
        bytes.append(60)
        bytes.append(47)
        name(element)
        bytes.append(62)
        bytes.append(10)
    }

    mutating func append<C: Collection>(escaping text: C) where C.Element == UInt8 {
        if !text.contains(where: { $0 < 32 || $0 == 38 || $0 == 60 || $0 == 62 }) {
            bytes.append(contentsOf: text)
            return
        }
        for byte in text {
            switch byte {
            case 38: bytes.append(contentsOf: [38, 97, 109, 112, 59])  // &amp;
            case 60: bytes.append(contentsOf: [38, 108, 116, 59])  // &lt;
            case 62: bytes.append(contentsOf: [38, 103, 116, 59])  // &gt;
            case 9, 10, 13: bytes.append(32)
            case 0..<32: continue
            default: bytes.append(byte)
            }
        }
    }

    /// Minor units as `1234.56` (`-0.07`).
    mutating func amount(_ element: StaticString, _ minor: Int64) {
        bytes.append(60)
        name(element)
        bytes.append(62)
        if minor < 0 { bytes.append(45) }
        let value = minor.magnitude
        digits(value / 100)
        bytes.append(46)
        let cents = value % 100
        bytes.append(48 + UInt8(cents / 10))
        bytes.append(48 + UInt8(cents % 10))
        bytes.append(60)
        bytes.append(47)
        name(element)
        bytes.append(62)
        bytes.append(10)
    }

    mutating func integer(_ element: StaticString, _ value: Int) {
        bytes.append(60)
        name(element)
        bytes.append(62)
        if value < 0 { bytes.append(45) }
        digits(UInt64(value.magnitude))
        bytes.append(60)
        bytes.append(47)
        name(element)
        bytes.append(62)
        bytes.append(10)
    }

    mutating func digits(_ value: UInt64) {
        if value < 10 {
            bytes.append(48 + UInt8(value))
            return
        }
        var power: UInt64 = 1
        while power <= value / 10 { power *= 10 }
        var rest = value
        while power > 0 {
            bytes.append(48 + UInt8(rest / power))
            rest %= power
            power /= 10
        }
    }
}
