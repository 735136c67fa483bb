import Application
import Companies
import Crypto
import Foundation
import Identity
import Invoicing
import Kernel
import Ledger
import LedgerApp
import Partners
import PartnersApp
import Posting
import SQLKit
import Storage
import Tax

/// An invoice or credit note as stored, with its payment state derived from the ledger.
public struct InvoiceRecord: Sendable, Codable, Equatable {
    public var id: InvoiceID
    public var type: DocumentType
    public var state: InvoiceState
    public var series: String
    public var number: String?
    public var partner: String
    public var issueDate: LocalDate
    public var dueDate: LocalDate?
    /// Total in the document currency and in lei.
    public var total: Money
    public var totalRON: Money
    /// From the ledger's receivable lines that reference this invoice (document currency).
    public var paid: Money
    public var credited: Money
    public var open: Money
    public var entryID: Int64?
    /// Credit notes: the invoice they correct.
    public var corrects: InvoiceID?
    public var document: CommercialDocument
    public var efactura: EFacturaStatus?
    /// What the user should know after the last action (for example an e-Factura deadline already past at issue).
    public var warnings: [String] = []
}

/// Where an invoice is in the e-Factura outbox.
public struct EFacturaStatus: Sendable, Codable, Equatable {
    public var state: String
    public var deadline: LocalDate
    public var uploadIndex: String?
    public var attempts: Int
    public var errors: [String]
}

/// An invoice as a list shows it (`invoiceSummaries`): its columns and its derived position, without the document.
public struct InvoiceSummary: Sendable, Equatable {
    public var id: InvoiceID
    public var type: DocumentType
    public var state: InvoiceState
    public var series: String
    public var year: Int
    public var number: String?
    public var partner: String
    /// The partner's current name ("" when the partner record is gone).
    public var partnerName: String
    public var issueDate: LocalDate
    public var dueDate: LocalDate?
    /// Amounts in the document's currency; `totalRON` in lei.
    public var net: Money
    public var vat: Money
    public var total: Money
    public var totalRON: Money
    public var paid: Money
    public var credited: Money
    public var open: Money
    public var corrects: InvoiceID?
    public var efactura: EFacturaStatus?
}

/// What `derive` reads and fills on an invoice record or summary: its position from the ledger and the outbox.
protocol InvoicePosition {
    var id: InvoiceID { get }
    var type: DocumentType { get }
    var currency: Currency { get }
    var total: Money { get }
    var state: InvoiceState { get set }
    var paid: Money { get set }
    var credited: Money { get set }
    var open: Money { get set }
    var efactura: EFacturaStatus? { get set }
}

extension InvoiceRecord: InvoicePosition {
    /// The document currency: every amount but the lei total is in it.
    public var currency: Currency { total.currency }
}

extension InvoiceSummary: InvoicePosition {
    public var currency: Currency { total.currency }
}

/// Company-level invoicing settings.
public struct InvoiceSettings: Sendable, Codable, Equatable {
    public var defaultSeries: String
    public var iban: String?
    public var email: String?
    public var phone: String?
    /// Differences up to this amount (RON minor units) may be written off to 6588/7588 when a payment is allocated.
    public var writeOffLimit: Int64

    public init(defaultSeries: String, iban: String?, email: String?, phone: String?, writeOffLimit: Int64) {
        self.defaultSeries = defaultSeries
        self.iban = iban
        self.email = email
        self.phone = phone
        self.writeOffLimit = writeOffLimit
    }
}

/// Filters for the invoice list.
public struct InvoiceFilter: Sendable, Equatable {
    public var state: String?
    public var partner: String?
    public var from: LocalDate?
    public var to: LocalDate?
    public var type: String?

    public init(state: String? = nil, partner: String? = nil, from: LocalDate? = nil, to: LocalDate? = nil, type: String? = nil) {
        self.state = state
        self.partner = partner
        self.from = from
        self.to = to
        self.type = type
    }
}

extension Culise {
    package static let receivableAccount = InvoicingAccounts.receivable
    package static let payableAccount = InvoicingAccounts.payable
    static let vatCollectedAccount = InvoicingAccounts.vatCollected
    static let vatDeductibleAccount = InvoicingAccounts.vatDeductible

    // MARK: - Settings and series

    package static func ensureInvoicing(_ db: any SQLDatabase, company: CompanyID) async throws -> InvoiceSettings {
        let id = company.description
        if let row = try await db.raw(
            "SELECT default_series, iban, email, phone, write_off_limit FROM invoice_settings WHERE company_id = \(bind: id)"
        ).first() {
            return InvoiceSettings(
                defaultSeries: try row.decode(column: "default_series", as: String.self),
                iban: try row.decode(column: "iban", as: String?.self),
                email: try row.decode(column: "email", as: String?.self), phone: try row.decode(column: "phone", as: String?.self),
                writeOffLimit: try row.decode(column: "write_off_limit", as: Int64.self))
        }
        try await db.raw(
            """
            INSERT INTO invoice_settings (company_id, default_series, iban, email, phone, write_off_limit)
            VALUES (\(bind: id), 'FCT', NULL, NULL, NULL, 500) ON CONFLICT (company_id) DO NOTHING
            """
        ).run()
        try await db.raw(
            "INSERT INTO invoice_series (company_id, code, name, active) VALUES (\(bind: id), 'FCT', 'Facturi', \(bind: true)) ON CONFLICT (company_id, code) DO NOTHING"
        ).run()
        return InvoiceSettings(defaultSeries: "FCT", iban: nil, email: nil, phone: nil, writeOffLimit: 500)
    }

    public func invoiceSettings(company: CompanyID, actor: Actor) async throws -> InvoiceSettings {
        try actor.require(.invoicing, .read, in: company)
        return try await transaction { db in try await Self.ensureInvoicing(db, company: company) }
    }

    /// Changes the default series, the company's IBAN and contact, and the write-off limit.
    public func updateInvoiceSettings(company: CompanyID, _ settings: InvoiceSettings, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        var problems = ProblemCollector()
        var iban: String?
        if let text = settings.iban, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            iban = problems.collect { () throws(DomainError) in try IBAN(text).value }
        }
        problems.check(
            (0...100_000).contains(settings.writeOffLimit),
            DomainError(
                "invoice.write_off_limit", field: "write_off_limit", "You cannot set a write-off limit outside 0 to 1,000.00 RON."))
        try problems.throwIfAny()
        let newIBAN = iban
        try await transaction { db in
            let before = try await Self.ensureInvoicing(db, company: company)
            try await Self.requireSeries(db, company: company, settings.defaultSeries)
            try await db.raw(
                """
                UPDATE invoice_settings SET default_series = \(bind: settings.defaultSeries), iban = \(bind: newIBAN), email = \(bind: settings.email),
                    phone = \(bind: settings.phone), write_off_limit = \(bind: settings.writeOffLimit) WHERE company_id = \(bind: company.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.settings", entity: "company", entityID: company.description,
                changes: [
                    FieldChange("default_series", before: before.defaultSeries, after: settings.defaultSeries),
                    FieldChange("iban", before: before.iban, after: newIBAN),
                    FieldChange("write_off_limit", before: String(before.writeOffLimit), after: String(settings.writeOffLimit)),
                ].filter { $0.before != $0.after }, now: self.now)
        }
    }

    /// Adds a series; `firstNumber` sets the first number of `year` (OMFP 2226/2006: set each financial year).
    public func addSeries(
        company: CompanyID, code: String, name: String, year: Int? = nil, firstNumber: Int64? = nil, actor: Actor
    ) async throws {
        try actor.require(.invoicing, .write, in: company)
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        guard (1...10).contains(code.count), code.allSatisfy({ ($0 >= "A" && $0 <= "Z") || $0.isNumber }) else {
            throw DomainError(
                "invoice.series_code", field: "code", "You cannot use '\(code)' as a series because it must be 1 to 10 letters or digits.")
        }
        try await transaction { db in
            _ = try await Self.ensureInvoicing(db, company: company)
            try await db.raw(
                "INSERT INTO invoice_series (company_id, code, name, active) VALUES (\(bind: company.description), \(bind: code), \(bind: name), \(bind: true)) ON CONFLICT (company_id, code) DO NOTHING"
            ).run()
            if let year, let firstNumber {
                try await Self.setFirstNumber(db, company: company, series: code, year: year, first: firstNumber)
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.series_add", entity: "series", entityID: code,
                changes: [FieldChange("first_number", before: nil, after: firstNumber.map(String.init))], now: self.now)
        }
    }

    /// Adds a series, or, when it exists, sets its first number for `year` (what the settings page and the API do).
    public func saveSeries(company: CompanyID, code: String, name: String?, year: Int?, firstNumber: Int64?, actor: Actor) async throws {
        let normalised = code.trimmingCharacters(in: .whitespaces).uppercased()
        let exists = try await series(company: company, actor: actor).contains { $0.code == normalised }
        if exists, let year, let firstNumber {
            try await setFirstNumber(company: company, series: normalised, year: year, first: firstNumber, actor: actor)
        } else {
            let title = name?.trimmingCharacters(in: .whitespaces).isEmpty == false ? name! : normalised
            try await addSeries(company: company, code: normalised, name: title, year: year, firstNumber: firstNumber, actor: actor)
        }
    }

    /// Sets the first number of a series for a year; refused once that year has issued numbers.
    public func setFirstNumber(company: CompanyID, series: String, year: Int, first: Int64, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        try await transaction { db in
            try await Self.requireSeries(db, company: company, series)
            try await Self.setFirstNumber(db, company: company, series: series, year: year, first: first)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.first_number", entity: "series", entityID: "\(series)/\(year)",
                changes: [FieldChange("first_number", before: nil, after: String(first))], now: self.now)
        }
    }

    static func setFirstNumber(_ db: any SQLDatabase, company: CompanyID, series: String, year: Int, first: Int64) async throws {
        guard Limits.businessYears.contains(year) else {
            throw DomainError(
                "invoice.series_year", field: "year",
                "You cannot set the first number for \(year) because years run from \(Limits.businessYears.lowerBound) to \(Limits.businessYears.upperBound)."
            )
        }
        guard first >= 1 && first < 1_000_000_000 else {
            throw DomainError("invoice.first_number", field: "first_number", "You cannot start a series at \(first); use 1 to 999,999,999.")
        }
        let id = company.description
        if try await db.raw(
            "SELECT 1 AS x FROM invoices WHERE company_id = \(bind: id) AND series = \(bind: series) AND year = \(bind: Int64(year)) AND seq IS NOT NULL"
        ).first() != nil {
            throw DomainError(
                "invoice.first_number_used", kind: .conflict, field: "first_number",
                "You cannot change the first number of \(series) for \(year) because invoices were already issued in it.")
        }
        try await db.raw(
            """
            INSERT INTO invoice_counters (company_id, series, year, next_number) VALUES (\(bind: id), \(bind: series), \(bind: Int64(year)), \(bind: first))
            ON CONFLICT (company_id, series, year) DO UPDATE SET next_number = \(bind: first)
            """
        ).run()
    }

    static func requireSeries(_ db: any SQLDatabase, company: CompanyID, _ series: String) async throws {
        guard
            try await db.raw(
                "SELECT code FROM invoice_series WHERE company_id = \(bind: company.description) AND code = \(bind: series) AND active = \(bind: true)"
            ).first() != nil
        else {
            throw DomainError(
                "invoice.series", field: "series", "You cannot use series '\(series)' because it does not exist; add it first.")
        }
    }

    public func series(company: CompanyID, actor: Actor) async throws -> [(code: String, name: String)] {
        try actor.require(.invoicing, .read, in: company)
        return try await transaction { db in
            _ = try await Self.ensureInvoicing(db, company: company)
            return try await db.raw("SELECT code, name FROM invoice_series WHERE company_id = \(bind: company.description) ORDER BY code")
                .all().map { (try $0.decode(column: "code", as: String.self), try $0.decode(column: "name", as: String.self)) }
        }
    }

    // MARK: - Parties

    static func sellerParty(_ company: Company, settings: InvoiceSettings) -> Party {
        Party(
            name: company.legalName, vatID: company.vatPayer ? "RO" + company.cui.digits : nil,
            legalID: company.vatPayer ? nil : company.cui.digits, tradeRegister: company.tradeRegister?.value, street: company.address.line,
            city: company.address.city, postalCode: company.address.postalCode, county: company.address.county,
            country: company.address.country, email: settings.email, phone: settings.phone, iban: settings.iban)
    }

    static func party(_ partner: Partner) -> Party {
        let address = partner.address
        var vatID: String?
        var legalID: String?
        switch partner.kind {
        case .company:
            if let cui = partner.cui {
                if partner.vatPayer { vatID = "RO" + cui.digits } else { legalID = cui.digits }
            } else if let tax = partner.taxID {
                if tax.prefix(2).allSatisfy(\.isLetter) { vatID = tax } else { legalID = tax }
            }
        case .individual:
            legalID = partner.fiscalIdentifier
        }
        return Party(
            name: partner.name, vatID: vatID, legalID: legalID, tradeRegister: partner.tradeRegister?.value, street: address?.line ?? "",
            city: address?.city ?? "", postalCode: address?.postalCode, county: address?.county, country: address?.country ?? "RO",
            email: partner.email, phone: partner.phone, partnerCode: partner.code)
    }

    static func loadProducts(_ db: any SQLDatabase, company: CompanyID, codes: Set<String>) async throws -> [String: Product] {
        guard !codes.isEmpty else { return [:] }
        let query: SQLQueryString =
            "SELECT \(unsafeRaw: productColumns) FROM products WHERE company_id = \(bind: company.description) AND archived = \(bind: false) AND code IN "
            + .list(codes.sorted())
        var result: [String: Product] = [:]
        for row in try await db.raw(query).all() {
            let product = try decodeProduct(row)
            result[product.code] = product
        }
        return result
    }

    /// The postable, active accounts of the company; `among` limits the question to the codes a use case can touch.
    package static func postableAccounts(_ db: any SQLDatabase, company: CompanyID, among: Set<String>? = nil) async throws -> Set<String> {
        var query: SQLQueryString =
            "SELECT code FROM accounts WHERE company_id = \(bind: company.description) AND postable = \(bind: true) AND active = \(bind: true)"
        if let among { query = query + " AND code IN " + .list(among.sorted()) }
        return Set(try await db.raw(query).all().map { try $0.decode(column: "code", as: String.self) })
    }

    /// Every account a document's lines may end up on: typed ones, the products' and the defaults.
    static func candidateAccounts(_ input: DocumentInput, products: [String: Product]) -> Set<String> {
        Set(input.lines.compactMap(\.account)).union(products.values.flatMap { [$0.salesAccount, $0.purchaseAccount] }).union([
            DefaultAccounts.serviceSales, DefaultAccounts.servicePurchases,
        ])
    }

    /// Validates a sales document against the company's data.
    func validateSale(
        _ db: any SQLDatabase, company: CompanyID, _ input: DocumentInput
    ) async throws -> (CommercialDocument, Partner, String) {
        let input = try await Self.withBNRRate(db, input, today: LocalDate.today(now: clock()))
        let settings = try await Self.ensureInvoicing(db, company: company)
        let seller = try await Self.loadCompany(db, company)
        guard let partner = try await Self.loadPartner(db, company: company, code: input.partner) else {
            throw ValidationErrors([
                DomainError("invoice.partner", field: "partner", "You cannot invoice partner '\(input.partner)' because it does not exist.")
            ])
        }
        let series =
            (input.series?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0.uppercased() } ?? settings.defaultSeries
        try await Self.requireSeries(db, company: company, series)
        let products = try await Self.loadProducts(db, company: company, codes: Set(input.lines.compactMap(\.product)))
        let context = DocumentContext(
            side: .sales, seller: Self.sellerParty(seller, settings: settings), buyer: Self.party(partner), products: products,
            today: LocalDate.today(now: clock()), paymentTermDays: partner.paymentTermDays,
            postableAccounts: try await Self.postableAccounts(
                db, company: company, among: Self.candidateAccounts(input, products: products)))
        return (try input.validated(context), partner, series)
    }

    // MARK: - Drafts and issuing

    /// Saves a draft invoice; it gets its number when issued.
    public func createInvoiceDraft(company: CompanyID, _ input: DocumentInput, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            let (document, partner, series) = try await self.validateSale(db, company: company, input)
            let id = InvoiceID.generate(now: self.now)
            try await self.insertInvoice(
                db, company: company, id: id, document: document, partner: partner.code, series: series, corrects: nil, actor: actor)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.draft", entity: "invoice", entityID: id.description,
                changes: [FieldChange("total", before: nil, after: DecimalText.amount(document.totals.payable))], now: self.now)
            return try await Self.loadInvoice(db, company: company, id: id)!
        }
    }

    /// Replaces a draft's content.
    public func updateInvoiceDraft(company: CompanyID, id: InvoiceID, _ input: DocumentInput, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            let current = try await Self.requireInvoice(db, company: company, id: id)
            _ = try current.state.apply(.edit)
            let (document, partner, series) = try await self.validateSale(db, company: company, input)
            try await db.raw(
                """
                UPDATE invoices SET type = \(bind: document.type.rawValue), series = \(bind: series), year = \(bind: Int64(document.issueDate.year)),
                    partner_code = \(bind: partner.code), issue_date = \(bind: document.issueDate.iso), supply_date = \(bind: document.supplyDate.iso),
                    due_date = \(bind: document.dueDate?.iso), currency = \(bind: document.currency), exchange_rate = \(bind: document.exchangeRate.map { "\($0)" }),
                    net = \(bind: document.totals.taxExclusive), vat = \(bind: document.totals.vatTotal), total = \(bind: document.totals.payable),
                    total_ron = \(bind: Self.ron(document.totals.payable, document.exchangeRate)), document = \(bind: try Self.json(document))
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.draft_update", entity: "invoice", entityID: id.description,
                changes: [
                    FieldChange(
                        "total", before: DecimalText.amount(current.total.minorUnits), after: DecimalText.amount(document.totals.payable))
                ], now: self.now)
            return try await Self.loadInvoice(db, company: company, id: id)!
        }
    }

    public func deleteInvoiceDraft(company: CompanyID, id: InvoiceID, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        let orphans = try await transaction { db in
            let current = try await Self.requireInvoice(db, company: company, id: id)
            _ = try current.state.apply(.delete)
            try await db.raw("DELETE FROM invoices WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)").run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.draft_delete", entity: "invoice", entityID: id.description,
                now: self.now)
            // Its files go with it: no attachment is left without its record.
            return try await self.deleteDocuments(db, company: company, owner: DocumentOwner(type: "invoice", id: id.description))
        }
        removeFiles(company: company, shas: orphans)
    }

    /// Validates, numbers and posts a new invoice in one transaction (the API's and CLI's "issue").
    /// Concurrent calls for one company are issued together in one transaction (group commit; `IssueQueue`).
    public func issueInvoice(company: CompanyID, _ input: DocumentInput, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await issueQueue.submit(self, company: company, input: input, actor: actor)
    }

    /// Issues many invoices of one company in one transaction; one result per input (bulk API, imports, benchmarks).
    public func issueInvoices(
        company: CompanyID, _ inputs: [DocumentInput], actor: Actor
    ) async throws -> [Result<InvoiceRecord, any Error>] {
        try actor.require(.invoicing, .write, in: company)
        var results: [Result<InvoiceRecord, any Error>] = []
        for start in stride(from: 0, to: inputs.count, by: IssueQueue.maxBatch) {
            let chunk = inputs[start..<min(start + IssueQueue.maxBatch, inputs.count)].map { ($0, actor) }
            results += try await issueBatch(company: company, chunk)
        }
        return results
    }

    /// Issues a saved draft: assigns the next gapless number, posts the entry and queues the e-Factura XML.
    public func issueDraft(company: CompanyID, id: InvoiceID, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in try await self.issueLocked(db, company: company, id: id, actor: actor) }
    }

    /// Inserts a draft and returns it as a record (no read-back).
    @discardableResult
    func insertInvoice(
        _ db: any SQLDatabase, company: CompanyID, id: InvoiceID, document: CommercialDocument, partner: String, series: String,
        corrects: InvoiceID?, actor: Actor
    ) async throws -> InvoiceRecord {
        try await db.raw(
            """
            INSERT INTO invoices (company_id, id, type, state, series, year, seq, number, partner_code, issue_date, supply_date, due_date,
                currency, exchange_rate, net, vat, total, total_ron, corrects, entry_id, document, created_at, created_by, issued_at)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: document.type.rawValue), 'draft', \(bind: series),
                \(bind: Int64(document.issueDate.year)), NULL, NULL, \(bind: partner), \(bind: document.issueDate.iso), \(bind: document.supplyDate.iso),
                \(bind: document.dueDate?.iso), \(bind: document.currency), \(bind: document.exchangeRate.map { "\($0)" }),
                \(bind: document.totals.taxExclusive), \(bind: document.totals.vatTotal), \(bind: document.totals.payable),
                \(bind: Self.ron(document.totals.payable, document.exchangeRate)), \(bind: corrects?.description), NULL,
                \(bind: try Self.json(document)), \(bind: self.nowText), \(bind: actor.auditName), NULL)
            """
        ).run()
        return InvoiceRecord(
            id: id, type: document.type, state: .draft, series: series, number: nil, partner: partner, issueDate: document.issueDate,
            dueDate: document.dueDate, total: Money(minorUnits: document.totals.payable, currency: document.currency),
            totalRON: .ron(Self.ron(document.totals.payable, document.exchangeRate)), paid: .zero(document.currency),
            credited: .zero(document.currency), open: .zero(document.currency), entryID: nil,
            corrects: corrects,
            document: document, efactura: nil)
    }

    /// The heart of issuing, inside the caller's transaction. A failure anywhere rolls the number back with everything else.
    func issueLocked(
        _ db: any SQLDatabase, company: CompanyID, id: InvoiceID, draft: InvoiceRecord? = nil, actor: Actor
    ) async throws
        -> InvoiceRecord
    {
        let cid = company.description
        let current: InvoiceRecord
        if let draft { current = draft } else { current = try await Self.requireInvoice(db, company: company, id: id) }
        _ = try current.state.apply(.issue)
        var document = current.document
        let year = Int64(document.issueDate.year)
        // The counter row of (series, year) starts where the previous year ended unless a first number was set.
        try await db.raw(
            """
            INSERT INTO invoice_counters (company_id, series, year, next_number)
            VALUES (\(bind: cid), \(bind: current.series), \(bind: year),
                (SELECT COALESCE(MAX(next_number), 1) FROM invoice_counters WHERE company_id = \(bind: cid) AND series = \(bind: current.series) AND year < \(bind: year)))
            ON CONFLICT (company_id, series, year) DO NOTHING
            """
        ).run()
        // The row lock taken here serialises issuing in a series across processes until commit: gapless and unique.
        let counter = try await db.raw(
            """
            UPDATE invoice_counters SET next_number = next_number + 1
            WHERE company_id = \(bind: cid) AND series = \(bind: current.series) AND year = \(bind: year) RETURNING next_number
            """
        ).first()!
        let seq = try counter.decode(column: "next_number", as: Int64.self) - 1
        let number = "\(current.series)-\(seq)"
        document.number = number
        let problems = EInvoiceRules.problems(document)
        if !problems.isEmpty { throw ValidationErrors(problems) }
        let xml = UBLWriter.xml(document)
        // Post the entry.
        let draft = SalesPosting.entry(document, id: id, corrects: current.corrects, partner: current.partner)
        let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
        let entryProblems = EntryValidator.problems(draft, rules: rules)
        if !entryProblems.isEmpty { throw ValidationErrors(entryProblems) }
        let entry = try await LedgerEngine.post(
            db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0]
        try await db.raw(
            """
            UPDATE invoices SET state = 'issued', seq = \(bind: seq), number = \(bind: number), entry_id = \(bind: entry.rawValue),
                document = \(bind: try Self.json(document)), issued_at = \(bind: self.nowText)
            WHERE company_id = \(bind: cid) AND id = \(bind: id.description)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO efactura (company_id, invoice_id, state, xml, xml_sha256, deadline, upload_index, download_id, attempts, claimed_until,
                last_attempt_at, errors, response_zip, updated_at)
            VALUES (\(bind: cid), \(bind: id.description), 'validated', \(bind: xml), \(bind: SHA256.hash(data: Data(xml.utf8)).hexString),
                \(bind: EFacturaDeadline.due(issued: document.issueDate).iso), NULL, NULL, 0, NULL, NULL, NULL, NULL, \(bind: self.nowText))
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: document.type.isCreditNote ? "invoice.credit_note" : "invoice.issue",
            entity: "invoice", entityID: id.description,
            changes: [
                FieldChange("number", before: nil, after: number), FieldChange("state", before: "draft", after: "issued"),
                FieldChange("total", before: nil, after: DecimalText.amount(document.totals.payable)),
            ], now: self.now)
        // The issued record as it now stands in the database (nothing is paid or credited yet).
        var issued = current
        issued.state = .issued
        issued.number = number
        issued.entryID = entry.rawValue
        issued.document = document
        issued.paid = .zero(current.currency)
        issued.credited = .zero(current.currency)
        issued.open = document.type.isCreditNote ? .zero(current.currency) : current.total
        let deadline = EFacturaDeadline.due(issued: document.issueDate)
        issued.efactura = EFacturaStatus(state: OutboxState.validated, deadline: deadline, uploadIndex: nil, attempts: 0, errors: [])
        issued.warnings = Self.issueWarnings(document, today: LocalDate.today(now: clock()))
        return issued
    }

    /// What to tell the user who just issued `document`: an e-Factura deadline already past (a backdated issue date).
    static func issueWarnings(_ document: CommercialDocument, today: LocalDate) -> [String] {
        let deadline = EFacturaDeadline.due(issued: document.issueDate)
        guard deadline < today else { return [] }
        return [
            "The e-Factura deadline of \(document.number) was \(deadline.iso) (\(EFacturaDeadline.workingDays) working days after its issue date \(document.issueDate.iso)) and has passed: upload it today."
        ]
    }

    package static func ron(_ amount: Int64, _ rate: Decimal?) -> Int64 { PostingMath.ron(amount, rate) }

    // MARK: - Credit notes

    /// A credit note line: which line of the invoice and how much of its quantity to credit.
    public struct CreditLine: Sendable, Codable, Equatable {
        public var line: Int
        public var quantity: String

        public init(line: Int, quantity: String) {
            self.line = line
            self.quantity = quantity
        }
    }

    /// Issues a credit note for all of an invoice (nil `lines`) or part of it, posting the storno.
    public func creditInvoice(
        company: CompanyID, id: InvoiceID, lines: [CreditLine]?, reason: String?, issueDate: LocalDate? = nil, actor: Actor
    ) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            try await self.creditLocked(db, company: company, id: id, lines: lines, reason: reason, issueDate: issueDate, actor: actor)
        }
    }

    func creditLocked(
        _ db: any SQLDatabase, company: CompanyID, id: InvoiceID, lines: [CreditLine]?, reason: String?, issueDate: LocalDate?, actor: Actor
    ) async throws -> InvoiceRecord {
        let original = try await Self.requireInvoice(db, company: company, id: id)
        guard original.type != .creditNote else {
            throw DomainError(
                "invoice.credit_credit_note", kind: .conflict, "You cannot credit a credit note; issue a new invoice instead.")
        }
        _ = try original.state.apply(.credit)
        var document = original.document
        let today = issueDate ?? LocalDate.today(now: clock())
        var creditLines: [DocumentLine] = []
        var problems = ProblemCollector()
        if let lines {
            for (index, request) in lines.enumerated() {
                guard let line = document.lines.first(where: { $0.number == request.line }) else {
                    problems.add(
                        DomainError(
                            "invoice.credit_line", field: "lines[\(index)].line",
                            "You cannot credit line \(request.line) because the invoice has no such line."))
                    continue
                }
                guard let quantity = DecimalText.parse(request.quantity, scale: 6), quantity > 0, quantity <= line.quantity else {
                    problems.add(
                        DomainError(
                            "invoice.credit_quantity", field: "lines[\(index)].quantity",
                            "You cannot credit quantity \(request.quantity) of line \(request.line) because it must be above 0 and at most \(DecimalText.plain(line.quantity))."
                        ))
                    continue
                }
                var credited = line
                credited.number = creditLines.count + 1
                credited.quantity = quantity
                if quantity != line.quantity {
                    credited.allowance = 0
                    credited.charge = 0
                    credited.net = InvoiceMath.lineNet(quantity: quantity, unitPrice: line.unitPrice, allowance: 0, charge: 0)
                }
                creditLines.append(credited)
            }
            try problems.throwIfAny()
        }
        let full = lines == nil
        document.type = .creditNote
        document.number = ""
        document.issueDate = today
        document.supplyDate = today
        document.dueDate = today
        if !full {
            document.lines = creditLines
            document.allowancesCharges = []
        }
        document.preceding = [PrecedingInvoice(number: original.number ?? "", issueDate: original.issueDate)]
        document.note = reason.map { String($0.prefix(300)) } ?? "Stornare factura \(original.number ?? "")"
        document.totals = InvoiceMath.totals(
            lines: document.lines, allowancesCharges: document.allowancesCharges, exchangeRate: document.exchangeRate)
        let creditable = original.total.minorUnits - original.credited.minorUnits
        if document.totals.payable > creditable {
            throw DomainError(
                "invoice.credit_too_much", kind: .conflict,
                "You cannot credit \(DecimalText.amount(document.totals.payable)) because only \(DecimalText.amount(creditable)) of invoice \(original.number ?? "") is not yet credited."
            )
        }
        let creditID = InvoiceID.generate(now: self.now)
        let draft = try await self.insertInvoice(
            db, company: company, id: creditID, document: document, partner: original.partner, series: original.series, corrects: id,
            actor: actor)
        return try await self.issueLocked(db, company: company, id: creditID, draft: draft, actor: actor)
    }

    // MARK: - Reading

    static let invoiceColumns =
        "id, type, state, series, number, partner_code, issue_date, due_date, currency, total, total_ron, corrects, entry_id, document"

    static func requireInvoice(_ db: any SQLDatabase, company: CompanyID, id: InvoiceID) async throws -> InvoiceRecord {
        guard let invoice = try await loadInvoice(db, company: company, id: id) else {
            throw DomainError("invoice.not_found", kind: .notFound, "You cannot open invoice \(id) because it does not exist.")
        }
        return invoice
    }

    static func loadInvoice(_ db: any SQLDatabase, company: CompanyID, id: InvoiceID) async throws -> InvoiceRecord? {
        try await loadInvoices(db, company: company, where: "id = \(bind: id.description)", order: "id", limit: 1, offset: 0).first
    }

    package static func loadInvoices(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, order: String, limit: Int, offset: Int
    ) async throws -> [InvoiceRecord] {
        let cid = company.description
        let rows = try await db.raw(
            "SELECT \(unsafeRaw: invoiceColumns) FROM invoices WHERE company_id = \(bind: cid) AND " + condition
                + " ORDER BY \(unsafeRaw: order) LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all()
        let decoder = JSONDecoder()
        var records = try rows.map { row -> InvoiceRecord in
            let document = try decoder.decode(CommercialDocument.self, from: Data(try row.decode(column: "document", as: String.self).utf8))
            return InvoiceRecord(
                id: InvoiceID(string: try row.decode(column: "id", as: String.self))!,
                type: DocumentType(rawValue: try row.decode(column: "type", as: String.self)) ?? .invoice,
                state: InvoiceState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
                series: try row.decode(column: "series", as: String.self), number: try row.decode(column: "number", as: String?.self),
                partner: try row.decode(column: "partner_code", as: String.self),
                issueDate: try LocalDate(iso: row.decode(column: "issue_date", as: String.self)),
                dueDate: try row.decode(column: "due_date", as: String?.self).map { try LocalDate(iso: $0) },
                total: Money(minorUnits: try row.decode(column: "total", as: Int64.self), currency: document.currency),
                totalRON: .ron(try row.decode(column: "total_ron", as: Int64.self)), paid: .zero(document.currency),
                credited: .zero(document.currency), open: .zero(document.currency),
                entryID: try row.decode(column: "entry_id", as: Int64?.self),
                corrects: try row.decode(column: "corrects", as: String?.self).flatMap { InvoiceID(string: $0) }, document: document,
                efactura: nil)
        }
        try await derive(db, company: company, &records)
        return records
    }

    /// Fills in what a page of invoices owes and where each stands at ANAF: the payment state, paid, credited and open
    /// amounts (document currency) of each issued invoice from the ledger, and the e-Factura status from the outbox; two
    /// queries for the whole page. Drafts and credit notes keep their stored state.
    static func derive<Item: InvoicePosition>(_ db: any SQLDatabase, company: CompanyID, _ items: inout [Item]) async throws {
        guard !items.isEmpty else { return }
        let cid = company.description
        let ids = items.map(\.id.description)
        let settlement = try await settlements(db, company: company, account: receivableAccount, type: "invoice", ids: ids, asOf: nil)
        let decoder = JSONDecoder()
        var outbox: [String: EFacturaStatus] = [:]
        for row in try await db.raw(
            "SELECT invoice_id, state, deadline, upload_index, attempts, errors FROM efactura WHERE company_id = \(bind: cid) AND invoice_id IN "
                + SQLQueryString.list(ids)
        ).all() {
            let errors = try row.decode(column: "errors", as: String?.self).flatMap {
                try? decoder.decode([String].self, from: Data($0.utf8))
            }
            outbox[try row.decode(column: "invoice_id", as: String.self)] = EFacturaStatus(
                state: try row.decode(column: "state", as: String.self),
                deadline: try LocalDate(iso: row.decode(column: "deadline", as: String.self)),
                uploadIndex: try row.decode(column: "upload_index", as: String?.self),
                attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                errors: errors ?? [])
        }
        for index in items.indices {
            let key = items[index].id.description
            items[index].efactura = outbox[key]
            guard items[index].state != .draft, items[index].type != .creditNote else { continue }
            let foreign = !items[index].currency.isRON
            let value = settlement[key] ?? Settlement()
            let total = items[index].total
            let open = foreign ? value.openCurrency : value.open
            let credited = foreign ? value.creditedCurrency : value.credited
            let paid = total.minorUnits - open - credited
            items[index].open = total.with(open)
            items[index].credited = total.with(credited)
            items[index].paid = total.with(paid)
            items[index].state = InvoiceState.settled(total: total.minorUnits, paid: paid, credited: credited)
        }
    }

    /// A document's position from the ledger: what is still open and what credit notes took off, in RON and in its currency.
    struct Settlement {
        var open: Int64 = 0
        var openCurrency: Int64 = 0
        var credited: Int64 = 0
        var creditedCurrency: Int64 = 0
    }

    /// What paying an issued RON document needs to know of it, read without decoding the document.
    package struct OpenRONDocument: Sendable, Equatable {
        package var number: String
        package var partner: String
        /// Still open, in lei (minor units), from the ledger as `settlements` counts it.
        package var open: Int64
    }

    /// The issued RON customer invoices (`type` "invoice") or posted RON supplier bills ("bill") among `ids`, credit
    /// notes and drafts left out, each with its number, partner and open amount: two queries for any number of ids,
    /// for confirming a batch of bank lines at once. Foreign-currency documents are not returned (their rates live in
    /// the document); the caller takes those the long way.
    package static func openRONDocuments(
        _ db: any SQLDatabase, company: CompanyID, type: String, ids: [String]
    ) async throws -> [String: OpenRONDocument] {
        guard !ids.isEmpty, type == "invoice" || type == "bill" else { return [:] }
        let table: SQLQueryString = type == "invoice" ? "invoices" : "bills"
        let rows = try await db.raw(
            "SELECT id, number, partner_code FROM " + table + " WHERE company_id = \(bind: company.description) AND currency = 'RON'"
                + " AND state <> 'draft' AND type <> '381' AND id IN " + .list(ids)
        ).all()
        var found: [String: OpenRONDocument] = [:]
        for row in rows {
            found[try row.decode(column: "id", as: String.self)] = OpenRONDocument(
                number: try row.decode(column: "number", as: String?.self) ?? "",
                partner: try row.decode(column: "partner_code", as: String.self), open: 0)
        }
        let open = try await settlements(
            db, company: company, account: type == "invoice" ? receivableAccount : payableAccount, type: type, ids: found.keys.sorted(),
            asOf: nil)
        for key in found.keys { found[key]?.open = open[key]?.open ?? 0 }
        return found
    }

    /// The open amount of each document is the sum of the lines on `account` that reference it (receivables: debit − credit;
    /// payables: credit − debit), so anything that moves it (payments, write-offs, credit notes in red, reversals,
    /// reclassifications between partners) is counted once and consistently. Credit notes are the red lines on the document side.
    static func settlements(
        _ db: any SQLDatabase, company: CompanyID, account: String, type: String, ids: [String], asOf: LocalDate?
    ) async throws -> [String: Settlement] {
        guard !ids.isEmpty else { return [:] }
        let receivable = account == receivableAccount
        var query: SQLQueryString = """
            SELECT source_id, debit, credit, amount_currency FROM entry_lines
            WHERE company_id = \(bind: company.description) AND account = \(bind: account) AND source_type = \(bind: type) AND posted = \(bind: true)
                AND source_id IN
            """ + .list(ids)
        if let asOf { query = query + " AND date <= \(bind: asOf.iso)" }
        var result: [String: Settlement] = [:]
        for row in try await db.raw(query).all() {
            let id = try row.decode(column: "source_id", as: String.self)
            let debit = try row.decode(column: "debit", as: Int64.self)
            let credit = try row.decode(column: "credit", as: Int64.self)
            // Currency amounts are signed like debit − credit.
            let currency = try row.decode(column: "amount_currency", as: Int64?.self) ?? 0
            let sign: Int64 = receivable ? 1 : -1
            var value = result[id] ?? Settlement()
            value.open += sign * (debit - credit)
            value.openCurrency += sign * currency
            let documentSide = receivable ? debit : credit
            if documentSide < 0 {
                value.credited += -documentSide
                value.creditedCurrency += -sign * currency
            }
            result[id] = value
        }
        return result
    }

    public func invoice(company: CompanyID, id: InvoiceID, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in try await Self.requireInvoice(db, company: company, id: id) }
    }

    /// Finds an issued invoice by its number (`EXD-1042`), with the year when the number exists in several
    /// (`EXD-1/2026`, or `year`).
    public func invoice(company: CompanyID, number: String, year: Int? = nil, actor: Actor) async throws -> InvoiceRecord {
        try actor.require(.invoicing, .read, in: company)
        let reference = InvoiceReference(number, year: year)
        return try await read { db in
            guard let invoice = try await Self.invoice(db, company: company, reference: reference) else {
                throw DomainError("invoice.not_found", kind: .notFound, "You cannot open invoice \(reference) because it does not exist.")
            }
            return invoice
        }
    }

    /// The one issued invoice a reference names, or nil. A number that exists in several years needs the year: without
    /// it the refusal (`invoice.number_ambiguous`) lists the years.
    package static func invoice(
        _ db: any SQLDatabase, company: CompanyID, reference: InvoiceReference, condition: SQLQueryString = "1 = 1",
        field: String = "number"
    ) async throws -> InvoiceRecord? {
        var match: SQLQueryString = "number = \(bind: reference.number) AND seq IS NOT NULL AND "
        match = match + condition
        if let year = reference.year { match = match + " AND year = \(bind: Int64(year))" }
        let found = try await loadInvoices(db, company: company, where: match, order: "year, id", limit: 2, offset: 0)
        guard found.count > 1 else { return found.first }
        let years = try await db.raw(
            "SELECT DISTINCT year FROM invoices WHERE company_id = \(bind: company.description) AND " + match + " ORDER BY year"
        ).all().map { try $0.decode(column: "year", as: Int64.self) }
        let last = years.last.map(String.init) ?? ""
        throw DomainError(
            "invoice.number_ambiguous", field: field,
            "You cannot name invoice \(reference.number) by its number alone because it exists in \(years.map(String.init).joined(separator: ", ")); add the year, as in \(reference.number)/\(last)."
        )
    }

    public func invoices(company: CompanyID, filter: InvoiceFilter, page: PageRequest, actor: Actor) async throws -> Page<InvoiceRecord> {
        try actor.require(.invoicing, .read, in: company)
        let condition = try Self.condition(filter, company: company)
        let unfiltered = filter == InvoiceFilter()
        return try await read { db in
            let total = try await Self.count(db, table: "invoices", company: company, where: unfiltered ? nil : condition)
            let items = try await Self.loadInvoices(
                db, company: company, where: condition, order: "issue_date DESC, seq DESC, id DESC", limit: page.limit, offset: page.offset)
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// The numbers of many invoices and bills at once (a page naming the documents its rows touch): one query per
    /// table, so a page of 50 audit rows or bank lines costs two queries, not 50 loads. Ids that do not exist are left
    /// out; a draft invoice has "" (no number yet). At most `Limits.maxPageSize` ids of each kind.
    public func documentNumbers(
        company: CompanyID, invoices: [String], bills: [String], actor: Actor
    ) async throws -> (invoices: [String: String], bills: [String: String]) {
        try actor.require(.invoicing, .read, in: company)
        guard invoices.count <= Limits.maxPageSize, bills.count <= Limits.maxPageSize else {
            throw DomainError(
                "page.limit", field: "limit", "You cannot name more than \(Limits.maxPageSize) documents of one kind at once.")
        }
        return try await read { db in
            let cid = company.description
            var invoiceNumbers: [String: String] = [:]
            var billNumbers: [String: String] = [:]
            if !invoices.isEmpty {
                for row in try await db.raw(
                    "SELECT id, number FROM invoices WHERE company_id = \(bind: cid) AND id IN " + .list(invoices)
                ).all() {
                    invoiceNumbers[try row.decode(column: "id", as: String.self)] = try row.decode(column: "number", as: String?.self) ?? ""
                }
            }
            if !bills.isEmpty {
                for row in try await db.raw("SELECT id, number FROM bills WHERE company_id = \(bind: cid) AND id IN " + .list(bills)).all()
                {
                    billNumbers[try row.decode(column: "id", as: String.self)] = try row.decode(column: "number", as: String.self)
                }
            }
            return (invoiceNumbers, billNumbers)
        }
    }

    /// The list form of `invoices`: the same filter, order, page and total, read from the columns without the stored
    /// documents (a list of 50 is about a sixth of the bytes and needs no JSON decoding). The partner's name is its
    /// current name; the document keeps the name printed on the invoice.
    public func invoiceSummaries(
        company: CompanyID, filter: InvoiceFilter, page: PageRequest, actor: Actor
    ) async throws -> Page<InvoiceSummary> {
        try actor.require(.invoicing, .read, in: company)
        let condition = try Self.condition(filter, company: company)
        let unfiltered = filter == InvoiceFilter()
        return try await read { db in
            let cid = company.description
            let total = try await Self.count(db, table: "invoices", company: company, where: unfiltered ? nil : condition)
            let rows = try await db.raw(
                """
                SELECT i.id, i.type, i.state, i.series, i.year, i.number, i.partner_code, p.name AS partner_name, i.issue_date, i.due_date,
                    i.currency, i.net, i.vat, i.total, i.total_ron, i.corrects
                FROM (
                    SELECT company_id, id, type, state, series, year, seq, number, partner_code, issue_date, due_date, currency, net, vat,
                        total, total_ron, corrects
                    FROM invoices WHERE company_id = \(bind: cid) AND
                """ + " " + condition
                    + """
                     ORDER BY issue_date DESC, seq DESC, id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)) i
                    LEFT JOIN partners p ON p.company_id = i.company_id AND p.code = i.partner_code
                    ORDER BY i.issue_date DESC, i.seq DESC, i.id DESC
                    """
            ).all()
            var items = try rows.map { row -> InvoiceSummary in
                let id = try row.decode(column: "id", as: String.self)
                let currency = try Currency(code: row.decode(column: "currency", as: String.self))
                func money(_ row: any SQLRow, _ column: String, _ currency: Currency) throws -> Money {
                    Money(minorUnits: try row.decode(column: column, as: Int64.self), currency: currency)
                }
                return InvoiceSummary(
                    id: try InvoiceID(string: id).orThrow("invoice id"),
                    type: DocumentType(rawValue: try row.decode(column: "type", as: String.self)) ?? .invoice,
                    state: InvoiceState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
                    series: try row.decode(column: "series", as: String.self), year: Int(try row.decode(column: "year", as: Int64.self)),
                    number: try row.decode(column: "number", as: String?.self),
                    partner: try row.decode(column: "partner_code", as: String.self),
                    partnerName: try row.decode(column: "partner_name", as: String?.self) ?? "",
                    issueDate: try LocalDate(iso: row.decode(column: "issue_date", as: String.self)),
                    dueDate: try row.decode(column: "due_date", as: String?.self).map { try LocalDate(iso: $0) },
                    net: try money(row, "net", currency), vat: try money(row, "vat", currency), total: try money(row, "total", currency),
                    totalRON: .ron(try row.decode(column: "total_ron", as: Int64.self)), paid: .zero(currency),
                    credited: .zero(currency), open: .zero(currency),
                    corrects: try row.decode(column: "corrects", as: String?.self).flatMap { InvoiceID(string: $0) })
            }
            try await Self.derive(db, company: company, &items)
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// The SQL condition of a list filter (on `invoices`, after `company_id`).
    static func condition(_ filter: InvoiceFilter, company: CompanyID) throws -> SQLQueryString {
        var condition: SQLQueryString = "1 = 1"
        if let partner = filter.partner, !partner.isEmpty { condition = condition + " AND partner_code = \(bind: partner)" }
        if let from = filter.from { condition = condition + " AND issue_date >= \(bind: from.iso)" }
        if let to = filter.to { condition = condition + " AND issue_date <= \(bind: to.iso)" }
        if let type = filter.type, !type.isEmpty { condition = condition + " AND type = \(bind: type)" }
        if let text = filter.state, !text.isEmpty {
            guard let state = InvoiceState(rawValue: text) else {
                throw DomainError(
                    "invoice.state_filter", field: "state",
                    "You cannot filter invoices by state '\(text.prefix(40))'; use draft, issued, partially_paid, paid or cancelled.")
            }
            condition = condition + (state == .draft ? " AND state = 'draft'" : " AND " + Self.settledState(is: state, company: company))
        }
        return condition
    }

    /// The rows of `table` in `company` that meet `condition`; with no condition, the count kept by the `row_counts`
    /// triggers (one row read, where a count reads the company's whole index: 5 ms at 100,000 invoices).
    package static func count(
        _ db: any SQLDatabase, table: String, company: CompanyID, where condition: SQLQueryString?
    ) async throws -> Int64 {
        let cid = company.description
        guard let condition else {
            return try await db.raw(
                "SELECT n FROM row_counts WHERE company_id = \(bind: cid) AND table_name = \(bind: table)"
            ).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
        return try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE company_id = \(bind: cid) AND " + condition)
            .first()?.decode(column: "n", as: Int64.self) ?? 0
    }

    /// The invoices (of `company`, not drafts) whose state derived from the ledger is `state`, as a condition on `id`:
    /// the same rule as `InvoiceState.settled` over the same sums as `settlements` (receivable lines that name the
    /// invoice; a credit note keeps its stored state), so a filtered page is full and its total right, never a page of
    /// issued invoices thinned out after the limit.
    static func settledState(is state: InvoiceState, company: CompanyID) -> SQLQueryString {
        let cid = company.description
        let creditNote = DocumentType.creditNote.rawValue
        return """
            id IN (SELECT x.id FROM (
                SELECT i.id, i.type, i.total AS t,
                    CASE WHEN i.currency = 'RON' THEN COALESCE(s.o, 0) ELSE COALESCE(s.oc, 0) END AS o,
                    CASE WHEN i.currency = 'RON' THEN COALESCE(s.c, 0) ELSE COALESCE(s.cc, 0) END AS c
                FROM invoices i LEFT JOIN (
                    SELECT source_id, SUM(debit - credit) AS o, SUM(COALESCE(amount_currency, 0)) AS oc,
                        SUM(CASE WHEN debit < 0 THEN -debit ELSE 0 END) AS c,
                        SUM(CASE WHEN debit < 0 THEN -COALESCE(amount_currency, 0) ELSE 0 END) AS cc
                    FROM entry_lines
                    WHERE company_id = \(bind: cid) AND account = \(bind: receivableAccount) AND source_type = 'invoice' AND posted = \(bind: true)
                    GROUP BY source_id
                ) s ON s.source_id = i.id
                WHERE i.company_id = \(bind: cid) AND i.state <> 'draft'
            ) x WHERE (CASE
                WHEN x.type = \(bind: creditNote) THEN 'issued'
                WHEN x.t > 0 AND x.c >= x.t THEN 'cancelled'
                WHEN x.o <= 0 THEN 'paid'
                WHEN x.t - x.o - x.c > 0 THEN 'partially_paid'
                ELSE 'issued' END) = \(bind: state.rawValue))
            """
    }

    /// The UBL XML of an issued invoice or credit note.
    public func invoiceXML(company: CompanyID, id: InvoiceID, actor: Actor) async throws -> (number: String, xml: String) {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            let invoice = try await Self.requireInvoice(db, company: company, id: id)
            guard
                let row = try await db.raw(
                    "SELECT xml FROM efactura WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: id.description)"
                ).first()
            else {
                throw DomainError("invoice.not_issued", kind: .conflict, "You cannot export invoice \(id) because it is still a draft.")
            }
            return (invoice.number ?? id.description, try row.decode(column: "xml", as: String.self))
        }
    }

    /// The file name of an exported invoice: number and year, so two `EXD-1` of different years never overwrite each other.
    public static func exportFileName(number: String, year: Int, extension: String = "xml") -> String {
        let safe = number.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "_" }.joined()
        return "\(safe)_\(year).\(`extension`)"
    }

    /// Every issued invoice's XML, in number order, page by page.
    public func issuedXML(
        company: CompanyID, after: String?, limit: Int, actor: Actor
    ) async throws -> [(id: String, number: String, year: Int, xml: String)] {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            try await db.raw(
                """
                SELECT i.id, i.number, i.year, e.xml FROM invoices i JOIN efactura e ON e.company_id = i.company_id AND e.invoice_id = i.id
                WHERE i.company_id = \(bind: company.description) AND i.id > \(bind: after ?? "") ORDER BY i.id LIMIT \(bind: limit)
                """
            ).all().map {
                (
                    try $0.decode(column: "id", as: String.self), try $0.decode(column: "number", as: String.self),
                    Int(try $0.decode(column: "year", as: Int64.self)), try $0.decode(column: "xml", as: String.self)
                )
            }
        }
    }

    package static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
