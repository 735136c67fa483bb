import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp

struct AccountDTO: Codable {
    let code: String
    let name: String
    let type: String
    let parent: String?
    let postable: Bool
    let requiresPartner: Bool
    let active: Bool

    init(_ account: Account) {
        code = account.code.value
        name = account.name
        type = account.type.safTName
        parent = account.parent
        postable = account.isPostable
        requiresPartner = account.requiresPartner
        active = account.isActive
    }
}

struct AccountBody: Decodable {
    let code: String
    let name: String
}

struct AccountUpdateBody: Decodable {
    let name: String?
    let active: Bool?
}

/// Amounts travel as decimal strings ("1234.50"), never as floating-point numbers.
struct LineBody: Codable {
    let account: String
    let debit: String?
    let credit: String?
    let partner: String?
    let description: String?
    let currency: String?
    let amountCurrency: String?
    let rate: String?
    /// The document the line comes from (`invoice`, `payment`, `payslip` …) and its id.
    var sourceType: String? = nil
    var sourceId: String? = nil
}

struct EntryBody: Decodable {
    let journal: String
    let date: String
    let description: String
    let externalRef: String?
    let lines: [LineBody]
    /// Post at once (default) or save a draft.
    let post: Bool?
}

struct ReverseBody: Decodable { let date: String? }

public struct LineDTO: Codable, Sendable {
    let account: String
    let debit: String
    let credit: String
    let partner: String?
    let description: String?
    let currency: String?
    let amountCurrency: String?
    let rate: String?
    let sourceType: String?
    let sourceId: String?
}

/// An entry as the API and the CLI show it: amounts as decimal strings.
public struct EntryAPIDTO: Encodable, Sendable {
    let id: Int64
    let number: String?
    let seq: Int64?
    let journal: String
    let date: String
    let description: String
    let state: String
    let externalRef: String?
    let reverses: Int64?
    let reversedBy: Int64?
    let hash: String?
    let lines: [LineDTO]

    public init(_ entry: PostedEntry) {
        id = entry.id.rawValue
        number = entry.number
        seq = entry.seq
        journal = entry.journal
        date = entry.date.iso
        description = entry.description
        state = entry.state.rawValue
        externalRef = entry.externalRef
        reverses = entry.reverses?.rawValue
        reversedBy = entry.reversedBy?.rawValue
        hash = entry.hash
        lines = entry.lines.map { line in
            LineDTO(
                account: line.account, debit: Money(minorUnits: line.debit, currency: .ron).decimalString,
                credit: Money(minorUnits: line.credit, currency: .ron).decimalString, partner: line.partner, description: line.description,
                currency: line.currency, amountCurrency: line.amountCurrency.map { Money(minorUnits: $0, currency: .eur).decimalString },
                rate: line.rate.map { "\($0)" }, sourceType: line.source?.type, sourceId: line.source?.id)
        }
    }
}

/// Turns submitted entry fields into a draft, or every problem with them (fields named `lines[i].debit` …).
enum EntryInput {
    static func draft(
        journal: String, date: String, description: String, externalRef: String?, lines: [LineBody]
    ) throws(ValidationErrors)
        -> EntryDraft
    {
        var problems = ProblemCollector()
        let day = problems.collect { () throws(DomainError) in try LocalDate(iso: date, field: "date") }
        var parsed: [EntryLine] = []
        for (index, line) in lines.enumerated() {
            let field = "lines[\(index)]"
            func amount(_ text: String?, _ name: String) -> Int64 {
                guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return 0 }
                return problems.collect { () throws(DomainError) in
                    try Money(parsing: text, currency: .ron, field: "\(field).\(name)").minorUnits
                } ?? 0
            }
            var rate: Decimal?
            if let text = line.rate, !text.isEmpty {
                rate = Decimal(string: text)
                if rate == nil {
                    problems.add(
                        DomainError(
                            "ledger.rate_format", field: "\(field).rate", "You cannot use '\(text)' as a rate because it is not a number."))
                }
            }
            let currencyAmount = line.amountCurrency.flatMap { $0.isEmpty ? nil : $0 }.map { amount($0, "amount_currency") }
            parsed.append(
                EntryLine(
                    account: line.account.trimmingCharacters(in: .whitespaces), debit: amount(line.debit, "debit"),
                    credit: amount(line.credit, "credit"), partner: line.partner.flatMap { $0.isEmpty ? nil : $0 },
                    description: line.description.flatMap { $0.isEmpty ? nil : $0 },
                    currency: line.currency.flatMap { $0.isEmpty ? nil : $0.uppercased() }, amountCurrency: currencyAmount, rate: rate,
                    source: line.sourceType.flatMap { type in type.isEmpty ? nil : SourceReference(type: type, id: line.sourceId ?? "") }))
        }
        try problems.throwIfAny()
        return EntryDraft(journal: journal, date: day!, description: description, externalRef: externalRef, lines: parsed)
    }
}

/// `/api/v1` for the ledger: accounts, entries (draft, post, reverse) and reports.
struct LedgerAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/api/v1/accounts", use: accounts)
        protect(.accounting, .write).post("/api/v1/accounts", use: addAccount)
        protect(.accounting, .write).put("/api/v1/accounts/{code}", use: updateAccount)
        protect(.accounting, .write).delete("/api/v1/accounts/{code}", use: deleteAccount)
        protect(.accounting, .read).get("/api/v1/entries", use: entries)
        protect(.accounting, .write).post("/api/v1/entries", use: createEntry)
        protect(.accounting, .read).get("/api/v1/entries/{id}", use: entry)
        protect(.accounting, .write).post("/api/v1/entries/{id}/post", use: postDraft)
        protect(.accounting, .write).post("/api/v1/entries/{id}/reverse", use: reverse)
        protect(.accounting, .write).delete("/api/v1/entries/{id}", use: deleteDraft)
        protect(.accounting, .read).get("/api/v1/ledger/settings", use: settings)
        protect(.company, .write).put("/api/v1/ledger/settings", use: updateSettings)
        protect(.accounting, .read).get("/api/v1/journals", use: journals)
        protect(.accounting, .write).post("/api/v1/journals", use: addJournal)
        protect(.accounting, .write).post("/api/v1/periods/{month}/close", use: closePeriod)
        protect(.company, .write).post("/api/v1/periods/{month}/reopen", use: reopenPeriod)
        protect(.accounting, .read).get("/api/v1/reports/trial-balance", use: trialBalance)
        protect(.accounting, .read).get("/api/v1/reports/account-sheet", use: accountSheet)
        protect(.accounting, .read).get("/api/v1/reports/balance-sheet", use: balanceSheet)
        protect(.accounting, .read).get("/api/v1/reports/profit-loss", use: profitLoss)
        protect(.accounting, .read).get("/api/v1/reports/partner-balances", use: partnerBalances)
    }

    static func query(_ request: Request, _ key: String) -> String? {
        request.uri.queryParameters[Substring(key)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func date(_ request: Request, _ key: String, _ problems: inout ProblemCollector) -> LocalDate? {
        guard let text = query(request, key) else { return nil }
        return problems.collect { () throws(DomainError) in try LocalDate(iso: text, field: key) }
    }

    static func page(_ request: Request, _ problems: inout ProblemCollector) -> PageRequest {
        problems.collect { () throws(ValidationErrors) in
            try PageRequest(limit: query(request, "limit").flatMap { Int($0) }, offset: query(request, "offset").flatMap { Int($0) })
        } ?? .first
    }

    static func entryID(_ context: WebContext) throws -> EntryID {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { throw WebError.notFound }
        return EntryID(id)
    }

    @Sendable func accounts(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let accounts = try await culise.accounts(company: p.companyID, actor: .user(p))
        return try JSON.response(
            ListDTO(Page(items: accounts, total: accounts.count, offset: 0, limit: max(accounts.count, 1))) { AccountDTO($0) })
    }

    @Sendable func addAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(AccountBody.self, from: buffer)
            let account = try await culise.addAccount(company: p.companyID, code: body.code, name: body.name, type: nil, actor: .user(p))
            return try APIRoutes.encoded(AccountDTO(account), status: .created)
        }
    }

    @Sendable func updateAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let body = try JSON.decode(AccountUpdateBody.self, from: try await APIRoutes.body(request))
        try await culise.updateAccount(company: p.companyID, code: code, name: body.name, active: body.active, actor: .user(p))
        return Response(status: .noContent)
    }

    @Sendable func deleteAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        try await culise.deleteAccount(company: p.companyID, code: code, actor: .user(p))
        return Response(status: .noContent)
    }

    @Sendable func entries(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let from = Self.date(request, "from", &problems)
        let to = Self.date(request, "to", &problems)
        let page = Self.page(request, &problems)
        let state = Self.query(request, "state").flatMap(EntryState.init(rawValue:))
        try problems.throwIfAny()
        let result = try await culise.entries(
            company: p.companyID, from: from, to: to, journal: Self.query(request, "journal"), state: state, page: page, actor: .user(p))
        return try JSON.response(ListDTO(result) { EntryAPIDTO($0) })
    }

    @Sendable func createEntry(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(EntryBody.self, from: buffer)
            let draft = try EntryInput.draft(
                journal: body.journal, date: body.date, description: body.description, externalRef: body.externalRef, lines: body.lines)
            let id: EntryID
            if body.post ?? true {
                id = try await culise.postEntry(company: p.companyID, draft, actor: .user(p))
            } else {
                id = try await culise.saveDraft(company: p.companyID, draft, actor: .user(p))
            }
            return try APIRoutes.encoded(EntryAPIDTO(try await culise.entry(company: p.companyID, id, actor: .user(p))), status: .created)
        }
    }

    @Sendable func entry(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(EntryAPIDTO(try await culise.entry(company: p.companyID, try Self.entryID(context), actor: .user(p))))
    }

    @Sendable func postDraft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.entryID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try await culise.postDraft(company: p.companyID, id, actor: .user(p))
            return try APIRoutes.encoded(EntryAPIDTO(try await culise.entry(company: p.companyID, id, actor: .user(p))), status: .ok)
        }
    }

    @Sendable func reverse(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.entryID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = buffer.readableBytes == 0 ? ReverseBody(date: nil) : try JSON.decode(ReverseBody.self, from: buffer)
            let date = try body.date.map { text throws(DomainError) in try LocalDate(iso: text, field: "date") }
            let reversal = try await culise.reverseEntry(company: p.companyID, id, on: date, actor: .user(p))
            return try APIRoutes.encoded(
                EntryAPIDTO(try await culise.entry(company: p.companyID, reversal, actor: .user(p))), status: .created)
        }
    }

    @Sendable func deleteDraft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try await culise.deleteDraft(company: p.companyID, try Self.entryID(context), actor: .user(p))
        return Response(status: .noContent)
    }

    struct SettingsBody: Codable {
        /// `YYYY-MM-DD`, or null to remove the lock.
        let lockDate: String?
        let reversalStyle: String
    }

    @Sendable func settings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let settings = try await culise.ledgerSettings(company: p.companyID, actor: .user(p))
        return try JSON.response(SettingsBody(lockDate: settings.lockDate?.iso, reversalStyle: settings.reversalStyle.rawValue))
    }

    @Sendable func updateSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(SettingsBody.self, from: try await APIRoutes.body(request))
        var problems = ProblemCollector()
        let lock = body.lockDate.flatMap { text in
            problems.collect { () throws(DomainError) in try LocalDate(iso: text, field: "lock_date") }
        }
        let style = ReversalStyle(rawValue: body.reversalStyle)
        if style == nil {
            problems.add(
                DomainError(
                    "ledger.reversal_style", field: "reversal_style",
                    "You cannot use '\(body.reversalStyle)' because the styles are negative and swapped."))
        }
        try problems.throwIfAny()
        try await culise.setLockDate(company: p.companyID, lock, actor: .user(p))
        try await culise.setReversalStyle(company: p.companyID, style!, actor: .user(p))
        return try JSON.response(body)
    }

    @Sendable func journals(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let journals = try await culise.journals(company: p.companyID, actor: .user(p))
        return try JSON.response(ListDTO(Page(items: journals, total: journals.count, offset: 0, limit: max(journals.count, 1))) { $0 })
    }

    struct JournalBody: Decodable {
        let code: String
        let name: String
        let firstNumber: Int64?
    }

    @Sendable func addJournal(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(JournalBody.self, from: buffer)
            try await culise.addJournal(
                company: p.companyID, code: body.code, name: body.name, firstNumber: body.firstNumber ?? 1, actor: .user(p))
            let created = try await culise.journals(company: p.companyID, actor: .user(p)).first { $0.code == body.code.uppercased() }
            return try APIRoutes.encoded(created, status: .created)
        }
    }

    /// Closes or reopens the month in the path (`YYYY-MM`).
    func periodAction(
        _ request: Request, _ context: WebContext, _ action: @escaping @Sendable (Principal, YearMonth) async throws -> Void
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try YearMonth(text: context.parameters.get("month") ?? "")
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try await action(p, month)
            return StoredResponse(status: 204, contentType: "application/json", body: "")
        }
    }

    @Sendable func closePeriod(_ request: Request, context: WebContext) async throws -> Response {
        try await periodAction(request, context) { p, month in try await culise.closePeriod(company: p.companyID, month, actor: .user(p)) }
    }

    @Sendable func reopenPeriod(_ request: Request, context: WebContext) async throws -> Response {
        try await periodAction(request, context) { p, month in try await culise.reopenPeriod(company: p.companyID, month, actor: .user(p)) }
    }

    @Sendable func trialBalance(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let from = Self.date(request, "from", &problems)
        let to = Self.date(request, "to", &problems)
        try problems.throwIfAny()
        let report = try await culise.trialBalance(company: p.companyID, from: from, to: to, actor: .user(p))
        if Self.query(request, "format") == "csv" {
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"balanta.csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: report.csv())))
        }
        return try JSON.response(report)
    }

    @Sendable func accountSheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let from = Self.date(request, "from", &problems)
        let to = Self.date(request, "to", &problems)
        let page = Self.page(request, &problems)
        let account = Self.query(request, "account")
        if account == nil {
            problems.add(DomainError("report.account_required", field: "account", "To show an account sheet, you must name the account."))
        }
        try problems.throwIfAny()
        let sheet = try await culise.accountSheet(
            company: p.companyID, account: account!, partner: Self.query(request, "partner"), from: from, to: to, page: page,
            actor: .user(p))
        return try JSON.response(sheet)
    }

    @Sendable func balanceSheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let to = Self.date(request, "to", &problems)
        try problems.throwIfAny()
        return try JSON.response(try await culise.balanceSheet(company: p.companyID, asOf: to, actor: .user(p)))
    }

    @Sendable func profitLoss(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let from = Self.date(request, "from", &problems)
        let to = Self.date(request, "to", &problems)
        try problems.throwIfAny()
        return try JSON.response(try await culise.profitAndLoss(company: p.companyID, from: from, to: to, actor: .user(p)))
    }

    @Sendable func partnerBalances(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let to = Self.date(request, "to", &problems)
        try problems.throwIfAny()
        return try JSON.response(
            try await culise.partnerBalances(
                company: p.companyID, account: Self.query(request, "account") ?? "4111", asOf: to, actor: .user(p)))
    }
}
