import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

/// The outcome of `verifyLedger`.
public struct LedgerVerification: Sendable, Equatable {
    public let entriesChecked: Int
    /// The first entry (by sequence number) whose content, position or presence does not match the chain.
    public let firstBadSeq: Int64?
    public let problem: String?
    /// Accounts whose stored balances differ from the sums of their lines.
    public let balanceDifferences: [String]

    public var isIntact: Bool { firstBadSeq == nil && problem == nil && balanceDifferences.isEmpty }
}

extension Culise {
    func ledgerActor(_ actor: Actor, company: CompanyID, _ access: Access) throws(DomainError) {
        try actor.require(.accounting, access, in: company)
    }

    // MARK: - Chart of accounts

    public func accounts(company: CompanyID, actor: Actor) async throws -> [Account] {
        try ledgerActor(actor, company: company, .read)
        return try await read { db in try await LedgerEngine.rules(db, company: company).accounts.values.sorted { $0.code < $1.code } }
    }

    /// Adds an analytic or custom account under an existing class; its parent becomes non-postable
    /// (refused when the parent already has postings).
    public func addAccount(
        company: CompanyID, code rawCode: String, name rawName: String, type: AccountType?, actor: Actor
    ) async throws
        -> Account
    {
        try ledgerActor(actor, company: company, .write)
        let code = try AccountCode(rawCode, field: "code")
        let name = rawName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= Limits.nameLength else {
            throw DomainError(
                "ledger.account_name", field: "name",
                "To add an account, you must give it a name of at most \(Limits.nameLength) characters.")
        }
        return try await transaction { db in
            var rules = try await LedgerEngine.rules(db, company: company)
            let account = try await Self.insertAccount(db, company: company, code: code, name: name, type: type, rules: &rules)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.account_create", entity: "account", entityID: code.value,
                changes: [FieldChange("name", before: nil, after: name)], now: self.now)
            return account
        }
    }

    /// Inserts an account under its longest existing prefix, making that parent non-postable (refused when it has
    /// postings). Keeps `rules` in step, so an import can create many accounts without reloading the chart.
    static func insertAccount(
        _ db: any SQLDatabase, company: CompanyID, code: AccountCode, name: String, type: AccountType?, rules: inout PostingRules
    ) async throws -> Account {
        let id = company.description
        if rules.accounts[code.value] != nil {
            throw DomainError(
                "ledger.account_exists", kind: .conflict, field: "code", "You cannot add account \(code) because it already exists.")
        }
        guard let parentCode = ChartSeed.parentCode(of: code, among: Set(rules.accounts.keys)), let parent = rules.accounts[parentCode]
        else {
            throw DomainError(
                "ledger.account_parent", field: "code",
                "You cannot add account \(code) because its class \(code.accountClass) or synthetic account does not exist.")
        }
        if parent.isPostable {
            let used = try await db.raw(
                "SELECT 1 AS one FROM entry_lines WHERE company_id = \(bind: id) AND account = \(bind: parentCode) LIMIT 1"
            ).first()
            if used != nil {
                throw DomainError(
                    "ledger.parent_has_postings", kind: .conflict, field: "code",
                    "You cannot add \(code) under \(parentCode) because \(parentCode) already has postings; an account with postings cannot get sub-accounts."
                )
            }
            try await db.raw("UPDATE accounts SET postable = \(bind: false) WHERE company_id = \(bind: id) AND code = \(bind: parentCode)")
                .run()
            rules.accounts[parentCode]?.isPostable = false
        }
        let account = Account(
            code: code, name: String(name.prefix(Limits.nameLength)), type: type ?? parent.type, parent: parentCode, isPostable: true,
            requiresPartner: parent.requiresPartner || ChartSeed.partnerAccounts.contains(code.synthetic))
        try await db.raw(
            """
            INSERT INTO accounts (company_id, code, name, type, parent, postable, requires_partner, active)
            VALUES (\(bind: id), \(bind: code.value), \(bind: account.name), \(bind: account.type.rawValue), \(bind: parentCode), \(bind: true),
                \(bind: account.requiresPartner), \(bind: true))
            """
        ).run()
        rules.accounts[code.value] = account
        return account
    }

    /// Renames or (de)activates an account.
    public func updateAccount(company: CompanyID, code: String, name: String?, active: Bool?, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT name, active FROM accounts WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
                ).first()
            else {
                throw DomainError(
                    "ledger.account_unknown", kind: .notFound, field: "code", "You cannot change account \(code) because it does not exist."
                )
            }
            let oldName = try row.decode(column: "name", as: String.self)
            let oldActive = try row.decode(column: "active", as: Bool.self)
            let newName = name?.trimmingCharacters(in: .whitespaces) ?? oldName
            guard !newName.isEmpty, newName.count <= Limits.nameLength else {
                throw DomainError(
                    "ledger.account_name", field: "name",
                    "To rename an account, you must give a name of at most \(Limits.nameLength) characters.")
            }
            try await db.raw(
                "UPDATE accounts SET name = \(bind: newName), active = \(bind: active ?? oldActive) WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.account_update", entity: "account", entityID: code,
                changes: [
                    FieldChange("name", before: oldName, after: newName),
                    FieldChange("active", before: String(oldActive), after: String(active ?? oldActive)),
                ].filter { $0.before != $0.after }, now: self.now)
        }
    }

    /// Deletes an account that has no postings and no sub-accounts.
    public func deleteAccount(company: CompanyID, code: String, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            let id = company.description
            if try await db.raw("SELECT 1 AS one FROM entry_lines WHERE company_id = \(bind: id) AND account = \(bind: code) LIMIT 1")
                .first() != nil
            {
                throw DomainError(
                    "ledger.account_has_postings", kind: .conflict, field: "code",
                    "You cannot delete account \(code) because it has postings; deactivate it instead.")
            }
            if try await db.raw("SELECT 1 AS one FROM accounts WHERE company_id = \(bind: id) AND parent = \(bind: code) LIMIT 1").first()
                != nil
            {
                throw DomainError(
                    "ledger.account_has_children", kind: .conflict, field: "code",
                    "You cannot delete account \(code) because it has sub-accounts.")
            }
            guard
                try await db.raw("DELETE FROM accounts WHERE company_id = \(bind: id) AND code = \(bind: code) RETURNING code").first()
                    != nil
            else {
                throw DomainError(
                    "ledger.account_unknown", kind: .notFound, field: "code", "You cannot delete account \(code) because it does not exist."
                )
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.account_delete", entity: "account", entityID: code, now: self.now)
        }
    }

    // MARK: - Entries

    /// Validates and posts an entry in one step; returns its id.
    public func postEntry(company: CompanyID, _ draft: EntryDraft, actor: Actor) async throws -> EntryID {
        try ledgerActor(actor, company: company, .write)
        return try await transaction { db in
            let rules = try await LedgerEngine.rules(db, company: company)
            let problems = EntryValidator.problems(draft, rules: rules)
            if !problems.isEmpty { throw ValidationErrors(problems) }
            try await Self.requireNewReference(db, company: company, draft.externalRef)
            let ids = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.post", entity: "entry", entityID: ids[0].description,
                changes: [FieldChange("state", before: nil, after: "posted")], now: self.now)
            return ids[0]
        }
    }

    static func requireNewReference(_ db: any SQLDatabase, company: CompanyID, _ reference: String?) async throws {
        guard let reference else { return }
        if try await db.raw(
            "SELECT id FROM entries WHERE company_id = \(bind: company.description) AND external_ref = \(bind: reference)"
        ).first() != nil {
            throw DomainError(
                "ledger.duplicate_reference", kind: .conflict, field: "external_ref",
                "You cannot post this entry because an entry with reference \(reference) already exists.")
        }
    }

    /// Saves (or replaces) a draft; drafts are checked only for structure, and fully when posted.
    public func saveDraft(company: CompanyID, _ draft: EntryDraft, id: EntryID? = nil, actor: Actor) async throws -> EntryID {
        try ledgerActor(actor, company: company, .write)
        guard draft.lines.count <= Limits.linesPerEntry else {
            throw DomainError(
                "ledger.too_many_lines", field: "lines", "You cannot save an entry with more than \(Limits.linesPerEntry) lines; split it.")
        }
        let problems = draft.lines.enumerated().flatMap { EntryValidator.magnitudeProblems($1, index: $0) }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await transaction { db in
            if let id {
                let state = try await Self.state(db, company: company, id)
                _ = try state.apply(.edit)
            }
            if let reference = draft.externalRef,
                try await db.raw(
                    """
                    SELECT id FROM entries WHERE company_id = \(bind: company.description) AND external_ref = \(bind: reference)
                    AND id <> \(bind: id?.rawValue ?? -1)
                    """
                ).first() != nil
            {
                throw DomainError(
                    "ledger.duplicate_reference", kind: .conflict, field: "external_ref",
                    "You cannot save this draft because an entry with reference \(reference) already exists.")
            }
            let saved = try await LedgerEngine.saveDraft(
                db, company: company, draft: draft, id: id, createdBy: actor.auditName, now: self.nowText)
            try await AuditLog.append(
                db, actor: actor, company: company, action: id == nil ? "ledger.draft_create" : "ledger.draft_update", entity: "entry",
                entityID: saved.description, now: self.now)
            return saved
        }
    }

    static func state(_ db: any SQLDatabase, company: CompanyID, _ id: EntryID) async throws -> EntryState {
        guard
            let row = try await db.raw(
                "SELECT state FROM entries WHERE company_id = \(bind: company.description) AND id = \(bind: id.rawValue)"
            ).first()
        else { throw DomainError("ledger.entry_not_found", kind: .notFound, "You cannot use entry \(id) because it does not exist.") }
        return EntryState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft
    }

    /// Posts a saved draft after full validation.
    public func postDraft(company: CompanyID, _ id: EntryID, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            _ = try (try await Self.state(db, company: company, id)).apply(.post)
            guard let entry = try await LedgerEngine.load(db, company: company, where: "id = \(bind: id.rawValue)").first else { return }
            let draft = EntryDraft(
                journal: entry.journal, date: entry.date, description: entry.description, externalRef: entry.externalRef, lines: entry.lines
            )
            let problems = EntryValidator.problems(draft, rules: try await LedgerEngine.rules(db, company: company))
            if !problems.isEmpty { throw ValidationErrors(problems) }
            try await db.raw("DELETE FROM entry_lines WHERE company_id = \(bind: company.description) AND entry_id = \(bind: id.rawValue)")
                .run()
            try await db.raw("DELETE FROM entries WHERE company_id = \(bind: company.description) AND id = \(bind: id.rawValue)").run()
            try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft, id: id)], createdBy: actor.auditName, now: self.nowText)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.post", entity: "entry", entityID: id.description,
                changes: [FieldChange("state", before: "draft", after: "posted")], now: self.now)
        }
    }

    /// Deletes a draft. Posted entries cannot be deleted.
    public func deleteDraft(company: CompanyID, _ id: EntryID, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            _ = try (try await Self.state(db, company: company, id)).apply(.delete)
            try await db.raw("DELETE FROM entry_lines WHERE company_id = \(bind: company.description) AND entry_id = \(bind: id.rawValue)")
                .run()
            try await db.raw("DELETE FROM entries WHERE company_id = \(bind: company.description) AND id = \(bind: id.rawValue)").run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.draft_delete", entity: "entry", entityID: id.description, now: self.now)
        }
    }

    /// Posts the reversing entry of a posted one (storno in red or swapped sides, per the company setting) and links both.
    /// An entry a document produced is refused (`ledger.document_entry`): its document's own action reverses it.
    public func reverseEntry(company: CompanyID, _ id: EntryID, on date: LocalDate?, actor: Actor) async throws -> EntryID {
        try ledgerActor(actor, company: company, .write)
        return try await transaction { db in
            if let owner = try await Self.owner(db, company: company, id) { throw owner.refusal(entry: id) }
            return try await self.reverseInside(db, company: company, id, on: date, actor: actor)
        }
    }

    /// The document that produced an entry (from its external reference; the year-end closing from the fiscal years).
    /// The reversal a document's own action posted (a bank line unmatched, a revaluation reversed) belongs to the same
    /// document: reversing it from the ledger would bring the document's entry back behind its back.
    package static func owner(_ db: any SQLDatabase, company: CompanyID, _ id: EntryID) async throws -> EntryOwner? {
        let cid = company.description
        let row = try await db.raw(
            "SELECT external_ref, reverses FROM entries WHERE company_id = \(bind: cid) AND id = \(bind: id.rawValue)"
        ).first()
        if let owner = EntryOwner(externalRef: try row?.decode(column: "external_ref", as: String?.self)) { return owner }
        if let reversed = try row?.decode(column: "reverses", as: Int64?.self),
            let original = try await db.raw(
                "SELECT external_ref FROM entries WHERE company_id = \(bind: cid) AND id = \(bind: reversed)"
            ).first(), let owner = EntryOwner(externalRef: try original.decode(column: "external_ref", as: String?.self))
        {
            return owner
        }
        if let row = try await db.raw(
            "SELECT start_date FROM fiscal_years WHERE company_id = \(bind: cid) AND closing_entry = \(bind: id.rawValue)"
        ).first() {
            return EntryOwner(kind: .yearEnd, id: try row.decode(column: "start_date", as: String.self))
        }
        return nil
    }

    /// The document that produced a posted entry, for its page (nil: a person's own entry).
    public func entryOwner(company: CompanyID, _ id: EntryID, actor: Actor) async throws -> EntryOwner? {
        try ledgerActor(actor, company: company, .read)
        return try await read { db in try await Self.owner(db, company: company, id) }
    }

    /// Reverses a posted entry inside the caller's transaction (bank unmatching and FX reversals use it too).
    package func reverseInside(
        _ db: any SQLDatabase, company: CompanyID, _ id: EntryID, on date: LocalDate?, actor: Actor
    ) async throws -> EntryID {
        _ = try (try await Self.state(db, company: company, id)).apply(.reverse)
        guard let entry = try await LedgerEngine.load(db, company: company, where: "id = \(bind: id.rawValue)").first else {
            throw DomainError("ledger.entry_not_found", kind: .notFound, "You cannot reverse entry \(id) because it does not exist.")
        }
        let styleText = try await db.raw(
            "SELECT reversal_style FROM ledger_settings WHERE company_id = \(bind: company.description)"
        ).first()?.decode(column: "reversal_style", as: String.self)
        let style = styleText.flatMap(ReversalStyle.init(rawValue:)) ?? .negative
        let original = EntryDraft(journal: entry.journal, date: entry.date, description: entry.description, lines: entry.lines)
        let reversal = original.reversal(
            on: date ?? entry.date, style: style, description: "Stornare \(entry.number ?? entry.id.description): \(entry.description)")
        let problems = EntryValidator.problems(reversal, rules: try await LedgerEngine.rules(db, company: company))
        if !problems.isEmpty { throw ValidationErrors(problems) }
        let ids = try await LedgerEngine.post(
            db, company: company, entries: [EntryToWrite(draft: reversal, reverses: id)], createdBy: actor.auditName, now: self.nowText)
        try await db.raw(
            "UPDATE entries SET state = 'reversed', reversed_by = \(bind: ids[0].rawValue) WHERE company_id = \(bind: company.description) AND id = \(bind: id.rawValue)"
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "ledger.reverse", entity: "entry", entityID: id.description,
            changes: [FieldChange("reversed_by", before: nil, after: ids[0].description)], now: self.now)
        return ids[0]
    }

    public func entry(company: CompanyID, _ id: EntryID, actor: Actor) async throws -> PostedEntry {
        try ledgerActor(actor, company: company, .read)
        guard
            let entry = try await read({ db in try await LedgerEngine.load(db, company: company, where: "id = \(bind: id.rawValue)").first }
            )
        else {
            throw DomainError("ledger.entry_not_found", kind: .notFound, "You cannot open entry \(id) because it does not exist.")
        }
        return entry
    }

    /// Entries in a date range (and journal), newest first, paginated.
    public func entries(
        company: CompanyID, from: LocalDate? = nil, to: LocalDate? = nil, journal: String? = nil, state: EntryState? = nil,
        page: PageRequest,
        actor: Actor
    ) async throws -> Page<PostedEntry> {
        try ledgerActor(actor, company: company, .read)
        var condition: SQLQueryString = "1 = 1"
        if let from { condition = condition + " AND date >= \(bind: from.iso)" }
        if let to { condition = condition + " AND date <= \(bind: to.iso)" }
        if let journal, !journal.isEmpty { condition = condition + " AND journal = \(bind: journal)" }
        if let state { condition = condition + " AND state = \(bind: state.rawValue)" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw(
                "SELECT COUNT(*) AS n FROM entries WHERE company_id = \(bind: company.description) AND " + filter
            ).first()!.decode(column: "n", as: Int64.self)
            let items = try await LedgerEngine.load(
                db, company: company, where: filter,
                order: "ORDER BY date DESC, id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)")
            return Page(items: items, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    // MARK: - Periods, lock date, reversal style

    public func setLockDate(company: CompanyID, _ date: LocalDate?, actor: Actor) async throws {
        try actor.require(.company, .write, in: company)
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            let before = try await db.raw("SELECT lock_date FROM ledger_settings WHERE company_id = \(bind: company.description)").first()?
                .decode(column: "lock_date", as: String?.self)
            try await db.raw("UPDATE ledger_settings SET lock_date = \(bind: date?.iso) WHERE company_id = \(bind: company.description)")
                .run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.lock_date", entity: "company", entityID: company.description,
                changes: [FieldChange("lock_date", before: before, after: date?.iso)], now: self.now)
        }
    }

    /// The lock date and the reversal style.
    public func ledgerSettings(company: CompanyID, actor: Actor) async throws -> (lockDate: LocalDate?, reversalStyle: ReversalStyle) {
        try ledgerActor(actor, company: company, .read)
        return try await read { db in
            guard
                let row = try await db.raw(
                    "SELECT lock_date, reversal_style FROM ledger_settings WHERE company_id = \(bind: company.description)"
                ).first()
            else {
                throw DomainError(
                    "ledger.not_set_up", kind: .conflict, "You cannot read the ledger settings because the books were not set up.")
            }
            return (
                try row.decode(column: "lock_date", as: String?.self).map { try LocalDate(iso: $0) },
                ReversalStyle(rawValue: try row.decode(column: "reversal_style", as: String.self)) ?? .negative
            )
        }
    }

    public func setReversalStyle(company: CompanyID, _ style: ReversalStyle, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            try await db.raw(
                "UPDATE ledger_settings SET reversal_style = \(bind: style.rawValue) WHERE company_id = \(bind: company.description)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.reversal_style", entity: "company", entityID: company.description,
                changes: [FieldChange("reversal_style", before: nil, after: style.rawValue)], now: self.now)
        }
    }

    public func closePeriod(company: CompanyID, _ month: YearMonth, actor: Actor) async throws {
        try ledgerActor(actor, company: company, .write)
        try await transaction { db in
            try await db.raw(
                """
                INSERT INTO closed_periods (company_id, period, closed_at) VALUES (\(bind: company.description), \(bind: Int64(month.year * 100 + month.month)), \(bind: self.nowText))
                ON CONFLICT (company_id, period) DO NOTHING
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.period_close", entity: "period", entityID: month.description,
                now: self.now)
        }
    }

    public func reopenPeriod(company: CompanyID, _ month: YearMonth, actor: Actor) async throws {
        try actor.require(.company, .write, in: company)
        try await transaction { db in
            try await db.raw(
                "DELETE FROM closed_periods WHERE company_id = \(bind: company.description) AND period = \(bind: Int64(month.year * 100 + month.month))"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.period_reopen", entity: "period", entityID: month.description,
                now: self.now)
        }
    }
}

extension Culise {
    /// A journal and the number its next posted entry gets.
    public struct JournalInfo: Sendable, Codable, Equatable {
        public let code: String
        public let name: String
        public let nextNumber: Int64
    }

    public func journals(company: CompanyID, actor: Actor) async throws -> [JournalInfo] {
        try ledgerActor(actor, company: company, .read)
        return try await read { db in
            try await db.raw("SELECT code, name, next_number FROM journals WHERE company_id = \(bind: company.description) ORDER BY code")
                .all()
                .map { row in
                    JournalInfo(
                        code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
                        nextNumber: try row.decode(column: "next_number", as: Int64.self))
                }
        }
    }

    /// Adds a user-defined journal with its own numbering series (code: 2–8 capital letters or digits).
    public func addJournal(
        company: CompanyID, code rawCode: String, name rawName: String, firstNumber: Int64 = 1, actor: Actor
    ) async throws {
        try ledgerActor(actor, company: company, .write)
        let code = rawCode.trimmingCharacters(in: .whitespaces).uppercased()
        let name = rawName.trimmingCharacters(in: .whitespaces)
        var problems = ProblemCollector()
        problems.check(
            (2...8).contains(code.count) && code.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") },
            DomainError(
                "ledger.journal_code", field: "code",
                "You cannot use '\(rawCode)' as a journal code because it must be 2 to 8 capital letters or digits."))
        problems.check(
            !name.isEmpty && name.count <= Limits.nameLength,
            DomainError(
                "ledger.journal_name", field: "name",
                "To add a journal, you must give it a name of at most \(Limits.nameLength) characters."))
        problems.check(
            firstNumber >= 1, DomainError("ledger.journal_first_number", field: "first_number", "You cannot start a series below 1."))
        try problems.throwIfAny()
        try await transaction { db in
            let inserted = try await db.raw(
                """
                INSERT INTO journals (company_id, code, name, next_number) VALUES (\(bind: company.description), \(bind: code), \(bind: name), \(bind: firstNumber))
                ON CONFLICT (company_id, code) DO NOTHING RETURNING code
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "ledger.journal_exists", kind: .conflict, field: "code", "You cannot add journal \(code) because it already exists.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "ledger.journal_create", entity: "journal", entityID: code,
                changes: [FieldChange("name", before: nil, after: name)], now: self.now)
        }
    }
}
