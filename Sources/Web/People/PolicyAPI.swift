import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

struct PolicyDTO: Encodable {
    let code: String
    let title: String
    let version: Int
    let summary: String?
    let document: String?
    let publishedAt: String
    let departments: [String]
    let positions: [String]
    let addressed: Int
    let acknowledged: Int

    init(_ record: PolicyRecord) {
        code = record.code
        title = record.title
        version = record.version
        summary = record.summary
        document = record.document?.description
        publishedAt = record.publishedAt
        departments = record.audience.departments
        positions = record.audience.positions
        addressed = record.addressed
        acknowledged = record.acknowledged
    }
}

struct PolicyLineDTO: Encodable {
    let employee: String
    let name: String
    let department: String?
    let acknowledgedAt: String?
    let previousVersion: Int?

    init(_ line: PolicyStatusLine) {
        employee = line.employee
        name = line.name
        department = line.department
        acknowledgedAt = line.acknowledgedAt
        previousVersion = line.previousVersion
    }
}

/// `/api/v1/policies…`: publishing versions, the report of who acknowledged, acknowledgements and reminders.
struct PolicyAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/api/v1/policies", use: list)
        protect(.hr, .write).post("/api/v1/policies", use: publish)
        protect(.hr, .read).get("/api/v1/policies/{code}", use: report)
        protect(.hr, .write).post("/api/v1/policies/{code}/acknowledgements", use: acknowledge)
        protect(.hr, .write).post("/api/v1/policies/{code}/reminders", use: remind)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.policies(company: p.companyID, actor: .user(p)).map(PolicyDTO.init)])
    }

    struct PublishBody: Decodable {
        let code: String
        let title: String
        let summary: String?
        let departments: [String]?
        let positions: [String]?
        /// The document, base64-encoded, with its file name.
        let fileName: String?
        let content: String?
    }

    @Sendable func publish(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context, limit: Limits.documentBytes / 3 * 4 + 65_536) {
            buffer in
            let body = try JSON.decode(PublishBody.self, from: buffer)
            var file: (name: String, data: Data)?
            if let content = body.content {
                guard let data = Data(base64Encoded: content) else {
                    throw ValidationErrors([
                        DomainError("policy.content", field: "content", "You cannot send a document that is not valid base64.")
                    ])
                }
                file = (body.fileName ?? "", data)
            }
            let record = try await culise.publishPolicy(
                company: p.companyID,
                PolicyInput(
                    code: body.code, title: body.title, summary: body.summary,
                    audience: PolicyAudience(departments: body.departments ?? [], positions: body.positions ?? [])),
                file: file, actor: .user(p))
            return try APIRoutes.encoded(PolicyDTO(record), status: .created)
        }
    }

    @Sendable func report(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let report = try await culise.policyReport(company: p.companyID, code: code, actor: .user(p))
        struct Report: Encodable {
            let policy: PolicyDTO
            let lines: [PolicyLineDTO]
            let missing: [String]
        }
        return try JSON.response(
            Report(policy: PolicyDTO(report.policy), lines: report.lines.map(PolicyLineDTO.init), missing: report.missing.map(\.employee)))
    }

    struct AcknowledgeBody: Decodable {
        let employee: String
    }

    @Sendable func acknowledge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(AcknowledgeBody.self, from: buffer)
            let line = try await culise.acknowledgePolicy(company: p.companyID, code: code, employee: body.employee, actor: .user(p))
            return try APIRoutes.encoded(PolicyLineDTO(line), status: .ok)
        }
    }

    @Sendable func remind(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let result = try await culise.remindPolicy(company: p.companyID, code: code, actor: .user(p))
            struct Reminded: Encodable {
                let queued: Int
                let withoutEmail: [String]
            }
            return try APIRoutes.encoded(Reminded(queued: result.queued, withoutEmail: result.withoutEmail), status: .ok)
        }
    }
}
