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

/// A period's VAT return as the VAT page shows it: the D300's rows, every problem its checks find, the VAT accounts'
/// turnovers it was checked against, what keeps the XML from being written, the latest filing and the closing entry.
public struct VATReturnView: Sendable, Equatable {
    public var d300: D300Return
    public var from: LocalDate
    public var to: LocalDate
    public var documents: Int
    public var problems: [FilingProblem]
    /// 4427 credited and 4426 debited in the period, minor units (the VAT closing left out).
    public var account4427: Int64
    public var account4426: Int64
    /// Settings or form version that keep the XML from being written, each naming its field.
    public var blockers: [DomainError]
    public var filing: FilingRecord?
    public var closingEntry: EntryID?
}

/// A draft tax return (D300, D390): the XML and its problems, not kept.
public struct TaxReturnDraft: Sendable, Equatable {
    public var xml: String
    public var problems: [FilingProblem]
}

extension Culise {
    /// The VAT page's three returns of a period, from one reading of its documents: the D300 and the D394 of the VAT
    /// period, and the D390 of its month.
    public func taxReturns(
        company: CompanyID, period: YearMonth, actor: Actor
    ) async throws -> (
        d300: VATReturnView, d394: D394View, d390: VIESView
    ) {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in
            let settings = try await Self.loadTaxFilingSettings(db, company: company)
            let (from, to) = try D300.range(period, quarterly: settings.vatPeriod == .quarterly)
            let facts = try await Self.vatFacts(db, company: company, from: from, to: to)
            let month = facts.filter { $0.date >= period.firstDay && $0.date <= period.lastDay }
            return (
                try await Self.vatReturnView(db, company: company, period: period, facts: facts),
                try await Self.d394View(db, company: company, period: period, facts: facts),
                try await Self.viesView(db, company: company, period: period, facts: month)
            )
        }
    }

    /// The period's VAT return from the posted documents (issue 16 item 3), for the VAT page and `culise vat show`.
    /// `period` is the month, or the quarter's last month when the company files quarterly.
    public func vatReturn(company: CompanyID, period: YearMonth, actor: Actor) async throws -> VATReturnView {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in try await Self.vatReturnView(db, company: company, period: period) }
    }

    /// The D300 XML of the period without keeping it (the CLI's `--out` and the page's preview); refused while settings
    /// are missing or the period's form is not the one Culise writes.
    public func d300Draft(company: CompanyID, period: YearMonth, actor: Actor) async throws -> TaxReturnDraft {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in
            let view = try await Self.vatReturnView(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d300)
            return TaxReturnDraft(xml: D300.xml(view.d300, header: header), problems: view.problems)
        }
    }

    /// Generates and keeps the period's D300 (generated → validated, or invalid with every problem), replacing one not yet
    /// filed, or rectifying one ANAF answered.
    public func generateD300(company: CompanyID, period: YearMonth, actor: Actor) async throws -> FilingRecord {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.vatReturnView(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d300)
            return try await self.recordFiling(db, company: company, form: .d300, period: period, actor: actor) { rectifying in
                var d300 = view.d300
                d300.rectifying = rectifying
                return (D300.xml(d300, header: header), view.problems)
            }
        }
    }

    /// Posts the period's VAT closing (`4427 = 4426`, the result to 4423 or 4424, see `VATClosing`) from the D300 kept for
    /// it, and links the entry to the filing. Refused when there is no valid D300, when the documents changed since it
    /// was generated, or when the period is closed already.
    public func closeVAT(company: CompanyID, period: YearMonth, actor: Actor) async throws -> EntryID {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.vatReturnView(db, company: company, period: period)
            guard let filing = view.filing, [.validated, .filed, .accepted].contains(filing.state) else {
                throw DomainError(
                    "vat.no_return", kind: .conflict, field: "period",
                    "You cannot close the VAT of \(period) because it has no valid D300; generate the return and clear its problems first.")
            }
            if view.closingEntry != nil {
                throw DomainError(
                    "vat.closed", kind: .conflict, field: "period",
                    "You cannot close the VAT of \(period) again because it is closed; reopen it first.")
            }
            let kept = try await Self.loadFiling(db, company: company, id: filing.id)
            let header = try await Self.taxReturnHeader(db, company: company, form: .d300)
            var current = view.d300
            current.rectifying = kept.rectifying
            guard D300.xml(current, header: header) == kept.xml else {
                throw DomainError(
                    "vat.stale_return", kind: .conflict, field: "period",
                    "You cannot close the VAT of \(period) because the documents or settings changed since its D300 was generated; generate it again."
                )
            }
            let collected =
                -(try await Self.accountBalance(db, company: company, account: InvoicingAccounts.vatCollected, through: view.to))
            let deductible = try await Self.accountBalance(db, company: company, account: InvoicingAccounts.vatDeductible, through: view.to)
            let carried = try await Self.accountBalance(db, company: company, account: VATAccounts.recoverable, through: view.to)
            let earlier =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM entries WHERE company_id = \(bind: company.description)
                        AND (external_ref = \(bind: "vat_closing:\(period)") OR external_ref LIKE \(bind: "vat_closing:\(period)#%"))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            let draft = VATClosing.entry(
                period: period, date: view.to, collected: collected, deductible: deductible, payable: current.payable * 100,
                recoverable: current.recoverable * 100, carried: carried,
                reference: "vat_closing:\(period)" + (earlier == 0 ? "" : "#\(earlier + 1)"), filing: filing.id.description)
            guard !draft.lines.isEmpty else {
                throw DomainError(
                    "vat.closing_empty", kind: .conflict, field: "period",
                    "You cannot close the VAT of \(period) because accounts 4426 and 4427 are zero; there is nothing to close.")
            }
            let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
            let problems = EntryValidator.problems(draft, rules: rules)
            if !problems.isEmpty { throw ValidationErrors(problems) }
            let ids = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)
            let id = ids[0]
            try await db.raw(
                """
                UPDATE filings SET entry_id = \(bind: id.rawValue)
                WHERE company_id = \(bind: company.description) AND id = \(bind: filing.id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "vat.close", entity: "filing", entityID: filing.id.description,
                changes: [FieldChange("entry", before: nil, after: id.description)], now: self.now)
            return id
        }
    }

    /// Reverses the period's VAT closing entry (the documents of a closed period changed); the D300 stays as kept.
    public func reopenVAT(company: CompanyID, period: YearMonth, actor: Actor) async throws -> EntryID {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.vatReturnView(db, company: company, period: period)
            guard let entry = view.closingEntry else {
                throw DomainError(
                    "vat.not_closed", kind: .conflict, field: "period", "You cannot reopen the VAT of \(period) because it is not closed.")
            }
            let reversal = try await self.reverseInside(db, company: company, entry, on: view.to, actor: actor)
            try await db.raw(
                "UPDATE filings SET entry_id = NULL WHERE company_id = \(bind: company.description) AND entry_id = \(bind: entry.rawValue)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "vat.reopen", entity: "period", entityID: period.description,
                changes: [FieldChange("entry", before: entry.description, after: nil)], now: self.now)
            return reversal
        }
    }

    // MARK: - Reading the books

    /// The period's facts are read once per request: pass them when a caller (`taxReturns`) already has them.
    static func vatReturnView(
        _ db: any SQLDatabase, company: CompanyID, period: YearMonth, facts known: [VATFact]? = nil
    ) async throws -> VATReturnView {
        let settings = try await loadTaxFilingSettings(db, company: company)
        let quarterly = settings.vatPeriod == .quarterly
        let (from, to) = try D300.range(period, quarterly: quarterly)
        let facts: [VATFact]
        if let known { facts = known } else { facts = try await vatFacts(db, company: company, from: from, to: to) }
        let carried = try await accountBalance(
            db, company: company, account: VATAccounts.recoverable, through: from.adding(days: -1))
        let d300 = try D300.compute(facts, period: period, quarterly: quarterly, carriedNegative: carried)
        let turnover = try await vatTurnover(db, company: company, from: from, to: to)
        var blockers: [DomainError] = []
        if d300.layout != .year2026 {
            blockers.append(
                DomainError(
                    "filing.d300_form_version", field: "period",
                    "You cannot write the D300 XML of \(period) because Culise ships ANAF's schema for periods from January 2026; copy the rows shown into ANAF's form of 2025."
                ))
        }
        blockers += missingSettings(settings, form: .d300)
        let filing = try await loadFilings(db, company: company, form: .d300, period: period, withXML: false).last {
            $0.state != .discarded
        }
        // The period's closing: its entry not reversed (a closing reopened and done again is `vat_closing:P#2`).
        let closing = try await db.raw(
            """
            SELECT id FROM entries WHERE company_id = \(bind: company.description) AND state = 'posted'
                AND (external_ref = \(bind: "vat_closing:\(period)") OR external_ref LIKE \(bind: "vat_closing:\(period)#%"))
            """
        ).first().map { EntryID(try $0.decode(column: "id", as: Int64.self)) }
        return VATReturnView(
            d300: d300, from: from, to: to, documents: Set(facts.map(\.source)).count,
            problems: D300.problems(d300, accounts: (turnover.collected, turnover.deducted)), account4427: turnover.collected,
            account4426: turnover.deducted, blockers: blockers, filing: filing, closingEntry: closing)
    }

    /// The settings `form` needs that are not set, each named: every return names its declarant; the D300 and D394 also
    /// the CAEN code, the D300 the bank account, the D394 the phone.
    static func missingSettings(_ settings: TaxFilingSettings, form: FilingForm) -> [DomainError] {
        var needed: [(String, String?, String)] = [
            ("caen", settings.caen, "the company's CAEN code"),
            ("declarant_last_name", settings.declarantLastName, "the declarant's last name"),
            ("declarant_first_name", settings.declarantFirstName, "the declarant's first name"),
            ("declarant_function", settings.declarantFunction, "the declarant's function"),
        ]
        if form == .d390 { needed.removeFirst() }
        if form == .d406 {
            // The SAF-T header's contact person, telephone and bank account are required by its schema.
            needed =
                Array(needed.dropFirst().prefix(2)) + [
                    ("phone", settings.phone, "the company's phone"), ("iban", settings.iban, "the bank account"),
                ]
        }
        if form == .d300 { needed += [("bank_name", settings.bankName, "the bank's name"), ("iban", settings.iban, "the bank account")] }
        if form == .d394 { needed.append(("phone", settings.phone, "the company's phone")) }
        return needed.filter { $0.1 == nil }.map { field, _, what in
            DomainError(
                "filing.settings", field: field,
                "You cannot write the declaration because \(what) is not set; set it in the tax filing settings.")
        }
    }

    static func taxReturnHeader(_ db: any SQLDatabase, company: CompanyID, form: FilingForm) async throws -> TaxReturnHeader {
        let settings = try await loadTaxFilingSettings(db, company: company)
        let missing = missingSettings(settings, form: form)
        guard missing.isEmpty, let declarant = settings.declarant else { throw ValidationErrors(missing) }
        let firm = try await loadCompany(db, company)
        let address = [
            firm.address.line, firm.address.city, firm.address.county.map { "jud. \($0.replacingOccurrences(of: "RO-", with: ""))" },
        ]
        .compactMap { $0 }.joined(separator: ", ")
        return TaxReturnHeader(
            cui: firm.cui.digits, name: String(firm.legalName.prefix(200)), address: String(address.prefix(1000)), phone: settings.phone,
            email: settings.email, bankName: settings.bankName ?? "", iban: settings.iban ?? "", caen: settings.caen ?? "",
            declarant: declarant)
    }

    /// The VAT facts of the posted documents dated `from…to`: customer invoices and credit notes, supplier bills and their
    /// credit notes, one fact per VAT category and rate, in RON exactly as their entries posted the VAT.
    package static func vatFacts(_ db: any SQLDatabase, company: CompanyID, from: LocalDate, to: LocalDate) async throws -> [VATFact] {
        try await postedDocuments(db, company: company, from: from, to: to).flatMap { posted in
            posted.kind == .invoice
                ? saleFacts(posted.document, source: posted.source, partner: posted.partner)
                : purchaseFacts(posted.document, source: posted.source, partner: posted.partner, creditNote: posted.creditNote)
        }
    }

    /// A customer document's facts: each VAT subtotal in RON, the rounding of the conversion left on the largest so the
    /// facts add up to the VAT the entry credited to 4427.
    static func saleFacts(_ document: CommercialDocument, source: String, partner: String) -> [VATFact] {
        let sign: Int64 = document.type.isCreditNote ? -1 : 1
        let rate = document.exchangeRate
        let buyer = document.buyer
        var facts = document.totals.breakdown.map { subtotal in
            VATFact(
                direction: .sale, source: source, number: document.number, date: document.issueDate, supplyDate: document.supplyDate,
                category: subtotal.key.category, percent: subtotal.key.percent, partnerCode: partner, partnerName: buyer.name,
                partnerTaxID: taxID(buyer), partnerCountry: buyer.country, base: sign * PostingMath.ron(subtotal.taxable, rate),
                vat: sign * PostingMath.ron(subtotal.amount, rate), partnerVATRegistered: buyer.vatID != nil)
        }
        let posted = sign * (rate == nil ? document.totals.vatTotal : (document.totals.vatTotalRON ?? 0))
        if let largest = facts.indices.max(by: { abs(facts[$0].vat) < abs(facts[$1].vat) }) {
            facts[largest].vat += posted - facts.reduce(0) { $0 + $1.vat }
        }
        return facts
    }

    /// A supplier document's facts: each VAT subtotal in RON with its non-deductible part, and the VAT self-assessed
    /// under reverse charge or on an intra-Community acquisition (`PurchasePosting.selfAssessed`).
    static func purchaseFacts(_ document: CommercialDocument, source: String, partner: String, creditNote: Bool) -> [VATFact] {
        let sign: Int64 = creditNote ? -1 : 1
        let rate = document.exchangeRate
        let seller = document.seller
        let assessed = PurchasePosting.selfAssessed(document)
        var nonDeductible: [VATKey: Int64] = [:]
        for line in document.lines where line.nonDeductible {
            nonDeductible[line.vat, default: 0] += InvoiceMath.categoryVAT(taxable: line.net, percent: line.vat.percent)
        }
        var seen: Set<VATCategory> = []
        var facts = document.totals.breakdown.map { subtotal in
            var fact = VATFact(
                direction: .purchase, source: source, number: document.number, date: document.issueDate, supplyDate: document.supplyDate,
                category: subtotal.key.category, percent: subtotal.key.percent, partnerCode: partner, partnerName: seller.name,
                partnerTaxID: taxID(seller), partnerCountry: seller.country, base: sign * PostingMath.ron(subtotal.taxable, rate),
                vat: sign * PostingMath.ron(subtotal.amount, rate),
                nonDeductible: sign * PostingMath.ron(nonDeductible[subtotal.key] ?? 0, rate), partnerVATRegistered: seller.vatID != nil)
            if let own = assessed.first(where: { $0.category == subtotal.key.category }), seen.insert(own.category).inserted {
                fact.selfAssessed = sign * own.vat
                fact.selfAssessedPercent = own.percent
            }
            return fact
        }
        let ndTotal = nonDeductible.values.reduce(0, +)
        let posted = sign * PostingMath.ron(document.totals.vatTotal - ndTotal, rate)
        if let largest = facts.indices.max(by: { abs(facts[$0].vat) < abs(facts[$1].vat) }) {
            facts[largest].vat += posted - facts.reduce(0) { $0 + $1.vat - $1.nonDeductible }
        }
        return facts
    }

    static func taxID(_ party: Party) -> String? {
        let raw = (party.vatID ?? party.legalID)?.uppercased().filter { !$0.isWhitespace }
        guard let raw, !raw.isEmpty else { return nil }
        return party.country.uppercased() == "RO" && raw.hasPrefix("RO") ? String(raw.dropFirst(2)) : raw
    }

    /// What the VAT accounts (with their analytics) were credited (4427) and debited (4426) in `from…to`, net, minor units;
    /// the lines of a VAT closing (and of its reversal) left out.
    static func vatTurnover(
        _ db: any SQLDatabase, company: CompanyID, from: LocalDate, to: LocalDate
    ) async throws -> (collected: Int64, deducted: Int64) {
        var collected: Int64 = 0
        var deducted: Int64 = 0
        for row in try await db.raw(
            """
            SELECT account, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines
            WHERE company_id = \(bind: company.description) AND posted = \(bind: true)
                AND (account = '4426' OR account = '4427' OR account LIKE '4426.%' OR account LIKE '4427.%')
                AND date >= \(bind: from.iso) AND date <= \(bind: to.iso) AND (source_type IS NULL OR source_type <> 'filing')
            GROUP BY account
            """
        ).all() {
            let account = try row.decode(column: "account", as: String.self)
            let debit = try row.decode(column: "d", as: Int64?.self) ?? 0
            let credit = try row.decode(column: "c", as: Int64?.self) ?? 0
            if account.hasPrefix("4427") { collected += credit - debit } else { deducted += debit - credit }
        }
        return (collected, deducted)
    }

    /// The debit balance (debit − credit) of `account` and its analytics through `day`, minor units.
    static func accountBalance(_ db: any SQLDatabase, company: CompanyID, account: String, through day: LocalDate) async throws -> Int64 {
        let row = try await db.raw(
            """
            SELECT CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines
            WHERE company_id = \(bind: company.description) AND posted = \(bind: true)
                AND (account = \(bind: account) OR account LIKE \(bind: account + ".%")) AND date <= \(bind: day.iso)
            """
        ).first()
        return (try row?.decode(column: "d", as: Int64?.self) ?? 0) - (try row?.decode(column: "c", as: Int64?.self) ?? 0)
    }
}
