import Application
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Partners
import PartnersApp
import Posting
import SQLKit
import Storage

/// A receipt from a customer or a payment to a supplier, as typed.
public struct PaymentInput: Sendable, Codable, Equatable {
    public struct Allocation: Sendable, Codable, Equatable {
        /// An invoice number (`EXD-1042`) or id for receipts; a bill id or supplier number for payments.
        public var document: String
        public var amount: String

        public init(document: String, amount: String) {
            self.document = document
            self.amount = amount
        }
    }

    /// `in` (receipt) or `out` (payment).
    public var direction: String
    public var partner: String
    public var date: String?
    /// `bank` or `cash`.
    public var method: String?
    /// Defaults: 5121 (RON bank), 5124 (foreign-currency bank), 5311 (RON cash), 5314 (foreign-currency cash).
    public var account: String?
    public var currency: String?
    public var amount: String
    public var exchangeRate: String?
    public var reference: String?
    public var allocations: [Allocation]
    /// Write off a remaining difference up to the company's limit to 6588/7588 instead of leaving it open.
    public var writeOff: Bool?

    public init(
        direction: String, partner: String, date: String? = nil, method: String? = nil, account: String? = nil, currency: String? = nil,
        amount: String, exchangeRate: String? = nil, reference: String? = nil, allocations: [Allocation] = [], writeOff: Bool? = nil
    ) {
        self.direction = direction
        self.partner = partner
        self.date = date
        self.method = method
        self.account = account
        self.currency = currency
        self.amount = amount
        self.exchangeRate = exchangeRate
        self.reference = reference
        self.allocations = allocations
        self.writeOff = writeOff
    }
}

public struct PaymentRecord: Sendable, Codable, Equatable {
    public var id: PaymentID
    public var direction: String
    public var partner: String
    public var date: LocalDate
    public var method: String
    public var account: String
    public var amount: Money
    public var reference: String?
    public var entryID: Int64
    /// What the payment's entry settled, per document, read back from the ledger.
    public var allocations: [AllocationLine]
    /// The part left on the partner's advance account (419/4091), in the payment's currency.
    public var advance: Money
    /// The small difference written off (6588/7588), always in lei: the ledger carries no other currency for it.
    public var writtenOff: Money
    /// The cash document's number (chitanță `CH-2026-000001`, dispoziție de plată `DP-…`) for cash payments.
    public var documentNumber: String? = nil
    /// Set when a later use case reversed the payment's entry (a bank line was unmatched).
    public var reversedBy: Int64? = nil
    /// Cash-limit warnings (Law 70/2015 limits, configurable); the payment is recorded anyway.
    public var warnings: [String] = []

    public var currency: Currency { amount.currency }
}

public struct AllocationLine: Sendable, Codable, Equatable {
    public var documentType: String
    public var documentID: String
    public var amount: Money
}

/// One partner's row in an aging report (RON minor units).
public struct AgingRow: Sendable, Codable, Equatable {
    public var partner: String
    public var name: String?
    public var buckets: [String: Int64]
    /// Amounts on the account that reference no document (opening balances, manual entries).
    public var unallocated: Int64
    public var total: Int64

    public init(partner: String, name: String?, buckets: [String: Int64], unallocated: Int64, total: Int64) {
        self.partner = partner
        self.name = name
        self.buckets = buckets
        self.unallocated = unallocated
        self.total = total
    }
}

public struct AgingReport: Sendable, Codable, Equatable {
    public var side: String
    public var account: String
    public var asOf: LocalDate
    public var rows: [AgingRow]
    public var totals: [String: Int64]
    public var unallocated: Int64
    public var total: Int64
}

public struct DunningNotice: Sendable, Codable, Equatable {
    public var partner: String
    public var name: String
    public var email: String?
    public var level: Int
    public var items: [Dunning.Item]
    public var text: String
}

extension Culise {
    /// Records a receipt or payment, allocates it and posts its entry in one transaction.
    /// Receipt: `5121 = 4111` per invoice (+ `419` advance for an overpayment); payment: `401 = 5121` (+ `4091`).
    /// Small differences within the write-off limit go to 6588/7588; foreign-currency rate differences to 665/765.
    public func recordPayment(company: CompanyID, _ input: PaymentInput, actor: Actor) async throws -> PaymentRecord {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in try await self.postPayment(db, company: company, input, actor: actor) }
    }

    /// The payment use case inside a caller's transaction (bank reconciliation confirms a line with it).
    func postPayment(_ db: any SQLDatabase, company: CompanyID, _ input: PaymentInput, actor: Actor) async throws -> PaymentRecord {
        let cid = company.description
        var problems = ProblemCollector()
        let incoming = input.direction == "in"
        problems.check(
            ["in", "out"].contains(input.direction),
            DomainError("payment.direction", field: "direction", "You cannot use direction '\(input.direction)'; use in or out."))
        let method = input.method ?? "bank"
        problems.check(
            ["bank", "cash"].contains(method),
            DomainError("payment.method", field: "method", "You cannot use method '\(method)'; use bank or cash."))
        let currency = (input.currency ?? "RON").uppercased()
        problems.check(
            CurrencyCodes.known.contains(currency),
            DomainError(
                "payment.currency", field: "currency", "You cannot use currency '\(currency)' because it is not an ISO 4217 code."))
        var date = LocalDate.today(now: self.clock())
        if let text = input.date, !text.isEmpty {
            if let parsed = try? LocalDate(iso: text) {
                date = parsed
            } else {
                problems.add(DomainError("payment.date", field: "date", "You cannot use '\(text)' as a date; write it YYYY-MM-DD."))
            }
        }
        let amount = DecimalText.parse(input.amount, scale: 2).map(InvoiceMath.minor)
        if !(amount.map { $0 > 0 } ?? false) {
            problems.add(
                NumberText.ambiguityIfAny(input.amount, scale: 2, field: "amount")
                    ?? DomainError(
                        "payment.amount", field: "amount",
                        "You cannot record '\(input.amount)' because an amount must be above 0 with at most 2 decimals."))
        }
        var rate: Decimal?
        if currency != "RON" {
            rate = DecimalText.parse(input.exchangeRate, scale: 6)
            // No typed rate: the BNR rate for the payment date, under the rate convention.
            if (input.exchangeRate ?? "").trimmingCharacters(in: .whitespaces).isEmpty, CurrencyCodes.known.contains(currency) {
                rate = try? await Self.exchangeRate(db, currency: currency, on: date).ronPerUnit
            }
            problems.check(
                (rate ?? 0) > 0,
                DomainError(
                    "payment.exchange_rate", field: "exchange_rate",
                    "To record a payment in \(currency), you must give the exchange rate or import the BNR rate for \(date) (culise fx import)."
                ))
        }
        problems.check(
            input.allocations.count <= Limits.allocationsPerPayment,
            DomainError(
                "payment.too_many_allocations", kind: .tooLarge, field: "allocations",
                "You cannot allocate one payment to more than \(Limits.allocationsPerPayment) documents."))
        let partner = try await Self.loadPartner(db, company: company, code: input.partner)
        problems.check(
            partner != nil,
            DomainError(
                "payment.partner", field: "partner",
                "You cannot record a payment for '\(input.partner)' because no such partner exists."))
        let defaultAccount = TreasuryAccounts.moneyAccount(cash: method == "cash", currency: currency)
        let account = input.account?.trimmingCharacters(in: .whitespaces).nilIfEmptyText ?? defaultAccount
        let postable = try await Self.postableAccounts(db, company: company, among: [account])
        problems.check(
            postable.contains(account),
            DomainError(
                "payment.account", field: "account", "You cannot use account '\(account)' because it is not a postable account."))
        // Resolve the documents.
        struct Target {
            var type: String
            var id: String
            var number: String
            var open: Int64
            var openRON: Int64
            var rate: Decimal?
            var amount: Int64
        }
        var targets: [Target] = []
        for (index, allocation) in input.allocations.enumerated()
        where partner != nil && input.allocations.count <= Limits.allocationsPerPayment {
            let field = "allocations[\(index)]"
            let value = DecimalText.parse(allocation.amount, scale: 2).map(InvoiceMath.minor)
            guard let value, value > 0 else {
                problems.add(
                    DomainError(
                        "payment.allocation_amount", field: "\(field).amount",
                        "You cannot allocate '\(allocation.amount)'; use an amount above 0."))
                continue
            }
            var found:
                (
                    type: String, id: String, number: String, total: Money, open: Money, rate: Decimal?,
                    partner: String
                )?
            if incoming {
                // By id, then by number: two indexed lookups (an OR of both makes SQLite scan the company's invoices).
                var invoice = try await Self.loadInvoices(
                    db, company: company, where: "id = \(bind: allocation.document) AND state <> 'draft' AND type <> '381'",
                    order: "id", limit: 1, offset: 0
                ).first
                if invoice == nil {
                    // A number that exists in several years needs its year (`EXD-1/2026`).
                    do {
                        invoice = try await Self.invoice(
                            db, company: company, reference: InvoiceReference(allocation.document), condition: "type <> '381'",
                            field: "\(field).document")
                    } catch let error as DomainError {
                        problems.add(error)
                        continue
                    }
                }
                if let invoice {
                    found = (
                        "invoice", invoice.id.description, invoice.number ?? "", invoice.total, invoice.open,
                        invoice.document.exchangeRate, invoice.partner
                    )
                }
            } else {
                var bill = try await Self.loadBills(
                    db, company: company, where: "id = \(bind: allocation.document) AND state <> 'draft' AND type <> '381'", limit: 1,
                    offset: 0
                ).first
                if bill == nil {
                    bill = try await Self.loadBills(
                        db, company: company,
                        where:
                            "partner_code = \(bind: input.partner) AND number = \(bind: allocation.document) AND state <> 'draft' AND type <> '381'",
                        limit: 1, offset: 0
                    ).first
                }
                if let bill {
                    found = (
                        "bill", bill.id.description, bill.number, bill.total, bill.open, bill.document.exchangeRate,
                        bill.partner
                    )
                }
            }
            guard let found else {
                problems.add(
                    DomainError(
                        "payment.document", field: "\(field).document",
                        "You cannot allocate to '\(allocation.document)' because no issued \(incoming ? "invoice" : "posted bill") has that number or id."
                    ))
                continue
            }
            if found.partner != input.partner {
                problems.add(
                    DomainError(
                        "payment.document_partner", field: "\(field).document",
                        "You cannot allocate to \(found.number) because it belongs to partner \(found.partner)."))
            }
            if found.open.currency.code != currency {
                problems.add(
                    DomainError(
                        "payment.document_currency", field: "\(field).document",
                        "You cannot pay \(found.number), issued in \(found.open.currency), with a \(currency) payment."))
            }
            if value > found.open.minorUnits {
                problems.add(
                    DomainError(
                        "payment.over_allocation", field: "\(field).amount",
                        "You cannot allocate \(DecimalText.amount(value)) to \(found.number) because only \(DecimalText.amount(found.open.minorUnits)) is open; the rest goes to the partner's advance."
                    ))
            }
            if targets.contains(where: { $0.id == found.id }) {
                problems.add(
                    DomainError(
                        "payment.document_twice", field: "\(field).document",
                        "You cannot allocate to \(found.number) twice in one payment."))
            }
            let openRON = Self.ron(found.open.minorUnits, found.rate)
            targets.append(
                Target(
                    type: found.type, id: found.id, number: found.number, open: found.open.minorUnits, openRON: openRON, rate: found.rate,
                    amount: value))
        }
        let allocated = targets.reduce(Int64(0)) { $0 + $1.amount }
        if let amount, allocated > amount {
            problems.add(
                DomainError(
                    "payment.allocated_more", field: "allocations",
                    "You cannot allocate \(DecimalText.amount(allocated)) of a payment of \(DecimalText.amount(amount))."))
        }
        try problems.throwIfAny()
        guard let amount, let partner else {
            throw DomainError("payment.amount", field: "amount", "You cannot record a payment without an amount and a partner.")
        }
        let settings = try await Self.ensureInvoicing(db, company: company)
        let id = PaymentID.generate(now: self.now)
        let bankRON = Self.ron(amount, rate)
        let (draft, _) = PaymentPosting.entry(
            PaymentPosting.Payment(
                id: id.description, incoming: incoming, cash: method == "cash", date: date, account: account, currency: currency,
                amount: amount, rate: rate, partner: input.partner, partnerName: partner.name, reference: input.reference,
                settlements: targets.map {
                    PaymentPosting.Settlement(
                        type: $0.type, id: $0.id, number: $0.number, open: $0.open, openRON: $0.openRON, rate: $0.rate, amount: $0.amount)
                },
                writeOff: input.writeOff == true, writeOffLimit: settings.writeOffLimit))
        let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
        let entryProblems = EntryValidator.problems(draft, rules: rules)
        if !entryProblems.isEmpty { throw ValidationErrors(entryProblems) }
        let entry = try await LedgerEngine.post(
            db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0]
        var warnings: [String] = []
        var documentNumber: String?
        if method == "cash" {
            documentNumber = try await Self.nextCashNumber(db, company: company, kind: incoming ? "CH" : "DP", year: date.year)
            warnings = try await Self.cashLimitWarnings(
                db, company: company, partner: partner, date: date, amountRON: bankRON, incoming: incoming)
            try await Self.requireCashNotNegative(db, company: company, account: account, date: date, change: incoming ? bankRON : -bankRON)
        }
        try await db.raw(
            """
            INSERT INTO payments (company_id, id, direction, partner_code, date, method, account, currency, amount, exchange_rate, reference, entry_id, created_at, created_by, document_number)
            VALUES (\(bind: cid), \(bind: id.description), \(bind: input.direction), \(bind: input.partner), \(bind: date.iso), \(bind: method), \(bind: account),
                \(bind: currency), \(bind: amount), \(bind: rate.map { "\($0)" }), \(bind: input.reference), \(bind: entry.rawValue), \(bind: self.nowText), \(bind: actor.auditName), \(bind: documentNumber))
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: incoming ? "payment.receive" : "payment.pay", entity: "payment",
            entityID: id.description,
            changes: [
                FieldChange("amount", before: nil, after: "\(DecimalText.amount(amount)) \(currency)"),
                FieldChange(
                    "allocated", before: nil,
                    after: targets.map { "\($0.number)=\(DecimalText.amount($0.amount))" }.joined(separator: ", ")),
            ], now: self.now)
        var record = try await Self.loadPayment(db, company: company, id: id)!
        record.warnings = warnings
        return record
    }

    static func loadPayment(_ db: any SQLDatabase, company: CompanyID, id: PaymentID) async throws -> PaymentRecord? {
        try await loadPayments(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first
    }

    static func loadPayments(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, limit: Int, offset: Int
    ) async throws
        -> [PaymentRecord]
    {
        let cid = company.description
        var records = try await db.raw(
            "SELECT id, direction, partner_code, date, method, account, currency, amount, reference, entry_id, document_number, reversal_entry_id FROM payments WHERE company_id = \(bind: cid) AND "
                + condition + " ORDER BY date DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all().map { row in
            let currency = try Currency(code: row.decode(column: "currency", as: String.self))
            return PaymentRecord(
                id: PaymentID(string: try row.decode(column: "id", as: String.self))!,
                direction: try row.decode(column: "direction", as: String.self),
                partner: try row.decode(column: "partner_code", as: String.self),
                date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                method: try row.decode(column: "method", as: String.self), account: try row.decode(column: "account", as: String.self),
                amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
                reference: try row.decode(column: "reference", as: String?.self),
                entryID: try row.decode(column: "entry_id", as: Int64.self),
                allocations: [], advance: .zero(currency), writtenOff: .zero(.ron),
                documentNumber: try row.decode(column: "document_number", as: String?.self),
                reversedBy: try row.decode(column: "reversal_entry_id", as: Int64?.self))
        }
        // Allocations are read back from the payments' posted entries (one query for the page): the ledger is the record.
        guard !records.isEmpty else { return records }
        let positions = Dictionary(records.indices.map { (records[$0].entryID, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = try await db.raw(
            """
            SELECT entry_id, account, debit, credit, amount_currency, source_type, source_id FROM entry_lines
            WHERE company_id = \(bind: cid) AND entry_id IN
            """ + .list(records.map(\.entryID)) + " ORDER BY entry_id, line_no"
        ).all()
        for line in lines {
            guard let index = positions[try line.decode(column: "entry_id", as: Int64.self)] else { continue }
            let account = try line.decode(column: "account", as: String.self)
            let type = try line.decode(column: "source_type", as: String?.self)
            // A line in the payment's currency carries its amount in it; a line without one is in lei.
            let value: Money =
                if let foreign = try line.decode(column: "amount_currency", as: Int64?.self) {
                    records[index].amount.with(abs(foreign))
                } else {
                    .ron(abs(try line.decode(column: "debit", as: Int64.self) + (try line.decode(column: "credit", as: Int64.self))))
                }
            if account == receivableAccount || account == payableAccount, let type, type != "payment" {
                let documentID = try line.decode(column: "source_id", as: String.self)
                if let existing = records[index].allocations.firstIndex(where: { $0.documentID == documentID }) {
                    records[index].allocations[existing].amount = try records[index].allocations[existing].amount.adding(value)
                } else {
                    records[index].allocations.append(AllocationLine(documentType: type, documentID: documentID, amount: value))
                }
            } else if account == TreasuryAccounts.customerAdvance || account == TreasuryAccounts.supplierAdvance {
                records[index].advance = records[index].advance.isZero ? value : try records[index].advance.adding(value)
            } else if account == TreasuryAccounts.otherOperatingExpenses || account == TreasuryAccounts.otherOperatingIncome {
                records[index].writtenOff = records[index].writtenOff.isZero ? value : try records[index].writtenOff.adding(value)
            }
        }
        return records
    }

    public func payments(company: CompanyID, partner: String?, page: PageRequest, actor: Actor) async throws -> Page<PaymentRecord> {
        try actor.require(.invoicing, .read, in: company)
        var condition: SQLQueryString = "1 = 1"
        if let partner, !partner.isEmpty { condition = condition + " AND partner_code = \(bind: partner)" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM payments WHERE company_id = \(bind: company.description) AND " + filter)
                .first()!
                .decode(column: "n", as: Int64.self)
            return Page(
                items: try await Self.loadPayments(db, company: company, where: filter, limit: page.limit, offset: page.offset),
                total: Int(total),
                offset: page.offset, limit: page.limit)
        }
    }

    public func payment(company: CompanyID, id: PaymentID, actor: Actor) async throws -> PaymentRecord {
        try actor.require(.invoicing, .read, in: company)
        guard let payment = try await read({ db in try await Self.loadPayment(db, company: company, id: id) }) else {
            throw DomainError("payment.not_found", kind: .notFound, "You cannot open payment \(id) because it does not exist.")
        }
        return payment
    }

    // MARK: - Aging and dunning

    /// AR (`receivable`, account 4111) or AP (`payable`, account 401) aging as of a date, per partner and in total, in RON.
    /// Each document's open amount is the sum of the ledger lines that reference it, so the totals equal the partner balances.
    public func aging(company: CompanyID, side: String, asOf: LocalDate, actor: Actor) async throws -> AgingReport {
        try actor.require(.invoicing, .read, in: company)
        let receivable = side != "payable"
        let account = receivable ? Self.receivableAccount : Self.payableAccount
        let cid = company.description
        return try await read { db in
            let rows = try await db.raw(
                """
                SELECT l.partner, l.source_type, l.source_id, CAST(SUM(l.debit) AS BIGINT) AS d, CAST(SUM(l.credit) AS BIGINT) AS c
                FROM entry_lines l
                WHERE l.company_id = \(bind: cid) AND l.account = \(bind: account) AND l.posted = \(bind: true) AND l.date <= \(bind: asOf.iso)
                GROUP BY l.partner, l.source_type, l.source_id
                """
            ).all()
            var open: [(partner: String, type: String?, id: String?, amount: Int64)] = []
            for row in rows {
                let debit = try row.decode(column: "d", as: Int64?.self) ?? 0
                let credit = try row.decode(column: "c", as: Int64?.self) ?? 0
                let amount = receivable ? debit - credit : credit - debit
                if amount != 0 {
                    open.append(
                        (
                            try row.decode(column: "partner", as: String?.self) ?? "",
                            try row.decode(column: "source_type", as: String?.self),
                            try row.decode(column: "source_id", as: String?.self), amount
                        ))
                }
            }
            // Due dates of the documents with an open amount.
            let table = receivable ? "invoices" : "bills"
            let documentType = receivable ? "invoice" : "bill"
            var due: [String: LocalDate] = [:]
            let ids = open.filter { $0.type == documentType }.compactMap(\.id)
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                let query: SQLQueryString =
                    "SELECT id, due_date, issue_date FROM \(unsafeRaw: table) WHERE company_id = \(bind: cid) AND id IN " + .list(chunk)
                for row in try await db.raw(query).all() {
                    let date =
                        try row.decode(column: "due_date", as: String?.self) ?? (try row.decode(column: "issue_date", as: String.self))
                    due[try row.decode(column: "id", as: String.self)] = try LocalDate(iso: date)
                }
            }
            var byPartner: [String: AgingRow] = [:]
            for item in open {
                var row = byPartner[item.partner] ?? AgingRow(partner: item.partner, name: nil, buckets: [:], unallocated: 0, total: 0)
                if item.type == documentType, let id = item.id, let dueDate = due[id] {
                    let bucket = AgingBucket.of(daysOverdue: dueDate.days(until: asOf))
                    row.buckets[bucket.rawValue, default: 0] += item.amount
                } else {
                    row.unallocated += item.amount
                }
                row.total += item.amount
                byPartner[item.partner] = row
            }
            let names = try await db.raw("SELECT code, name FROM partners WHERE company_id = \(bind: cid)").all().reduce(
                into: [String: String]()
            ) {
                $0[try $1.decode(column: "code", as: String.self)] = try $1.decode(column: "name", as: String.self)
            }
            var report = AgingReport(
                side: receivable ? "receivable" : "payable", account: account, asOf: asOf, rows: [], totals: [:], unallocated: 0, total: 0)
            for key in byPartner.keys.sorted()
            where byPartner[key]!.total != 0 || byPartner[key]!.buckets.values.contains(where: { $0 != 0 }) {
                var row = byPartner[key]!
                row.name = names[key]
                for (bucket, value) in row.buckets { report.totals[bucket, default: 0] += value }
                report.unallocated += row.unallocated
                report.total += row.total
                report.rows.append(row)
            }
            return report
        }
    }

    /// Lists overdue invoices per partner with a dunning level and a reminder text; the run is audited.
    public func dunningRun(company: CompanyID, asOf: LocalDate, language: String, actor: Actor) async throws -> [DunningNotice] {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            let own = try await Self.loadCompany(db, company)
            var notices: [String: DunningNotice] = [:]
            var offset = 0
            while true {
                let page = try await Self.loadInvoices(
                    db, company: company, where: "state <> 'draft' AND type <> '381' AND due_date < \(bind: asOf.iso)",
                    order: "due_date, id",
                    limit: 500, offset: offset)
                for invoice in page where invoice.open.minorUnits > 0 {
                    guard let dueDate = invoice.dueDate else { continue }
                    let days = dueDate.days(until: asOf)
                    let item = Dunning.Item(
                        number: invoice.number ?? "", dueDate: dueDate, daysOverdue: days, open: invoice.open)
                    var notice =
                        notices[invoice.partner]
                        ?? DunningNotice(
                            partner: invoice.partner, name: invoice.document.buyer.name, email: invoice.document.buyer.email, level: 0,
                            items: [], text: "")
                    notice.items.append(item)
                    notice.level = max(notice.level, Dunning.level(daysOverdue: days))
                    notices[invoice.partner] = notice
                }
                if page.count < 500 { break }
                offset += 500
            }
            let result = notices.values.sorted { $0.partner < $1.partner }.map { notice -> DunningNotice in
                var copy = notice
                copy.text = Dunning.letter(
                    to: notice.name, from: own.legalName, items: notice.items, level: notice.level, language: language)
                return copy
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.dunning_run", entity: "company", entityID: company.description,
                changes: [
                    FieldChange("notices", before: nil, after: String(result.count)), FieldChange("as_of", before: nil, after: asOf.iso),
                ],
                now: self.now)
            return result
        }
    }
}
