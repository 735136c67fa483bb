import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// Policies: the list with how many acknowledged each, publishing (with the document), and each policy's report.
struct PolicyPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people/policies", use: list)
        protect(.hr, .write).post("/people/policies", use: publish)
        protect(.hr, .read).get("/people/policies/{code}", use: report)
        protect(.hr, .write).post("/people/policies/{code}/acknowledgements", use: acknowledge)
        protect(.hr, .write).post("/people/policies/{code}/reminders", use: remind)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        try await renderList(request, context)
    }

    func renderList(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let policies = try await culise.policies(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let fields = [
            Field(
                name: "code", label: t["policy_code", default: "code"], value: values["code"] ?? "", error: errors["code"], required: true,
                hint: t["policy_code_hint"]),
            Field(
                name: "title", label: t["policy_title", default: "title"], value: values["title"] ?? "", error: errors["title"],
                required: true),
            Field(
                name: "summary", label: t["policy_summary", default: "summary"], value: values["summary"] ?? "", error: errors["summary"]),
            Field(
                name: "departments", label: t["policy_departments", default: "departments"], value: values["departments"] ?? "",
                error: errors["departments"], hint: t["policy_audience_hint"]),
            Field(
                name: "positions", label: t["policy_positions", default: "positions"], value: values["positions"] ?? "",
                error: errors["positions"]),
        ]
        let data: [String: Any] = [
            "policies": policies.map { policy in
                [
                    "code": policy.code, "title": policy.title, "version": String(policy.version),
                    "published": PageFormat.timestamp(policy.publishedAt),
                    "audience": policy.audience.isEveryone
                        ? (t["policy_everyone"] ?? "everyone")
                        : (policy.audience.departments + policy.audience.positions).joined(separator: ", "),
                    "acknowledged": "\(policy.acknowledged) / \(policy.addressed)", "complete": policy.missing == 0,
                ] as [String: Any]
            },
            "has_policies": !policies.isEmpty, "can_edit": Policy.allows(p.role, .hr, .write), "fields": fields.map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "policies", "title_policies", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    static func codes(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    @Sendable func publish(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            let file = context.files.first.map { (name: $0.filename, data: $0.data) }
            let record = try await culise.publishPolicy(
                company: p.companyID,
                PolicyInput(
                    code: form["code"] ?? "", title: form["title"] ?? "", summary: form["summary"],
                    audience: PolicyAudience(departments: Self.codes(form["departments"]), positions: Self.codes(form["positions"]))),
                file: file, actor: .user(p))
            return redirect(to: "/people/policies/\(record.code)?flash=policy_published")
        } catch let error as ValidationErrors {
            return try await renderList(request, context, values: form, error: error)
        } catch let error as DomainError where [.invalid, .conflict, .notFound, .tooLarge].contains(error.kind) {
            return try await renderList(request, context, values: form, error: error)
        }
    }

    @Sendable func report(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let report = try await culise.policyReport(company: p.companyID, code: code, actor: .user(p))
        let policy = report.policy
        let data: [String: Any] = [
            "code": policy.code, "title": policy.title, "version": String(policy.version), "summary": policy.summary ?? "",
            "has_summary": policy.summary != nil, "published": PageFormat.timestamp(policy.publishedAt),
            "document": policy.document?.description ?? "", "has_document": policy.document != nil,
            "acknowledged": String(policy.acknowledged), "addressed": String(policy.addressed), "missing": String(policy.missing),
            "has_missing": policy.missing > 0,
            "lines": report.lines.map { line in
                [
                    "employee": line.employee, "name": line.name, "department": line.department ?? "",
                    "at": line.acknowledgedAt.map(PageFormat.timestamp) ?? "", "done": line.acknowledgedAt != nil,
                    "previous": line.previousVersion.map {
                        (t["policy_previous"] ?? "v%@").replacingOccurrences(of: "%@", with: String($0))
                    }
                        ?? "",
                ] as [String: Any]
            },
            "has_lines": !report.lines.isEmpty, "can_edit": Policy.allows(p.role, .hr, .write),
        ]
        return try await html.page("policy", "title_policies", data, request, context)
    }

    @Sendable func acknowledge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        _ = try await culise.acknowledgePolicy(
            company: p.companyID, code: code, employee: context.form["employee"] ?? "", actor: .user(p))
        return redirect(to: "/people/policies/\(code.uppercased())?flash=policy_acknowledged")
    }

    @Sendable func remind(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        _ = try await culise.remindPolicy(company: p.companyID, code: code, actor: .user(p))
        return redirect(to: "/people/policies/\(code.uppercased())?flash=policy_reminded")
    }
}
