import Application
import Banking
import Crypto
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Partners
import PartnersApp
import PayrollApp
import Posting
import SQLKit
import Storage

// MARK: - Records

public struct BankAccountInput: Sendable, Codable, Equatable {
    public var name: String?
    /// `bank` (default) or `cash`.
    public var kind: String?
    public var iban: String?
    public var currency: String?
    public var ledgerAccount: String?
    /// Lines whose best candidate scores at least this are matched automatically; nil: off (the default).
    public var autoThreshold: Int?

    public init(
        name: String? = nil, kind: String? = nil, iban: String? = nil, currency: String? = nil, ledgerAccount: String? = nil,
        autoThreshold: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.iban = iban
        self.currency = currency
        self.ledgerAccount = ledgerAccount
        self.autoThreshold = autoThreshold
    }
}

public struct BankAccountRecord: Sendable, Codable, Equatable {
    public var id: BankAccountID
    public var name: String
    public var kind: BankAccountKind
    public var iban: String?
    public var currency: Currency
    public var ledgerAccount: String
    public var autoThreshold: Int?
    public var archived: Bool
}

public struct StatementImportResult: Sendable, Codable, Equatable {
    public var statement: String
    public var account: BankAccountID
    public var iban: String
    public var new: Int
    public var duplicates: Int
    /// Where the skipped duplicates are in the file (the first 50).
    public var duplicatePositions: [String]
    public var warnings: [String]
    public var firstDate: LocalDate?
    public var lastDate: LocalDate?
}

public struct StatementImportReport: Sendable, Codable, Equatable {
    public var format: String
    public var statements: [StatementImportResult]
    public var new: Int { statements.reduce(0) { $0 + $1.new } }
    public var duplicates: Int { statements.reduce(0) { $0 + $1.duplicates } }
}

public struct BankLineRecord: Sendable, Codable, Equatable {
    public var id: BankLineID
    public var account: BankAccountID
    public var bookingDate: LocalDate
    public var valueDate: LocalDate?
    /// Signed: money in is positive, money out negative.
    public var amount: Money
    public var bankReference: String?
    public var reference: String?
    public var counterpartyName: String?
    public var counterpartyIBAN: String?
    public var details: String
    public var state: BankLineState
    public var paymentID: String?
    public var entryID: Int64?
    public var feeEntryID: Int64?
    /// The match only links an entry that was already posted.
    public var linked: Bool
    public var matchAccount: String?
    public var matchPartner: String?
    public var matchDocuments: String?
    public var score: Int?
    /// Why the line was matched, as stored (`MatchExplanation`); `explanation(language:)` says it to a reader.
    public var explanation: String?
    public var automatic: Bool
    public var matchedBy: String?

    /// Why the line was matched, in the reader's language ("en" or "ro").
    public func explanation(language: String) -> String? { explanation.map { MatchExplanation.text($0, language: language) } }
}

/// How a person (or the automatic run) settles a line: documents, an account, or one of the proposed candidates.
public struct BankMatchInput: Sendable, Codable, Equatable {
    public struct Allocation: Sendable, Codable, Equatable {
        /// `invoice`, `bill`, `liability` (an account such as 421 or 4423), `salary` (a posted payroll run's net,
        /// `run/employee`) or `posted` (an entry id to link).
        public var kind: String
        public var id: String
        public var amount: String?

        public init(kind: String, id: String, amount: String? = nil) {
            self.kind = kind
            self.id = id
            self.amount = amount
        }
    }

    public var allocations: [Allocation]
    /// For lines without a document: the counter account (627 bank fees, 605 utilities, 421 salaries…) and a partner.
    public var account: String?
    public var partner: String?
    /// A bank fee deducted from the line (posted to 627).
    public var fee: String?
    /// Confirm the proposal's candidate at this rank (0 = best) instead of typing the target.
    public var candidate: Int?

    enum CodingKeys: String, CodingKey { case allocations, account, partner, fee, candidate }

    /// Every field may be left out (`{"candidate": 0}` is a whole request).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allocations = try container.decodeIfPresent([Allocation].self, forKey: .allocations) ?? []
        account = try container.decodeIfPresent(String.self, forKey: .account)
        partner = try container.decodeIfPresent(String.self, forKey: .partner)
        fee = try container.decodeIfPresent(String.self, forKey: .fee)
        candidate = try container.decodeIfPresent(Int.self, forKey: .candidate)
    }

    public init(allocations: [Allocation] = [], account: String? = nil, partner: String? = nil, fee: String? = nil, candidate: Int? = nil) {
        self.allocations = allocations
        self.account = account
        self.partner = partner
        self.fee = fee
        self.candidate = candidate
    }
}

public struct ReviewItem: Sendable, Codable, Equatable {
    public var line: BankLineRecord
    public var proposal: LineProposal
}

public struct ReconcileReport: Sendable, Codable, Equatable {
    public var lines: Int
    public var automatic: Int
    public var review: Int
    public var noCandidate: Int
    /// Lines an automatic match was proposed for but another confirmation had already used the document.
    public var deferred: Int
}

public struct BankAccountStatus: Sendable, Codable, Equatable {
    public var account: BankAccountRecord
    public var lines: Int
    public var matched: Int
    public var unmatched: Int
    public var lastDate: LocalDate?
    public var bankBalance: Int64?
    public var ledgerBalance: Int64
    /// 0…100.
    public var progress: Int
}

public struct LedgerBankItem: Sendable, Codable, Equatable {
    public var entryID: Int64
    public var number: String?
    public var date: LocalDate
    public var description: String
    public var amount: Int64
}

/// The bank reconciliation statement of an account on a date.
public struct ReconciliationStatement: Sendable, Codable, Equatable {
    public var account: BankAccountRecord
    public var date: LocalDate
    public var bankBalance: Int64
    public var ledgerBalance: Int64
    /// On the statement, not yet in the ledger: the oldest `Limits.reconciliationItemsListed`; the total and count cover all.
    public var bankOnly: [BankLineRecord]
    public var bankOnlyTotal: Int64
    public var bankOnlyCount: Int
    /// In the ledger, on no statement yet: listed and counted like `bankOnly`.
    public var ledgerOnly: [LedgerBankItem]
    public var ledgerOnlyTotal: Int64
    public var ledgerOnlyCount: Int
    /// bank − bank-only + ledger-only − ledger: 0 when everything is explained.
    public var difference: Int64
}

public struct BankRuleRecord: Sendable, Codable, Equatable {
    public var id: BankRuleID
    public var pattern: String
    public var account: String
    public var partner: String?
    public var direction: String?
}

extension BankLineRecord {
    public var currency: Currency { amount.currency }

    var matchLine: MatchLine {
        MatchLine(
            id: id.description, date: bookingDate, amount: amount.minorUnits, currency: currency.code,
            details: Culise.matchText(details, reference), counterpartyName: counterpartyName,
            counterpartyIBAN: counterpartyIBAN)
    }
}

extension Culise {
    // MARK: - Accounts

    public func addBankAccount(company: CompanyID, _ input: BankAccountInput, actor: Actor) async throws -> BankAccountRecord {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            var problems = ProblemCollector()
            let kind = BankAccountKind(rawValue: input.kind ?? "bank")
            problems.check(
                kind != nil, DomainError("bank.account_kind", field: "kind", "You cannot use kind '\(input.kind ?? "")'; use bank or cash.")
            )
            let currency = (input.currency ?? "RON").uppercased()
            problems.check(
                CurrencyCodes.known.contains(currency),
                DomainError("bank.currency", field: "currency", "You cannot use currency '\(currency)' because it is not an ISO 4217 code.")
            )
            var iban: String?
            if let text = input.iban?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                iban = problems.collect { try IBAN(text, field: "iban").value }
            } else if kind == .bank {
                problems.add(DomainError("bank.iban_required", field: "iban", "To add a bank account, you must give its IBAN."))
            }
            let ledgerAccount = input.ledgerAccount?.nilIfEmptyText ?? (kind ?? .bank).defaultLedgerAccount(currency: currency)
            let postable = try await Self.postableAccounts(db, company: company, among: [ledgerAccount])
            problems.check(
                postable.contains(ledgerAccount) && ledgerAccount.hasPrefix("5"),
                DomainError(
                    "bank.ledger_account", field: "ledger_account",
                    "You cannot use account '\(ledgerAccount)' because a bank or cash account must post to a postable class-5 account (5121, 5124, 5311, 5314…)."
                ))
            if let name = input.name, name.count > Limits.nameLength {
                problems.add(Self.nameTooLong(name))
            }
            if let threshold = input.autoThreshold {
                problems.check(
                    (1...200).contains(threshold),
                    DomainError(
                        "bank.threshold", field: "auto_threshold", "You cannot use \(threshold) as a threshold; use 1 to 200, or none."))
            }
            if let iban,
                try await db.raw(
                    "SELECT id FROM bank_accounts WHERE company_id = \(bind: company.description) AND iban = \(bind: iban)"
                ).first() != nil
            {
                problems.add(
                    DomainError(
                        "bank.iban_taken", kind: .conflict, field: "iban", "You cannot add \(iban) twice; it is already an account."))
            }
            try problems.throwIfAny()
            let name = input.name?.nilIfEmptyText ?? (kind == .cash ? "Casa \(currency)" : "\(iban!.dropFirst(4).prefix(4)) \(currency)")
            let record = BankAccountRecord(
                id: .generate(now: self.now), name: name, kind: kind ?? .bank, iban: iban, currency: try Currency(code: currency),
                ledgerAccount: ledgerAccount, autoThreshold: input.autoThreshold, archived: false)
            try await db.raw(
                """
                INSERT INTO bank_accounts (company_id, id, name, kind, iban, currency, ledger_account, auto_threshold, archived, created_at)
                VALUES (\(bind: company.description), \(bind: record.id.description), \(bind: record.name), \(bind: record.kind.rawValue), \(bind: iban),
                    \(bind: currency), \(bind: ledgerAccount), \(bind: input.autoThreshold), \(bind: false), \(bind: self.nowText))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.account_add", entity: "bank_account", entityID: record.id.description,
                changes: [
                    FieldChange("iban", before: nil, after: iban ?? ""), FieldChange("currency", before: nil, after: currency),
                    FieldChange("ledger_account", before: nil, after: ledgerAccount),
                ], now: self.now)
            return record
        }
    }

    static func nameTooLong(_ name: String) -> DomainError {
        DomainError(
            "bank.name_length", field: "name",
            "You cannot name an account with \(name.count) characters because a name holds at most \(Limits.nameLength).")
    }

    /// Renames an account, or sets its automatic-matching threshold (nil turns it off).
    public func updateBankAccount(
        company: CompanyID, id: BankAccountID, name: String?, autoThreshold: Int?, actor: Actor
    ) async throws -> BankAccountRecord {
        try actor.require(.banking, .write, in: company)
        if let autoThreshold, !(1...200).contains(autoThreshold) {
            throw DomainError(
                "bank.threshold", field: "auto_threshold", "You cannot use \(autoThreshold) as a threshold; use 1 to 200, or none.")
        }
        if let name, name.count > Limits.nameLength { throw Self.nameTooLong(name) }
        return try await transaction { db in
            let before = try await Self.requireBankAccount(db, company: company, id: id)
            let newName = name?.nilIfEmptyText ?? before.name
            try await db.raw(
                "UPDATE bank_accounts SET name = \(bind: newName), auto_threshold = \(bind: autoThreshold) WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.account_update", entity: "bank_account", entityID: id.description,
                changes: [
                    FieldChange("name", before: before.name, after: newName),
                    FieldChange("auto_threshold", before: before.autoThreshold.map(String.init), after: autoThreshold.map(String.init)),
                ], now: self.now)
            return try await Self.requireBankAccount(db, company: company, id: id)
        }
    }

    public func bankAccounts(company: CompanyID, actor: Actor) async throws -> [BankAccountRecord] {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await Self.loadBankAccounts(db, company: company) }
    }

    public func bankAccount(company: CompanyID, id: BankAccountID, actor: Actor) async throws -> BankAccountRecord {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await Self.requireBankAccount(db, company: company, id: id) }
    }

    static func loadBankAccounts(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString = "1 = 1"
    ) async throws
        -> [BankAccountRecord]
    {
        try await db.raw(
            "SELECT id, name, kind, iban, currency, ledger_account, auto_threshold, archived FROM bank_accounts WHERE company_id = \(bind: company.description) AND "
                + condition + " ORDER BY kind, name, id"
        ).all().map { row in
            BankAccountRecord(
                id: BankAccountID(string: try row.decode(column: "id", as: String.self))!,
                name: try row.decode(column: "name", as: String.self),
                kind: BankAccountKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .bank,
                iban: try row.decode(column: "iban", as: String?.self),
                currency: try Currency(code: row.decode(column: "currency", as: String.self)),
                ledgerAccount: try row.decode(column: "ledger_account", as: String.self),
                autoThreshold: try row.decode(column: "auto_threshold", as: Int?.self),
                archived: try row.decode(column: "archived", as: Bool.self))
        }
    }

    static func requireBankAccount(_ db: any SQLDatabase, company: CompanyID, id: BankAccountID) async throws -> BankAccountRecord {
        guard let account = try await loadBankAccounts(db, company: company, where: "id = \(bind: id.description)").first else {
            throw DomainError("bank.account_not_found", kind: .notFound, "You cannot use bank account \(id) because it does not exist.")
        }
        return account
    }

    /// An account by id or by IBAN.
    public func bankAccount(company: CompanyID, reference: String, actor: Actor) async throws -> BankAccountRecord {
        try actor.require(.banking, .read, in: company)
        let compact = reference.uppercased().filter { !$0.isWhitespace }
        let found = try await read { db in
            try await Self.loadBankAccounts(db, company: company, where: "(id = \(bind: reference) OR iban = \(bind: compact))").first
        }
        guard let found else {
            throw DomainError(
                "bank.account_not_found", kind: .notFound, field: "account",
                "You cannot use account '\(reference)' because the company has no bank account with that IBAN or id; add it with: culise bank account add --company C --iban \(compact) --currency RON"
            )
        }
        return found
    }

    // MARK: - CSV profiles

    /// The built-in profiles and the company's own, by name.
    public func csvProfiles(company: CompanyID, actor: Actor) async throws -> [CSVProfile] {
        try actor.require(.banking, .read, in: company)
        let own = try await read { db in try await Self.loadCSVProfiles(db, company: company) }
        return CSVProfile.builtIn.filter { builtIn in !own.contains { $0.name == builtIn.name } } + own
    }

    static func loadCSVProfiles(_ db: any SQLDatabase, company: CompanyID) async throws -> [CSVProfile] {
        try await db.raw("SELECT profile FROM bank_csv_profiles WHERE company_id = \(bind: company.description) ORDER BY name").all()
            .compactMap {
                try JSONDecoder().decode(CSVProfile.self, from: Data(try $0.decode(column: "profile", as: String.self).utf8))
            }
    }

    /// Saves (or replaces) a company CSV profile after checking it.
    public func saveCSVProfile(company: CompanyID, _ profile: CSVProfile, actor: Actor) async throws {
        try actor.require(.banking, .write, in: company)
        let problems = profile.problems()
        if !problems.isEmpty { throw ValidationErrors(problems) }
        let json = try Self.json(profile)
        try await transaction { db in
            try await db.raw(
                """
                INSERT INTO bank_csv_profiles (company_id, name, profile) VALUES (\(bind: company.description), \(bind: profile.name), \(bind: json))
                ON CONFLICT (company_id, name) DO UPDATE SET profile = \(bind: json)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.csv_profile_save", entity: "bank_csv_profile", entityID: profile.name,
                changes: [FieldChange("profile", before: nil, after: json)], now: self.now)
        }
    }

    // MARK: - Import

    /// Imports a statement file (CAMT.053, MT940 or CSV with a profile). The whole file is parsed before anything is
    /// written; each statement's IBAN selects the account (`accountReference` overrides it); lines already imported
    /// (same bank reference, or same date, amount, counterparty and text) are skipped and reported. One transaction.
    public func importStatement(
        company: CompanyID, data: Data, fileName: String, format: String? = nil, profile profileName: String? = nil,
        accountReference: String? = nil, actor: Actor
    ) async throws -> StatementImportReport {
        let (statements, detected) = try await parseStatement(
            company: company, data: data, fileName: fileName, format: format, profile: profileName, actor: actor)
        return try await storeStatements(
            company: company, statements, format: detected, fileName: fileName, accountReference: accountReference, actor: actor)
    }

    /// The same from a file (the CLI): its bytes are released once parsed, before the lines are written, so a 64 MiB
    /// statement is not held twice over (docs/performance.md).
    public func importStatement(
        company: CompanyID, file path: String, format: String? = nil, profile profileName: String? = nil,
        accountReference: String? = nil, actor: Actor
    ) async throws -> StatementImportReport {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let (statements, detected) = try await parseStatementFile(
            company: company, path: path, format: format, profile: profileName, actor: actor)
        return try await storeStatements(
            company: company, statements, format: detected, fileName: fileName, accountReference: accountReference, actor: actor)
    }

    private func parseStatementFile(
        company: CompanyID, path: String, format: String?, profile: String?, actor: Actor
    ) async throws -> ([BankStatement], BankStatement.Format) {
        try actor.require(.banking, .write, in: company)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else {
            throw DomainError("statement.file", field: "file", "You cannot import \(path) because it cannot be read.")
        }
        guard size <= Limits.statementBytes else {
            throw ValidationErrors([
                DomainError(
                    "statement.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a statement of \(size) bytes; the limit is \(Limits.statementBytes).")
            ])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DomainError("statement.file", field: "file", "You cannot import \(path) because it cannot be read.")
        }
        return try await parseStatement(
            company: company, data: data, fileName: URL(fileURLWithPath: path).lastPathComponent, format: format, profile: profile,
            actor: actor)
    }

    private func parseStatement(
        company: CompanyID, data: Data, fileName: String, format: String?, profile profileName: String?, actor: Actor
    ) async throws -> ([BankStatement], BankStatement.Format) {
        try actor.require(.banking, .write, in: company)
        guard data.count <= Limits.statementBytes else {
            throw ValidationErrors([
                DomainError(
                    "statement.too_large", kind: .tooLarge, field: "file",
                    "You cannot import a statement of \(data.count) bytes; the limit is \(Limits.statementBytes).")
            ])
        }
        var chosenFormat: BankStatement.Format?
        if let format, !format.isEmpty {
            guard let known = BankStatement.Format(rawValue: format.lowercased().replacingOccurrences(of: ".", with: "")) else {
                throw DomainError("statement.format", field: "format", "You cannot import format '\(format)'; use camt053, mt940 or csv.")
            }
            chosenFormat = known
        }
        let detected = chosenFormat ?? BankStatement.detect(data)
        var profile: CSVProfile?
        if detected == .csv {
            let profiles = try await csvProfiles(company: company, actor: actor)
            let name = profileName?.nilIfEmptyText ?? "generic"
            guard let found = profiles.first(where: { $0.name == name }) else {
                throw DomainError(
                    "statement.profile", field: "profile",
                    "You cannot read this CSV with profile '\(name)' because no such profile exists; use one of \(profiles.map(\.name).joined(separator: ", ")) or save one."
                )
            }
            profile = found
        }
        return (try BankStatement.parse(data, format: detected, profile: profile, fileName: fileName), detected)
    }

    private func storeStatements(
        company: CompanyID, _ statements: [BankStatement], format detected: BankStatement.Format, fileName: String,
        accountReference: String?, actor: Actor
    ) async throws -> StatementImportReport {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            let accounts = try await Self.loadBankAccounts(db, company: company)
            var override: BankAccountRecord?
            if let reference = accountReference?.nilIfEmptyText {
                let compact = reference.uppercased().filter { !$0.isWhitespace }
                override = accounts.first { $0.id.description == reference || $0.iban == compact }
                guard override != nil else {
                    throw DomainError(
                        "bank.account_unknown", kind: .notFound, field: "account",
                        "You cannot import into '\(reference)' because the company has no such bank account; add it with: culise bank account add --company C --iban \(compact) --currency RON [--ledger-account 5121]"
                    )
                }
            }
            var problems = ProblemCollector()
            var targets: [(BankStatement, BankAccountRecord)] = []
            for statement in statements {
                guard let account = override ?? accounts.first(where: { $0.iban != nil && $0.iban == statement.iban }) else {
                    problems.add(
                        DomainError(
                            "bank.account_unknown", kind: .notFound, field: "account",
                            "You cannot import statement \(statement.id) because IBAN \(statement.iban.isEmpty ? "(none in the file)" : statement.iban) is not one of the company's bank accounts; add it with: culise bank account add --company C --iban \(statement.iban.isEmpty ? "IBAN" : statement.iban) --currency \(statement.currency.isEmpty ? "RON" : statement.currency) [--ledger-account 5121], or choose the account (--account IBAN)."
                        ))
                    continue
                }
                let wrongCurrency = statement.lines.first { $0.currency != account.currency.code }
                if let wrongCurrency {
                    problems.add(
                        DomainError(
                            "bank.currency_mismatch", field: wrongCurrency.position,
                            "You cannot import a \(wrongCurrency.currency) line (\(wrongCurrency.position)) into \(account.name), which is in \(account.currency)."
                        ))
                }
                targets.append((statement, account))
            }
            try problems.throwIfAny()
            var results: [StatementImportResult] = []
            for (statement, account) in targets {
                // Keys: the line's duplicate key and its occurrence within the statement (two identical fees on a day stay two lines).
                var occurrences: [String: Int] = [:]
                // Keys sit beside the lines and the fresh ones are kept as indices: no copy of the statement's lines.
                let keys = statement.lines.map { line -> String in
                    let base = line.duplicateKey
                    occurrences[base, default: 0] += 1
                    let digest = SHA256.hash(data: Data("\(base)#\(occurrences[base, default: 1])".utf8))
                    return digest.map { String(format: "%02x", $0) }.joined()
                }
                var existing = Set<String>()
                for start in stride(from: 0, to: keys.count, by: 500) {
                    let query: SQLQueryString =
                        "SELECT dedup_key FROM bank_lines WHERE company_id = \(bind: company.description) AND account_id = \(bind: account.id.description) AND dedup_key IN "
                        + .list(Array(keys[start..<min(start + 500, keys.count)]))
                    for row in try await db.raw(query).all() { existing.insert(try row.decode(column: "dedup_key", as: String.self)) }
                }
                let fresh = keys.indices.filter { !existing.contains(keys[$0]) }
                let skipped = keys.indices.filter { existing.contains(keys[$0]) }
                let importID = BankImportID.generate(now: self.now)
                var warnings: [String] = []
                if statement.isBalanced == false {
                    warnings.append(
                        "The statement does not add up: opening \(DecimalText.amount(statement.opening!)) + lines \(DecimalText.amount(statement.lines.reduce(0) { $0 + $1.amount })) ≠ closing \(DecimalText.amount(statement.closing!)) \(account.currency)."
                    )
                }
                let firstDate = statement.lines.map(\.bookingDate).min()
                let lastDate = statement.lines.map(\.bookingDate).max()
                if let opening = statement.opening, let firstDate {
                    let ledger = try await Self.ledgerBalance(db, company: company, account: account, through: firstDate.adding(days: -1))
                    if ledger != opening {
                        warnings.append(
                            "The statement opens at \(DecimalText.amount(opening)) \(account.currency) but account \(account.ledgerAccount) shows \(DecimalText.amount(ledger)) on \(firstDate.adding(days: -1).iso): \(DecimalText.amount(opening - ledger)) of earlier bank movements are not in the ledger yet (or were posted twice)."
                        )
                    }
                }
                let now = self.nowText
                try await Self.addVolume(db, company: company, account: account, lines: fresh.map { statement.lines[$0] })
                // Rows are built and written 2,000 at a time, so memory follows the batch, not the statement.
                for start in stride(from: 0, to: fresh.count, by: 2_000) {
                    let batch = fresh[start..<min(start + 2_000, fresh.count)]
                    try await SQLBulk.insert(
                        db, into: "bank_lines",
                        columns: [
                            "company_id", "id", "account_id", "import_id", "booking_date", "value_date", "amount", "currency", "bank_ref",
                            "reference",
                            "counterparty_name", "counterparty_iban", "details", "position", "dedup_key", "state", "linked", "automatic",
                        ],
                        values: batch.map { index in
                            let line = statement.lines[index]
                            return [
                                .text(company.description), .text(BankLineID.generate(now: self.now).description),
                                .text(account.id.description), .text(importID.description),
                                .text(line.bookingDate.iso), SQLValue(line.valueDate?.iso), .int(line.amount), .text(line.currency),
                                SQLValue(line.bankReference), SQLValue(line.reference), SQLValue(line.counterpartyName),
                                SQLValue(line.counterpartyIBAN), .text(String(line.details.prefix(2_000))), .text(line.position),
                                .text(keys[index]),
                                .text(BankLineState.unmatched.rawValue), .bool(false), .bool(false),
                            ]
                        })
                }
                try await db.raw(
                    """
                    INSERT INTO bank_imports (company_id, id, account_id, file_name, format, statement_ref, first_date, last_date, opening, closing, lines_new, lines_duplicate, warnings, imported_at, imported_by)
                    VALUES (\(bind: company.description), \(bind: importID.description), \(bind: account.id.description), \(bind: String(fileName.prefix(200))), \(bind: detected.rawValue),
                        \(bind: String(statement.id.prefix(200))), \(bind: firstDate?.iso), \(bind: lastDate?.iso), \(bind: statement.opening), \(bind: statement.closing),
                        \(bind: fresh.count), \(bind: skipped.count), \(bind: warnings.joined(separator: "\n")), \(bind: now), \(bind: actor.auditName))
                    """
                ).run()
                try await AuditLog.append(
                    db, actor: actor, company: company, action: "bank.import", entity: "bank_import", entityID: importID.description,
                    changes: [
                        FieldChange("file", before: nil, after: fileName),
                        FieldChange("account", before: nil, after: account.iban ?? account.name),
                        FieldChange("new", before: nil, after: String(fresh.count)),
                        FieldChange("duplicates", before: nil, after: String(skipped.count)),
                    ], now: self.now)
                results.append(
                    StatementImportResult(
                        statement: statement.id, account: account.id, iban: account.iban ?? "", new: fresh.count, duplicates: skipped.count,
                        duplicatePositions: skipped.prefix(50).map { statement.lines[$0].position }, warnings: warnings,
                        firstDate: firstDate,
                        lastDate: lastDate))
            }
            return StatementImportReport(format: detected.rawValue, statements: results)
        }
    }

    /// The ledger balance of a bank or cash account through a date, in the account's currency.
    package static func ledgerBalance(
        _ db: any SQLDatabase, company: CompanyID, account: BankAccountRecord, through date: LocalDate
    ) async throws
        -> Int64
    {
        let row = try await db.raw(
            """
            SELECT CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c, CAST(SUM(amount_currency) AS BIGINT) AS ac FROM entry_lines
            WHERE company_id = \(bind: company.description) AND account = \(bind: account.ledgerAccount) AND posted = \(bind: true) AND date <= \(bind: date.iso)
            """
        ).first()
        if !account.currency.isRON { return try row?.decode(column: "ac", as: Int64?.self) ?? 0 }
        return (try row?.decode(column: "d", as: Int64?.self) ?? 0) - (try row?.decode(column: "c", as: Int64?.self) ?? 0)
    }

    // MARK: - Lines

    static let lineColumns: SQLQueryString = """
        SELECT id, account_id, booking_date, value_date, amount, currency, bank_ref, reference, counterparty_name, counterparty_iban, details,
            state, payment_id, entry_id, fee_entry_id, linked, match_account, match_partner, match_documents, match_score, explanation, automatic, matched_by
        FROM bank_lines
        """

    static func decodeLine(_ row: any SQLRow) throws -> BankLineRecord {
        BankLineRecord(
            id: BankLineID(string: try row.decode(column: "id", as: String.self))!,
            account: BankAccountID(string: try row.decode(column: "account_id", as: String.self))!,
            bookingDate: try LocalDate(iso: row.decode(column: "booking_date", as: String.self)),
            valueDate: try row.decode(column: "value_date", as: String?.self).flatMap { try? LocalDate(iso: $0) },
            amount: Money(
                minorUnits: try row.decode(column: "amount", as: Int64.self),
                currency: try Currency(code: row.decode(column: "currency", as: String.self))),
            bankReference: try row.decode(column: "bank_ref", as: String?.self),
            reference: try row.decode(column: "reference", as: String?.self),
            counterpartyName: try row.decode(column: "counterparty_name", as: String?.self),
            counterpartyIBAN: try row.decode(column: "counterparty_iban", as: String?.self),
            details: try row.decode(column: "details", as: String.self),
            state: BankLineState(rawValue: try row.decode(column: "state", as: String.self)) ?? .unmatched,
            paymentID: try row.decode(column: "payment_id", as: String?.self), entryID: try row.decode(column: "entry_id", as: Int64?.self),
            feeEntryID: try row.decode(column: "fee_entry_id", as: Int64?.self), linked: try row.decode(column: "linked", as: Bool.self),
            matchAccount: try row.decode(column: "match_account", as: String?.self),
            matchPartner: try row.decode(column: "match_partner", as: String?.self),
            matchDocuments: try row.decode(column: "match_documents", as: String?.self),
            score: try row.decode(column: "match_score", as: Int?.self),
            explanation: try row.decode(column: "explanation", as: String?.self),
            automatic: try row.decode(column: "automatic", as: Bool.self), matchedBy: try row.decode(column: "matched_by", as: String?.self)
        )
    }

    static func loadLines(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, limit: Int, offset: Int
    ) async throws -> [BankLineRecord] {
        try await db.raw(
            lineColumns + " WHERE company_id = \(bind: company.description) AND " + condition
                + " ORDER BY booking_date, id LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all().map(decodeLine)
    }

    public func bankLines(
        company: CompanyID, account: BankAccountID?, state: BankLineState?, page: PageRequest, actor: Actor
    ) async throws -> Page<BankLineRecord> {
        try actor.require(.banking, .read, in: company)
        var condition: SQLQueryString = "1 = 1"
        if let account { condition = condition + " AND account_id = \(bind: account.description)" }
        if let state { condition = condition + " AND state = \(bind: state.rawValue)" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw(
                "SELECT COUNT(*) AS n FROM bank_lines WHERE company_id = \(bind: company.description) AND " + filter
            )
            .first()!.decode(column: "n", as: Int64.self)
            return Page(
                items: try await Self.loadLines(db, company: company, where: filter, limit: page.limit, offset: page.offset),
                total: Int(total),
                offset: page.offset, limit: page.limit)
        }
    }

    public func bankLine(company: CompanyID, id: BankLineID, actor: Actor) async throws -> BankLineRecord {
        try actor.require(.banking, .read, in: company)
        guard
            let line = try await read({ db in
                try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first
            })
        else {
            throw DomainError("bank.line_not_found", kind: .notFound, "You cannot open bank line \(id) because it does not exist.")
        }
        return line
    }

    // MARK: - Matching

    /// Everything the matcher needs for an account: open documents and liabilities in its currency, unexplained entries
    /// on its ledger account, partners with IBANs and payment habits, rules and the lessons of earlier confirmed lines.
    static func loadMatcher(_ db: any SQLDatabase, company: CompanyID, account: BankAccountRecord) async throws -> Matcher {
        let cid = company.description
        var items: [OpenItem] = []
        for (ledgerAccount, type, table, kind) in [
            (receivableAccount, "invoice", "invoices", OpenItem.Kind.invoice), (payableAccount, "bill", "bills", OpenItem.Kind.bill),
        ] {
            let sign: Int64 = kind == .invoice ? 1 : -1
            // One pass: each document's lines on its partner account, summed, with the document's facts.
            let rows = try await db.raw(
                """
                SELECT d.id AS id, d.number AS number, d.partner_code AS partner_code, d.due_date AS due_date, d.issue_date AS issue_date,
                    CAST(SUM(l.debit) AS BIGINT) AS dr, CAST(SUM(l.credit) AS BIGINT) AS cr, CAST(SUM(l.amount_currency) AS BIGINT) AS ac
                FROM entry_lines l JOIN \(unsafeRaw: table) d ON d.company_id = l.company_id AND d.id = l.source_id
                WHERE l.company_id = \(bind: cid) AND l.account = \(bind: ledgerAccount) AND l.source_type = \(bind: type) AND l.posted = \(bind: true)
                    AND d.currency = \(bind: account.currency)
                GROUP BY d.id, d.number, d.partner_code, d.due_date, d.issue_date
                """
            ).all()
            for row in rows {
                let ron =
                    sign * ((try row.decode(column: "dr", as: Int64?.self) ?? 0) - (try row.decode(column: "cr", as: Int64?.self) ?? 0))
                let value = account.currency.isRON ? ron : sign * (try row.decode(column: "ac", as: Int64?.self) ?? 0)
                guard value > 0 else { continue }
                let id = try row.decode(column: "id", as: String.self)
                let due = try row.decode(column: "due_date", as: String?.self) ?? (try row.decode(column: "issue_date", as: String.self))
                items.append(
                    OpenItem(
                        kind: kind, id: id, number: try row.decode(column: "number", as: String?.self) ?? id,
                        partner: try row.decode(column: "partner_code", as: String.self), open: value, currency: account.currency.code,
                        dueDate: try? LocalDate(iso: due)))
            }
        }
        // Expected liability payments: credit balances of salaries and taxes (RON accounts only).
        if account.currency.isRON {
            // The indexed accounts themselves (431x from the company's chart), never a scan of every line.
            let liabilityAccounts =
                ["421", "423", "4423", "444", "446", "436"]
                + (try await db.raw("SELECT code FROM accounts WHERE company_id = \(bind: cid) AND code LIKE '431%'").all().map {
                    try $0.decode(column: "code", as: String.self)
                })
            let liabilityQuery: SQLQueryString =
                """
                SELECT l.account AS account, a.name AS name, CAST(SUM(l.credit) AS BIGINT) - CAST(SUM(l.debit) AS BIGINT) AS balance
                FROM entry_lines l JOIN accounts a ON a.company_id = l.company_id AND a.code = l.account
                WHERE l.company_id = \(bind: cid) AND l.posted = \(bind: true) AND l.account IN
                """ + .list(liabilityAccounts) + " GROUP BY l.account, a.name"
            let rows = try await db.raw(liabilityQuery).all()
            // Each employee's net of a posted payroll run is its own item (the transfer's reference, the employee's
            // IBAN); what 421 owes beyond them stays one liability.
            let salaries = try await Self.openSalaryTransfers(db, company: company)
            for salary in salaries {
                items.append(
                    OpenItem(
                        kind: .salary, id: salary.id, number: "\(salary.endToEndID) \(salary.name)", partner: nil,
                        open: salary.amount.minorUnits, currency: "RON", dueDate: nil,
                        keywords: [salary.endToEndID.filter { $0.isLetter || $0.isNumber }.uppercased()], sign: -1, iban: salary.iban))
            }
            let salariesOpen = salaries.reduce(0) { $0 + $1.amount.minorUnits }
            for row in rows {
                let code = try row.decode(column: "account", as: String.self)
                let balance = (try row.decode(column: "balance", as: Int64?.self) ?? 0) - (code == "421" ? salariesOpen : 0)
                guard balance > 0 else { continue }
                items.append(
                    OpenItem(
                        kind: .liability, id: code, number: "\(code) \(try row.decode(column: "name", as: String.self))", partner: nil,
                        open: balance,
                        currency: "RON", dueDate: nil,
                        keywords: liabilityKeywords[code] ?? (code.hasPrefix("431") ? ["CONTRIBUTI", "CAS"] : [])))
            }
        }
        // Entries on the bank account no line explains yet (payments typed by hand before the statement came).
        let linked = try await db.raw(
            "SELECT entry_id FROM bank_lines WHERE company_id = \(bind: cid) AND account_id = \(bind: account.id.description) AND entry_id IS NOT NULL"
        ).all().reduce(into: Set<Int64>()) { $0.insert(try $1.decode(column: "entry_id", as: Int64.self)) }
        // The account's lines with their entries, summed per entry here: a GROUP BY in SQL led SQLite to walk every line
        // of the company by its primary key, and the entry's partner as a correlated `MAX` walked the partner index
        // for each entry (0.45 s an entry once 81,000 payments were on the account). Two indexed reads instead.
        struct PostedSum {
            var number: String?
            var date: String
            var debit: Int64 = 0
            var credit: Int64 = 0
            var currency: Int64 = 0
        }
        var sums: [Int64: PostedSum] = [:]
        for row in try await db.raw(
            """
            SELECT l.entry_id AS entry_id, l.debit AS d, l.credit AS c, l.amount_currency AS ac, e.number AS number, e.date AS date
            FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
            WHERE l.company_id = \(bind: cid) AND l.account = \(bind: account.ledgerAccount) AND e.state = 'posted' AND e.reverses IS NULL
            """
        ).all() {
            let entry = try row.decode(column: "entry_id", as: Int64.self)
            guard !linked.contains(entry) else { continue }
            var sum: PostedSum
            if let known = sums[entry] {
                sum = known
            } else {
                sum = PostedSum(
                    number: try row.decode(column: "number", as: String?.self), date: try row.decode(column: "date", as: String.self))
            }
            // Each amount is within `Limits.amountMinorUnits` and the ledger's total within `Limits.ledgerVolumeMinorUnits`.
            sum.debit += try row.decode(column: "d", as: Int64.self)
            sum.credit += try row.decode(column: "c", as: Int64.self)
            sum.currency += try row.decode(column: "ac", as: Int64?.self) ?? 0
            sums[entry] = sum
        }
        let unexplained = sums.filter { _, sum in (account.currency.isRON ? sum.debit - sum.credit : sum.currency) != 0 }.keys.sorted()
        var entryPartners: [Int64: String] = [:]
        var start = 0
        while start < unexplained.count {
            let chunk = unexplained[start..<min(start + 5_000, unexplained.count)]
            for row in try await db.raw(
                "SELECT entry_id, MAX(partner) AS partner FROM entry_lines WHERE company_id = \(bind: cid) AND entry_id IN "
                    + .list(chunk) + " GROUP BY entry_id"
            ).all() {
                if let partner = try row.decode(column: "partner", as: String?.self) {
                    entryPartners[try row.decode(column: "entry_id", as: Int64.self)] = partner
                }
            }
            start += chunk.count
        }
        for entry in unexplained {
            guard let sum = sums[entry] else { continue }
            let net = account.currency.isRON ? sum.debit - sum.credit : sum.currency
            items.append(
                OpenItem(
                    kind: .posted, id: String(entry), number: sum.number ?? "#\(entry)", partner: entryPartners[entry], open: abs(net),
                    currency: account.currency.code, dueDate: try? LocalDate(iso: sum.date), sign: net > 0 ? 1 : -1))
        }
        // Partners, their IBANs and how late they usually pay.
        var ibans: [String: [String]] = [:]
        for row in try await db.raw("SELECT iban, partner_code FROM partner_ibans WHERE company_id = \(bind: cid)").all() {
            ibans[try row.decode(column: "partner_code", as: String.self), default: []].append(
                try row.decode(column: "iban", as: String.self))
        }
        var delays: [String: [Int]] = [:]
        let settled = try await db.raw(
            """
            SELECT i.partner_code AS partner, i.due_date AS due, l.date AS paid FROM entry_lines l
            JOIN invoices i ON i.company_id = l.company_id AND i.id = l.source_id
            WHERE l.company_id = \(bind: cid) AND l.account = \(bind: receivableAccount) AND l.source_type = 'invoice' AND l.credit > 0 AND i.due_date IS NOT NULL
            ORDER BY l.date DESC LIMIT 20000
            """
        ).all()
        for row in settled {
            guard let due = try? LocalDate(iso: row.decode(column: "due", as: String.self)),
                let paid = try? LocalDate(iso: row.decode(column: "paid", as: String.self))
            else { continue }
            delays[try row.decode(column: "partner", as: String.self), default: []].append(due.days(until: paid))
        }
        let partners = try await db.raw("SELECT code, name FROM partners WHERE company_id = \(bind: cid) AND merged_into IS NULL").all().map
        { row in
            let code = try row.decode(column: "code", as: String.self)
            let history = (delays[code] ?? []).sorted()
            return PartnerProfile(
                code: code, name: try row.decode(column: "name", as: String.self), ibans: ibans[code] ?? [],
                usualDelayDays: history.isEmpty ? nil : history[history.count / 2], settledCount: history.count)
        }
        let rules = try await loadRules(db, company: company).map {
            MatchRule(id: $0.id.description, pattern: $0.pattern, account: $0.account, partner: $0.partner, direction: $0.direction)
        }
        let examples = try await db.raw(
            """
            SELECT counterparty_name, details, match_account, match_partner FROM bank_lines
            WHERE company_id = \(bind: cid) AND state = 'matched' AND match_account IS NOT NULL ORDER BY booking_date DESC LIMIT 5000
            """
        ).all().map { row in
            AccountMemory.Example(
                counterparty: try row.decode(column: "counterparty_name", as: String?.self) ?? "",
                text: try row.decode(column: "details", as: String.self),
                account: try row.decode(column: "match_account", as: String.self),
                partner: try row.decode(column: "match_partner", as: String?.self))
        }
        return Matcher(items: items, partners: partners, rules: rules, memory: AccountMemory(examples))
    }

    /// The text the matcher searches: the details and the end-to-end reference.
    static func matchText(_ details: String, _ reference: String?) -> String { reference.map { details + " " + $0 } ?? details }

    /// What the matcher reads of an account's unmatched lines (a light query: a pass reads every one of them).
    static func matchLines(_ db: any SQLDatabase, company: CompanyID, account: BankAccountID) async throws -> [MatchLine] {
        try await db.raw(
            """
            SELECT id, booking_date, amount, currency, details, reference, counterparty_name, counterparty_iban FROM bank_lines
            WHERE company_id = \(bind: company.description) AND account_id = \(bind: account.description) AND state = 'unmatched'
            ORDER BY booking_date, id
            """
        ).all().map { row in
            let details = try row.decode(column: "details", as: String.self)
            let reference = try row.decode(column: "reference", as: String?.self)
            return MatchLine(
                id: try row.decode(column: "id", as: String.self),
                date: try LocalDate(iso: row.decode(column: "booking_date", as: String.self)),
                amount: try row.decode(column: "amount", as: Int64.self), currency: try row.decode(column: "currency", as: String.self),
                details: Self.matchText(details, reference),
                counterpartyName: try row.decode(column: "counterparty_name", as: String?.self),
                counterpartyIBAN: try row.decode(column: "counterparty_iban", as: String?.self))
        }
    }

    static let liabilityKeywords: [String: [String]] = [
        "421": ["SALAR"], "423": ["AJUTOR", "CONCEDIU MEDICAL"], "4423": ["TVA"], "444": ["IMPOZIT"],
        "436": ["CONTRIBUTIA ASIGURATORIE", "CAM"],
        "446": ["IMPOZIT", "TAXA"],
    ]

    /// The review queue: unmatched lines of an account with their best candidates and why they wait.
    public func reviewQueue(company: CompanyID, account: BankAccountID, page: PageRequest, actor: Actor) async throws -> Page<ReviewItem> {
        try actor.require(.banking, .read, in: company)
        return try await read { db in
            let bankAccount = try await Self.requireBankAccount(db, company: company, id: account)
            let condition: SQLQueryString = "account_id = \(bind: account.description) AND state = 'unmatched'"
            let total = try await db.raw(
                "SELECT COUNT(*) AS n FROM bank_lines WHERE company_id = \(bind: company.description) AND " + condition
            )
            .first()!.decode(column: "n", as: Int64.self)
            let lines = try await Self.loadLines(db, company: company, where: condition, limit: page.limit, offset: page.offset)
            let matcher = try await Self.loadMatcher(db, company: company, account: bankAccount)
            let settings = Matcher.Settings(autoThreshold: bankAccount.autoThreshold)
            return Page(
                items: lines.map { ReviewItem(line: $0, proposal: matcher.propose($0.matchLine, settings: settings)) }, total: Int(total),
                offset: page.offset, limit: page.limit)
        }
    }

    /// Candidates for one line.
    public func proposal(company: CompanyID, line id: BankLineID, actor: Actor) async throws -> ReviewItem {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await self.proposalInside(db, company: company, line: id) }
    }

    /// Confirms a match: claims the line, creates the payment and its allocations (or the account entry, or links an
    /// existing entry) and posts, all in one transaction. A line two people confirm at once gets one payment.
    public func confirmMatch(company: CompanyID, line id: BankLineID, _ input: BankMatchInput, actor: Actor) async throws -> BankLineRecord
    {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            var input = input
            var explanation: String?
            var score: Int?
            if let rank = input.candidate {
                let item = try await self.proposalInside(db, company: company, line: id)
                _ = try item.line.state.apply(.match)
                guard rank >= 0, rank < item.proposal.candidates.count else {
                    throw DomainError(
                        "bank.candidate", field: "candidate",
                        "You cannot confirm candidate \(rank) because this line has \(item.proposal.candidates.count) candidates.")
                }
                let candidate = item.proposal.candidates[rank]
                input = Self.input(for: candidate, fee: input.fee)
                explanation = candidate.storedExplanation
                score = candidate.score
            }
            return try await self.confirmInside(
                db, company: company, line: id, input, explanation: explanation, score: score, automatic: false, actor: actor)
        }
    }

    func proposalInside(_ db: any SQLDatabase, company: CompanyID, line id: BankLineID) async throws -> ReviewItem {
        guard let line = try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first
        else {
            throw DomainError("bank.line_not_found", kind: .notFound, "You cannot open bank line \(id) because it does not exist.")
        }
        let account = try await Self.requireBankAccount(db, company: company, id: line.account)
        let matcher = try await Self.loadMatcher(db, company: company, account: account)
        return ReviewItem(line: line, proposal: matcher.propose(line.matchLine, settings: .init(autoThreshold: account.autoThreshold)))
    }

    static func input(for candidate: MatchCandidate, fee: String?) -> BankMatchInput {
        BankMatchInput(
            allocations: candidate.allocations.map { .init(kind: $0.kind.rawValue, id: $0.id, amount: DecimalText.amount($0.amount)) },
            account: candidate.account, partner: candidate.partner, fee: fee)
    }

    func confirmInside(
        _ db: any SQLDatabase, company: CompanyID, line id: BankLineID, _ input: BankMatchInput, explanation: String?, score: Int?,
        automatic: Bool, actor: Actor
    ) async throws -> BankLineRecord {
        let cid = company.description
        // Claim the line first: a concurrent confirmation waits on this row and then finds it matched.
        guard
            try await db.raw(
                "UPDATE bank_lines SET state = 'matched' WHERE company_id = \(bind: cid) AND id = \(bind: id.description) AND state = 'unmatched' RETURNING id"
            ).first() != nil
        else {
            guard
                let current = try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0)
                    .first
            else {
                throw DomainError("bank.line_not_found", kind: .notFound, "You cannot match bank line \(id) because it does not exist.")
            }
            _ = try current.state.apply(.match)
            throw DomainError(
                "bank.line_already_matched", kind: .conflict, "You cannot match this bank line because it is already matched.")
        }
        let line = try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first!
        let account = try await Self.requireBankAccount(db, company: company, id: line.account)
        var problems = ProblemCollector()
        let incoming = line.amount.minorUnits > 0
        let absolute = abs(line.amount.minorUnits)
        var fee: Int64 = 0
        if let text = input.fee?.nilIfEmptyText {
            if let value = DecimalText.parse(text, scale: 2).map(InvoiceMath.minor), value >= 0 {
                fee = value
            } else {
                problems.add(DomainError("bank.fee", field: "fee", "You cannot use '\(text)' as a fee; use an amount of 0 or more."))
            }
        }
        let documents = input.allocations.filter { $0.kind == "invoice" || $0.kind == "bill" }
        // A salary (`run/employee`) is paid like its liability, 421, and then recorded by payroll.
        let salaries = input.allocations.filter { $0.kind == "salary" }
        let liabilities =
            input.allocations.filter { $0.kind == "liability" }
            + salaries.map { BankMatchInput.Allocation(kind: "liability", id: PayrollAccounts.salariesPayable, amount: $0.amount) }
        let postedLinks = input.allocations.filter { $0.kind == "posted" }
        for (index, allocation) in input.allocations.enumerated()
        where !["invoice", "bill", "liability", "posted", "salary"].contains(allocation.kind) {
            problems.add(
                DomainError(
                    "bank.allocation_kind", field: "allocations[\(index)].kind",
                    "You cannot allocate to '\(allocation.kind)'; use invoice, bill, liability, salary or posted."))
        }
        if !salaries.isEmpty && salaries.count != input.allocations.count {
            problems.add(
                DomainError(
                    "bank.salary_mixed", field: "allocations",
                    "You cannot pay salaries and other documents with one line; a salary transfer pays one employee's net."))
        }
        problems.check(
            !(input.allocations.isEmpty && (input.account ?? "").isEmpty),
            DomainError(
                "bank.match_target", field: "allocations", "To match a bank line, you must choose documents, a liability or an account."))
        problems.check(
            input.allocations.count <= Limits.allocationsPerPayment,
            DomainError(
                "bank.too_many_allocations", kind: .tooLarge, field: "allocations",
                "You cannot allocate one bank line to more than \(Limits.allocationsPerPayment) documents."))
        try problems.throwIfAny()

        var paymentID: String?
        var entryID: Int64?
        var linked = false
        var documentsText: [String] = []
        var partner = input.partner?.nilIfEmptyText
        let gross = absolute + fee
        let date = line.bookingDate
        // The line as the posting rules see it (`partner` as the match finally names it).
        func postingLine(rate: Decimal?) -> BankPosting.Line {
            BankPosting.Line(
                id: id.description, date: date, incoming: incoming, ledgerAccount: account.ledgerAccount, accountName: account.name,
                cash: account.kind == .cash, currency: account.currency.code, rate: rate, gross: gross, details: line.details,
                counterpartyName: line.counterpartyName, partner: partner)
        }
        if let link = postedLinks.first {
            // The payment is already in the ledger: only link it.
            guard let entry = Int64(link.id),
                let row = try await db.raw(
                    """
                    SELECT CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c, CAST(SUM(amount_currency) AS BIGINT) AS ac FROM entry_lines
                    WHERE company_id = \(bind: cid) AND entry_id = \(bind: entry) AND account = \(bind: account.ledgerAccount)
                    """
                ).first()
            else {
                throw DomainError("bank.link", field: "allocations[0].id", "You cannot link entry '\(link.id)' because it does not exist.")
            }
            let net =
                account.currency.isRON
                ? (try row.decode(column: "d", as: Int64?.self) ?? 0) - (try row.decode(column: "c", as: Int64?.self) ?? 0)
                : (try row.decode(column: "ac", as: Int64?.self) ?? 0)
            guard net == line.amount.minorUnits else {
                throw DomainError(
                    "bank.link_amount", field: "allocations[0].id",
                    "You cannot link entry \(entry) because it moves \(DecimalText.amount(net)) on \(account.ledgerAccount), not the line's \(DecimalText.amount(line.amount.minorUnits))."
                )
            }
            if try await db.raw(
                "SELECT id FROM bank_lines WHERE company_id = \(bind: cid) AND entry_id = \(bind: entry) AND state = 'matched' AND id <> \(bind: id.description)"
            ).first() != nil {
                throw DomainError(
                    "bank.link_taken", kind: .conflict, field: "allocations[0].id",
                    "You cannot link entry \(entry) because another bank line explains it.")
            }
            entryID = entry
            linked = true
            documentsText = ["entry \(entry)"]
        } else if !documents.isEmpty {
            guard let partnerCode = try await Self.documentPartner(db, company: company, documents) else {
                throw DomainError(
                    "bank.documents_partner", field: "allocations",
                    "You cannot pay documents of several partners (or unknown documents) with one line; match them one partner at a time.")
            }
            partner = partnerCode
            let payment = try await postPayment(
                db, company: company,
                PaymentInput(
                    direction: incoming ? "in" : "out", partner: partnerCode, date: date.iso,
                    method: account.kind == .cash ? "cash" : "bank",
                    account: account.ledgerAccount, currency: account.currency.code, amount: DecimalText.amount(gross), exchangeRate: nil,
                    reference: String(([line.counterpartyName, line.details].compactMap { $0 }.joined(separator: " · ")).prefix(200)),
                    allocations: documents.map { .init(document: $0.id, amount: $0.amount ?? "") }),
                actor: actor)
            paymentID = payment.id.description
            entryID = payment.entryID
            documentsText = documents.map(\.id)
        } else {
            // An account (or liability) entry: 5121 = account for money in, account = 5121 for money out.
            var targets: [(account: String, amount: Int64)] = []
            if !liabilities.isEmpty {
                var rest = gross
                for allocation in liabilities {
                    let value = min(rest, DecimalText.parse(allocation.amount, scale: 2).map(InvoiceMath.minor) ?? rest)
                    if value > 0 { targets.append((allocation.id, value)) }
                    rest -= value
                }
                if rest > 0, let last = targets.indices.last { targets[last].amount += rest }
            } else if let counter = input.account?.nilIfEmptyText {
                targets = [(counter, gross)]
            }
            let accounts = Set(targets.map(\.account))
            let postable = try await Self.postableAccounts(db, company: company, among: accounts)
            for target in targets where !postable.contains(target.account) {
                problems.add(
                    DomainError(
                        "bank.account", field: "account", "You cannot use account '\(target.account)' because it is not a postable account."
                    ))
            }
            if let partner, try await Self.loadPartner(db, company: company, code: partner) == nil {
                problems.add(
                    DomainError("bank.partner", field: "partner", "You cannot use partner '\(partner)' because no such partner exists."))
            }
            try problems.throwIfAny()
            var rate: Decimal?
            if !account.currency.isRON { rate = try await Self.exchangeRate(db, currency: account.currency.code, on: date).ronPerUnit }
            let draft = BankPosting.entry(
                postingLine(rate: rate), counterparts: targets.map { BankPosting.Counterpart(account: $0.account, amount: $0.amount) },
                externalRef: try await Self.freshReference(db, company: company, "bank_line:\(id.description)"))
            let rules = try await LedgerEngine.rules(db, company: company, only: Set(draft.lines.map(\.account)))
            let entryProblems = EntryValidator.problems(draft, rules: rules)
            if !entryProblems.isEmpty { throw ValidationErrors(entryProblems) }
            entryID = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0].rawValue
            documentsText = targets.map(\.account)
            if !salaries.isEmpty {
                try await settleSalaryTransfers(
                    db, company: company,
                    salaries.map { ($0.id, $0.amount.flatMap { DecimalText.parse($0, scale: 2).map(InvoiceMath.minor) } ?? absolute) },
                    bankLine: id.description, entry: entryID, actor: actor)
                documentsText = salaries.map(\.id)
            }
        }
        var feeEntry: Int64?
        if fee > 0 {
            // The bank kept a fee: 627 = 5121 for the difference between the documents settled and the money that arrived.
            var rate: Decimal?
            if !account.currency.isRON { rate = try await Self.exchangeRate(db, currency: account.currency.code, on: date).ronPerUnit }
            let draft = BankPosting.fee(
                postingLine(rate: rate), fee: fee,
                externalRef: try await Self.freshReference(db, company: company, "bank_fee:\(id.description)"))
            feeEntry = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0].rawValue
        }
        let matchAccount = paymentID == nil && !linked && liabilities.isEmpty ? input.account?.nilIfEmptyText : nil
        let text = explanation ?? MatchExplanation.confirmed(by: actor.auditName)
        try await db.raw(
            """
            UPDATE bank_lines SET payment_id = \(bind: paymentID), entry_id = \(bind: entryID), fee_entry_id = \(bind: feeEntry), linked = \(bind: linked),
                match_account = \(bind: matchAccount), match_partner = \(bind: partner), match_documents = \(bind: documentsText.joined(separator: ",")),
                match_score = \(bind: score), explanation = \(bind: text), automatic = \(bind: automatic), matched_by = \(bind: actor.auditName),
                matched_at = \(bind: self.nowText)
            WHERE company_id = \(bind: cid) AND id = \(bind: id.description)
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: automatic ? "bank.auto_match" : "bank.match", entity: "bank_line",
            entityID: id.description,
            changes: [
                FieldChange("state", before: "unmatched", after: "matched"),
                FieldChange("target", before: nil, after: documentsText.joined(separator: ",") + (matchAccount.map { " \($0)" } ?? "")),
                FieldChange("explanation", before: nil, after: MatchExplanation.text(text, language: "en")),
            ] + (score.map { [FieldChange("score", before: nil, after: String($0))] } ?? []), now: self.now)
        return try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first!
    }

    /// The one partner of the documents being paid, or nil when they belong to several (or do not exist).
    static func documentPartner(
        _ db: any SQLDatabase, company: CompanyID, _ allocations: [BankMatchInput.Allocation]
    ) async throws -> String? {
        var partners = Set<String>()
        for kind in ["invoice", "bill"] {
            let ids = allocations.filter { $0.kind == kind }.map(\.id)
            guard !ids.isEmpty else { continue }
            let table: SQLQueryString = kind == "invoice" ? "invoices" : "bills"
            // By id, then the rest by number (separate indexed lookups).
            let byID = try await db.raw(
                "SELECT id, partner_code FROM " + table + " WHERE company_id = \(bind: company.description) AND id IN " + .list(ids)
            ).all()
            var found = Set<String>()
            for row in byID {
                found.insert(try row.decode(column: "id", as: String.self))
                partners.insert(try row.decode(column: "partner_code", as: String.self))
            }
            let rest = ids.filter { !found.contains($0) }
            if !rest.isEmpty && kind == "invoice" {
                for reference in rest {
                    guard let invoice = try await Self.invoice(db, company: company, reference: InvoiceReference(reference)) else {
                        return nil
                    }
                    partners.insert(invoice.partner)
                }
            } else if !rest.isEmpty {
                let byNumber = try await db.raw(
                    "SELECT number, partner_code FROM " + table + " WHERE company_id = \(bind: company.description) AND number IN "
                        + .list(rest)
                ).all()
                if byNumber.isEmpty { return nil }
                for row in byNumber { partners.insert(try row.decode(column: "partner_code", as: String.self)) }
            }
        }
        return partners.count == 1 ? partners.first : nil
    }

    /// Undoes a match: reverses the entries it posted (or unlinks the entry it linked) and puts the line back in the queue.
    public func unmatch(company: CompanyID, line id: BankLineID, actor: Actor) async throws -> BankLineRecord {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            let cid = company.description
            guard
                let row = try await db.raw(
                    """
                    UPDATE bank_lines SET state = 'unmatched' WHERE company_id = \(bind: cid) AND id = \(bind: id.description) AND state = 'matched'
                    RETURNING entry_id, fee_entry_id, payment_id, linked, booking_date
                    """
                ).first()
            else {
                guard
                    let current = try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0)
                        .first
                else {
                    throw DomainError(
                        "bank.line_not_found", kind: .notFound, "You cannot unmatch bank line \(id) because it does not exist.")
                }
                _ = try current.state.apply(.unmatch)
                throw DomainError("bank.line_not_matched", kind: .conflict, "You cannot unmatch this bank line because it is not matched.")
            }
            let linked = try row.decode(column: "linked", as: Bool.self)
            var reversals: [String] = []
            if !linked {
                for column in ["entry_id", "fee_entry_id"] {
                    guard let entry = try row.decode(column: column, as: Int64?.self) else { continue }
                    let reversal = try await self.reverseInside(db, company: company, EntryID(entry), on: nil, actor: actor)
                    reversals.append(reversal.description)
                    if column == "entry_id", let payment = try row.decode(column: "payment_id", as: String?.self) {
                        try await db.raw(
                            "UPDATE payments SET reversal_entry_id = \(bind: reversal.rawValue) WHERE company_id = \(bind: cid) AND id = \(bind: payment)"
                        ).run()
                    }
                }
            }
            try await self.unsettleSalaryTransfers(db, company: company, bankLine: id.description, actor: actor)
            try await db.raw(
                """
                UPDATE bank_lines SET payment_id = NULL, entry_id = NULL, fee_entry_id = NULL, linked = \(bind: false), match_account = NULL,
                    match_partner = NULL, match_documents = NULL, match_score = NULL, explanation = NULL, automatic = \(bind: false), matched_by = NULL, matched_at = NULL
                WHERE company_id = \(bind: cid) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.unmatch", entity: "bank_line", entityID: id.description,
                changes: [
                    FieldChange("state", before: "matched", after: "unmatched"),
                    FieldChange("reversed_by", before: nil, after: linked ? "unlinked" : reversals.joined(separator: ",")),
                ], now: self.now)
            return try await Self.loadLines(db, company: company, where: "id = \(bind: id.description)", limit: 1, offset: 0).first!
        }
    }

    /// Runs the matcher over an account's unmatched lines (or every account's) and confirms the automatic ones, each
    /// in its own transaction with its explanation in the audit log. Accounts with automatic matching off only get counts.
    public func reconcile(
        company: CompanyID, account: BankAccountID?, threshold: Int? = nil, batch: Int = Limits.bankConfirmBatch, actor: Actor,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> ReconcileReport {
        try actor.require(.banking, .write, in: company)
        if let threshold, !(1...200).contains(threshold) {
            throw DomainError(
                "bank.threshold", field: "threshold", "You cannot use \(threshold) as a threshold; use 1 to 200, or none.")
        }
        guard (1...Limits.bankConfirmBatch).contains(batch) else {
            throw DomainError(
                "bank.batch", field: "batch",
                "You cannot confirm \(batch) lines per transaction; use 1 to \(Limits.bankConfirmBatch).")
        }
        var report = ReconcileReport(lines: 0, automatic: 0, review: 0, noCandidate: 0, deferred: 0)
        let accounts = try await read { db in
            try await Self.loadBankAccounts(
                db, company: company, where: account.map { "id = \(bind: $0.description)" } ?? "archived = \(bind: false)")
        }
        if let account, accounts.isEmpty {
            throw DomainError(
                "bank.account_not_found", kind: .notFound, "You cannot reconcile bank account \(account) because it does not exist.")
        }
        for bankAccount in accounts {
            let (matcher, lines) = try await read { db in
                (
                    try await Self.loadMatcher(db, company: company, account: bankAccount),
                    try await Self.matchLines(db, company: company, account: bankAccount.id)
                )
            }
            let settings = Matcher.Settings(autoThreshold: threshold ?? bankAccount.autoThreshold)
            var used = Set<String>()
            let proposals = matcher.proposeAll(lines, settings: settings)
            var pending: [AutomaticMatch] = []
            for (index, (line, proposal)) in zip(lines, proposals).enumerated() {
                report.lines += 1
                progress?(index + 1, lines.count)
                guard proposal.automatic, let best = proposal.candidates.first, let id = BankLineID(string: line.id) else {
                    if proposal.candidates.isEmpty { report.noCandidate += 1 } else { report.review += 1 }
                    continue
                }
                pending.append(AutomaticMatch(line: id, candidate: best))
                if pending.count >= batch {
                    try await confirmAutomatic(company: company, pending, used: &used, report: &report, actor: actor)
                    pending = []
                }
            }
            try await confirmAutomatic(company: company, pending, used: &used, report: &report, actor: actor)
        }
        return report
    }

    /// One line the matcher confirms on its own, with its best candidate.
    struct AutomaticMatch: Sendable {
        var line: BankLineID
        var candidate: MatchCandidate
    }

    /// Confirms a batch of automatic matches in one transaction (group commit, as invoices are issued). The common
    /// shapes (documents of one partner, or one account, on a RON bank account) go through `confirmGroup`, a fixed
    /// number of statements for the whole batch; the others go one by one through `confirmInside`, each in its own
    /// savepoint. Either way every line is validated and claimed (its state moves to matched under the transaction), so
    /// none is posted twice; a refused line is released and goes to review (or, when something else took it meanwhile,
    /// waits for the next run), and the others of the batch stay confirmed. A document an earlier automatic match of
    /// the run (or of the batch) already settles waits for the next run (or a person). An unexpected error rolls the
    /// batch back whole and stops the run; the batches before it stay committed.
    func confirmAutomatic(
        company: CompanyID, _ batch: [AutomaticMatch], used: inout Set<String>, report: inout ReconcileReport, actor: Actor
    ) async throws {
        guard !batch.isEmpty else { return }
        let before = used
        let (outcome, settled) = try await transaction { db in
            var settled = before
            var outcome = AutomaticOutcome()
            // A document an earlier line of the run (or of this batch) settles waits for the next run.
            var taken: [AutomaticMatch] = []
            for match in batch {
                let keys = match.candidate.allocations.filter { $0.kind != .liability }.map { "\($0.kind.rawValue):\($0.id)" }
                if keys.contains(where: settled.contains) {
                    outcome.deferred += 1
                    continue
                }
                keys.forEach { settled.insert($0) }
                taken.append(match)
            }
            // The common shape in one group; the others (and all of them after a refusal while writing) one by one.
            let rest = try await self.confirmGroup(db, company: company, taken, settled: &settled, outcome: &outcome, actor: actor)
            for match in rest {
                let keys = match.candidate.allocations.filter { $0.kind != .liability }.map { "\($0.kind.rawValue):\($0.id)" }
                try await db.raw("SAVEPOINT bank_match").run()
                do {
                    _ = try await self.confirmInside(
                        db, company: company, line: match.line, Self.input(for: match.candidate, fee: nil),
                        explanation: match.candidate.storedExplanation, score: match.candidate.score, automatic: true, actor: actor)
                    try await db.raw("RELEASE SAVEPOINT bank_match").run()
                    outcome.automatic += 1
                } catch let error as DomainError {
                    try await db.raw("ROLLBACK TO SAVEPOINT bank_match").run()
                    try await db.raw("RELEASE SAVEPOINT bank_match").run()
                    keys.forEach { settled.remove($0) }
                    if error.kind == .conflict { outcome.deferred += 1 } else { outcome.review += 1 }
                } catch is ValidationErrors {
                    try await db.raw("ROLLBACK TO SAVEPOINT bank_match").run()
                    try await db.raw("RELEASE SAVEPOINT bank_match").run()
                    keys.forEach { settled.remove($0) }
                    outcome.review += 1
                }
            }
            return (outcome, settled)
        }
        used = settled
        report.automatic += outcome.automatic
        report.review += outcome.review
        report.deferred += outcome.deferred
    }

    // MARK: - Rules

    public func addBankRule(
        company: CompanyID, pattern: String, account: String, partner: String?, direction: String?, actor: Actor
    ) async throws -> BankRuleRecord {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            var problems = ProblemCollector()
            let text = pattern.trimmingCharacters(in: .whitespaces)
            problems.check(
                (2...100).contains(text.count),
                DomainError(
                    "bank.rule_pattern", field: "pattern", "To add a rule, you must give a text of 2 to 100 characters to look for."))
            let postable = try await Self.postableAccounts(db, company: company, among: [account])
            problems.check(
                postable.contains(account),
                DomainError(
                    "bank.rule_account", field: "account", "You cannot use account '\(account)' because it is not a postable account."))
            if let direction, !direction.isEmpty {
                problems.check(
                    ["in", "out"].contains(direction),
                    DomainError("bank.rule_direction", field: "direction", "You cannot use direction '\(direction)'; use in, out or none."))
            }
            if let partner = partner?.nilIfEmptyText, try await Self.loadPartner(db, company: company, code: partner) == nil {
                problems.add(
                    DomainError(
                        "bank.rule_partner", field: "partner", "You cannot use partner '\(partner)' because no such partner exists."))
            }
            try problems.throwIfAny()
            let rule = BankRuleRecord(
                id: .generate(now: self.now), pattern: text, account: account, partner: partner?.nilIfEmptyText,
                direction: direction?.nilIfEmptyText)
            try await db.raw(
                """
                INSERT INTO bank_rules (company_id, id, pattern, account, partner_code, direction, created_at, created_by)
                VALUES (\(bind: company.description), \(bind: rule.id.description), \(bind: rule.pattern), \(bind: rule.account), \(bind: rule.partner),
                    \(bind: rule.direction), \(bind: self.nowText), \(bind: actor.auditName))
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.rule_add", entity: "bank_rule", entityID: rule.id.description,
                changes: [FieldChange("rule", before: nil, after: "\(rule.pattern) → \(rule.account)")], now: self.now)
            return rule
        }
    }

    public func bankRules(company: CompanyID, actor: Actor) async throws -> [BankRuleRecord] {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await Self.loadRules(db, company: company) }
    }

    static func loadRules(_ db: any SQLDatabase, company: CompanyID) async throws -> [BankRuleRecord] {
        try await db.raw(
            "SELECT id, pattern, account, partner_code, direction FROM bank_rules WHERE company_id = \(bind: company.description) ORDER BY pattern, id"
        ).all().map { row in
            BankRuleRecord(
                id: BankRuleID(string: try row.decode(column: "id", as: String.self))!,
                pattern: try row.decode(column: "pattern", as: String.self),
                account: try row.decode(column: "account", as: String.self),
                partner: try row.decode(column: "partner_code", as: String?.self),
                direction: try row.decode(column: "direction", as: String?.self))
        }
    }

    public func deleteBankRule(company: CompanyID, id: BankRuleID, actor: Actor) async throws {
        try actor.require(.banking, .write, in: company)
        try await transaction { db in
            guard
                try await db.raw(
                    "DELETE FROM bank_rules WHERE company_id = \(bind: company.description) AND id = \(bind: id.description) RETURNING id"
                ).first() != nil
            else {
                throw DomainError("bank.rule_not_found", kind: .notFound, "You cannot delete rule \(id) because it does not exist.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "bank.rule_delete", entity: "bank_rule", entityID: id.description, now: self.now
            )
        }
    }

    // MARK: - Status and the reconciliation statement

    public func bankStatus(company: CompanyID, actor: Actor) async throws -> [BankAccountStatus] {
        try actor.require(.banking, .read, in: company)
        return try await read { db in
            var result: [BankAccountStatus] = []
            for account in try await Self.loadBankAccounts(db, company: company) {
                let row = try await db.raw(
                    """
                    SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN state = 'matched' THEN 1 ELSE 0 END) AS BIGINT) AS matched, MAX(booking_date) AS last
                    FROM bank_lines WHERE company_id = \(bind: company.description) AND account_id = \(bind: account.id.description)
                    """
                ).first()!
                let lines = Int(try row.decode(column: "n", as: Int64.self))
                let matched = Int(try row.decode(column: "matched", as: Int64?.self) ?? 0)
                let last = try row.decode(column: "last", as: String?.self).flatMap { try? LocalDate(iso: $0) }
                let today = LocalDate.today(now: self.clock())
                result.append(
                    BankAccountStatus(
                        account: account, lines: lines, matched: matched, unmatched: lines - matched, lastDate: last,
                        bankBalance: try await Self.bankBalance(db, company: company, account: account, through: last ?? today),
                        ledgerBalance: try await Self.ledgerBalance(
                            db, company: company, account: account, through: max(today, last ?? today)),
                        progress: lines == 0 ? 100 : matched * 100 / lines))
            }
            return result
        }
    }

    /// The bank's balance through a date: the first statement's opening balance plus every imported line up to the date.
    static func bankBalance(
        _ db: any SQLDatabase, company: CompanyID, account: BankAccountRecord, through date: LocalDate
    ) async throws -> Int64? {
        let cid = company.description
        let opening = try await db.raw(
            """
            SELECT opening FROM bank_imports WHERE company_id = \(bind: cid) AND account_id = \(bind: account.id.description) AND opening IS NOT NULL
            ORDER BY first_date, imported_at LIMIT 1
            """
        ).first()?.decode(column: "opening", as: Int64?.self)
        let sum = try await db.raw(
            """
            SELECT CAST(SUM(amount) AS BIGINT) AS s, COUNT(*) AS n FROM bank_lines
            WHERE company_id = \(bind: cid) AND account_id = \(bind: account.id.description) AND booking_date <= \(bind: date.iso)
            """
        ).first()
        let count = try sum?.decode(column: "n", as: Int64.self) ?? 0
        if opening == nil && count == 0 { return nil }
        return (opening ?? 0) + (try sum?.decode(column: "s", as: Int64?.self) ?? 0)
    }

    public func reconciliationStatement(
        company: CompanyID, account id: BankAccountID, date: LocalDate, actor: Actor
    ) async throws -> ReconciliationStatement {
        try actor.require(.banking, .read, in: company)
        return try await read { db in
            let cid = company.description
            let account = try await Self.requireBankAccount(db, company: company, id: id)
            let unmatched: SQLQueryString =
                "account_id = \(bind: id.description) AND state = 'unmatched' AND booking_date <= \(bind: date.iso)"
            // The list is bounded; the total and the count come from every line, so the difference is always right.
            let bankOnly = try await Self.loadLines(
                db, company: company, where: unmatched, limit: Limits.reconciliationItemsListed, offset: 0)
            let bankOnlySums = try await db.raw(
                "SELECT COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total FROM bank_lines WHERE company_id = \(bind: cid) AND "
                    + unmatched
            ).first()
            let bankOnlyTotal = try bankOnlySums?.decode(column: "total", as: Int64?.self) ?? 0
            let bankOnlyCount = Int(try bankOnlySums?.decode(column: "n", as: Int64.self) ?? 0)
            let linked = try await db.raw(
                """
                SELECT entry_id, fee_entry_id FROM bank_lines WHERE company_id = \(bind: cid) AND account_id = \(bind: id.description)
                    AND state = 'matched' AND booking_date <= \(bind: date.iso)
                """
            ).all().reduce(into: Set<Int64>()) { set, row in
                if let entry = try row.decode(column: "entry_id", as: Int64?.self) { set.insert(entry) }
                if let entry = try row.decode(column: "fee_entry_id", as: Int64?.self) { set.insert(entry) }
            }
            let ledgerRows = try await db.raw(
                """
                SELECT l.entry_id AS entry_id, e.number AS number, e.date AS date, e.description AS description, CAST(SUM(l.debit) AS BIGINT) AS d,
                    CAST(SUM(l.credit) AS BIGINT) AS c, CAST(SUM(l.amount_currency) AS BIGINT) AS ac
                FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
                WHERE l.company_id = \(bind: cid) AND l.account = \(bind: account.ledgerAccount) AND l.posted = \(bind: true) AND l.date <= \(bind: date.iso)
                    AND e.state = 'posted' AND e.reverses IS NULL
                GROUP BY l.entry_id, e.number, e.date, e.description ORDER BY e.date, l.entry_id
                """
            ).all()
            // Entries before the first statement are what its opening balance stands for.
            let firstDate = try await db.raw(
                "SELECT MIN(first_date) AS f FROM bank_imports WHERE company_id = \(bind: cid) AND account_id = \(bind: id.description) AND opening IS NOT NULL"
            ).first()?.decode(column: "f", as: String?.self).flatMap { try? LocalDate(iso: $0) }
            var ledgerOnly: [LedgerBankItem] = []
            for row in ledgerRows {
                let entry = try row.decode(column: "entry_id", as: Int64.self)
                guard !linked.contains(entry) else { continue }
                if let firstDate, let date = try? LocalDate(iso: row.decode(column: "date", as: String.self)), date < firstDate { continue }
                let amount =
                    account.currency.isRON
                    ? (try row.decode(column: "d", as: Int64?.self) ?? 0) - (try row.decode(column: "c", as: Int64?.self) ?? 0)
                    : (try row.decode(column: "ac", as: Int64?.self) ?? 0)
                guard amount != 0 else { continue }
                ledgerOnly.append(
                    LedgerBankItem(
                        entryID: entry, number: try row.decode(column: "number", as: String?.self),
                        date: try LocalDate(iso: row.decode(column: "date", as: String.self)),
                        description: try row.decode(column: "description", as: String.self), amount: amount))
            }
            let bank = try await Self.bankBalance(db, company: company, account: account, through: date) ?? 0
            let ledger = try await Self.ledgerBalance(db, company: company, account: account, through: date)
            let ledgerOnlyTotal = ledgerOnly.reduce(0) { $0 + $1.amount }
            let difference = bank - bankOnlyTotal + ledgerOnlyTotal - ledger
            return ReconciliationStatement(
                account: account, date: date, bankBalance: bank, ledgerBalance: ledger, bankOnly: bankOnly, bankOnlyTotal: bankOnlyTotal,
                bankOnlyCount: bankOnlyCount, ledgerOnly: Array(ledgerOnly.prefix(Limits.reconciliationItemsListed)),
                ledgerOnlyTotal: ledgerOnlyTotal, ledgerOnlyCount: ledgerOnly.count, difference: difference)
        }
    }

    /// Adds the imported lines' Σ|amount| to the account's volume under a row lock and refuses past
    /// `Limits.ledgerVolumeMinorUnits`, so no sum over an account's bank lines (balances, reconciliation) can overflow.
    static func addVolume(_ db: any SQLDatabase, company: CompanyID, account: BankAccountRecord, lines: [StatementLine]) async throws {
        var added: UInt64 = 0
        for line in lines {
            added = added &+ line.amount.magnitude
            guard added <= UInt64(Limits.ledgerVolumeMinorUnits) else { throw volumeExceeded(account) }
        }
        guard added > 0 else { return }
        let row = try await db.raw(
            """
            UPDATE bank_accounts SET volume = volume + \(bind: Int64(added))
            WHERE company_id = \(bind: company.description) AND id = \(bind: account.id.description) RETURNING volume
            """
        ).first()
        guard let volume = try row?.decode(column: "volume", as: Int64.self), volume <= Limits.ledgerVolumeMinorUnits else {
            throw volumeExceeded(account)
        }
    }

    static func volumeExceeded(_ account: BankAccountRecord) -> DomainError {
        DomainError(
            "bank.volume_exceeded", kind: .conflict, field: "file",
            "You cannot import these lines into \(account.name) because its lines together would pass \(Money(minorUnits: Limits.ledgerVolumeMinorUnits, currency: .ron).decimalString), the most one account may hold; open a new bank account record."
        )
    }

    /// A line matched, unmatched (its entry reversed, the reference kept by the posted original) and matched again gets a
    /// reference of its own: `base`, or `base#2`, `base#3`, … when a line is matched again after an unmatch: each probe is an indexed equality
    /// lookup on (company_id, external_ref), so the common first match costs one index probe whatever the ledger's size.
    static func freshReference(_ db: any SQLDatabase, company: CompanyID, _ base: String) async throws -> String {
        for attempt in 1...Limits.rematchesPerLine {
            let candidate = attempt == 1 ? base : "\(base)#\(attempt)"
            if try await db.raw(
                "SELECT id FROM entries WHERE company_id = \(bind: company.description) AND external_ref = \(bind: candidate)"
            ).first() == nil {
                return candidate
            }
        }
        throw DomainError(
            "bank.too_many_rematches", kind: .conflict, field: "line",
            "You cannot match this line again because it has been matched \(Limits.rematchesPerLine) times; post the correction by hand.")
    }
}
