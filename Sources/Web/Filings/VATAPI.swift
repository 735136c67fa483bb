import Application
import Filings
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel

/// `/api/v1/vat…`: the period's VAT return (the D300's rows, its checks, the VAT accounts), the D300 as a draft or
/// generated and kept, the VAT closing and its reopening, the tax returns' settings, and a D300's lifecycle for the
/// accountants (issue 16 items 3 and 7).
struct VATAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/api/v1/vat/returns/{period}", use: show)
        protect(.accounting, .read).get("/api/v1/vat/returns/{period}/d300", use: draft)
        protect(.accounting, .write).post("/api/v1/vat/returns/{period}/d300", use: generate)
        protect(.accounting, .read).get("/api/v1/vat/returns/{period}/d394", use: informative)
        protect(.accounting, .write).post("/api/v1/vat/returns/{period}/d394", use: generateD394)
        protect(.accounting, .read).get("/api/v1/vat/returns/{period}/d390", use: vies)
        protect(.accounting, .write).post("/api/v1/vat/returns/{period}/d390", use: generateD390)
        protect(.accounting, .write).post("/api/v1/vat/returns/{period}/close", use: close)
        protect(.accounting, .write).post("/api/v1/vat/returns/{period}/reopen", use: reopen)
        protect(.accounting, .read).get("/api/v1/vat/settings", use: settings)
        protect(.accounting, .write).put("/api/v1/vat/settings", use: updateSettings)
        protect(.accounting, .write).post("/api/v1/vat/filings/{id}/actions", use: FilingAPI(culise: culise).act)
        protect(.accounting, .read).get("/api/v1/vat/filings/{id}/receipts", use: FilingAPI(culise: culise).receipts)
        protect(.accounting, .write).post("/api/v1/vat/filings/{id}/receipts", use: FilingAPI(culise: culise).addReceipt)
    }

    static func period(_ context: WebContext) throws -> YearMonth {
        guard let text = context.parameters.get("period") else { throw WebError.notFound }
        do { return try YearMonth(text: text, field: "period") } catch { throw ValidationErrors([error]) }
    }

    struct BlockerDTO: Encodable {
        let id: String
        let field: String?
        let message: String
    }

    struct ReturnDTO: Encodable {
        let period: String
        let from: String
        let to: String
        let quarterly: Bool
        let layout: String
        let documents: Int
        /// Whole lei by the form's attribute (`R9_1`).
        let rows: [String: Int64]
        let payable: Int64
        let recoverable: Int64
        let collected: Money
        let deducted: Money
        let account4427: Money
        let account4426: Money
        let problems: [FilingAPI.ProblemDTO]
        let blockers: [BlockerDTO]
        let filing: FilingAPI.FilingDTO?
        let closingEntry: String?
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let view = try await culise.vatReturn(company: p.companyID, period: try Self.period(context), actor: .user(p))
        let r = view.d300
        return try JSON.response(
            ReturnDTO(
                period: r.period.description, from: view.from.iso, to: view.to.iso, quarterly: r.quarterly, layout: r.layout.rawValue,
                documents: view.documents, rows: r.rows, payable: r.payable, recoverable: r.recoverable, collected: .ron(r.collected),
                deducted: .ron(r.deducted), account4427: .ron(view.account4427), account4426: .ron(view.account4426),
                problems: view.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                blockers: view.blockers.map { BlockerDTO(id: $0.id, field: $0.field, message: $0.message) },
                filing: view.filing.map(FilingAPI.FilingDTO.init), closingEntry: view.closingEntry?.description))
    }

    struct DraftDTO: Encodable {
        let period: String
        let problems: [FilingAPI.ProblemDTO]
        let xml: String
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        let draft = try await culise.d300Draft(company: p.companyID, period: period, actor: .user(p))
        return try JSON.response(
            DraftDTO(
                period: period.description,
                problems: draft.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                xml: draft.xml))
    }

    @Sendable func generate(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                FilingAPI.FilingDTO(try await culise.generateD300(company: p.companyID, period: period, actor: .user(p))), status: .created)
        }
    }

    struct OperationDTO: Encodable {
        let type: String
        let country: String
        let code: String
        let name: String
        let base: Int64
    }

    struct ViesDTO: Encodable {
        let period: String
        let operations: [OperationDTO]
        let problems: [FilingAPI.ProblemDTO]
        let blockers: [BlockerDTO]
        let filing: FilingAPI.FilingDTO?
        /// The XML when nothing keeps it from being written.
        let xml: String?
    }

    @Sendable func vies(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        let view = try await culise.viesReturn(company: p.companyID, period: period, actor: .user(p))
        let xml = view.blockers.isEmpty ? try await culise.d390Draft(company: p.companyID, period: period, actor: .user(p)).xml : nil
        return try JSON.response(
            ViesDTO(
                period: period.description,
                operations: view.declaration.operations.map {
                    OperationDTO(type: $0.kind.rawValue, country: $0.country, code: $0.code, name: $0.name, base: $0.base)
                },
                problems: view.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                blockers: view.blockers.map { BlockerDTO(id: $0.id, field: $0.field, message: $0.message) },
                filing: view.filing.map(FilingAPI.FilingDTO.init), xml: xml))
    }

    @Sendable func generateD390(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                FilingAPI.FilingDTO(try await culise.generateD390(company: p.companyID, period: period, actor: .user(p))), status: .created)
        }
    }

    struct LineDTO: Encodable {
        let type: String
        let partnerType: Int
        let rate: Int
        let cui: String?
        let name: String
        let invoices: Int
        let base: Int64
        let vat: Int64
    }

    struct InformativeDTO: Encodable {
        let period: String
        let quarterly: Bool
        let lines: [LineDTO]
        let problems: [FilingAPI.ProblemDTO]
        let blockers: [BlockerDTO]
        let filing: FilingAPI.FilingDTO?
        let xml: String?
    }

    @Sendable func informative(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        let view = try await culise.d394Return(company: p.companyID, period: period, actor: .user(p))
        let xml = view.blockers.isEmpty ? try await culise.d394Draft(company: p.companyID, period: period, actor: .user(p)).xml : nil
        return try JSON.response(
            InformativeDTO(
                period: period.description, quarterly: view.declaration.quarterly,
                lines: view.declaration.lines.map {
                    LineDTO(
                        type: $0.kind, partnerType: $0.partnerType, rate: $0.rate, cui: $0.cui, name: $0.name, invoices: $0.invoices,
                        base: $0.base, vat: $0.vat)
                },
                problems: view.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                blockers: view.blockers.map { BlockerDTO(id: $0.id, field: $0.field, message: $0.message) },
                filing: view.filing.map(FilingAPI.FilingDTO.init), xml: xml))
    }

    @Sendable func generateD394(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                FilingAPI.FilingDTO(try await culise.generateD394(company: p.companyID, period: period, actor: .user(p))), status: .created)
        }
    }

    struct EntryDTO: Encodable {
        let period: String
        let entry: String
    }

    @Sendable func close(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let id = try await culise.closeVAT(company: p.companyID, period: period, actor: .user(p))
            return try APIRoutes.encoded(EntryDTO(period: period.description, entry: id.description), status: .created)
        }
    }

    @Sendable func reopen(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try Self.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let id = try await culise.reopenVAT(company: p.companyID, period: period, actor: .user(p))
            return try APIRoutes.encoded(EntryDTO(period: period.description, entry: id.description), status: .ok)
        }
    }

    struct SettingsBody: Decodable {
        let vatPeriod: String?
        let caen: String?
        let declarantLastName: String?
        let declarantFirstName: String?
        let declarantFunction: String?
        let bankName: String?
        let iban: String?
        let phone: String?
        let email: String?
        let employer: Bool?
        let saft: Bool?
    }

    @Sendable func settings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(try await culise.taxFilingSettings(company: p.companyID, actor: .user(p)))
    }

    @Sendable func updateSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(SettingsBody.self, from: buffer)
            let period: VATPeriod
            period = try VATPeriod(parsing: body.vatPeriod ?? "monthly")
            try await culise.setTaxFilingSettings(
                company: p.companyID,
                TaxFilingSettings(
                    vatPeriod: period, caen: body.caen, declarantLastName: body.declarantLastName,
                    declarantFirstName: body.declarantFirstName, declarantFunction: body.declarantFunction, bankName: body.bankName,
                    iban: body.iban, phone: body.phone, email: body.email, employer: body.employer ?? true, saft: body.saft ?? true),
                actor: .user(p))
            return try APIRoutes.encoded(try await culise.taxFilingSettings(company: p.companyID, actor: .user(p)), status: .ok)
        }
    }
}
