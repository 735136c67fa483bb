import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// `/api/v1/me/employee`, `/api/v1/me/leave`, `/api/v1/me/policies` (one's own employee record, leave and policies) and `/api/v1/team…` (a manager's reports), open to
/// every role; `/api/v1/employees/{code}/user` links an employee to their account (HR).
struct SelfServiceAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/api/v1/me/employee", use: me)
        protect(.profile, .write).post("/api/v1/me/leave", use: requestLeave)
        protect(.profile, .write).post("/api/v1/me/policies/{code}/acknowledgement", use: acknowledge)
        protect(.profile, .read).get("/api/v1/team/leave", use: teamLeave)
        protect(.profile, .write).post("/api/v1/team/leave/{id}/decision", use: decide)
        protect(.hr, .write).post("/api/v1/employees/{code}/user", use: link)
    }

    @Sendable func me(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let view = try await culise.selfService(company: p.companyID, actor: .user(p))
        struct Me: Encodable {
            let employee: EmployeeDTO
            let leave: [LeaveDTO]
            let remaining: Int?
            let timesheet: TimesheetDTO?
            let policies: [PolicyDTO]
            let reports: [String]
        }
        return try JSON.response(
            Me(
                employee: EmployeeDTO(view.employee, asOf: culise.today), leave: view.leave.map(LeaveDTO.init),
                remaining: view.balance?.remaining, timesheet: view.timesheet.map { TimesheetDTO($0) },
                policies: view.policies.map(PolicyDTO.init),
                reports: view.reports))
    }

    @Sendable func requestLeave(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(LeaveAPI.RequestBody.self, from: buffer)
            let record = try await culise.requestMyLeave(
                company: p.companyID,
                LeaveInput(type: body.type, from: body.from, to: body.to, certificate: body.certificate, note: body.note), actor: .user(p))
            return try APIRoutes.encoded(LeaveDTO(record), status: .created)
        }
    }

    @Sendable func acknowledge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                PolicyLineDTO(try await culise.acknowledgeMyPolicy(company: p.companyID, code: code, actor: .user(p))), status: .ok)
        }
    }

    @Sendable func teamLeave(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let today = culise.today
        let items = try await culise.teamLeave(
            company: p.companyID, from: today.adding(days: -31), to: today.adding(days: 366), actor: .user(p))
        return try JSON.response(["items": items.map(LeaveDTO.init)])
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        try await LeaveAPI.decision(culise, request, context) { id, action, comment, p in
            try await culise.decideTeamLeave(company: p.companyID, id: id, action, comment: comment, actor: .user(p))
        }
    }

    struct LinkBody: Decodable {
        let email: String?
    }

    @Sendable func link(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(LinkBody.self, from: buffer)
            try await culise.linkEmployeeUser(company: p.companyID, employee: code, email: body.email, actor: .user(p))
            return try APIRoutes.encoded(["employee": code.uppercased(), "email": body.email ?? ""], status: .ok)
        }
    }
}
