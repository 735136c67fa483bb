import Application
import Approvals
import Companies
import Crypto
import EFactura
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

/// A supplier bill (or supplier credit note) as stored.
public struct BillRecord: Sendable, Codable, Equatable {
    public var id: BillID
    public var isCreditNote: Bool
    public var state: BillState
    public var partner: String
    public var number: String
    public var issueDate: LocalDate
    public var dueDate: LocalDate?
    /// Total with VAT, and the amount due after prepayments (document currency).
    public var total: Money
    public var payable: Money
    public var paid: Money
    public var open: Money
    public var entryID: Int64?
    public var source: String
    public var warnings: [String]
    public var document: CommercialDocument
    /// Per line: the suggested account with its explanation, when the company's history supports one.
    public var suggestions: [AccountSuggester.Suggestion?]

    /// The document currency: every amount of the bill is in it.
    public var currency: Currency { total.currency }
}

/// The result of ingesting one e-invoice.
public struct IngestOutcome: Sendable, Codable, Equatable {
    public enum Result: String, Sendable, Codable { case created, duplicate, refused }
    public var file: String
    public var result: Result
    public var bill: BillID?
    public var number: String?
    public var supplier: String?
    public var message: String
    /// What the reader should check on the bill (stored with it and shown on its page).
    public var warnings: [String] = []
    /// The catalogue ids of a refusal (`efactura.other_buyer`, `efactura.ubl_root`, …), so a client can act on them.
    public var errors: [String] = []
}

extension Culise {
    // MARK: - Manual bills

    func validatePurchase(_ db: any SQLDatabase, company: CompanyID, _ input: DocumentInput) async throws -> (CommercialDocument, Partner) {
        let settings = try await Self.ensureInvoicing(db, company: company)
        let own = try await Self.loadCompany(db, company)
        guard let partner = try await Self.loadPartner(db, company: company, code: input.partner) else {
            throw ValidationErrors([
                DomainError(
                    "bill.partner", field: "partner", "You cannot record a bill from '\(input.partner)' because no such partner exists.")
            ])
        }
        let products = try await Self.loadProducts(db, company: company, codes: Set(input.lines.compactMap(\.product)))
        let context = DocumentContext(
            side: .purchase, seller: Self.party(partner), buyer: Self.sellerParty(own, settings: settings), products: products,
            today: LocalDate.today(now: clock()), paymentTermDays: partner.paymentTermDays,
            postableAccounts: try await Self.postableAccounts(
                db, company: company, among: Self.candidateAccounts(input, products: products)))
        return (try input.validated(context), partner)
    }

    /// The bill with the same supplier, number and date, if one was already recorded.
    public func duplicateBill(
        company: CompanyID, partner: String, number: String, issueDate: LocalDate, actor: Actor
    ) async throws -> BillRecord? {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            try await Self.loadBills(
                db, company: company,
                where: "partner_code = \(bind: partner) AND number = \(bind: number) AND issue_date = \(bind: issueDate.iso)", limit: 1,
                offset: 0
            ).first
        }
    }

    /// Records a draft bill; a second bill with the same supplier, number and date is refused.
    public func createBill(company: CompanyID, _ input: DocumentInput, actor: Actor) async throws -> BillRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            let (document, partner) = try await self.validatePurchase(db, company: company, input)
            let id = try await self.insertBill(
                db, company: company, document: document, partner: partner.code, isCreditNote: false, source: "manual", sha: nil,
                warnings: [],
                actor: actor)
            return try await Self.loadBills(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0)[0]
        }
    }

    func insertBill(
        _ db: any SQLDatabase, company: CompanyID, document: CommercialDocument, partner: String, isCreditNote: Bool, source: String,
        sha: String?, warnings: [String], actor: Actor
    ) async throws -> BillID {
        let cid = company.description
        if let existing = try await db.raw(
            """
            SELECT id FROM bills WHERE company_id = \(bind: cid) AND partner_code = \(bind: partner) AND number = \(bind: document.number)
                AND issue_date = \(bind: document.issueDate.iso)
            """
        ).first() {
            throw DomainError(
                "bill.duplicate", kind: .conflict, field: "number",
                "You cannot record bill \(document.number) of \(document.issueDate) from \(partner) again because it is already recorded (bill \(try existing.decode(column: "id", as: String.self)))."
            )
        }
        let id = BillID.generate(now: self.now)
        try await db.raw(
            """
            INSERT INTO bills (company_id, id, type, state, partner_code, number, issue_date, due_date, currency, exchange_rate, net, vat, total,
                payable, entry_id, source, source_sha256, warnings, document, created_at, created_by, posted_at)
            VALUES (\(bind: cid), \(bind: id.description), \(bind: isCreditNote ? "381" : "380"), 'draft', \(bind: partner), \(bind: document.number),
                \(bind: document.issueDate.iso), \(bind: document.dueDate?.iso), \(bind: document.currency), \(bind: document.exchangeRate.map { "\($0)" }),
                \(bind: document.totals.taxExclusive), \(bind: document.totals.vatTotal), \(bind: document.totals.taxInclusive),
                \(bind: document.totals.payable), NULL, \(bind: source), \(bind: sha), \(bind: try Self.json(warnings)), \(bind: try Self.json(document)),
                \(bind: self.nowText), \(bind: actor.auditName), NULL)
            """
        ).run()
        try await SQLBulk.insert(
            db, into: "bill_lines", columns: ["company_id", "bill_id", "line_no", "partner_code", "description", "account", "posted"],
            rows: document.lines.map {
                [cid, id.description, Int64($0.number), partner, $0.name, $0.account.isEmpty ? nil : $0.account, false]
            })
        try await AuditLog.append(
            db, actor: actor, company: company, action: source == "efactura" ? "bill.ingest" : "bill.create", entity: "bill",
            entityID: id.description,
            changes: [
                FieldChange("number", before: nil, after: document.number),
                FieldChange("total", before: nil, after: DecimalText.amount(document.totals.taxInclusive)),
            ], now: self.now)
        return id
    }

    /// Posts a draft bill: `371/6xx/2xx + 4426 = 401` (a supplier credit note in red). Accounts may be chosen per line now,
    /// and a foreign-currency bill needs its exchange rate.
    public func postBill(
        company: CompanyID, id: BillID, accounts: [Int: String] = [:], exchangeRate: Decimal? = nil, actor: Actor
    ) async throws -> BillRecord {
        try actor.require(.invoicing, .write, in: company)
        // Above the company's threshold a second person approves first: the first attempt opens the request.
        let gate = try await read { db in try await self.billApprovalGate(db, company: company, id: id, exchangeRate: exchangeRate) }
        if let gate {
            if gate.gate.latest?.state != .pending {
                try await transaction { db in
                    _ = try await self.requestApproval(
                        db, company: company, rule: gate.gate.rule, documentType: "bill", documentID: id.description, label: gate.label,
                        amount: gate.amount, creator: gate.creator, actor: actor)
                }
            }
            throw gate.gate.refusal
        }
        return try await transaction { db in
            try await self.postBillLocked(db, company: company, id: id, accounts: accounts, exchangeRate: exchangeRate, actor: actor)
        }
    }

    /// The approval a bill still needs before posting (nil when none), with what a request records.
    func billApprovalGate(
        _ db: any SQLDatabase, company: CompanyID, id: BillID, exchangeRate: Decimal?
    ) async throws -> (
        gate: (refusal: DomainError, rule: ApprovalRule, latest: ApprovalRecord?), label: String, amount: Int64, creator: String
    )? {
        guard
            let row = try await db.raw(
                "SELECT number, partner_code, total, exchange_rate, currency, created_by, state FROM bills WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)"
            ).first(), try row.decode(column: "state", as: String.self) == "draft"
        else { return nil }
        let total = try row.decode(column: "total", as: Int64.self)
        let stored = try row.decode(column: "exchange_rate", as: String?.self).flatMap { Decimal(string: $0) }
        let currency = try row.decode(column: "currency", as: String.self)
        let amount = currency == "RON" ? total : Self.ron(total, exchangeRate ?? stored)
        let label = "\(try row.decode(column: "number", as: String.self)) (\(try row.decode(column: "partner_code", as: String.self)))"
        guard
            let gate = try await Self.approvalGate(
                db, company: company, documentType: "bill", documentID: id.description, label: label, amount: amount)
        else { return nil }
        return (gate, label, amount, try row.decode(column: "created_by", as: String.self))
    }

    func postBillLocked(
        _ db: any SQLDatabase, company: CompanyID, id: BillID, accounts: [Int: String], exchangeRate: Decimal?, actor: Actor
    ) async throws -> BillRecord {
        let cid = company.description
        guard var bill = try await Self.loadBills(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first
        else {
            throw DomainError("bill.not_found", kind: .notFound, "You cannot post bill \(id) because it does not exist.")
        }
        _ = try bill.state.apply(.post)
        if let gate = try await billApprovalGate(db, company: company, id: id, exchangeRate: exchangeRate) { throw gate.gate.refusal }
        var document = bill.document
        var problems = ProblemCollector()
        let postable = try await Self.postableAccounts(db, company: company)
        for index in document.lines.indices {
            if let chosen = accounts[document.lines[index].number] { document.lines[index].account = chosen }
            let account = document.lines[index].account
            problems.check(
                postable.contains(account),
                DomainError(
                    "bill.account", field: "lines[\(index)].account",
                    account.isEmpty
                        ? "To post bill \(document.number), you must choose the account of line \(index + 1)."
                        : "You cannot post line \(index + 1) to '\(account)' because it is not a postable account."))
        }
        if !document.currency.isRON {
            if let exchangeRate { document.exchangeRate = exchangeRate }
            problems.check(
                (document.exchangeRate ?? 0) > 0,
                DomainError(
                    "bill.exchange_rate", field: "exchange_rate", "To post a bill in \(document.currency), you must give the exchange rate."
                ))
        }
        try problems.throwIfAny()
        let draft = PurchasePosting.entry(document, id: id, isCreditNote: bill.isCreditNote, partner: bill.partner)
        let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
        let entryProblems = EntryValidator.problems(draft, rules: rules)
        if !entryProblems.isEmpty { throw ValidationErrors(entryProblems) }
        let entry = try await LedgerEngine.post(
            db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0]
        try await db.raw(
            """
            UPDATE bills SET state = 'posted', entry_id = \(bind: entry.rawValue), exchange_rate = \(bind: document.exchangeRate.map { "\($0)" }),
                document = \(bind: try Self.json(document)), posted_at = \(bind: self.nowText)
            WHERE company_id = \(bind: cid) AND id = \(bind: id.description)
            """
        ).run()
        for line in document.lines {
            try await db.raw(
                """
                UPDATE bill_lines SET account = \(bind: line.account), posted = \(bind: true)
                WHERE company_id = \(bind: cid) AND bill_id = \(bind: id.description) AND line_no = \(bind: Int64(line.number))
                """
            ).run()
        }
        try await AuditLog.append(
            db, actor: actor, company: company, action: "bill.post", entity: "bill", entityID: id.description,
            changes: [FieldChange("state", before: "draft", after: "posted")], now: self.now)
        bill = try await Self.loadBills(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0)[0]
        return bill
    }

    /// Expenses (non-deductible VAT added to them), deductible VAT on 4426, the total on 401 with the partner.
    static let billColumns =
        "id, type, state, partner_code, number, issue_date, due_date, currency, total, payable, entry_id, source, warnings, document"

    /// `suggest`: train the account suggester and suggest for draft lines (the bill page and API detail, not lists or postings).
    package static func loadBills(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, limit: Int, offset: Int, suggest: Bool = false
    ) async throws
        -> [BillRecord]
    {
        let rows = try await db.raw(
            "SELECT \(unsafeRaw: billColumns) FROM bills WHERE company_id = \(bind: company.description) AND " + condition
                + " ORDER BY issue_date DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all()
        let decoder = JSONDecoder()
        var bills = try rows.map { row -> BillRecord in
            let document = try decoder.decode(CommercialDocument.self, from: Data(try row.decode(column: "document", as: String.self).utf8))
            let warnings = try decoder.decode(
                [String].self, from: Data((try row.decode(column: "warnings", as: String?.self) ?? "[]").utf8))
            return BillRecord(
                id: BillID(string: try row.decode(column: "id", as: String.self))!,
                isCreditNote: try row.decode(column: "type", as: String.self) == "381",
                state: BillState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft,
                partner: try row.decode(column: "partner_code", as: String.self), number: try row.decode(column: "number", as: String.self),
                issueDate: try LocalDate(iso: row.decode(column: "issue_date", as: String.self)),
                dueDate: try row.decode(column: "due_date", as: String?.self).map { try LocalDate(iso: $0) },
                total: Money(minorUnits: try row.decode(column: "total", as: Int64.self), currency: document.currency),
                payable: Money(minorUnits: try row.decode(column: "payable", as: Int64.self), currency: document.currency),
                paid: .zero(document.currency), open: .zero(document.currency),
                entryID: try row.decode(column: "entry_id", as: Int64?.self),
                source: try row.decode(column: "source", as: String.self), warnings: warnings, document: document, suggestions: [])
        }
        let settlement = try await settlements(
            db, company: company, account: payableAccount, type: "bill", ids: bills.filter { $0.state != .draft }.map(\.id.description),
            asOf: nil)
        for index in bills.indices where bills[index].state != .draft {
            let value = settlement[bills[index].id.description] ?? Settlement()
            let total = bills[index].total
            let foreign = !total.currency.isRON
            let credited = foreign ? value.creditedCurrency : value.credited
            let open = bills[index].isCreditNote ? 0 : (foreign ? value.openCurrency : value.open)
            let paid = bills[index].isCreditNote ? 0 : total.minorUnits - open - credited
            bills[index].open = total.with(open)
            bills[index].paid = total.with(paid)
            if !bills[index].isCreditNote {
                bills[index].state = open <= 0 ? .paid : (paid > 0 ? .partiallyPaid : .posted)
            }
        }
        // Suggestions for draft lines without an account.
        if suggest && bills.contains(where: { $0.state == .draft }) {
            let suggester = try await accountSuggester(db, company: company)
            for index in bills.indices where bills[index].state == .draft {
                bills[index].suggestions = bills[index].document.lines.map { line in
                    line.account.isEmpty ? suggester.suggest(supplier: bills[index].partner, text: line.name) : nil
                }
            }
        }
        return bills
    }

    /// The classifier trained on the company's posted bill lines (the most recent 20,000).
    static func accountSuggester(_ db: any SQLDatabase, company: CompanyID) async throws -> AccountSuggester {
        let rows = try await db.raw(
            """
            SELECT partner_code, description, account FROM bill_lines
            WHERE company_id = \(bind: company.description) AND posted = \(bind: true) AND account IS NOT NULL
            ORDER BY bill_id DESC LIMIT 20000
            """
        ).all()
        return AccountSuggester(
            examples: try rows.map {
                AccountSuggester.Example(
                    supplier: try $0.decode(column: "partner_code", as: String.self),
                    text: try $0.decode(column: "description", as: String.self),
                    account: try $0.decode(column: "account", as: String.self))
            })
    }

    public func bill(company: CompanyID, id: BillID, actor: Actor) async throws -> BillRecord {
        try actor.require(.invoicing, .read, in: company)
        guard
            let bill = try await read({ db in
                try await Self.loadBills(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0, suggest: true)
                    .first
            })
        else { throw DomainError("bill.not_found", kind: .notFound, "You cannot open bill \(id) because it does not exist.") }
        return bill
    }

    public func bills(
        company: CompanyID, state: String?, partner: String?, page: PageRequest, actor: Actor
    ) async throws -> Page<BillRecord> {
        try actor.require(.invoicing, .read, in: company)
        var condition: SQLQueryString = "1 = 1"
        if let partner, !partner.isEmpty { condition = condition + " AND partner_code = \(bind: partner)" }
        if let state, !state.isEmpty { condition = condition + (state == "draft" ? " AND state = 'draft'" : " AND state <> 'draft'") }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM bills WHERE company_id = \(bind: company.description) AND " + filter)
                .first()!
                .decode(column: "n", as: Int64.self)
            var items = try await Self.loadBills(db, company: company, where: filter, limit: page.limit, offset: page.offset)
            if let state, state != "draft", !state.isEmpty { items = items.filter { $0.state.rawValue == state } }
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// The supplier's rule, if any: its default account and whether its e-invoices post without review.
    public func supplierRule(company: CompanyID, partner: String, actor: Actor) async throws -> (account: String?, autoPost: Bool)? {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            try await db.raw(
                "SELECT account, auto_post FROM supplier_rules WHERE company_id = \(bind: company.description) AND partner_code = \(bind: partner)"
            ).first().map { (try $0.decode(column: "account", as: String?.self), try $0.decode(column: "auto_post", as: Bool.self)) }
        }
    }

    /// Sets (or clears) a per-supplier rule: a default account and whether its e-invoices post without review.
    public func setSupplierRule(company: CompanyID, partner: String, account: String?, autoPost: Bool, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        try await transaction { db in
            guard try await Self.loadPartner(db, company: company, code: partner) != nil else {
                throw DomainError("partner.not_found", kind: .notFound, "You cannot set a rule for \(partner) because it does not exist.")
            }
            if let account, !(try await Self.postableAccounts(db, company: company)).contains(account) {
                throw DomainError("bill.account", field: "account", "You cannot use '\(account)' because it is not a postable account.")
            }
            try await db.raw(
                """
                INSERT INTO supplier_rules (company_id, partner_code, account, auto_post) VALUES (\(bind: company.description), \(bind: partner), \(bind: account), \(bind: autoPost))
                ON CONFLICT (company_id, partner_code) DO UPDATE SET account = \(bind: account), auto_post = \(bind: autoPost)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bill.supplier_rule", entity: "partner", entityID: partner,
                changes: [
                    FieldChange("account", before: nil, after: account), FieldChange("auto_post", before: nil, after: String(autoPost)),
                ],
                now: self.now)
        }
    }

    // MARK: - e-Factura in

    /// Ingests e-invoices: UBL XML files, or SPV ZIPs (XML + ANAF signature). Each document is its own transaction:
    /// created as a draft bill, reported as a duplicate, or refused with every reason.
    /// Reads supplier e-invoices into draft bills. A document addressed to another buyer is refused unless
    /// `acceptOtherBuyer` (then it is kept with a warning).
    public func ingestEInvoices(
        company: CompanyID, files: [(name: String, data: Data)], acceptOtherBuyer: Bool = false, actor: Actor
    ) async throws -> [IngestOutcome] {
        try actor.require(.invoicing, .write, in: company)
        var documents: [(String, Data)] = []
        var outcomes: [IngestOutcome] = []
        for file in files {
            if file.data.starts(with: [0x50, 0x4B]) {
                do {
                    for entry in try SPVArchive.files(in: file.data)
                    where entry.name.lowercased().hasSuffix(".xml") && !SPVArchive.isSignature(entry.name) {
                        documents.append(("\(file.name)/\(entry.name)", entry.data))
                    }
                } catch {
                    outcomes.append(IngestOutcome(file: file.name, result: .refused, message: error.message, errors: [error.id]))
                }
            } else {
                documents.append(file)
            }
        }
        guard documents.count <= Limits.ingestDocuments else {
            throw DomainError(
                "efactura.too_many", kind: .tooLarge, field: "files",
                "You cannot ingest \(documents.count) documents at once because the limit is \(Limits.ingestDocuments).")
        }
        for (name, data) in documents {
            let incoming: IncomingDocument
            do {
                incoming = try UBLReader.read(data)
            } catch {
                outcomes.append(
                    IngestOutcome(
                        file: name, result: .refused, message: error.problems.map(\.message).joined(separator: " "),
                        errors: error.problems.map(\.id)))
                continue
            }
            do {
                outcomes.append(
                    try await transaction { db in
                        try await self.ingestOne(
                            db, company: company, name: name, data: data, incoming, acceptOtherBuyer: acceptOtherBuyer, actor: actor)
                    })
            } catch let error as DomainError where error.id == "bill.duplicate" {
                outcomes.append(
                    IngestOutcome(
                        file: name, result: .duplicate, number: incoming.number, supplier: incoming.supplier.name, message: error.message))
            } catch let error as DomainError {
                outcomes.append(
                    IngestOutcome(file: name, result: .refused, number: incoming.number, message: error.message, errors: [error.id]))
            } catch let error as ValidationErrors {
                outcomes.append(
                    IngestOutcome(
                        file: name, result: .refused, number: incoming.number,
                        message: error.problems.map(\.message).joined(separator: " "),
                        errors: error.problems.map(\.id)))
            }
        }
        return outcomes
    }

    func ingestOne(
        _ db: any SQLDatabase, company: CompanyID, name: String, data: Data, _ incoming: IncomingDocument, acceptOtherBuyer: Bool,
        actor: Actor
    ) async throws
        -> IngestOutcome
    {
        let own = try await Self.loadCompany(db, company)
        var warnings: [String] = []
        let buyerDigits = (incoming.customer.vatID ?? incoming.customer.legalID ?? "").filter(\.isNumber)
        if buyerDigits != own.cui.digits {
            guard acceptOtherBuyer else {
                throw DomainError(
                    "efactura.other_buyer", field: "buyer",
                    "You cannot record invoice \(incoming.number) as a bill of \(own.fiscalCode) because it is addressed to \(incoming.customer.vatID ?? incoming.customer.legalID ?? "no buyer code") (\(incoming.customer.name)); accept other buyers explicitly if it is yours."
                )
            }
            warnings.append(
                "The buyer on this invoice (\(incoming.customer.vatID ?? incoming.customer.legalID ?? "none")) is not this company (\(own.fiscalCode))."
            )
        }
        let supplier = try await supplierPartner(db, company: company, incoming.supplier, actor: actor)
        let suggester = try await Self.accountSuggester(db, company: company)
        let rule = try await db.raw(
            "SELECT account, auto_post FROM supplier_rules WHERE company_id = \(bind: company.description) AND partner_code = \(bind: supplier.code)"
        ).first()
        let ruleAccount = try rule?.decode(column: "account", as: String?.self)
        let autoPost = try rule?.decode(column: "auto_post", as: Bool.self) ?? false
        var lines = incoming.lines
        for index in lines.indices {
            lines[index].account = ruleAccount ?? ""
            if lines[index].account.isEmpty, let suggestion = suggester.suggest(supplier: supplier.code, text: lines[index].name), autoPost
            {
                lines[index].account = suggestion.account
            }
        }
        let settings = try await Self.ensureInvoicing(db, company: company)
        let document = CommercialDocument(
            type: incoming.isCreditNote ? .creditNote : (DocumentType(rawValue: incoming.typeCode) ?? .invoice), number: incoming.number,
            issueDate: incoming.issueDate, supplyDate: incoming.issueDate,
            dueDate: incoming.dueDate ?? incoming.issueDate.adding(days: supplier.paymentTermDays),
            currency: try Currency(code: incoming.currency), exchangeRate: nil, seller: Self.party(supplier),
            buyer: Self.sellerParty(own, settings: settings),
            lines: lines,
            allowancesCharges: incoming.allowancesCharges, totals: incoming.totals, note: incoming.note)
        let id = try await insertBill(
            db, company: company, document: document, partner: supplier.code, isCreditNote: incoming.isCreditNote, source: "efactura",
            sha: SHA256.hash(data: data).hexString, warnings: warnings, actor: actor)
        // The original e-invoice stays with its bill.
        let original = "efactura-" + String(incoming.number.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(80)) + ".xml"
        _ = try await attachDocument(
            db, company: company, owner: DocumentOwner(type: "bill", id: id.description), fileName: original, data: data, actor: actor)
        var message =
            "draft bill \(incoming.number) from \(supplier.name): \(DecimalText.amount(incoming.totals.payable)) \(incoming.currency)"
        let needsApproval = try await billApprovalGate(db, company: company, id: id, exchangeRate: nil) != nil
        if needsApproval { message += "; above the approval threshold, so it waits for approval before posting" }
        if autoPost && !needsApproval && lines.allSatisfy({ !$0.account.isEmpty }) && incoming.currency == "RON" {
            _ = try await postBillLocked(db, company: company, id: id, accounts: [:], exchangeRate: nil, actor: actor)
            message = "bill \(incoming.number) from \(supplier.name) posted by the supplier's rule"
        }
        return IngestOutcome(
            file: name, result: .created, bill: id, number: incoming.number, supplier: supplier.code, message: message, warnings: warnings)
    }

    /// The supplier of an incoming e-invoice, matched by CUI (or the identifier as written), created when new.
    func supplierPartner(_ db: any SQLDatabase, company: CompanyID, _ party: Party, actor: Actor) async throws -> Partner {
        let cid = company.description
        let written = (party.vatID ?? party.legalID ?? "").uppercased().filter { !$0.isWhitespace }
        var digits = written
        if digits.hasPrefix("RO") { digits.removeFirst(2) }
        let cui = digits.allSatisfy(\.isNumber) ? try? CUI(digits) : nil
        if let row = try await db.raw(
            """
            SELECT code FROM partners WHERE company_id = \(bind: cid) AND ((cui IS NOT NULL AND cui = \(bind: cui?.digits ?? "-")) OR tax_id = \(bind: written))
            ORDER BY code LIMIT 1
            """
        ).first() {
            return try await Self.loadPartner(db, company: company, code: try row.decode(column: "code", as: String.self))!
        }
        let base = "F" + String((cui?.digits ?? written.filter { $0.isLetter || $0.isNumber }).prefix(20))
        var code = base
        var suffix = 1
        while try await db.raw("SELECT code FROM partners WHERE company_id = \(bind: cid) AND code = \(bind: code)").first() != nil {
            suffix += 1
            code = "\(base)-\(suffix)"
        }
        let county = party.country == "RO" ? party.county : nil
        try await db.raw(
            """
            INSERT INTO partners (company_id, \(unsafeRaw: Self.partnerColumns), created_at, tax_id)
            VALUES (\(bind: cid), \(bind: code), 'company', \(bind: String(party.name.prefix(Limits.nameLength))), \(bind: cui?.digits),
                \(bind: party.vatID?.uppercased().hasPrefix("RO") ?? false), NULL, NULL, \(bind: String(party.street.prefix(Limits.addressLineLength))),
                \(bind: party.city), \(bind: county), \(bind: party.postalCode), \(bind: party.country.isEmpty ? "RO" : party.country),
                \(bind: party.email), \(bind: party.phone), 30, \(bind: false), \(bind: true), \(bind: false), \(bind: self.nowText),
                \(bind: cui == nil ? written : nil))
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "partner.create", entity: "partner", entityID: code,
            changes: [FieldChange("name", before: nil, after: party.name), FieldChange("source", before: nil, after: "e-Factura")],
            now: self.now)
        return try await Self.loadPartner(db, company: company, code: code)!
    }
}

extension Error {
    /// A user-facing message for any error a use case throws.
    var message: String {
        switch self {
        case let error as DomainError: error.message
        case let error as ValidationErrors: error.problems.map(\.message).joined(separator: " ")
        default: "\(self)"
        }
    }
}
