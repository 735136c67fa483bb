import Application
import Approvals
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// `/people/changes`: the changes of personal data employees asked for, each field with the value on record and the
/// one asked for; HR approves or rejects each request with an optional reason.
struct EmployeeChangePages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people/changes", use: list)
        protect(.hr, .write).post("/people/changes/{id}", use: decide)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let all = request.uri.queryParameters["all"] == "1"
        let page = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.dataChangeRequests(company: p.companyID, state: all ? nil : .pending, page: page, actor: .user(p))
        let canEdit = Policy.allows(p.role, .hr, .write)
        let items: [[String: Any]] = result.items.map { change in
            [
                "id": change.id.description, "employee": change.employee, "name": change.name, "href": "/people/\(change.employee)",
                "at": PageFormat.timestamp(change.createdAt), "state": t["change_state_\(change.state.rawValue)"] ?? change.state.rawValue,
                "can_decide": canEdit && change.state == .pending, "decided_by": change.decidedBy ?? "",
                "has_decider": change.decidedBy != nil, "comment": change.comment ?? "", "has_comment": change.comment != nil,
                "fields": change.changes.keys.sorted().map { field in
                    [
                        "field": t["change_field_\(field)"] ?? field, "before": change.before[field] ?? "",
                        "after": change.changes[field] ?? "",
                    ]
                },
            ]
        }
        var data: [String: Any] = ["items": items, "has_items": !items.isEmpty, "all": all, "total": String(result.total)]
        if let next = result.nextOffset { data["next"] = "/people/changes?offset=\(next)\(all ? "&all=1" : "")" }
        data["has_next"] = result.nextOffset != nil
        return try await html.page("changes", "title_changes", data, request, context)
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap({ EmployeeChangeID(string: $0) }),
            let action = context.form["action"], ["approve", "reject"].contains(action)
        else { throw WebError.notFound }
        _ = try await culise.decideDataChange(
            company: p.companyID, id: id, approve: action == "approve", comment: context.form["comment"].flatMap { $0.isEmpty ? nil : $0 },
            actor: .user(p))
        return redirect(to: "/people/changes?flash=change_decided")
    }
}
