import Application
import Companies
import Filings
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Posting
import SQLKit
import Storage
import Tax

/// A period's SAF-T file as the SAF-T page shows it: the file, the cross-checks' problems, what keeps the XML from being
/// written (each partner without an identifier and each account outside ANAF's nomenclature, named), the latest filing.
public struct D406View: Sendable, Equatable {
    public var period: YearMonth
    public var from: LocalDate
    public var to: LocalDate
    public var quarterly: Bool
    public var file: D406.File
    public var problems: [FilingProblem]
    public var blockers: [DomainError]
    /// What each blocker is about (a partner's or an account's code and name; empty for a setting), in `blockers`' order:
    /// the Romanian catalogue's texts do not name it.
    public var blockerSubjects: [String]
    public var filing: FilingRecord?
}

extension Culise {
    /// The period's D406 (issue 16 item 2): the month, or the quarter ending with it for a quarterly VAT period or a
    /// company not registered for VAT (shared reference §4).
    public func saftReturn(company: CompanyID, period: YearMonth, actor: Actor) async throws -> D406View {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in try await Self.d406View(db, company: company, period: period, today: self.today) }
    }

    /// The D406 XML of the period without keeping it; refused, with every blocker, while one is left.
    public func d406Draft(company: CompanyID, period: YearMonth, actor: Actor) async throws -> TaxReturnDraft {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in
            let view = try await Self.d406View(db, company: company, period: period, today: self.today)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            return TaxReturnDraft(xml: D406.xml(view.file), problems: view.problems)
        }
    }

    /// Generates and keeps the period's D406 through the shared lifecycle (a D406 has no rectifying flag in its header:
    /// a corrected file is simply filed again, the earlier one marked rectified).
    public func generateD406(company: CompanyID, period: YearMonth, actor: Actor) async throws -> FilingRecord {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.d406View(db, company: company, period: period, today: self.today)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            return try await self.recordFiling(db, company: company, form: .d406, period: period, actor: actor) { _ in
                (D406.xml(view.file), view.problems)
            }
        }
    }

    static func d406View(_ db: any SQLDatabase, company: CompanyID, period: YearMonth, today: LocalDate) async throws -> D406View {
        let settings = try await loadTaxFilingSettings(db, company: company)
        let firm = try await loadCompany(db, company)
        let quarterly = settings.vatPeriod == .quarterly || !firm.vatPayer
        let (from, to) = try D300.range(period, quarterly: quarterly)
        var blockers = missingSettings(settings, form: .d406)
        var subjects = blockers.map { _ in "" }
        let built = try await d406File(
            db, company: company, firm: firm, settings: settings, from: from, to: to, quarterly: quarterly, today: today)
        blockers += built.blockers.map(\.error)
        subjects += built.blockers.map(\.subject)
        let filing = try await loadFilings(db, company: company, form: .d406, period: period, withXML: false).last {
            $0.state != .discarded
        }
        return D406View(
            period: period, from: from, to: to, quarterly: quarterly, file: built.file,
            problems: D406.problems(built.file, salesRegister: built.register), blockers: blockers, blockerSubjects: subjects,
            filing: filing)
    }

    struct PartnerRow {
        var code: String
        var person: Bool
        var name: String
        var cui: String?
        var cnp: String?
        var vatNumber: String?
        var street: String?
        var city: String?
        var county: String?
        var postalCode: String?
        var country: String
    }

    /// Reads the period once and builds the file: accounts from the trial balance's turnovers, partners' balances on
    /// their receivable (41x) and payable (40x) accounts, the posted entries by journal, the posted documents, and the
    /// payments (entries that move a 512x bank or 531x cash account).
    static func d406File(
        _ db: any SQLDatabase, company: CompanyID, firm: Company, settings: TaxFilingSettings, from: LocalDate, to: LocalDate,
        quarterly: Bool, today: LocalDate
    ) async throws -> (file: D406.File, blockers: [(error: DomainError, subject: String)], register: Int64) {
        let cid = company.description
        var blockers: [(error: DomainError, subject: String)] = []
        let rules = try await LedgerEngine.rules(db, company: company)
        let nomenclature = Self.saftNomenclature

        // Accounts: opening = everything before the period, closing = opening + the period (the trial balance's figures).
        let opening = try await turnover(db, company: company, from: nil, to: from.adding(days: -1))
        let moved = try await turnover(db, company: company, from: from, to: to)
        var accountIDs: [String: String] = [:]
        var accounts: [D406.Account] = []
        var seenIDs: [String: String] = [:]
        for code in Set(opening.keys).union(moved.keys).sorted() {
            let before = opening[code]?.net ?? 0
            let during = moved[code] ?? Turnover()
            if before == 0 && during == Turnover() { continue }
            let id = code.filter { $0 != "." }
            let synthetic = String(code.split(separator: ".").first ?? Substring(code))
            let info = rules.accounts[code]
            if !nomenclature.contains(synthetic) {
                blockers.append(
                    (
                        DomainError(
                            "saft.account_nomenclature", field: "account",
                            "You cannot write the D406 because account \(code) (\(info?.name ?? code)) is not in ANAF's account nomenclature, so it has no SAF-T account; move its lines to an account of the chart or use it as an analytic of one."
                        ), "\(code) \(info?.name ?? "")"
                    ))
            }
            if let other = seenIDs[id] {
                blockers.append(
                    (
                        DomainError(
                            "saft.account_id", field: "account",
                            "You cannot write the D406 because accounts \(other) and \(code) are both \(id) once their dots are dropped; rename one."
                        ), "\(other), \(code)"
                    ))
            }
            seenIDs[id] = code
            accountIDs[code] = id
            accounts.append(
                D406.Account(
                    id: id, code: code, name: info?.name ?? code, standard: nomenclature.contains(synthetic) ? synthetic : nil,
                    type: (info?.type ?? .bifunctional).safTName, opening: before, closing: before &+ during.net))
        }

        // Partners: every partner's identifier, computed once.
        var partners: [String: PartnerRow] = [:]
        for row in try await db.raw(
            """
            SELECT code, kind, name, cui, cnp, tax_id, address_line, city, county, postal_code, country FROM partners
            WHERE company_id = \(bind: cid)
            """
        ).all() {
            let code = try row.decode(column: "code", as: String.self)
            partners[code] = PartnerRow(
                code: code, person: try row.decode(column: "kind", as: String.self) == "individual",
                name: try row.decode(column: "name", as: String.self), cui: try row.decode(column: "cui", as: String?.self),
                cnp: try row.decode(column: "cnp", as: String?.self), vatNumber: try row.decode(column: "tax_id", as: String?.self),
                street: try row.decode(column: "address_line", as: String?.self), city: try row.decode(column: "city", as: String?.self),
                county: try row.decode(column: "county", as: String?.self),
                postalCode: try row.decode(column: "postal_code", as: String?.self),
                country: (try row.decode(column: "country", as: String?.self)).map { $0.isEmpty ? "RO" : $0.uppercased() } ?? "RO")
        }
        var ids: [String: (id: String, registration: String)?] = [:]
        var missing: Set<String> = []
        func partnerID(_ code: String) -> String? {
            if let known = ids[code] { return known?.id }
            let row = partners[code]
            let found = row.flatMap {
                SAFTPartnerID.id(person: $0.person, cui: $0.cui, cnp: $0.cnp, vatNumber: $0.vatNumber, country: $0.country, code: $0.code)
            }
            ids[code] = .some(found)
            if found == nil, missing.insert(code).inserted {
                blockers.append(
                    (
                        DomainError(
                            "saft.partner_id", field: "partner",
                            "You cannot write the D406 because partner \(code) (\(row?.name ?? code)) has no CUI, CNP or VAT number; add it to the partner."
                        ), [code, row?.name ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces)
                    ))
            }
            return found?.id
        }

        // Customers and suppliers: their balances on 41x and 40x, for those with a balance or a line in the period.
        struct Role {
            var accounts: [(account: String, lines: Int64, closing: Int64)] = []
            var opening: Int64 = 0
            var closing: Int64 = 0
            var lines: Int64 = 0
        }
        var customers: [String: Role] = [:]
        var suppliers: [String: Role] = [:]
        for row in try await db.raw(
            """
            SELECT partner, account,
                CAST(SUM(CASE WHEN date < \(bind: from.iso) THEN debit - credit ELSE 0 END) AS BIGINT) AS o,
                CAST(SUM(debit - credit) AS BIGINT) AS c,
                CAST(SUM(CASE WHEN date >= \(bind: from.iso) THEN 1 ELSE 0 END) AS BIGINT) AS n
            FROM entry_lines
            WHERE company_id = \(bind: cid) AND posted = \(bind: true) AND partner IS NOT NULL
                AND (account LIKE '40%' OR account LIKE '41%') AND date <= \(bind: to.iso)
            GROUP BY partner, account
            """
        ).all() {
            let partner = try row.decode(column: "partner", as: String.self)
            let account = try row.decode(column: "account", as: String.self)
            let o = try row.decode(column: "o", as: Int64?.self) ?? 0
            let c = try row.decode(column: "c", as: Int64?.self) ?? 0
            let n = try row.decode(column: "n", as: Int64?.self) ?? 0
            func add(_ role: inout Role) {
                role.accounts.append((account, n, c))
                role.opening &+= o
                role.closing &+= c
                role.lines &+= n
            }
            if account.hasPrefix("41") { add(&customers[partner, default: Role()]) } else { add(&suppliers[partner, default: Role()]) }
        }
        func parties(_ roles: [String: Role]) -> [D406.Party] {
            roles.keys.sorted().compactMap { code in
                guard let role = roles[code], role.lines > 0 || role.opening != 0 || role.closing != 0,
                    let id = partnerID(code),
                    let main = role.accounts.max(by: { ($0.lines, abs($0.closing)) < ($1.lines, abs($1.closing)) })
                else { return nil }
                let row = partners[code]
                return D406.Party(
                    id: id, code: code, name: row?.name ?? code, registration: ids[code]??.registration ?? code, street: row?.street,
                    city: row?.city, postalCode: row?.postalCode, region: row?.county, country: row?.country ?? "RO",
                    account: accountIDs[main.account] ?? main.account, opening: role.opening, closing: role.closing)
            }
        }
        let customerList = parties(customers)
        let supplierList = parties(suppliers)

        // The period's documents: the source documents, and the VAT codes of their entries' VAT lines.
        let documents = try await postedDocuments(db, company: company, from: from, to: to)
        var factsBySource: [String: [VATFact]] = [:]
        var sales: [D406.Invoice] = []
        var purchases: [D406.Invoice] = []
        for posted in documents {
            let facts =
                posted.kind == .invoice
                ? saleFacts(posted.document, source: posted.source, partner: posted.partner)
                : purchaseFacts(posted.document, source: posted.source, partner: posted.partner, creditNote: posted.creditNote)
            factsBySource[posted.source] = facts
            guard let id = partnerID(posted.partner) else { continue }
            let invoice = sourceInvoice(posted, partnerID: id, facts: facts, partner: partners[posted.partner], accountIDs: accountIDs)
            if posted.kind == .invoice { sales.append(invoice) } else { purchases.append(invoice) }
        }
        let register =
            try await db.raw(
                """
                SELECT CAST(SUM(CASE WHEN type = '381' THEN -total_ron ELSE total_ron END) AS BIGINT) AS t FROM invoices
                WHERE company_id = \(bind: cid) AND state <> 'draft' AND entry_id IS NOT NULL
                    AND issue_date >= \(bind: from.iso) AND issue_date <= \(bind: to.iso)
                """
            ).first()?.decode(column: "t", as: Int64?.self) ?? 0

        // The entries, by journal, in date order.
        var journalNames: [String: String] = [:]
        for row in try await db.raw("SELECT code, name FROM journals WHERE company_id = \(bind: cid)").all() {
            journalNames[try row.decode(column: "code", as: String.self)] = try row.decode(column: "name", as: String.self)
        }
        var journals: [D406.Journal] = []
        var payments: [D406.Payment] = []
        var current: (journal: String, entry: Int64, transaction: D406.Transaction)?
        func flush() {
            guard let (journal, _, transaction) = current else { return }
            if journals.last?.id != journal {
                journals.append(D406.Journal(id: journal, name: journalNames[journal] ?? journal, transactions: []))
            }
            journals[journals.count - 1].transactions.append(transaction)
            if let payment = payment(transaction) { payments.append(payment) }
            current = nil
        }
        let rows = try await db.raw(
            """
            SELECT e.id, e.journal, e.number, e.date, e.description AS entry_description, e.created_at, l.account, l.partner,
                l.debit, l.credit, l.description, l.currency, l.amount_currency, l.rate, l.source_type, l.source_id
            FROM entries e JOIN entry_lines l ON l.company_id = e.company_id AND l.entry_id = e.id
            WHERE e.company_id = \(bind: cid) AND e.state = 'posted' AND e.date >= \(bind: from.iso) AND e.date <= \(bind: to.iso)
            ORDER BY e.journal, e.date, e.id, l.line_no
            """
        ).all()
        var dates: [String: LocalDate] = [:]
        func day(_ text: String) throws -> LocalDate {
            let key = String(text.prefix(10))
            if let known = dates[key] { return known }
            let parsed = try LocalDate(iso: key)
            dates[key] = parsed
            return parsed
        }
        // Only what each line needs is decoded (a month of 100,000 entries is some 400,000 rows): the entry's columns when
        // it changes, the source document's only on a VAT line, the rate and currency amount only in another currency.
        var accountIDCache: [String: String] = [:]
        for row in rows {
            let entry = try row.decode(column: "id", as: Int64.self)
            if current?.entry != entry {
                flush()
                let number = try row.decode(column: "number", as: String?.self)
                current = (
                    try row.decode(column: "journal", as: String.self), entry,
                    D406.Transaction(
                        id: number ?? String(entry), date: try day(try row.decode(column: "date", as: String.self)),
                        description: try row.decode(column: "entry_description", as: String.self),
                        entered: try day(try row.decode(column: "created_at", as: String.self)), lines: [])
                )
            }
            let account = try row.decode(column: "account", as: String.self)
            let partner = try row.decode(column: "partner", as: String?.self)
            let debit = try row.decode(column: "debit", as: Int64.self)
            let credit = try row.decode(column: "credit", as: Int64.self)
            let currency = try row.decode(column: "currency", as: String?.self)
            var customer: String?
            var supplier: String?
            if let partner {
                if account.hasPrefix("41") {
                    customer = partnerID(partner)
                } else if account.hasPrefix("40") {
                    supplier = partnerID(partner)
                }
            }
            var tax = D406.Tax.none
            if account.hasPrefix("4426") || account.hasPrefix("4427"),
                let sourceType = try row.decode(column: "source_type", as: String?.self),
                let sourceID = try row.decode(column: "source_id", as: String?.self),
                let facts = factsBySource["\(sourceType):\(sourceID)"]
            {
                tax = vatLineTax(facts, amount: debit != 0 ? debit : credit)
            }
            let foreign = currency != nil && currency != "RON"
            let id: String
            if let known = accountIDs[account] ?? accountIDCache[account] {
                id = known
            } else {
                id = account.filter { $0 != "." }
                accountIDCache[account] = id
            }
            let line = D406.Line(
                number: (current?.transaction.lines.count ?? 0) + 1, account: id, customer: customer, supplier: supplier,
                description: try row.decode(column: "description", as: String?.self) ?? current?.transaction.description ?? "",
                debit: debit, credit: credit, currency: currency,
                currencyAmount: foreign ? try row.decode(column: "amount_currency", as: Int64?.self) : nil,
                rate: foreign ? try row.decode(column: "rate", as: String?.self).flatMap(FilingText.rate) : nil, tax: tax)
            current?.transaction.lines.append(line)
        }
        flush()

        let address = firm.address
        let header = D406.Header(
            registration: (firm.vatPayer ? "RO" : "") + firm.cui.digits, ownID: "00" + firm.cui.digits, name: firm.legalName,
            street: address.line, city: address.city, postalCode: address.postalCode, region: address.county,
            contactFirstName: settings.declarantFirstName ?? "", contactLastName: settings.declarantLastName ?? "",
            phone: settings.phone ?? "", email: settings.email, iban: settings.iban ?? "", from: from, to: to, quarterly: quarterly,
            created: today)
        let file = D406.File(
            header: header, accounts: accounts, customers: customerList, suppliers: supplierList, journals: journals, sales: sales,
            purchases: purchases, payments: payments)
        return (file, blockers, register)
    }

    /// The account nomenclature the file's `StandardAccountID` comes from: the general chart (OMFP 1802/2014) as Culise
    /// ships it, with the first-degree synthetic accounts its four-digit accounts belong to (`117` of `1171`, `701` of
    /// `7015`), which the order lists too. ANAF's own sheet was not available (`SAFTCodes`).
    static let saftNomenclature: Set<String> = {
        let codes = RomanianChart.accounts.map(\.code)
        return Set(codes).union(codes.filter { $0.count == 4 }.map { String($0.prefix(3)) })
    }()

    /// A transaction that moves a bank (512x) or cash (531x) account is a payment: its other lines are the payment's lines.
    static func payment(_ transaction: D406.Transaction) -> D406.Payment? {
        let treasury = transaction.lines.filter { $0.account.hasPrefix("512") || $0.account.hasPrefix("531") }
        let others = transaction.lines.filter { !($0.account.hasPrefix("512") || $0.account.hasPrefix("531")) }
        guard !treasury.isEmpty, !others.isEmpty else { return nil }
        let cash = treasury.contains { $0.account.hasPrefix("531") }
        return D406.Payment(
            reference: String(transaction.id.prefix(35)), date: transaction.date, method: cash ? "01" : "03", mechanism: cash ? "10" : "42",
            description: transaction.description, transaction: transaction.id, lines: others)
    }

    /// The tax of an entry's VAT line: the code of the document's fact whose VAT is the line's amount (the largest when
    /// none is), a sale's code on a customer document, the purchase code of the rate deducted or self-assessed otherwise.
    static func vatLineTax(_ facts: [VATFact], amount: Int64) -> D406.Tax {
        let size = abs(amount)
        let fact =
            facts.first { abs($0.vat - $0.nonDeductible) == size || abs($0.selfAssessed) == size }
            ?? facts.max { abs($0.vat) + abs($0.selfAssessed) < abs($1.vat) + abs($1.selfAssessed) }
        guard let fact else { return .none }
        let code: String?
        let percent: Decimal
        if fact.direction == .sale {
            code = SAFTCodes.saleCode(fact.category, percent: fact.percent)
            percent = fact.percent
        } else {
            percent = fact.selfAssessed != 0 ? fact.selfAssessedPercent : fact.percent
            code = SAFTCodes.purchaseCode(percent: percent)
        }
        guard let code else { return .none }
        return D406.Tax(type: SAFTCodes.vatType, code: code, percent: percent, base: abs(fact.base), amount: size)
    }

    /// A posted document as a source invoice: its lines (and document-level allowances and charges) in RON with their
    /// VAT codes, the totals per code from the facts the VAT returns use, net and gross in RON.
    static func sourceInvoice(
        _ posted: PostedDocument, partnerID: String, facts: [VATFact], partner: PartnerRow?, accountIDs: [String: String]
    ) -> D406.Invoice {
        let document = posted.document
        let sale = posted.kind == .invoice
        let sign: Int64 = (sale ? document.type.isCreditNote : posted.creditNote) ? -1 : 1
        let rate = document.exchangeRate
        let rateText = rate.flatMap { FilingText.rate(FilingText.decimal($0)) }
        func tax(_ key: VATKey, base: Int64) -> D406.Tax {
            let code = sale ? SAFTCodes.saleCode(key.category, percent: key.percent) : SAFTCodes.purchaseCode(percent: key.percent)
            guard let code, key.category == .standard || sale else {
                if !sale, key.category == .reverseCharge || key.category == .intraCommunity,
                    let own = facts.first(where: { $0.category == key.category && $0.selfAssessed != 0 }),
                    let code = SAFTCodes.purchaseCode(percent: own.selfAssessedPercent)
                {
                    let vat = InvoiceMath.categoryVAT(taxable: abs(base), percent: own.selfAssessedPercent)
                    return D406.Tax(type: SAFTCodes.vatType, code: code, percent: own.selfAssessedPercent, base: base, amount: sign * vat)
                }
                return .none
            }
            let vat = InvoiceMath.categoryVAT(taxable: abs(base), percent: key.percent)
            return D406.Tax(type: SAFTCodes.vatType, code: code, percent: key.percent, base: base, amount: base < 0 ? -vat : vat)
        }
        var lines: [D406.InvoiceLine] = []
        let receivable = sale ? "4111" : "401"
        for line in document.lines {
            let amount = sign * PostingMath.ron(line.net, rate)
            let price = FilingText.unitPrice(line.unitPrice * (rate ?? 1))
            lines.append(
                D406.InvoiceLine(
                    number: line.number, account: accountIDs[line.account] ?? line.account.filter { $0 != "." }, description: line.name,
                    quantity: line.quantity, unit: line.unit, unitPrice: price, taxPoint: document.supplyDate, amount: amount,
                    currency: document.currency.code, currencyAmount: sign * line.net, rate: rateText, tax: tax(line.vat, base: amount)))
        }
        for (index, extra) in document.allowancesCharges.enumerated() {
            let net = extra.isCharge ? extra.amount : -extra.amount
            let amount = sign * PostingMath.ron(net, rate)
            lines.append(
                D406.InvoiceLine(
                    number: document.lines.count + index + 1, account: lines.first?.account ?? (sale ? "707" : "628"),
                    description: extra.reason, quantity: 1, unit: "C62", unitPrice: FilingText.unitPrice(Decimal(abs(amount)) / 100),
                    taxPoint: document.supplyDate, amount: amount, currency: document.currency.code, currencyAmount: sign * net,
                    rate: rateText, tax: tax(extra.vat, base: amount)))
        }
        var totals: [String: D406.Tax] = [:]
        for fact in facts {
            let percent = fact.selfAssessed != 0 ? fact.selfAssessedPercent : fact.percent
            let code =
                fact.direction == .sale
                ? SAFTCodes.saleCode(fact.category, percent: fact.percent) : SAFTCodes.purchaseCode(percent: percent)
            guard let code else { continue }
            var total = totals[code] ?? D406.Tax(type: SAFTCodes.vatType, code: code, percent: percent, base: 0, amount: 0)
            total.base &+= fact.base
            total.amount &+= fact.selfAssessed != 0 ? fact.selfAssessed : fact.vat
            totals[code] = total
        }
        let party = sale ? document.buyer : document.seller
        return D406.Invoice(
            number: document.number, partner: partnerID, partnerName: party.name,
            city: partner?.city.flatMap { $0.isEmpty ? nil : $0 } ?? party.city, country: partner?.country ?? party.country,
            account: receivable, date: document.issueDate, type: sale ? document.type.rawValue : (posted.creditNote ? "381" : "380"),
            lines: lines, taxes: totals.keys.sorted().compactMap { totals[$0] },
            net: sign * PostingMath.ron(document.totals.taxExclusive, rate), gross: sign * PostingMath.ron(document.totals.payable, rate))
    }
}
