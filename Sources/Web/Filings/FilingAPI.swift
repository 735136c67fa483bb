import Application
import Filings
import Foundation
import Hummingbird
import Identity
import Kernel
import PayrollApp

/// `/api/v1/filings…`: the declarations kept for ANAF and their lifecycle; `/api/v1/payroll/runs/{month}/d112`: the
/// month's D112 (a draft, or generated and kept); `/api/v1/payroll/settings`: what D112 needs besides the run.
struct FilingAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.payroll, .read).get("/api/v1/filings", use: list)
        protect(.payroll, .read).get("/api/v1/filings/{id}", use: detail)
        protect(.payroll, .read).get("/api/v1/filings/{id}/xml", use: xml)
        protect(.payroll, .write).post("/api/v1/filings/{id}/actions", use: act)
        protect(.payroll, .read).get("/api/v1/filings/{id}/receipts", use: receipts)
        protect(.payroll, .write).post("/api/v1/filings/{id}/receipts", use: addReceipt)
        protect(.payroll, .read).get("/api/v1/payroll/runs/{month}/d112", use: draft)
        protect(.payroll, .write).post("/api/v1/payroll/runs/{month}/d112", use: generate)
        protect(.payroll, .read).get("/api/v1/payroll/settings", use: settings)
        protect(.payroll, .write).put("/api/v1/payroll/settings", use: updateSettings)
    }

    struct ProblemDTO: Encodable {
        let check: String
        let message: String
        let messageRo: String
    }

    struct FilingDTO: Encodable {
        let id: String
        let form: String
        let period: String
        let state: String
        let rectifies: String?
        let due: String
        let sha256: String
        let problems: [ProblemDTO]
        let registrationNumber: String?
        let filedOn: String?
        let answer: String?
        let createdBy: String
        let createdAt: String

        init(_ f: FilingRecord) {
            id = f.id.description
            form = f.form.rawValue
            period = f.period.description
            state = f.state.rawValue
            rectifies = f.rectifies?.description
            due = f.due.iso
            sha256 = f.sha256
            problems = f.problems.map { ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) }
            registrationNumber = f.registrationNumber
            filedOn = f.filedOn?.iso
            answer = f.answer
            createdBy = f.createdBy
            createdAt = f.createdAt
        }
    }

    func filingID(_ context: WebContext) throws -> FilingID {
        guard let id = context.parameters.get("id").flatMap(FilingID.init(string:)) else { throw WebError.notFound }
        return id
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = try request.uri.queryParameters["form"].map { text -> FilingForm in
            guard let form = FilingForm(rawValue: String(text)) else {
                throw ValidationErrors([
                    DomainError(
                        "request.parameter", field: "form",
                        "You cannot list form '\(text.prefix(20))' because the forms are d112, d300, d394, d390 and d406.")
                ])
            }
            return form
        }
        let filings = try await culise.filings(company: p.companyID, form: form, actor: .user(p))
        return try JSON.response(["items": filings.map(FilingDTO.init)])
    }

    @Sendable func detail(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(FilingDTO(try await culise.filing(company: p.companyID, id: try filingID(context), actor: .user(p))))
    }

    @Sendable func xml(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let filing = try await culise.filing(company: p.companyID, id: try filingID(context), actor: .user(p))
        return FilingPages.xmlResponse(filing.xml, name: "\(filing.form.rawValue)_\(filing.period)")
    }

    struct ActionBody: Decodable {
        let action: String
        let number: String?
        let date: String?
        let message: String?
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try filingID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ActionBody.self, from: buffer)
            let filing: FilingRecord
            switch body.action {
            case "file":
                filing = try await culise.markFiled(
                    company: p.companyID, id: id, number: body.number ?? "", date: try LocalDate(iso: body.date ?? "", field: "date"),
                    actor: .user(p))
            case "accept", "reject":
                filing = try await culise.recordFilingAnswer(
                    company: p.companyID, id: id, accepted: body.action == "accept", message: body.message, actor: .user(p))
            default:
                throw ValidationErrors([
                    DomainError(
                        "filing.action", field: "action",
                        "You cannot '\(body.action.prefix(40))' a filing; use file, accept or reject.")
                ])
            }
            return try APIRoutes.encoded(FilingDTO(filing), status: .ok)
        }
    }

    /// ANAF's files kept with a filing.
    @Sendable func receipts(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        struct List: Encodable { let items: [DocumentRecord] }
        return try JSON.response(
            List(items: try await culise.filingReceipts(company: p.companyID, id: try filingID(context), actor: .user(p))))
    }

    /// The body is ANAF's file itself (up to `Limits.documentBytes`); `filename` names it. Only a filed declaration has one.
    @Sendable func addReceipt(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try filingID(context)
        var request = request
        let buffer = try await Body.collect(&request, limit: Limits.documentBytes)
        let record = try await culise.attachFilingReceipt(
            company: p.companyID, id: id, FilingReceipt(fileName: LedgerAPI.query(request, "filename") ?? "", data: Data(buffer: buffer)),
            actor: .user(p))
        return try JSON.response(record, status: .created)
    }

    struct DraftDTO: Encodable {
        let month: String
        let rectifying: Bool
        let problems: [ProblemDTO]
        let xml: String
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try PayrollAPI.month(context)
        let draft = try await culise.d112Draft(company: p.companyID, month: month, actor: .user(p))
        return try JSON.response(
            DraftDTO(
                month: month.description, rectifying: draft.rectifying,
                problems: draft.problems.map { ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) }, xml: draft.xml))
    }

    @Sendable func generate(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try PayrollAPI.month(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                FilingDTO(try await culise.generateD112(company: p.companyID, month: month, actor: .user(p))), status: .created)
        }
    }

    struct SettingsDTO: Codable {
        let caen: String?
        let declarantLastName: String?
        let declarantFirstName: String?
        let declarantFunction: String?
    }

    @Sendable func settings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let s = try await culise.payrollFilingSettings(company: p.companyID, actor: .user(p))
        return try JSON.response(
            SettingsDTO(
                caen: s.caen, declarantLastName: s.declarantLastName, declarantFirstName: s.declarantFirstName,
                declarantFunction: s.declarantFunction))
    }

    @Sendable func updateSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(SettingsDTO.self, from: buffer)
            try await culise.setPayrollFilingSettings(
                company: p.companyID,
                PayrollFilingSettings(
                    caen: body.caen, declarantLastName: body.declarantLastName, declarantFirstName: body.declarantFirstName,
                    declarantFunction: body.declarantFunction), actor: .user(p))
            let s = try await culise.payrollFilingSettings(company: p.companyID, actor: .user(p))
            return try APIRoutes.encoded(
                SettingsDTO(
                    caen: s.caen, declarantLastName: s.declarantLastName, declarantFirstName: s.declarantFirstName,
                    declarantFunction: s.declarantFunction), status: .ok)
        }
    }
}
