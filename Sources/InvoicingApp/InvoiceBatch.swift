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

/// Group commit for issuing: concurrent `issueInvoice` calls of one company are queued and issued together in one
/// transaction (each fully validated first, so one bad invoice never affects the others and never takes a number).
/// One caller alone is a batch of one. See docs/invoicing.md ("Numbering") and docs/performance.md.
extension Culise {
    /// Group commit of concurrent invoice issues, one queue per facade.
    var issueQueue: IssueQueue { contextServices.shared(IssueQueue.self) { IssueQueue() } }
}

actor IssueQueue {
    struct Pending {
        let input: DocumentInput
        let actor: Actor
        let continuation: CheckedContinuation<InvoiceRecord, any Error>
    }

    static let maxBatch = 256
    private var pending: [CompanyID: [Pending]] = [:]
    private var draining: Set<CompanyID> = []

    func submit(_ culise: Culise, company: CompanyID, input: DocumentInput, actor: Actor) async throws -> InvoiceRecord {
        try await withCheckedThrowingContinuation { continuation in
            pending[company, default: []].append(Pending(input: input, actor: actor, continuation: continuation))
            if !draining.contains(company) {
                draining.insert(company)
                Task { await self.drain(culise, company: company) }
            }
        }
    }

    private func drain(_ culise: Culise, company: CompanyID) async {
        while let queue = pending[company], !queue.isEmpty {
            let batch = Array(queue.prefix(Self.maxBatch))
            pending[company] = Array(queue.dropFirst(batch.count))
            do {
                let results = try await culise.issueBatch(company: company, batch.map { ($0.input, $0.actor) })
                for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
        pending[company] = nil
        draining.remove(company)
    }
}

extension Culise {
    /// Issues several invoices of one company in one transaction: shared reads once, every document validated
    /// (fields, e-Factura rules, posting rules) before numbers are taken, numbers allocated per series in one
    /// statement, all entries posted at once, and the invoice, outbox and audit rows written with multi-row statements.
    /// Returns one result per input, in order; an invalid input gets its own problems and no number.
    func issueBatch(company: CompanyID, _ items: [(input: DocumentInput, actor: Actor)]) async throws -> [Result<InvoiceRecord, any Error>]
    {
        try await transaction { db in
            let cid = company.description
            var results = [Result<InvoiceRecord, any Error>?](repeating: nil, count: items.count)
            // Reads shared by the batch.
            let settings = try await Self.ensureInvoicing(db, company: company)
            let seller = Self.sellerParty(try await Self.loadCompany(db, company), settings: settings)
            let seriesCodes = Set(
                items.map { $0.input.series?.trimmingCharacters(in: .whitespaces).uppercased() ?? "" }.filter { !$0.isEmpty }
            )
            .union([settings.defaultSeries])
            let activeSeries = Set(
                try await db.raw(
                    "SELECT code FROM invoice_series WHERE company_id = \(bind: cid) AND active = \(bind: true) AND code IN "
                        + .list(seriesCodes.sorted())
                ).all().map { try $0.decode(column: "code", as: String.self) })
            var partners: [String: Partner] = [:]
            for code in Set(items.map(\.input.partner)).sorted() {
                if let partner = try await Self.loadPartner(db, company: company, code: code) { partners[code] = partner }
            }
            let products = try await Self.loadProducts(
                db, company: company, codes: Set(items.flatMap { $0.input.lines.compactMap(\.product) }))
            var candidates: Set<String> = [DefaultAccounts.serviceSales, DefaultAccounts.servicePurchases]
            for item in items { candidates.formUnion(Self.candidateAccounts(item.input, products: products)) }
            let postable = try await Self.postableAccounts(db, company: company, among: candidates)
            let today = LocalDate.today(now: self.clock())
            // Validate every document and its entry with a placeholder number.
            struct Valid {
                var index: Int
                var id: InvoiceID
                var document: CommercialDocument
                var partner: String
                var series: String
            }
            var valid: [Valid] = []
            for (index, item) in items.enumerated() {
                do {
                    try item.actor.require(.invoicing, .write, in: company)
                    guard let partner = partners[item.input.partner] else {
                        throw ValidationErrors([
                            DomainError(
                                "invoice.partner", field: "partner",
                                "You cannot invoice partner '\(item.input.partner)' because it does not exist.")
                        ])
                    }
                    let series =
                        item.input.series?.trimmingCharacters(in: .whitespaces).uppercased().nilIfEmptyText ?? settings.defaultSeries
                    guard activeSeries.contains(series) else {
                        throw DomainError(
                            "invoice.series", field: "series", "You cannot use series '\(series)' because it does not exist; add it first.")
                    }
                    let context = DocumentContext(
                        side: .sales, seller: seller, buyer: Self.party(partner), products: products, today: today,
                        paymentTermDays: partner.paymentTermDays, postableAccounts: postable)
                    var document = try (try await Self.withBNRRate(db, item.input, today: today)).validated(context)
                    document.number = "\(series)-1"
                    let problems = EInvoiceRules.problems(document)
                    if !problems.isEmpty { throw ValidationErrors(problems) }
                    valid.append(
                        Valid(
                            index: index, id: InvoiceID.generate(now: self.now), document: document, partner: partner.code, series: series))
                } catch {
                    results[index] = .failure(error)
                }
            }
            // Posting rules for every account the batch touches, then each entry checked before any number is taken.
            var accounts: Set<String> = [
                Self.receivableAccount, Self.vatCollectedAccount, InvoicingAccounts.salesCharges, InvoicingAccounts.salesAllowances,
            ]
            for item in valid { accounts.formUnion(item.document.lines.map(\.account)) }
            let rules = try await LedgerEngine.rules(db, company: company, only: accounts)
            valid = valid.filter { item in
                let draft = SalesPosting.entry(item.document, id: item.id, corrects: nil, partner: item.partner)
                let problems = EntryValidator.problems(draft, rules: rules)
                if problems.isEmpty { return true }
                results[item.index] = .failure(ValidationErrors(problems))
                return false
            }
            guard !valid.isEmpty else { return results.map { $0! } }
            // Numbers: one counter update per (series, year) for all of that group, in arrival order.
            var groups: [String: [Int]] = [:]
            for (position, item) in valid.enumerated() {
                groups["\(item.series)|\(item.document.issueDate.year)", default: []].append(position)
            }
            for key in groups.keys.sorted() {
                let positions = groups[key]!
                let series = valid[positions[0]].series
                let year = Int64(valid[positions[0]].document.issueDate.year)
                try await db.raw(
                    """
                    INSERT INTO invoice_counters (company_id, series, year, next_number)
                    VALUES (\(bind: cid), \(bind: series), \(bind: year),
                        (SELECT COALESCE(MAX(next_number), 1) FROM invoice_counters WHERE company_id = \(bind: cid) AND series = \(bind: series) AND year < \(bind: year)))
                    ON CONFLICT (company_id, series, year) DO NOTHING
                    """
                ).run()
                let counter = try await db.raw(
                    """
                    UPDATE invoice_counters SET next_number = next_number + \(bind: Int64(positions.count))
                    WHERE company_id = \(bind: cid) AND series = \(bind: series) AND year = \(bind: year) RETURNING next_number
                    """
                ).first()!
                var seq = try counter.decode(column: "next_number", as: Int64.self) - Int64(positions.count)
                for position in positions {
                    valid[position].document.number = "\(series)-\(seq)"
                    seq += 1
                }
            }
            // Entries, all in one posting call.
            // Entries: one posting call per acting user (usually one), keeping each entry's `created_by` right.
            var entries = [EntryID](repeating: EntryID(0), count: valid.count)
            var byActor: [String: [Int]] = [:]
            for (position, item) in valid.enumerated() { byActor[items[item.index].actor.auditName, default: []].append(position) }
            for name in byActor.keys.sorted() {
                let positions = byActor[name]!
                let drafts = positions.map {
                    EntryToWrite(draft: SalesPosting.entry(valid[$0].document, id: valid[$0].id, corrects: nil, partner: valid[$0].partner))
                }
                let ids = try await LedgerEngine.post(db, company: company, entries: drafts, createdBy: name, now: self.nowText)
                for (position, id) in zip(positions, ids) { entries[position] = id }
            }
            // Invoice, outbox and audit rows.
            var invoiceRows: [[SQLValue]] = []
            var outboxRows: [[SQLValue]] = []
            var events: [AuditEvent] = []
            for (position, item) in valid.enumerated() {
                let document = item.document
                let xml = UBLWriter.xml(document)
                let actor = items[item.index].actor
                let seq = Int64(document.number.split(separator: "-").last.flatMap { Int64($0) } ?? 0)
                invoiceRows.append([
                    .text(cid), .text(item.id.description), .text(document.type.rawValue), .text("issued"), .text(item.series),
                    .int(Int64(document.issueDate.year)), .int(seq), .text(document.number), .text(item.partner),
                    .text(document.issueDate.iso),
                    .text(document.supplyDate.iso), SQLValue(document.dueDate?.iso), .text(document.currency.code),
                    SQLValue(document.exchangeRate.map { "\($0)" }), .int(document.totals.taxExclusive), .int(document.totals.vatTotal),
                    .int(document.totals.payable), .int(Self.ron(document.totals.payable, document.exchangeRate)), .null,
                    .int(entries[position].rawValue), .text(try Self.json(document)), .text(self.nowText), .text(actor.auditName),
                    .text(self.nowText),
                ])
                outboxRows.append([
                    .text(cid), .text(item.id.description), .text(OutboxState.validated), .text(xml),
                    .text(SHA256.hash(data: Data(xml.utf8)).hexString),
                    .text(EFacturaDeadline.due(issued: document.issueDate).iso), .int(0), .text(self.nowText),
                ])
                events.append(
                    AuditEvent(
                        actor: actor, company: company, action: "invoice.issue", entity: "invoice", entityID: item.id.description,
                        changes: [
                            FieldChange("number", before: nil, after: document.number), FieldChange("state", before: nil, after: "issued"),
                            FieldChange("total", before: nil, after: DecimalText.amount(document.totals.payable)),
                        ]))
                results[item.index] = .success(
                    InvoiceRecord(
                        id: item.id, type: document.type, state: .issued, series: item.series, number: document.number,
                        partner: item.partner,
                        issueDate: document.issueDate, dueDate: document.dueDate,
                        total: Money(minorUnits: document.totals.payable, currency: document.currency),
                        totalRON: .ron(Self.ron(document.totals.payable, document.exchangeRate)), paid: .zero(document.currency),
                        credited: .zero(document.currency), open: Money(minorUnits: document.totals.payable, currency: document.currency),
                        entryID: entries[position].rawValue, corrects: nil, document: document,
                        efactura: EFacturaStatus(
                            state: OutboxState.validated, deadline: EFacturaDeadline.due(issued: document.issueDate), uploadIndex: nil,
                            attempts: 0,
                            errors: []),
                        warnings: Self.issueWarnings(document, today: today)))
            }
            try await SQLBulk.insert(
                db, into: "invoices",
                columns: [
                    "company_id", "id", "type", "state", "series", "year", "seq", "number", "partner_code", "issue_date", "supply_date",
                    "due_date",
                    "currency", "exchange_rate", "net", "vat", "total", "total_ron", "corrects", "entry_id", "document", "created_at",
                    "created_by",
                    "issued_at",
                ], values: invoiceRows)
            try await SQLBulk.insert(
                db, into: "efactura",
                columns: ["company_id", "invoice_id", "state", "xml", "xml_sha256", "deadline", "attempts", "updated_at"],
                values: outboxRows)
            try await AuditLog.appendMany(db, events, now: self.now)
            return results.map { $0! }
        }
    }
}
