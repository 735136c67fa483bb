import Application
import Foundation
import Identity
import Kernel
import Ledger
import LedgerApp
import Partners
import SQLKit
import Storage

/// A logged interaction as stored.
public struct InteractionRecord: Sendable, Codable, Equatable {
    public var id: String
    public var partner: String
    public var interaction: Interaction
    public var user: String
    public var followUpDone: Bool
}

public struct ContactRecord: Sendable, Codable, Equatable {
    public var id: String
    public var contact: Contact
}

/// What a merge moved.
public struct MergeReport: Sendable, Codable, Equatable {
    public var kept: String
    public var merged: String
    public var documents: Int
    /// Reclassification entries that moved the duplicate's ledger balances to the kept partner.
    public var entries: [Int64]
}

extension Culise {
    // MARK: - Contacts

    public func addContact(company: CompanyID, partner: String, _ contact: Contact, actor: Actor) async throws -> ContactRecord {
        try actor.require(.invoicing, .write, in: company)
        let valid = try contact.validated()
        return try await transaction { db in
            try await Self.requirePartner(db, company: company, partner)
            let id = ID<Contact>.generate(now: self.now).description
            try await db.raw(
                """
                INSERT INTO partner_contacts (company_id, partner_code, id, name, role, email, phone)
                VALUES (\(bind: company.description), \(bind: partner), \(bind: id), \(bind: valid.name), \(bind: valid.role), \(bind: valid.email), \(bind: valid.phone))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.contact_add", entity: "partner", entityID: partner,
                changes: [FieldChange("contact", before: nil, after: valid.name, personal: true)], now: self.now)
            return ContactRecord(id: id, contact: valid)
        }
    }

    public func contacts(company: CompanyID, partner: String, actor: Actor) async throws -> [ContactRecord] {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            try await db.raw(
                "SELECT id, name, role, email, phone FROM partner_contacts WHERE company_id = \(bind: company.description) AND partner_code = \(bind: partner) ORDER BY name"
            ).all().map {
                ContactRecord(
                    id: try $0.decode(column: "id", as: String.self),
                    contact: Contact(
                        name: try $0.decode(column: "name", as: String.self), role: try $0.decode(column: "role", as: String?.self),
                        email: try $0.decode(column: "email", as: String?.self), phone: try $0.decode(column: "phone", as: String?.self)))
            }
        }
    }

    // MARK: - Interactions

    /// Logs a call, meeting, e-mail or note on a partner, by the acting user.
    public func logInteraction(
        company: CompanyID, partner: String, kind: String, date: String?, summary: String, followUp: String?, actor: Actor
    ) async throws -> InteractionRecord {
        try actor.require(.invoicing, .write, in: company)
        let interaction = try Interaction.validated(
            kind: kind, date: date, summary: summary, followUp: followUp, today: LocalDate.today(now: clock()))
        return try await transaction { db in
            try await Self.requirePartner(db, company: company, partner)
            let id = ID<Interaction>.generate(now: self.now).description
            try await db.raw(
                """
                INSERT INTO partner_interactions (company_id, id, partner_code, kind, date, summary, user_name, follow_up, follow_up_done, created_at)
                VALUES (\(bind: company.description), \(bind: id), \(bind: partner), \(bind: interaction.kind.rawValue), \(bind: interaction.date.iso),
                    \(bind: interaction.summary), \(bind: actor.auditName), \(bind: interaction.followUp?.iso), \(bind: false), \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.interaction", entity: "partner", entityID: partner,
                changes: [FieldChange("kind", before: nil, after: interaction.kind.rawValue)], now: self.now)
            return InteractionRecord(id: id, partner: partner, interaction: interaction, user: actor.auditName, followUpDone: false)
        }
    }

    /// How many of the company's follow-ups are open and due by `dueBy`: all of them, counted in the database.
    public func followUpsDueCount(company: CompanyID, dueBy: LocalDate, actor: Actor) async throws -> Int {
        try actor.require(.invoicing, .read, in: company)
        return try await read { db in
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM partner_interactions WHERE company_id = \(bind: company.description)
                    AND follow_up_done = \(bind: false) AND follow_up IS NOT NULL AND follow_up <= \(bind: dueBy.iso)
                """
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// A partner's interactions, newest first; or, with `partner` nil, the company's open follow-ups due by `dueBy`.
    public func interactions(
        company: CompanyID, partner: String?, dueBy: LocalDate? = nil, limit: Int = 200, actor: Actor
    ) async throws
        -> [InteractionRecord]
    {
        try actor.require(.invoicing, .read, in: company)
        var condition: SQLQueryString = "company_id = \(bind: company.description)"
        if let partner { condition = condition + " AND partner_code = \(bind: partner)" }
        if let dueBy {
            condition = condition + " AND follow_up_done = \(bind: false) AND follow_up IS NOT NULL AND follow_up <= \(bind: dueBy.iso)"
        }
        let filter = condition
        return try await read { db in
            try await db.raw(
                "SELECT id, partner_code, kind, date, summary, user_name, follow_up, follow_up_done FROM partner_interactions WHERE "
                    + filter + " ORDER BY date DESC, created_at DESC LIMIT \(bind: limit)"
            ).all().map { row in
                InteractionRecord(
                    id: try row.decode(column: "id", as: String.self), partner: try row.decode(column: "partner_code", as: String.self),
                    interaction: Interaction(
                        kind: Interaction.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .note,
                        date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                        summary: try row.decode(column: "summary", as: String.self),
                        followUp: try row.decode(column: "follow_up", as: String?.self).map { try LocalDate(iso: $0) }),
                    user: try row.decode(column: "user_name", as: String.self),
                    followUpDone: try row.decode(column: "follow_up_done", as: Bool.self))
            }
        }
    }

    public func completeFollowUp(company: CompanyID, interaction id: String, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        try await transaction { db in
            guard
                let row = try await db.raw(
                    "UPDATE partner_interactions SET follow_up_done = \(bind: true) WHERE company_id = \(bind: company.description) AND id = \(bind: id) RETURNING partner_code"
                ).first()
            else {
                throw DomainError(
                    "interaction.not_found", kind: .notFound, "You cannot complete follow-up \(id) because it does not exist.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.follow_up_done", entity: "partner",
                entityID: try row.decode(column: "partner_code", as: String.self), now: self.now)
        }
    }

    static func requirePartner(_ db: any SQLDatabase, company: CompanyID, _ code: String) async throws {
        guard
            try await db.raw("SELECT code FROM partners WHERE company_id = \(bind: company.description) AND code = \(bind: code)").first()
                != nil
        else { throw DomainError("partner.not_found", kind: .notFound, "You cannot use partner \(code) because it does not exist.") }
    }

    // MARK: - Merge

    /// Merges a duplicate into the partner kept: documents, contacts, interactions, IBANs and rules move; the duplicate's
    /// ledger balances move by reclassification entries (posted lines are never rewritten; each open document keeps its
    /// reference, so aging follows it); the duplicate is archived with `merged_into`. One transaction.
    public func mergePartners(company: CompanyID, keep: String, duplicate: String, actor: Actor) async throws -> MergeReport {
        try actor.require(.invoicing, .write, in: company)
        guard keep != duplicate else {
            throw DomainError("partner.merge_self", field: "duplicate", "You cannot merge a partner into itself.")
        }
        return try await transaction { db in
            let cid = company.description
            guard let kept = try await Self.loadPartner(db, company: company, code: keep) else {
                throw DomainError(
                    "partner.not_found", kind: .notFound, field: "keep", "You cannot merge into \(keep) because it does not exist.")
            }
            guard let other = try await Self.loadPartner(db, company: company, code: duplicate) else {
                throw DomainError(
                    "partner.not_found", kind: .notFound, field: "duplicate", "You cannot merge \(duplicate) because it does not exist.")
            }
            // Ledger balances by (account, document), moved with the document reference kept.
            let rows = try await db.raw(
                """
                SELECT account, source_type, source_id, currency, CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c,
                    CAST(SUM(amount_currency) AS BIGINT) AS cur
                FROM entry_lines WHERE company_id = \(bind: cid) AND partner = \(bind: duplicate) AND posted = \(bind: true)
                GROUP BY account, source_type, source_id, currency ORDER BY account, source_id
                """
            ).all()
            var pairs: [[EntryLine]] = []
            for row in rows {
                let net = (try row.decode(column: "d", as: Int64?.self) ?? 0) - (try row.decode(column: "c", as: Int64?.self) ?? 0)
                guard net != 0 else { continue }
                let account = try row.decode(column: "account", as: String.self)
                let source = try row.decode(column: "source_type", as: String?.self).flatMap { type in
                    (try? row.decode(column: "source_id", as: String?.self)).flatMap { $0 }.map { SourceReference(type: type, id: $0) }
                }
                var currency = try row.decode(column: "currency", as: String?.self)
                let amount = try row.decode(column: "cur", as: Int64?.self) ?? 0
                if amount == 0 { currency = nil }
                let rate = currency == nil ? nil : Decimal(net) / Decimal(amount)
                let description = "Reclasificare \(duplicate) → \(keep)"
                pairs.append([
                    EntryLine(
                        account: account, debit: net > 0 ? net : 0, credit: net < 0 ? -net : 0, partner: keep, description: description,
                        currency: currency,
                        amountCurrency: currency == nil ? nil : amount, rate: rate, source: source),
                    EntryLine(
                        account: account, debit: net < 0 ? -net : 0, credit: net > 0 ? net : 0, partner: duplicate,
                        description: description,
                        currency: currency, amountCurrency: currency == nil ? nil : -amount, rate: rate, source: source),
                ])
            }
            var entries: [Int64] = []
            if !pairs.isEmpty {
                let rules = try await LedgerEngine.rules(db, company: company)
                let today = LocalDate.today(now: self.clock())
                let chunks = stride(from: 0, to: pairs.count, by: 400).map { Array(pairs[$0..<min($0 + 400, pairs.count)]) }
                var drafts: [EntryToWrite] = []
                for (index, chunk) in chunks.enumerated() {
                    let draft = EntryDraft(
                        journal: "GEN", date: today, description: "Comasare partener \(duplicate) în \(keep)",
                        externalRef: "merge:\(duplicate):\(keep):\(index)", lines: chunk.flatMap { $0 })
                    let problems = EntryValidator.problems(draft, rules: rules)
                    if !problems.isEmpty { throw ValidationErrors(problems) }
                    drafts.append(EntryToWrite(draft: draft))
                }
                entries = try await LedgerEngine.post(db, company: company, entries: drafts, createdBy: actor.auditName, now: self.nowText)
                    .map(\.rawValue)
            }
            var documents = 0
            for table in ["invoices", "bills", "payments"] {
                let moved = try await db.raw(
                    "UPDATE \(unsafeRaw: table) SET partner_code = \(bind: keep) WHERE company_id = \(bind: cid) AND partner_code = \(bind: duplicate) RETURNING partner_code"
                ).all()
                documents += moved.count
            }
            for table in ["bill_lines", "partner_contacts", "partner_interactions", "partner_ibans"] {
                try await db.raw(
                    "UPDATE \(unsafeRaw: table) SET partner_code = \(bind: keep) WHERE company_id = \(bind: cid) AND partner_code = \(bind: duplicate)"
                )
                .run()
            }
            let keptRule = try await db.raw(
                "SELECT partner_code FROM supplier_rules WHERE company_id = \(bind: cid) AND partner_code = \(bind: keep)"
            ).first()
            if keptRule == nil {
                try await db.raw(
                    "UPDATE supplier_rules SET partner_code = \(bind: keep) WHERE company_id = \(bind: cid) AND partner_code = \(bind: duplicate)"
                )
                .run()
            } else {
                try await db.raw("DELETE FROM supplier_rules WHERE company_id = \(bind: cid) AND partner_code = \(bind: duplicate)").run()
            }
            // Identifiers the kept partner lacks come from the duplicate.
            try await db.raw(
                """
                UPDATE partners SET archived = \(bind: true), merged_into = \(bind: keep), cui = NULL, is_customer = \(bind: false), is_supplier = \(bind: false)
                WHERE company_id = \(bind: cid) AND code = \(bind: duplicate)
                """
            ).run()
            if kept.cui == nil, let cui = other.cui {
                try await db.raw(
                    "UPDATE partners SET cui = \(bind: cui.digits), vat_payer = \(bind: other.vatPayer) WHERE company_id = \(bind: cid) AND code = \(bind: keep)"
                ).run()
            }
            try await db.raw(
                """
                UPDATE partners SET is_customer = \(bind: kept.isCustomer || other.isCustomer), is_supplier = \(bind: kept.isSupplier || other.isSupplier)
                WHERE company_id = \(bind: cid) AND code = \(bind: keep)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.merge", entity: "partner", entityID: keep,
                changes: [
                    FieldChange("merged", before: nil, after: duplicate), FieldChange("documents", before: nil, after: String(documents)),
                    FieldChange("entries", before: nil, after: entries.map(String.init).joined(separator: ",")),
                ], now: self.now)
            return MergeReport(kept: keep, merged: duplicate, documents: documents, entries: entries)
        }
    }
}
