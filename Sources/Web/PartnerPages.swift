import Application
import Companies
import Foundation
import Hummingbird
import Identity
import Kernel
import Partners

/// The partners page: search by name, CUI, code or IBAN, and add a partner.
struct PartnerPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.invoicing, .read).get("/partners", use: list)
        protect(.invoicing, .write).post("/partners", use: create)
    }

    func fields(_ context: WebContext, _ values: [String: String], _ errors: [String: String]) -> [Field] {
        let t = html.t(context)
        func field(_ name: String, _ key: String, type: String = "text") -> Field {
            Field(name: name, label: t[key] ?? key, type: type, value: values[name] ?? "", error: errors[name])
        }
        return [
            field("code", "field_code"),
            Field(
                name: "kind", label: t["field_kind"]!, value: values["kind"] ?? "company", error: errors["kind"],
                choices: Partner.Kind.allCases.map { ($0.rawValue, t["kind_\($0.rawValue)"] ?? $0.rawValue) }),
            field("name", "field_name"), field("cui", "field_cui"),
            Field(name: "vat_payer", label: t["field_vat_payer_partner"]!, type: "checkbox", checked: values["vat_payer"] == "true"),
            field("cnp", "field_cnp"), field("address.line", "field_address_line"), field("address.city", "field_city"),
            field("address.county", "field_county"), field("address.country", "field_country"), field("ibans[0]", "field_iban"),
            field("email", "field_email", type: "email"), field("phone", "field_phone"), field("payment_term_days", "field_payment_term"),
            Field(name: "is_customer", label: t["field_is_customer"]!, type: "checkbox", checked: values["is_customer"] != "false"),
            Field(name: "is_supplier", label: t["field_is_supplier"]!, type: "checkbox", checked: values["is_supplier"] == "true"),
        ]
    }

    func render(
        _ request: Request, _ context: WebContext, values: [String: String] = ["address.country": "RO"], problems: [DomainError] = []
    )
        async throws -> Response
    {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.searchPartners(company: p.companyID, query: query, page: pageRequest, actor: .user(p))
        let rows: [[[String: Any]]] = result.items.map { partner in
            let roles = [partner.isCustomer ? t["field_is_customer"]! : nil, partner.isSupplier ? t["field_is_supplier"]! : nil].compactMap
            { $0 }
            return [
                Table.cell(partner.code), Table.cell(partner.name), Table.cell(partner.fiscalIdentifier),
                Table.cell(partner.address?.city ?? ""),
                Table.cell(roles.joined(separator: ", ")),
            ]
        }
        let table = Table(
            caption: t["partners_title"]!,
            columns: ["col_number", "col_name", "col_fiscal_code", "col_city", "col_roles"].map { Table.Column(label: t[$0] ?? $0) },
            rows: rows,
            basePath: "/partners", query: ["q": query], sort: nil, descending: false, offset: result.offset, limit: result.limit,
            total: result.total)
        let errors = Dictionary(
            problems.compactMap { p in p.field.map { ($0, views.catalog.message(id: p.id, fallback: p.message, context.locale)) } }
        ) {
            a, _ in a
        }
        let summary = problems.map {
            ["field": $0.field ?? "", "message": views.catalog.message(id: $0.id, fallback: $0.message, context.locale)]
        }
        let data: [String: Any] = [
            "table": table.dictionary(t), "can_edit": Policy.allows(p.role, .invoicing, .write),
            "search_fields": [Field(name: "q", label: t["field_search"]!, type: "search", value: query).dictionary],
            "fields": fields(context, values, errors).map(\.dictionary), "form_errors": summary, "has_errors": !summary.isEmpty,
        ]
        return try await html.page(
            "partners", "title_partners", data, request, context, status: problems.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response { try await render(request, context) }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        var address: Address?
        if let line = text("address.line") {
            address = Address(
                line: line, city: form["address.city"] ?? "", county: text("address.county"), country: text("address.country") ?? "RO")
        }
        let input = PartnerInput(
            code: form["code"] ?? "", kind: Partner.Kind(rawValue: form["kind"] ?? "") ?? .company, name: form["name"] ?? "",
            cui: text("cui"),
            vatPayer: form["vat_payer"] == "true", cnp: text("cnp"), address: address, ibans: text("ibans[0]").map { [$0] } ?? [],
            email: text("email"), phone: text("phone"), paymentTermDays: text("payment_term_days").flatMap { Int($0) },
            isCustomer: form["is_customer"] == "true", isSupplier: form["is_supplier"] == "true")
        do {
            _ = try await culise.createPartner(company: p.companyID, input, actor: .user(p))
            return redirect(to: "/partners?flash=partner_added")
        } catch let error as ValidationErrors {
            return try await render(request, context, values: form, problems: error.problems)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await render(request, context, values: form, problems: [error])
        }
    }
}
