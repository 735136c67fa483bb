import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

struct LeaveDTO: Encodable {
    let id: String
    let employee: String
    let type: String
    let code: String
    let from: String
    let to: String
    let days: Int
    let state: String
    let certificate: MedicalCertificate?
    let note: String?
    let requestedBy: String
    let decidedBy: String?

    init(_ record: LeaveRecord) {
        id = record.id.description
        employee = record.employee
        type = record.type.rawValue
        code = record.type.code
        from = record.from.iso
        to = record.to.iso
        days = record.days
        state = record.state.rawValue
        certificate = record.certificate
        note = record.note
        requestedBy = record.requestedBy
        decidedBy = record.decidedBy
    }
}

struct TimesheetDTO: Encodable {
    struct Day: Encodable {
        let date: String
        let hours: Int
        let code: String
    }

    let employee: String
    let month: String
    let state: String
    let hours: Int
    let approvedBy: String?
    let days: [Day]
    let daysByCode: [String: Int]

    init(_ record: TimesheetRecord, days withDays: Bool = true) {
        employee = record.employee
        month = record.month.description
        state = record.state.rawValue
        hours = record.hours
        approvedBy = record.approvedBy
        days = withDays ? record.days.map { Day(date: $0.date.iso, hours: $0.hours, code: $0.code) } : []
        daysByCode = Timesheets.totals(record.days).byCode
    }
}

/// `/api/v1/leave…` and `/api/v1/timesheets…`: leave requests, balances and monthly timesheets.
struct LeaveAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/api/v1/leave", use: list)
        protect(.hr, .write).post("/api/v1/employees/{code}/leave", use: request)
        protect(.hr, .write).post("/api/v1/leave/{id}/decision", use: decide)
        protect(.hr, .read).get("/api/v1/leave/balances", use: balances)
        protect(.hr, .read).get("/api/v1/timesheets", use: timesheets)
        protect(.hr, .write).post("/api/v1/timesheets/generate", use: generate)
        protect(.hr, .read).get("/api/v1/timesheets/{month}/{code}", use: timesheet)
        protect(.hr, .write).post("/api/v1/timesheets/{month}/{code}/decision", use: decideTimesheet)
        protect(.hr, .write).post("/api/v1/timesheets/{month}/{code}/days", use: editDay)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let from = LedgerAPI.date(request, "from", &problems)
        let to = LedgerAPI.date(request, "to", &problems)
        problems.check(from != nil && to != nil, DomainError("leave.period", field: "from", "To list leave, you must give from and to."))
        try problems.throwIfAny()
        guard let from, let to else { throw ValidationErrors(problems.problems) }
        let items = try await culise.leaveRequests(
            company: p.companyID, employee: LedgerAPI.query(request, "employee"), from: from, to: to, actor: .user(p))
        return try JSON.response(["items": items.map(LeaveDTO.init)])
    }

    struct RequestBody: Decodable {
        let type: String
        let from: String
        let to: String
        let certificate: MedicalCertificate?
        let note: String?
    }

    @Sendable func request(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(RequestBody.self, from: buffer)
            let record = try await culise.requestLeave(
                company: p.companyID, employee: code,
                LeaveInput(type: body.type, from: body.from, to: body.to, certificate: body.certificate, note: body.note), actor: .user(p))
            return try APIRoutes.encoded(LeaveDTO(record), status: .created)
        }
    }

    struct DecisionBody: Decodable {
        let action: String
        let comment: String?
    }

    /// A decision on the request in the path: HR's (`decideLeave`) or a manager's (`decideTeamLeave`).
    static func decision(
        _ culise: Culise, _ request: Request, _ context: WebContext,
        _ decide: @escaping (LeaveID, LeaveState.Action, String?, Principal) async throws -> LeaveRecord
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap({ LeaveID(string: $0) }) else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(DecisionBody.self, from: buffer)
            guard let action = LeaveState.Action(rawValue: body.action) else {
                throw ValidationErrors([
                    DomainError(
                        "leave.action", field: "action", "You cannot '\(body.action)' a leave request; use approve, reject or cancel.")
                ])
            }
            return try APIRoutes.encoded(LeaveDTO(try await decide(id, action, body.comment, p)), status: .ok)
        }
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        try await Self.decision(culise, request, context) { id, action, comment, p in
            try await culise.decideLeave(company: p.companyID, id: id, action, comment: comment, actor: .user(p))
        }
    }

    struct BalanceDTO: Encodable {
        let employee: String
        let name: String
        let entitlement: Int
        let carriedOver: Int
        let taken: Int
        let pending: Int
        let remaining: Int
    }

    @Sendable func balances(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        // The OpenAPI gate holds `year` to 1900–2199 before this runs.
        let year = LedgerAPI.query(request, "year").flatMap { Int($0) } ?? culise.today.year
        let items = try await culise.leaveBalances(company: p.companyID, year: year, actor: .user(p)).map {
            BalanceDTO(
                employee: $0.employee, name: $0.name, entitlement: $0.entitlement, carriedOver: $0.carriedOver, taken: $0.taken,
                pending: $0.pending, remaining: $0.remaining)
        }
        return try JSON.response(["items": items])
    }

    static func month(_ text: String?) throws -> YearMonth {
        do { return try YearMonth(text: text ?? "") } catch { throw ValidationErrors([error]) }
    }

    @Sendable func timesheets(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(LedgerAPI.query(request, "month"))
        let items = try await culise.timesheets(company: p.companyID, month: month, actor: .user(p)).map { TimesheetDTO($0, days: false) }
        return try JSON.response(["items": items])
    }

    struct GenerateBody: Decodable {
        let month: String
        let employee: String?
    }

    @Sendable func generate(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(GenerateBody.self, from: buffer)
            let count = try await culise.generateTimesheets(
                company: p.companyID, month: try Self.month(body.month), employee: body.employee, actor: .user(p))
            return try APIRoutes.encoded(["generated": count], status: .ok)
        }
    }

    @Sendable func timesheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let month = try Self.month(context.parameters.get("month"))
        return try JSON.response(
            TimesheetDTO(try await culise.timesheet(company: p.companyID, employee: code, month: month, actor: .user(p))))
    }

    @Sendable func decideTimesheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let month = try Self.month(context.parameters.get("month"))
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(DecisionBody.self, from: buffer)
            guard let action = TimesheetState.Action(rawValue: body.action) else {
                throw ValidationErrors([
                    DomainError("timesheet.action", field: "action", "You cannot '\(body.action)' a timesheet; use approve or reopen.")
                ])
            }
            let record = try await culise.decideTimesheet(company: p.companyID, employee: code, month: month, action, actor: .user(p))
            return try APIRoutes.encoded(TimesheetDTO(record), status: .ok)
        }
    }

    struct DayBody: Decodable {
        let date: String
        let hours: Int
        let code: String?
    }

    @Sendable func editDay(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let month = try Self.month(context.parameters.get("month"))
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(DayBody.self, from: buffer)
            let record = try await culise.editTimesheet(
                company: p.companyID, employee: code, month: month, date: try LocalDate(iso: body.date, field: "date"), hours: body.hours,
                code: body.code ?? "", actor: .user(p))
            return try APIRoutes.encoded(TimesheetDTO(record), status: .ok)
        }
    }
}
