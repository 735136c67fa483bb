import Foundation
import Kernel

/// SAF-T, declaration D406 (issue 16 item 2): the ledger of a month or quarter as ANAF's `AuditFile` (schema 2.4.8 of
/// 2023-11-21, kit `saft/`), written from data the app reads: the header, the accounts with their opening and closing
/// balances, customers and suppliers with theirs, the tax table and units, the general-ledger entries by journal, and
/// the source documents (sales and purchase invoices, and payments: the entries that move a bank or cash account).
/// Products, physical stock, movements of goods and assets are left empty (docs/filings.md says why).
public enum D406 {
    /// The namespace filed with ANAF (`…d406…`); the schema's own `…d406t…` is the types' namespace (kit README §7).
    public static let namespace = "mfp:anaf:dgti:d406:declaratie:v1"
    public static let auditFileVersion = "2.4.8"
    public static let softwareVersion = "2026.12"

    public struct Header: Sendable, Equatable {
        /// `RO` + CUI for a VAT payer, the CUI alone otherwise.
        public var registration: String
        /// `00` + CUI: the company's own identifier on the lines that have no partner.
        public var ownID: String
        public var name: String
        public var street: String
        public var city: String
        public var postalCode: String?
        /// ISO 3166-2 (`RO-CJ`).
        public var region: String?
        public var contactFirstName: String
        public var contactLastName: String
        public var phone: String
        public var email: String?
        public var iban: String
        public var from: LocalDate
        public var to: LocalDate
        public var quarterly: Bool
        public var created: LocalDate

        public init(
            registration: String, ownID: String, name: String, street: String, city: String, postalCode: String?, region: String?,
            contactFirstName: String, contactLastName: String, phone: String, email: String?, iban: String, from: LocalDate,
            to: LocalDate, quarterly: Bool, created: LocalDate
        ) {
            self.registration = registration
            self.ownID = ownID
            self.name = name
            self.street = street
            self.city = city
            self.postalCode = postalCode
            self.region = region
            self.contactFirstName = contactFirstName
            self.contactLastName = contactLastName
            self.phone = phone
            self.email = email
            self.iban = iban
            self.from = from
            self.to = to
            self.quarterly = quarterly
            self.created = created
        }
    }

    public struct Account: Sendable, Equatable {
        /// The account's code without its dot (`4111.00023` → `411100023`).
        public var id: String
        public var code: String
        public var name: String
        /// The synthetic code in ANAF's nomenclature; `nil` when it is not there.
        public var standard: String?
        /// `Activ`, `Pasiv` or `Bifunctional`.
        public var type: String
        /// Debit balances positive, credit negative, minor units.
        public var opening: Int64
        public var closing: Int64

        public init(id: String, code: String, name: String, standard: String?, type: String, opening: Int64, closing: Int64) {
            self.id = id
            self.code = code
            self.name = name
            self.standard = standard
            self.type = type
            self.opening = opening
            self.closing = closing
        }
    }

    public struct Party: Sendable, Equatable {
        public var id: String
        public var code: String
        public var name: String
        public var registration: String
        public var street: String?
        public var city: String?
        public var postalCode: String?
        public var region: String?
        public var country: String
        /// The receivable (customers) or payable (suppliers) account the partner's balance sits on.
        public var account: String
        public var opening: Int64
        public var closing: Int64

        public init(
            id: String, code: String, name: String, registration: String, street: String?, city: String?, postalCode: String?,
            region: String?, country: String, account: String, opening: Int64, closing: Int64
        ) {
            self.id = id
            self.code = code
            self.name = name
            self.registration = registration
            self.street = street
            self.city = city
            self.postalCode = postalCode
            self.region = region
            self.country = country
            self.account = account
            self.opening = opening
            self.closing = closing
        }
    }

    /// One `TaxInformation`: a code of the tax table, its base and amount in RON.
    public struct Tax: Sendable, Equatable {
        public var type: String
        public var code: String
        public var percent: Decimal
        public var base: Int64
        public var amount: Int64

        public init(type: String, code: String, percent: Decimal, base: Int64, amount: Int64) {
            self.type = type
            self.code = code
            self.percent = percent
            self.base = base
            self.amount = amount
        }

        public static let none = Tax(type: SAFTCodes.noTaxType, code: SAFTCodes.noTaxCode, percent: 0, base: 0, amount: 0)
    }

    public struct Line: Sendable, Equatable {
        public var number: Int
        public var account: String
        public var customer: String?
        public var supplier: String?
        public var description: String
        public var debit: Int64
        public var credit: Int64
        public var currency: String?
        public var currencyAmount: Int64?
        public var rate: String?
        public var source: String?
        public var tax: Tax

        public init(
            number: Int, account: String, customer: String?, supplier: String?, description: String, debit: Int64, credit: Int64,
            currency: String? = nil, currencyAmount: Int64? = nil, rate: String? = nil, source: String? = nil, tax: Tax = .none
        ) {
            self.number = number
            self.account = account
            self.customer = customer
            self.supplier = supplier
            self.description = description
            self.debit = debit
            self.credit = credit
            self.currency = currency
            self.currencyAmount = currencyAmount
            self.rate = rate
            self.source = source
            self.tax = tax
        }
    }

    public struct Transaction: Sendable, Equatable {
        public var id: String
        public var date: LocalDate
        public var description: String
        public var entered: LocalDate
        public var lines: [Line]

        public init(id: String, date: LocalDate, description: String, entered: LocalDate, lines: [Line]) {
            self.id = id
            self.date = date
            self.description = description
            self.entered = entered
            self.lines = lines
        }
    }

    public struct Journal: Sendable, Equatable {
        public var id: String
        public var name: String
        public var transactions: [Transaction]

        public init(id: String, name: String, transactions: [Transaction]) {
            self.id = id
            self.name = name
            self.transactions = transactions
        }
    }

    public struct InvoiceLine: Sendable, Equatable {
        public var number: Int
        public var account: String
        public var description: String
        public var quantity: Decimal
        public var unit: String
        public var unitPrice: Decimal
        public var taxPoint: LocalDate
        /// RON; negative on a credit note.
        public var amount: Int64
        public var currency: String
        public var currencyAmount: Int64
        public var rate: String?
        public var tax: Tax

        public init(
            number: Int, account: String, description: String, quantity: Decimal, unit: String, unitPrice: Decimal, taxPoint: LocalDate,
            amount: Int64, currency: String, currencyAmount: Int64, rate: String?, tax: Tax
        ) {
            self.number = number
            self.account = account
            self.description = description
            self.quantity = quantity
            self.unit = unit
            self.unitPrice = unitPrice
            self.taxPoint = taxPoint
            self.amount = amount
            self.currency = currency
            self.currencyAmount = currencyAmount
            self.rate = rate
            self.tax = tax
        }
    }

    public struct Invoice: Sendable, Equatable {
        public var number: String
        public var partner: String
        public var partnerName: String
        public var city: String
        public var country: String
        /// The receivable or payable account.
        public var account: String
        public var date: LocalDate
        /// UNTDID 1001: 380 invoice, 381 credit note, 384 corrected, 389 self-billed.
        public var type: String
        public var lines: [InvoiceLine]
        /// Per tax code, RON.
        public var taxes: [Tax]
        public var net: Int64
        public var gross: Int64

        public init(
            number: String, partner: String, partnerName: String, city: String, country: String, account: String, date: LocalDate,
            type: String, lines: [InvoiceLine], taxes: [Tax], net: Int64, gross: Int64
        ) {
            self.number = number
            self.partner = partner
            self.partnerName = partnerName
            self.city = city
            self.country = country
            self.account = account
            self.date = date
            self.type = type
            self.lines = lines
            self.taxes = taxes
            self.net = net
            self.gross = gross
        }
    }

    public struct Payment: Sendable, Equatable {
        public var reference: String
        public var date: LocalDate
        /// `01` cash, `03` bank transfer; with the mechanism (`10` cash, `42` to a bank account) they must agree.
        public var method: String
        public var mechanism: String
        public var description: String
        public var transaction: String
        public var lines: [Line]

        public init(
            reference: String, date: LocalDate, method: String, mechanism: String, description: String, transaction: String, lines: [Line]
        ) {
            self.reference = reference
            self.date = date
            self.method = method
            self.mechanism = mechanism
            self.description = description
            self.transaction = transaction
            self.lines = lines
        }
    }

    public struct File: Sendable, Equatable {
        public var header: Header
        public var accounts: [Account]
        public var customers: [Party]
        public var suppliers: [Party]
        public var journals: [Journal]
        public var sales: [Invoice]
        public var purchases: [Invoice]
        public var payments: [Payment]

        public init(
            header: Header, accounts: [Account], customers: [Party], suppliers: [Party], journals: [Journal], sales: [Invoice],
            purchases: [Invoice], payments: [Payment]
        ) {
            self.header = header
            self.accounts = accounts
            self.customers = customers
            self.suppliers = suppliers
            self.journals = journals
            self.sales = sales
            self.purchases = purchases
            self.payments = payments
        }

        public var transactionCount: Int { journals.reduce(0) { $0 + $1.transactions.count } }
        public var lineCount: Int { journals.reduce(0) { $0 + $1.transactions.reduce(0) { $0 + $1.lines.count } } }
    }

    /// The file's cross-checks, each named:
    /// - `D406-GL`: the entries' debits equal their credits;
    /// - `D406-balance`: each account's opening balance plus the file's lines on it equals its closing balance (the closing
    ///   balances are the trial balance's, so this ties the entries in the file to the trial balance);
    /// - `D406-line-account`: every line names an account of the master file;
    /// - `D406-invoices`: the sales invoices' gross total equals the invoice register's for the period (`register`).
    public static func problems(_ file: File, salesRegister register: Int64?) -> [FilingProblem] {
        var problems: [FilingProblem] = []
        var debit: Int64 = 0
        var credit: Int64 = 0
        var moved: [String: Int64] = [:]
        for journal in file.journals {
            for transaction in journal.transactions {
                for line in transaction.lines {
                    debit &+= line.debit
                    credit &+= line.credit
                    moved[line.account, default: 0] &+= line.debit &- line.credit
                }
            }
        }
        if debit != credit {
            problems.append(
                FilingProblem(
                    check: "D406-GL",
                    message: "The entries' debits (\(FilingText.amount(debit))) differ from their credits (\(FilingText.amount(credit))).",
                    messageRO: "Debitul notelor (\(FilingText.amount(debit))) diferă de credit (\(FilingText.amount(credit)))."))
        }
        let known = Set(file.accounts.map(\.id))
        for account in moved.keys.sorted() where !known.contains(account) {
            problems.append(
                FilingProblem(
                    check: "D406-line-account", message: "Account \(account) has lines in the period but is not in the accounts' list.",
                    messageRO: "Contul \(account) are rulaj în perioadă, dar lipsește din lista conturilor."))
        }
        for account in file.accounts where account.opening &+ (moved[account.id] ?? 0) != account.closing {
            problems.append(
                FilingProblem(
                    check: "D406-balance",
                    message:
                        "Account \(account.code): the opening balance \(FilingText.amount(account.opening)) plus the period's lines \(FilingText.amount(moved[account.id] ?? 0)) is not the closing balance \(FilingText.amount(account.closing)).",
                    messageRO:
                        "Contul \(account.code): soldul inițial \(FilingText.amount(account.opening)) plus rulajul perioadei \(FilingText.amount(moved[account.id] ?? 0)) nu este soldul final \(FilingText.amount(account.closing))."
                ))
        }
        if let register {
            let gross = file.sales.reduce(Int64(0)) { $0 &+ $1.gross }
            if gross != register {
                problems.append(
                    FilingProblem(
                        check: "D406-invoices",
                        message:
                            "The sales invoices total \(FilingText.amount(gross)) but the invoice register of the period totals \(FilingText.amount(register)).",
                        messageRO:
                            "Facturile emise totalizează \(FilingText.amount(gross)), dar registrul facturilor perioadei totalizează \(FilingText.amount(register))."
                    ))
            }
        }
        return problems
    }
}

/// Amounts as the files and the checks' messages write them.
public enum FilingText {
    /// "1234.50", "-0.07" for minor units.
    public static func amount(_ minor: Int64) -> String { Money.ron(minor).decimalString }

    /// A decimal without exponent ("2", "0.5", "12.345").
    public static func decimal(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }

    /// A unit price to the ban, half away from zero: SAF-T's monetary type has two decimals.
    public static func unitPrice(_ value: Decimal) -> Decimal {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return rounded
    }

    /// An exchange rate with at most four decimals (SAF-T's `SAFexchangerateType`), rounded half up.
    public static func rate(_ text: String) -> String? {
        guard var value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), value > 0 else { return nil }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 4, .plain)
        return decimal(rounded)
    }
}
