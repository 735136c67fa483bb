import Application
import Assembly
import Banking
import BankingApp
import Foundation
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

struct BankAccountDTO: Codable {
    let id: String
    let name: String
    let kind: String
    let iban: String?
    let currency: String
    let ledgerAccount: String
    let autoThreshold: Int?

    init(_ account: BankAccountRecord) {
        id = account.id.description
        name = account.name
        kind = account.kind.rawValue
        iban = account.iban
        currency = account.currency.code
        ledgerAccount = account.ledgerAccount
        autoThreshold = account.autoThreshold
    }
}

struct BankLineDTO: Codable {
    let id: String
    let account: String
    let bookingDate: String
    let valueDate: String?
    let amount: String
    let currency: String
    let bankReference: String?
    let reference: String?
    let counterpartyName: String?
    let counterpartyIban: String?
    let details: String
    let state: String
    let paymentId: String?
    let entryId: Int64?
    let feeEntryId: Int64?
    let matchAccount: String?
    let matchPartner: String?
    let matchDocuments: [String]
    let score: Int?
    let explanation: String?
    let automatic: Bool
    let matchedBy: String?

    init(_ line: BankLineRecord) {
        id = line.id.description
        account = line.account.description
        bookingDate = line.bookingDate.iso
        valueDate = line.valueDate?.iso
        amount = DecimalText.amount(line.amount.minorUnits)
        currency = line.currency.code
        bankReference = line.bankReference
        reference = line.reference
        counterpartyName = line.counterpartyName
        counterpartyIban = line.counterpartyIBAN
        details = line.details
        state = line.state.rawValue
        paymentId = line.paymentID
        entryId = line.entryID
        feeEntryId = line.feeEntryID
        matchAccount = line.matchAccount
        matchPartner = line.matchPartner
        matchDocuments = (line.matchDocuments ?? "").split(separator: ",").map(String.init)
        score = line.score
        explanation = line.explanation(language: "en")
        automatic = line.automatic
        matchedBy = line.matchedBy
    }
}

struct CandidateDTO: Codable {
    struct Allocation: Codable {
        let kind: String
        let id: String
        let number: String
        let amount: String
    }

    let rank: Int
    let score: Int
    let allocations: [Allocation]
    let account: String?
    let partner: String?
    let explanation: String
    let signals: [[String: String]]

    init(_ candidate: MatchCandidate, rank: Int, language: String) {
        self.rank = rank
        score = candidate.score
        allocations = candidate.allocations.map {
            Allocation(kind: $0.kind.rawValue, id: $0.id, number: $0.number, amount: DecimalText.amount($0.amount))
        }
        account = candidate.account
        partner = candidate.partner
        explanation = candidate.explanation(language: language)
        signals = candidate.signals.map { ["code": $0.code, "points": String($0.points), "text": language == "en" ? $0.en : $0.ro] }
    }
}

struct ReviewDTO: Codable {
    let line: BankLineDTO
    let candidates: [CandidateDTO]
    let automatic: Bool
    let reviewReason: String?

    init(_ item: ReviewItem, language: String) {
        line = BankLineDTO(item.line)
        candidates = item.proposal.candidates.enumerated().map { CandidateDTO($1, rank: $0, language: language) }
        automatic = item.proposal.automatic
        reviewReason = item.proposal.reviewReason
    }
}

/// `/api/v1/bank`, `/api/v1/cash` and `/api/v1/fx`: accounts, statement imports, lines and their candidates, matching,
/// rules, CSV profiles, status, the reconciliation statement, the cash register and exchange rates.
struct BankAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        let read = protect(.banking, .read)
        let write = protect(.banking, .write)
        read.get("/api/v1/bank/accounts", use: accounts)
        write.post("/api/v1/bank/accounts", use: addAccount)
        write.put("/api/v1/bank/accounts/{id}", use: updateAccount)
        read.get("/api/v1/bank/accounts/{id}/reconciliation", use: statement)
        read.get("/api/v1/bank/status", use: status)
        write.post("/api/v1/bank/imports", use: importStatement)
        read.get("/api/v1/bank/lines", use: lines)
        read.get("/api/v1/bank/lines/{id}", use: line)
        write.post("/api/v1/bank/lines/{id}/match", use: match)
        write.post("/api/v1/bank/lines/{id}/unmatch", use: unmatch)
        read.get("/api/v1/bank/review", use: review)
        write.post("/api/v1/bank/reconcile", use: reconcile)
        read.get("/api/v1/bank/rules", use: rules)
        write.post("/api/v1/bank/rules", use: addRule)
        write.delete("/api/v1/bank/rules/{id}", use: deleteRule)
        read.get("/api/v1/bank/csv-profiles", use: profiles)
        write.post("/api/v1/bank/csv-profiles", use: saveProfile)
        read.get("/api/v1/cash/register", use: register)
        write.post("/api/v1/cash/operations", use: cashOperation)
        read.get("/api/v1/cash/limits", use: limits)
        write.put("/api/v1/cash/limits", use: setLimits)
        protect(.accounting, .read).get("/api/v1/fx/rate", use: rate)
        protect(.accounting, .write).post("/api/v1/fx/rates", use: importRates)
        protect(.accounting, .write).post("/api/v1/fx/revaluations", use: revalue)
    }

    func account(_ context: WebContext) throws -> BankAccountID { try InvoiceAPI.id(context, BankAccountID.init(string:)) }

    @Sendable func accounts(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.bankAccounts(company: p.companyID, actor: .user(p)).map(BankAccountDTO.init)])
    }

    @Sendable func addAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(BankAccountInput.self, from: buffer)
            return try APIRoutes.encoded(
                BankAccountDTO(try await culise.addBankAccount(company: p.companyID, input, actor: .user(p))), status: .created)
        }
    }

    struct AccountUpdate: Decodable {
        var name: String?
        var autoThreshold: Int?
    }

    @Sendable func updateAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(AccountUpdate.self, from: try await APIRoutes.body(request))
        let updated = try await culise.updateBankAccount(
            company: p.companyID, id: try account(context), name: body.name, autoThreshold: body.autoThreshold, actor: .user(p))
        return try JSON.response(BankAccountDTO(updated))
    }

    struct StatusDTO: Codable {
        let account: BankAccountDTO
        let lines: Int
        let matched: Int
        let unmatched: Int
        let progress: Int
        let lastDate: String?
        let bankBalance: String?
        let ledgerBalance: String
    }

    @Sendable func status(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let rows = try await culise.bankStatus(company: p.companyID, actor: .user(p)).map {
            StatusDTO(
                account: BankAccountDTO($0.account), lines: $0.lines, matched: $0.matched, unmatched: $0.unmatched, progress: $0.progress,
                lastDate: $0.lastDate?.iso, bankBalance: $0.bankBalance.map(DecimalText.amount),
                ledgerBalance: DecimalText.amount($0.ledgerBalance))
        }
        return try JSON.response(["items": rows])
    }

    struct ImportDTO: Encodable {
        struct Statement: Encodable {
            let statement: String
            let account: String
            let iban: String
            let new: Int
            let duplicates: Int
            let duplicatePositions: [String]
            let warnings: [String]
            let firstDate: String?
            let lastDate: String?
        }

        let format: String
        let new: Int
        let duplicates: Int
        let statements: [Statement]
    }

    /// The statement file is the request body (up to 20 MiB); `format`, `profile`, `account` and `filename` are query parameters.
    @Sendable func importStatement(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var request = request
        let buffer = try await Body.collect(&request, limit: Limits.statementBytes)
        let report = try await culise.importStatement(
            company: p.companyID, data: Data(buffer: buffer), fileName: LedgerAPI.query(request, "filename") ?? "statement",
            format: LedgerAPI.query(request, "format"), profile: LedgerAPI.query(request, "profile"),
            accountReference: LedgerAPI.query(request, "account"), actor: .user(p))
        return try JSON.response(
            ImportDTO(
                format: report.format, new: report.new, duplicates: report.duplicates,
                statements: report.statements.map {
                    ImportDTO.Statement(
                        statement: $0.statement, account: $0.account.description, iban: $0.iban, new: $0.new, duplicates: $0.duplicates,
                        duplicatePositions: $0.duplicatePositions, warnings: $0.warnings, firstDate: $0.firstDate?.iso,
                        lastDate: $0.lastDate?.iso)
                }), status: .created)
    }

    @Sendable func lines(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        var state: BankLineState?
        if let text = LedgerAPI.query(request, "state") {
            state = problems.collect { () throws(DomainError) in try BankLineState(filter: text) }
        }
        var accountID: BankAccountID?
        if let text = LedgerAPI.query(request, "account") {
            accountID = BankAccountID(string: text)
            problems.check(
                accountID != nil, DomainError("bank.account", field: "account", "You cannot filter by account '\(text)'; give its id."))
        }
        try problems.throwIfAny()
        let result = try await culise.bankLines(company: p.companyID, account: accountID, state: state, page: page, actor: .user(p))
        return try JSON.response(ListDTO(result) { BankLineDTO($0) })
    }

    @Sendable func line(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankLineID.init(string:))
        return try JSON.response(
            ReviewDTO(try await culise.proposal(company: p.companyID, line: id, actor: .user(p)), language: context.locale))
    }

    @Sendable func match(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankLineID.init(string:))
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(BankMatchInput.self, from: buffer)
            return try APIRoutes.encoded(
                BankLineDTO(try await culise.confirmMatch(company: p.companyID, line: id, input, actor: .user(p))), status: .ok)
        }
    }

    @Sendable func unmatch(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankLineID.init(string:))
        return try JSON.response(BankLineDTO(try await culise.unmatch(company: p.companyID, line: id, actor: .user(p))))
    }

    @Sendable func review(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        let accountID = LedgerAPI.query(request, "account").flatMap(BankAccountID.init(string:))
        problems.check(
            accountID != nil, DomainError("bank.account", field: "account", "To list the review queue, you must give the account id."))
        try problems.throwIfAny()
        let queue = try await culise.reviewQueue(company: p.companyID, account: accountID!, page: page, actor: .user(p))
        return try JSON.response(ListDTO(queue) { ReviewDTO($0, language: context.locale) })
    }

    struct ReconcileBody: Decodable {
        var account: String?
        var threshold: Int?
    }

    @Sendable func reconcile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(ReconcileBody.self, from: try await APIRoutes.body(request))
        var accountID: BankAccountID?
        if let text = body.account {
            guard let id = BankAccountID(string: text) else {
                throw DomainError("bank.account", field: "account", "You cannot reconcile account '\(text)'; give its id.")
            }
            accountID = id
        }
        let report = try await culise.reconcile(company: p.companyID, account: accountID, threshold: body.threshold, actor: .user(p))
        return try JSON.response(report)
    }

    @Sendable func rules(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.bankRules(company: p.companyID, actor: .user(p))])
    }

    struct RuleBody: Decodable {
        var pattern: String
        var account: String
        var partner: String?
        var direction: String?
    }

    @Sendable func addRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(RuleBody.self, from: buffer)
            let rule = try await culise.addBankRule(
                company: p.companyID, pattern: body.pattern, account: body.account, partner: body.partner, direction: body.direction,
                actor: .user(p))
            return try APIRoutes.encoded(rule, status: .created)
        }
    }

    @Sendable func deleteRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try await culise.deleteBankRule(company: p.companyID, id: try InvoiceAPI.id(context, BankRuleID.init(string:)), actor: .user(p))
        return Response(status: .noContent)
    }

    @Sendable func profiles(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.csvProfiles(company: p.companyID, actor: .user(p))])
    }

    @Sendable func saveProfile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let profile = try JSON.decode(CSVProfile.self, from: buffer)
            try await culise.saveCSVProfile(company: p.companyID, profile, actor: .user(p))
            return try APIRoutes.encoded(profile, status: .created)
        }
    }

    @Sendable func statement(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? culise.today
        try problems.throwIfAny()
        let statement = try await culise.reconciliationStatement(
            company: p.companyID, account: try account(context), date: date, actor: .user(p))
        return try JSON.response(
            [
                "account": AnyEncodable(BankAccountDTO(statement.account)), "date": AnyEncodable(date.iso),
                "bank_balance": AnyEncodable(DecimalText.amount(statement.bankBalance)),
                "ledger_balance": AnyEncodable(DecimalText.amount(statement.ledgerBalance)),
                "bank_only": AnyEncodable(statement.bankOnly.map(BankLineDTO.init)),
                "bank_only_total": AnyEncodable(DecimalText.amount(statement.bankOnlyTotal)),
                "bank_only_count": AnyEncodable(statement.bankOnlyCount),
                "ledger_only_total": AnyEncodable(DecimalText.amount(statement.ledgerOnlyTotal)),
                "ledger_only_count": AnyEncodable(statement.ledgerOnlyCount),
                "ledger_only": AnyEncodable(
                    statement.ledgerOnly.map {
                        [
                            "entry_id": String($0.entryID), "number": $0.number ?? "", "date": $0.date.iso, "description": $0.description,
                            "amount": DecimalText.amount($0.amount),
                        ]
                    }),
                "difference": AnyEncodable(DecimalText.amount(statement.difference)),
            ])
    }

    @Sendable func register(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? culise.today
        try problems.throwIfAny()
        let register = try await culise.cashRegister(
            company: p.companyID, account: LedgerAPI.query(request, "account") ?? "5311", date: date, actor: .user(p))
        return try JSON.response(register)
    }

    @Sendable func cashOperation(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(CashOperationInput.self, from: buffer)
            return try APIRoutes.encoded(
                try await culise.recordCashOperation(company: p.companyID, input, actor: .user(p)), status: .created)
        }
    }

    @Sendable func limits(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(try await culise.cashLimits(company: p.companyID, actor: .user(p)))
    }

    @Sendable func setLimits(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let limits = try JSON.decode(CashLimits.self, from: try await APIRoutes.body(request))
        try await culise.setCashLimits(company: p.companyID, limits, actor: .user(p))
        return try JSON.response(limits)
    }

    @Sendable func rate(_ request: Request, context: WebContext) async throws -> Response {
        _ = try context.requirePrincipal()
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? culise.today
        let currency = LedgerAPI.query(request, "currency")?.uppercased()
        problems.check(currency != nil, DomainError("fx.currency", field: "currency", "To look up a rate, you must give the currency."))
        try problems.throwIfAny()
        let rate = try await culise.exchangeRate(currency: currency!, on: date)
        let convention = try await culise.rateConvention()
        return try JSON.response(
            [
                "currency": rate.currency, "date": date.iso, "published": rate.published.iso, "ron_per_unit": "\(rate.ronPerUnit)",
                "convention": convention.rawValue,
            ])
    }

    /// The BNR `nbrfxrates.xml` file is the request body.
    @Sendable func importRates(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var request = request
        let buffer = try await Body.collect(&request, limit: Limits.uploadBytes)
        let report = try await culise.importBNRRates(Data(buffer: buffer), actor: .user(p))
        return try JSON.response(
            [
                "rates": String(report.rates), "new": String(report.new), "days": String(report.days), "first": report.first?.iso ?? "",
                "last": report.last?.iso ?? "",
            ], status: .created)
    }

    struct RevalueBody: Decodable {
        var month: String
        var reverse: Bool?
    }

    @Sendable func revalue(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(RevalueBody.self, from: try await APIRoutes.body(request))
        let report = try await culise.revalue(
            company: p.companyID, month: try YearMonth(text: body.month), reverseNextMonth: body.reverse ?? true, actor: .user(p))
        return try JSON.response(report, status: .created)
    }
}

/// Heterogeneous JSON objects for small responses.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension AnyEncodable: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.value = value }
}
