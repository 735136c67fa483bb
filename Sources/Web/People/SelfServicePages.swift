import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import PayrollApp
import People
import PeopleApp

/// Employee self-service (`/me`) and a manager's team (`/team`). Every role reaches them (the `profile` area); what
/// they show is what the use cases allow: one's own data, and for a manager their reports' leave and timesheets.
struct SelfServicePages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/me", use: me)
        protect(.profile, .write).post("/me/leave", use: requestLeave)
        protect(.profile, .write).post("/me/policies/{code}", use: acknowledge)
        protect(.profile, .write).post("/me/changes", use: requestChange)
        protect(.profile, .read).get("/team", use: team)
        protect(.profile, .write).post("/team/leave/{id}", use: decide)
    }

    @Sendable func me(_ request: Request, context: WebContext) async throws -> Response {
        try await renderMe(request, context)
    }

    func renderMe(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil, changeForm: Bool = false
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let view: SelfServiceView
        do { view = try await culise.selfService(company: p.companyID, actor: .user(p)) } catch let error as DomainError
            where error.id == "self.not_linked"
        {
            return try await html.page("me", "title_me", ["linked": false], request, context)
        }
        let employee = view.employee.employee
        let contract = view.employee.contract(on: culise.today)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = changeForm ? [:] : problems?.byField ?? [:]
        let changeErrors = changeForm ? problems?.byField ?? [:] : [:]
        let current = PersonalDataChange.current(employee)
        let changeFields = PersonalDataChange.fields.map { name in
            Field(
                name: name, label: t["change_field_\(name)", default: name], type: name == "email" ? "email" : "text",
                value: changeForm ? values[name] ?? "" : current[name] ?? "", error: changeErrors[name],
                choices: name == "education" ? [("", "—")] + Education.allCases.map { ($0.rawValue, $0.rawValue) } : nil)
        }
        let changes = try await culise.myDataChangeRequests(company: p.companyID, page: try PageRequest(limit: 10), actor: .user(p))
        let payslips = try await culise.myPayslips(company: p.companyID, actor: .user(p))
        let types = LeaveType.allCases.filter { $0 != .medical }.map {
            ($0.rawValue, "\($0.code) · \(t["leave_type_\($0.rawValue)"] ?? $0.rawValue)")
        }
        let fields = [
            Field(
                name: "type", label: t["leave_type", default: "type"], value: values["type"] ?? "annual", error: errors["type"],
                choices: types),
            Field(name: "from", label: t["leave_from", default: "from"], type: "date", value: values["from"] ?? "", error: errors["from"]),
            Field(name: "to", label: t["leave_to", default: "to"], type: "date", value: values["to"] ?? "", error: errors["to"]),
            Field(name: "note", label: t["me_note", default: "note"], value: values["note"] ?? "", error: errors["note"]),
        ]
        let data: [String: Any] = [
            "linked": true, "code": employee.code, "name": employee.name, "department": employee.department ?? "",
            "position": contract?.terms.position ?? employee.position ?? "", "email": employee.email ?? "", "phone": employee.phone ?? "",
            "manager": employee.manager ?? "", "salary": contract.map { PageFormat.money($0.terms.baseSalary) } ?? "",
            "norm": contract.map { String($0.terms.normHours) } ?? "", "has_contract": contract != nil,
            "balance": view.balance.map { balance in
                [
                    "entitlement": String(balance.entitlement), "carried": String(balance.carriedOver), "taken": String(balance.taken),
                    "pending": String(balance.pending), "remaining": String(balance.remaining),
                ]
            } ?? [:],
            "has_balance": view.balance != nil,
            "leave": view.leave.map { item in
                [
                    "type": item.type.code, "from": PageFormat.date(item.from), "to": PageFormat.date(item.to), "days": String(item.days),
                    "state": t["leave_state_\(item.state.rawValue)"] ?? item.state.rawValue,
                ]
            },
            "has_leave": !view.leave.isEmpty,
            "timesheet": view.timesheet.map { sheet in
                [
                    "month": sheet.month.description, "hours": String(sheet.hours),
                    "state": t["timesheet_state_\(sheet.state.rawValue)"] ?? sheet.state.rawValue,
                    "codes": Timesheets.totals(sheet.days).byCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", "),
                ]
            } ?? [:],
            "has_timesheet": view.timesheet != nil,
            "policies": view.policies.map {
                [
                    "code": $0.code, "title": $0.title, "version": String($0.version), "document": $0.document?.description ?? "",
                    "has_document": $0.document != nil,
                ] as [String: Any]
            },
            "has_policies": !view.policies.isEmpty, "is_manager": !view.reports.isEmpty, "reports": String(view.reports.count),
            "fields": fields.map(\.dictionary), "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
            "change_fields": changeFields.map(\.dictionary), "errors_for_change": changeForm,
            "changes": changes.items.map { change in
                [
                    "at": PageFormat.timestamp(change.createdAt),
                    "state": t["change_state_\(change.state.rawValue)"] ?? change.state.rawValue,
                    "fields": change.changes.keys.sorted().map { "\(t["change_field_\($0)"] ?? $0): \(change.changes[$0] ?? "")" }
                        .joined(separator: "; "),
                    "comment": change.comment ?? "", "has_comment": change.comment != nil,
                ] as [String: Any]
            },
            "has_changes": !changes.items.isEmpty,
            "payslips": payslips.map { slip in
                [
                    "month": slip.month.description, "href": "/me/payslips/\(slip.month)",
                    "net_to_pay": PageFormat.money(slip.line.result.netToPay),
                ]
            },
            "has_payslips": !payslips.isEmpty,
        ]
        return try await html.page("me", "title_me", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func requestLeave(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            _ = try await culise.requestMyLeave(
                company: p.companyID,
                LeaveInput(type: form["type"] ?? "", from: form["from"] ?? "", to: form["to"] ?? "", note: form["note"]),
                actor: .user(p))
            return redirect(to: "/me?flash=leave_requested")
        } catch let error as ValidationErrors {
            return try await renderMe(request, context, values: form, error: error)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await renderMe(request, context, values: form, error: error)
        }
    }

    @Sendable func requestChange(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        var values: [String: String] = [:]
        for name in PersonalDataChange.fields { values[name] = form[name] ?? "" }
        do {
            _ = try await culise.requestMyDataChange(company: p.companyID, values, actor: .user(p))
            return redirect(to: "/me?flash=change_requested")
        } catch let error as ValidationErrors {
            return try await renderMe(request, context, values: values, error: error, changeForm: true)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await renderMe(request, context, values: values, error: error, changeForm: true)
        }
    }

    @Sendable func acknowledge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        _ = try await culise.acknowledgeMyPolicy(company: p.companyID, code: code, actor: .user(p))
        return redirect(to: "/me?flash=policy_acknowledged")
    }

    @Sendable func team(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let today = culise.today
        let month = request.uri.queryParameters["month"].flatMap { try? YearMonth(text: String($0)) } ?? YearMonth(today)
        let leave = try await culise.teamLeave(
            company: p.companyID, from: today.adding(days: -31), to: today.adding(days: 366), actor: .user(p))
        let sheets = try await culise.teamTimesheets(company: p.companyID, month: month, actor: .user(p))
        let data: [String: Any] = [
            "month": month.description,
            "leave": leave.map { item in
                [
                    "id": item.id.description, "employee": item.employee, "type": item.type.code, "from": PageFormat.date(item.from),
                    "to": PageFormat.date(item.to), "days": String(item.days),
                    "state": t["leave_state_\(item.state.rawValue)"] ?? item.state.rawValue, "can_decide": item.state == .requested,
                ] as [String: Any]
            },
            "has_leave": !leave.isEmpty,
            "sheets": sheets.map { sheet in
                [
                    "employee": sheet.employee, "hours": String(sheet.hours),
                    "state": t["timesheet_state_\(sheet.state.rawValue)"] ?? sheet.state.rawValue,
                    "codes": Timesheets.totals(sheet.days).byCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", "),
                ]
            },
            "has_sheets": !sheets.isEmpty,
        ]
        return try await html.page("team", "title_team", data, request, context)
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap({ LeaveID(string: $0) }),
            let action = context.form["action"].flatMap({ LeaveState.Action(rawValue: $0) })
        else { throw WebError.notFound }
        _ = try await culise.decideTeamLeave(
            company: p.companyID, id: id, action, comment: context.form["comment"].flatMap { $0.isEmpty ? nil : $0 }, actor: .user(p))
        return redirect(to: "/team?flash=leave_decided")
    }
}
