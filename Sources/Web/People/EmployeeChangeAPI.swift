import Application
import Approvals
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// Changes of personal data: `/api/v1/me/employee/changes` (the employee asks, and reads their own requests) and
/// `/api/v1/employee-changes…` (HR's list and decision).
struct EmployeeChangeAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/api/v1/me/employee/changes", use: mine)
        protect(.profile, .write).post("/api/v1/me/employee/changes", use: request)
        protect(.hr, .read).get("/api/v1/employee-changes", use: list)
        protect(.hr, .write).post("/api/v1/employee-changes/{id}/decision", use: decide)
    }

    struct ChangeDTO: Encodable {
        let id: String
        let employee: String
        let name: String
        let changes: [String: String]
        let before: [String: String]
        let state: String
        let requestedBy: String
        let createdAt: String
        let decidedBy: String?
        let comment: String?

        init(_ record: EmployeeChangeRecord) {
            id = record.id.description
            employee = record.employee
            name = record.name
            changes = record.changes
            before = record.before
            state = record.state.rawValue
            requestedBy = record.requestedBy
            createdAt = record.createdAt
            decidedBy = record.decidedBy
            comment = record.comment
        }
    }

    struct RequestBody: Decodable {
        let changes: [String: String]
    }

    struct DecisionBody: Decodable {
        let action: String
        let comment: String?
    }

    @Sendable func mine(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        return try JSON.response(
            ListDTO(try await culise.myDataChangeRequests(company: p.companyID, page: page, actor: .user(p)), map: ChangeDTO.init))
    }

    @Sendable func request(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(RequestBody.self, from: buffer)
            return try APIRoutes.encoded(
                ChangeDTO(try await culise.requestMyDataChange(company: p.companyID, body.changes, actor: .user(p))), status: .created)
        }
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        // The OpenAPI gate has refused any other value of `state`.
        let text = LedgerAPI.query(request, "state") ?? "pending"
        let state: ApprovalState? = text == "all" ? nil : ApprovalState(rawValue: text) ?? .pending
        try problems.throwIfAny()
        return try JSON.response(
            ListDTO(
                try await culise.dataChangeRequests(company: p.companyID, state: state, page: page, actor: .user(p)), map: ChangeDTO.init))
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap({ EmployeeChangeID(string: $0) }) else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(DecisionBody.self, from: buffer)
            guard ["approve", "reject"].contains(body.action) else {
                throw ValidationErrors([
                    DomainError(
                        "employee_change.action", field: "action",
                        "You cannot '\(body.action.prefix(40))' a change of personal data; use approve or reject.")
                ])
            }
            let record = try await culise.decideDataChange(
                company: p.companyID, id: id, approve: body.action == "approve", comment: body.comment, actor: .user(p))
            return try APIRoutes.encoded(ChangeDTO(record), status: .ok)
        }
    }
}
