import Application
import Banking
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

/// Cash limits (Law 70/2015 on cash payments, as amended): configurable per company, checked on every cash payment.
public struct CashLimits: Sendable, Codable, Equatable {
    /// Cash received from or paid to one legal person per day (RON minor units; default 5,000 lei).
    public var partnerPerDay: Int64
    /// Cash received from or paid to one individual in one transaction (default 10,000 lei).
    public var individualPerTransaction: Int64
    /// The most cash the register may hold at the end of a day; nil: no ceiling.
    public var registerCeiling: Int64?

    public static let defaults = CashLimits(partnerPerDay: 500_000, individualPerTransaction: 1_000_000, registerCeiling: nil)

    public init(partnerPerDay: Int64, individualPerTransaction: Int64, registerCeiling: Int64?) {
        self.partnerPerDay = partnerPerDay
        self.individualPerTransaction = individualPerTransaction
        self.registerCeiling = registerCeiling
    }
}

/// One line of the cash register (registrul de casă).
public struct CashRegisterLine: Sendable, Codable, Equatable {
    public var entryID: Int64
    public var document: String?
    public var description: String
    public var receipt: Int64
    public var payment: Int64
    public var balance: Int64
}

/// The cash register of one day: opening balance, the day's documents, closing balance.
public struct CashRegisterDay: Sendable, Codable, Equatable {
    public var account: String
    public var date: LocalDate
    public var opening: Int64
    public var lines: [CashRegisterLine]
    public var closing: Int64
    public var warnings: [String]
}

/// A cash movement that is not a customer or supplier payment: a withdrawal from the bank (581), an advance to an
/// employee (542), a deposit… Numbered as a dispoziție de încasare (DI) or de plată (DP).
public struct CashOperationInput: Sendable, Codable, Equatable {
    /// `in` or `out`.
    public var direction: String
    public var date: String?
    public var amount: String
    public var counterAccount: String
    public var description: String
    public var account: String?
    public var partner: String?

    public init(
        direction: String, date: String? = nil, amount: String, counterAccount: String, description: String, account: String? = nil,
        partner: String? = nil
    ) {
        self.direction = direction
        self.date = date
        self.amount = amount
        self.counterAccount = counterAccount
        self.description = description
        self.account = account
        self.partner = partner
    }
}

public struct CashOperationRecord: Sendable, Codable, Equatable {
    public var document: String
    public var entryID: Int64
    public var warnings: [String]
}

extension Culise {
    /// The next number of a cash document series, per year: `CH-2026-000001` (chitanță), `DP-…` (dispoziție de plată),
    /// `DI-…` (dispoziție de încasare). Gapless: the counter row is updated in the caller's transaction.
    static func nextCashNumber(_ db: any SQLDatabase, company: CompanyID, kind: String, year: Int) async throws -> String {
        let cid = company.description
        try await db.raw(
            """
            INSERT INTO cash_counters (company_id, kind, year, next_number) VALUES (\(bind: cid), \(bind: kind), \(bind: year), 1)
            ON CONFLICT (company_id, kind, year) DO NOTHING
            """
        ).run()
        let next = try await db.raw(
            """
            UPDATE cash_counters SET next_number = next_number + 1 WHERE company_id = \(bind: cid) AND kind = \(bind: kind) AND year = \(bind: year)
            RETURNING next_number
            """
        ).first()!.decode(column: "next_number", as: Int64.self)
        return String(format: "%@-%04d-%06lld", kind, year, next - 1)
    }

    static func cashLimits(_ db: any SQLDatabase, company: CompanyID) async throws -> CashLimits {
        guard
            let row = try await db.raw(
                "SELECT cash_limit_partner_day, cash_limit_individual, cash_register_ceiling FROM banking_settings WHERE company_id = \(bind: company.description)"
            ).first()
        else { return .defaults }
        return CashLimits(
            partnerPerDay: try row.decode(column: "cash_limit_partner_day", as: Int64.self),
            individualPerTransaction: try row.decode(column: "cash_limit_individual", as: Int64.self),
            registerCeiling: try row.decode(column: "cash_register_ceiling", as: Int64?.self))
    }

    public func cashLimits(company: CompanyID, actor: Actor) async throws -> CashLimits {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await Self.cashLimits(db, company: company) }
    }

    public func setCashLimits(company: CompanyID, _ limits: CashLimits, actor: Actor) async throws {
        try actor.require(.banking, .write, in: company)
        var problems = ProblemCollector()
        let ceiling = Limits.amountMinorUnits
        problems.check(
            (1...ceiling).contains(limits.partnerPerDay),
            DomainError(
                "cash.limit", field: "partner_per_day", "You cannot set a daily limit of 0 or less, or above \(Money.ceilingText)."))
        problems.check(
            (1...ceiling).contains(limits.individualPerTransaction),
            DomainError(
                "cash.limit", field: "individual_per_transaction",
                "You cannot set a transaction limit of 0 or less, or above \(Money.ceilingText)."))
        problems.check(
            (1...ceiling).contains(limits.registerCeiling ?? 1),
            DomainError(
                "cash.limit", field: "register_ceiling", "You cannot set a register ceiling of 0 or less, or above \(Money.ceilingText)."))
        try problems.throwIfAny()
        try await transaction { db in
            let before = try await Self.cashLimits(db, company: company)
            try await db.raw(
                """
                INSERT INTO banking_settings (company_id, cash_limit_partner_day, cash_limit_individual, cash_register_ceiling)
                VALUES (\(bind: company.description), \(bind: limits.partnerPerDay), \(bind: limits.individualPerTransaction), \(bind: limits.registerCeiling))
                ON CONFLICT (company_id) DO UPDATE SET cash_limit_partner_day = \(bind: limits.partnerPerDay),
                    cash_limit_individual = \(bind: limits.individualPerTransaction), cash_register_ceiling = \(bind: limits.registerCeiling)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "cash.limits", entity: "company", entityID: company.description,
                changes: [
                    FieldChange("partner_per_day", before: String(before.partnerPerDay), after: String(limits.partnerPerDay)),
                    FieldChange(
                        "individual_per_transaction", before: String(before.individualPerTransaction),
                        after: String(limits.individualPerTransaction)),
                    FieldChange(
                        "register_ceiling", before: before.registerCeiling.map(String.init), after: limits.registerCeiling.map(String.init)),
                ], now: self.now)
        }
    }

    /// Warnings (never refusals: the law puts the duty on the company) for a cash payment above the configured limits.
    static func cashLimitWarnings(
        _ db: any SQLDatabase, company: CompanyID, partner: Partner, date: LocalDate, amountRON: Int64, incoming: Bool
    ) async throws -> [String] {
        let limits = try await cashLimits(db, company: company)
        var warnings: [String] = []
        if partner.kind == .individual {
            if amountRON > limits.individualPerTransaction {
                warnings.append(
                    "cash.limit_individual: \(DecimalText.amount(amountRON)) RON in cash \(incoming ? "from" : "to") \(partner.name) is above the \(DecimalText.amount(limits.individualPerTransaction)) RON limit per transaction with an individual (Law 70/2015)."
                )
            }
        } else {
            let earlier =
                try await db.raw(
                    """
                    SELECT CAST(SUM(amount) AS BIGINT) AS s FROM payments WHERE company_id = \(bind: company.description) AND method = 'cash' AND currency = 'RON'
                        AND partner_code = \(bind: partner.code) AND date = \(bind: date.iso) AND reversal_entry_id IS NULL
                    """
                ).first()?.decode(column: "s", as: Int64?.self) ?? 0
            if earlier + amountRON > limits.partnerPerDay {
                warnings.append(
                    "cash.limit_partner_day: \(DecimalText.amount(earlier + amountRON)) RON in cash with \(partner.name) on \(date.iso) is above the \(DecimalText.amount(limits.partnerPerDay)) RON daily limit per partner (Law 70/2015)."
                )
            }
        }
        return warnings
    }

    /// A cash register never goes below zero (a credit balance on 531x is an error in the books).
    static func requireCashNotNegative(
        _ db: any SQLDatabase, company: CompanyID, account: String, date: LocalDate, change: Int64
    ) async throws {
        guard change < 0, account.hasPrefix("531") else { return }
        let row = try await db.raw(
            """
            SELECT CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines
            WHERE company_id = \(bind: company.description) AND account = \(bind: account) AND posted = \(bind: true) AND date <= \(bind: date.iso)
            """
        ).first()
        let balance = (try row?.decode(column: "d", as: Int64?.self) ?? 0) - (try row?.decode(column: "c", as: Int64?.self) ?? 0)
        if balance + change < 0 {
            throw DomainError(
                "cash.negative", kind: .conflict, field: "amount",
                "You cannot pay \(DecimalText.amount(-change)) from cash account \(account) on \(date.iso) because it holds only \(DecimalText.amount(balance)); record the cash received first."
            )
        }
    }

    /// A numbered cash movement without an invoice (DI/DP): `5311 = 581` for cash withdrawn from the bank, `542 = 5311` for an advance…
    public func recordCashOperation(company: CompanyID, _ input: CashOperationInput, actor: Actor) async throws -> CashOperationRecord {
        try actor.require(.banking, .write, in: company)
        return try await transaction { db in
            var problems = ProblemCollector()
            let incoming = input.direction == "in"
            problems.check(
                ["in", "out"].contains(input.direction),
                DomainError("cash.direction", field: "direction", "You cannot use direction '\(input.direction)'; use in or out."))
            var date = LocalDate.today(now: self.clock())
            if let text = input.date?.nilIfEmptyText {
                if let parsed = try? LocalDate(iso: text) {
                    date = parsed
                } else {
                    problems.add(DomainError("cash.date", field: "date", "You cannot use '\(text)' as a date; write it YYYY-MM-DD."))
                }
            }
            let amount = DecimalText.parse(input.amount, scale: 2).map(InvoiceMath.minor)
            if (amount ?? 0) <= 0 {
                problems.add(
                    NumberText.ambiguityIfAny(input.amount, scale: 2, field: "amount")
                        ?? DomainError("cash.amount", field: "amount", "You cannot record '\(input.amount)'; use an amount above 0."))
            }
            let account = input.account?.nilIfEmptyText ?? TreasuryAccounts.cashRON
            let description = input.description.trimmingCharacters(in: .whitespaces)
            problems.check(
                !description.isEmpty && description.count <= Limits.nameLength,
                DomainError(
                    "cash.description", field: "description",
                    "To record a cash operation, you must say what it is (at most 200 characters)."))
            let postable = try await Self.postableAccounts(db, company: company, among: [account, input.counterAccount])
            problems.check(
                postable.contains(account) && account.hasPrefix("531"),
                DomainError(
                    "cash.account", field: "account", "You cannot use '\(account)' as the cash account; use a postable 531x account."))
            problems.check(
                postable.contains(input.counterAccount),
                DomainError(
                    "cash.counter_account", field: "counter_account",
                    "You cannot use account '\(input.counterAccount)' because it is not a postable account."))
            try problems.throwIfAny()
            guard let amount else {
                throw DomainError("cash.amount", field: "amount", "You cannot record a cash operation without an amount.")
            }
            try await Self.requireCashNotNegative(db, company: company, account: account, date: date, change: incoming ? amount : -amount)
            let number = try await Self.nextCashNumber(db, company: company, kind: incoming ? "DI" : "DP", year: date.year)
            let draft = CashPosting.entry(
                CashPosting.Operation(
                    number: number, date: date, incoming: incoming, cashAccount: account, counterAccount: input.counterAccount,
                    partner: input.partner?.nilIfEmptyText, amount: amount, description: description))
            let rules = try await LedgerEngine.rules(db, company: company, only: [account, input.counterAccount])
            let entryProblems = EntryValidator.problems(draft, rules: rules)
            if !entryProblems.isEmpty { throw ValidationErrors(entryProblems) }
            let entry = try await LedgerEngine.post(
                db, company: company, entries: [EntryToWrite(draft: draft)], createdBy: actor.auditName, now: self.nowText)[0]
            var warnings: [String] = []
            let limits = try await Self.cashLimits(db, company: company)
            if let ceiling = limits.registerCeiling, incoming {
                let day = try await self.registerDayInside(db, company: company, account: account, date: date)
                if day.closing > ceiling {
                    warnings.append(
                        "cash.ceiling: the register closes \(date.iso) at \(DecimalText.amount(day.closing)) RON, above the ceiling of \(DecimalText.amount(ceiling)) RON; deposit the excess."
                    )
                }
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "cash.operation", entity: "cash", entityID: number,
                changes: [
                    FieldChange("amount", before: nil, after: DecimalText.amount(amount)),
                    FieldChange("counter_account", before: nil, after: input.counterAccount),
                ], now: self.now)
            return CashOperationRecord(document: number, entryID: entry.rawValue, warnings: warnings)
        }
    }

    /// The cash register (registrul de casă) of one day.
    public func cashRegister(
        company: CompanyID, account: String = TreasuryAccounts.cashRON, date: LocalDate, actor: Actor
    ) async throws -> CashRegisterDay {
        try actor.require(.banking, .read, in: company)
        return try await read { db in try await self.registerDayInside(db, company: company, account: account, date: date) }
    }

    func registerDayInside(_ db: any SQLDatabase, company: CompanyID, account: String, date: LocalDate) async throws -> CashRegisterDay {
        let cid = company.description
        let before = try await db.raw(
            """
            SELECT CAST(SUM(debit) AS BIGINT) AS d, CAST(SUM(credit) AS BIGINT) AS c FROM entry_lines
            WHERE company_id = \(bind: cid) AND account = \(bind: account) AND posted = \(bind: true) AND date < \(bind: date.iso)
            """
        ).first()
        let opening = (try before?.decode(column: "d", as: Int64?.self) ?? 0) - (try before?.decode(column: "c", as: Int64?.self) ?? 0)
        let rows = try await db.raw(
            """
            SELECT l.entry_id AS entry_id, e.description AS description, e.external_ref AS external_ref, CAST(SUM(l.debit) AS BIGINT) AS d, CAST(SUM(l.credit) AS BIGINT) AS c
            FROM entry_lines l JOIN entries e ON e.company_id = l.company_id AND e.id = l.entry_id
            WHERE l.company_id = \(bind: cid) AND l.account = \(bind: account) AND l.posted = \(bind: true) AND l.date = \(bind: date.iso)
            GROUP BY l.entry_id, e.description, e.external_ref ORDER BY l.entry_id
            """
        ).all()
        // Document numbers of cash payments (chitanțe, dispoziții) by their entry.
        let numbers = try await db.raw(
            "SELECT entry_id, document_number FROM payments WHERE company_id = \(bind: cid) AND method = 'cash' AND date = \(bind: date.iso)"
        ).all().reduce(into: [Int64: String]()) { map, row in
            if let number = try row.decode(column: "document_number", as: String?.self) {
                map[try row.decode(column: "entry_id", as: Int64.self)] = number
            }
        }
        var balance = opening
        var lines: [CashRegisterLine] = []
        for row in rows {
            let entry = try row.decode(column: "entry_id", as: Int64.self)
            let debit = try row.decode(column: "d", as: Int64?.self) ?? 0
            let credit = try row.decode(column: "c", as: Int64?.self) ?? 0
            balance += debit - credit
            let external = try row.decode(column: "external_ref", as: String?.self)
            let document = numbers[entry] ?? (external?.hasPrefix("cash:") == true ? String(external!.dropFirst(5)) : nil)
            lines.append(
                CashRegisterLine(
                    entryID: entry, document: document, description: try row.decode(column: "description", as: String.self),
                    receipt: max(0, debit - credit),
                    payment: max(0, credit - debit), balance: balance))
        }
        var warnings: [String] = []
        if let ceiling = try await Self.cashLimits(db, company: company).registerCeiling, balance > ceiling {
            warnings.append(
                "cash.ceiling: the register closes at \(DecimalText.amount(balance)) RON, above the ceiling of \(DecimalText.amount(ceiling)) RON."
            )
        }
        if balance < 0 { warnings.append("cash.negative: the register closes below zero; a cash receipt is missing.") }
        return CashRegisterDay(account: account, date: date, opening: opening, lines: lines, closing: balance, warnings: warnings)
    }
}
