import Application
import Assembly
import BankingApp
import Companies
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp

/// The partners page: search by name, CUI, code or IBAN, and add a partner.
struct PartnerPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.invoicing, .read).get("/partners", use: list)
        protect(.invoicing, .write).post("/partners", use: create)
        protect(.invoicing, .read).get("/partners/{code}", use: detail)
        protect(.invoicing, .write).post("/partners/{code}", use: update)
        protect(.invoicing, .write).post("/partners/{code}/interactions", use: logInteraction)
        protect(.invoicing, .write).post("/partners/{code}/contacts", use: addContact)
        protect(.invoicing, .write).post("/partners/{code}/merge", use: merge)
        protect(.invoicing, .write).post("/partners/{code}/supplier-rule", use: supplierRule)
    }

    static func values(_ partner: Partner) -> [String: String] {
        [
            "code": partner.code, "kind": partner.kind.rawValue, "name": partner.name, "cui": partner.cui?.digits ?? "",
            "vat_number": partner.cui == nil ? partner.taxID ?? "" : "",
            "vat_payer": partner.vatPayer ? "true" : "false", "cnp": partner.cnp?.value ?? "", "address.line": partner.address?.line ?? "",
            "address.city": partner.address?.city ?? "", "address.county": partner.address?.county ?? "",
            "address.country": partner.address?.country ?? "RO", "ibans[0]": partner.ibans.first?.value ?? "", "email": partner.email ?? "",
            "phone": partner.phone ?? "", "payment_term_days": String(partner.paymentTermDays),
            "is_customer": partner.isCustomer ? "true" : "false",
            "is_supplier": partner.isSupplier ? "true" : "false",
        ]
    }

    func detailPage(
        _ request: Request, _ context: WebContext, code: String, values: [String: String]? = nil, error: (any Error)? = nil
    )
        async throws -> Response
    {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let actor = Actor.user(p)
        let partner = try await culise.partner(company: p.companyID, code: code, actor: actor)
        let interactions = try await culise.interactions(company: p.companyID, partner: code, actor: actor)
        let contacts = try await culise.contacts(company: p.companyID, partner: code, actor: actor)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let others = try await culise.searchPartners(company: p.companyID, query: nil, page: try PageRequest(limit: 500), actor: actor)
            .items
            .filter { $0.code != code }
        let rule = try await culise.supplierRule(company: p.companyID, partner: code, actor: actor)
        let facts: [[String: Any]] = [
            ["label": t["col_fiscal_code"] ?? "CUI", "value": partner.fiscalIdentifier],
            ["label": t["crm_invoices"]!, "value": t["inv_title"]!, "href": "/invoices?partner=\(code)"],
            ["label": t["bills_title"]!, "value": t["bills_title"]!, "href": "/bills"],
        ]
        let data: [String: Any] = [
            "heading": "\(partner.name) (\(partner.code))", "code": code, "facts": facts,
            "interactions": interactions.map { record -> [String: Any] in
                var item: [String: Any] = [
                    "date": PageFormat.date(record.interaction.date),
                    "kind": t["kind_\(record.interaction.kind.rawValue)"] ?? record.interaction.kind.rawValue,
                    "summary": record.interaction.summary, "user": record.user,
                ]
                if let follow = record.interaction.followUp { item["follow_up"] = PageFormat.date(follow) }
                return item
            },
            "contacts": contacts.map { record -> [String: Any] in
                var item: [String: Any] = ["name": record.contact.name]
                if let role = record.contact.role { item["role"] = role }
                if let email = record.contact.email { item["email"] = email }
                if let phone = record.contact.phone { item["phone"] = phone }
                return item
            },
            "can_edit": Policy.allows(p.role, .invoicing, .write),
            "fields": fields(context, values ?? Self.values(partner), errors).filter { $0.name != "code" }.map(\.dictionary),
            "interaction_fields": [
                Field(
                    name: "kind", label: t["crm_kind"]!, value: "call", error: errors["kind"],
                    choices: Interaction.Kind.allCases.map { ($0.rawValue, t["kind_\($0.rawValue)"] ?? $0.rawValue) }),
                Field(name: "date", label: t["field_date", default: "date"], type: "date", value: culise.today.iso, error: errors["date"]),
                Field(name: "summary", label: t["crm_summary"]!, error: errors["summary"]),
                Field(name: "follow_up", label: t["crm_follow_up"]!, type: "date", error: errors["follow_up"]),
            ].map(\.dictionary),
            "contact_fields": [
                Field(name: "contact_name", label: t["field_name"]!, error: errors["name"]), Field(name: "role", label: t["crm_role"]!),
                Field(name: "contact_email", label: t["field_email"]!, type: "email", error: errors["email"]),
                Field(name: "contact_phone", label: t["field_phone"]!, error: errors["phone"]),
            ].map(\.dictionary),
            "merge_fields": [
                Field(
                    name: "duplicate", label: t["crm_duplicate"]!, error: errors["duplicate"],
                    choices: [("", "—")] + others.map { ($0.code, "\($0.name) (\($0.code), \($0.fiscalIdentifier))") })
            ].map(\.dictionary),
            "is_supplier": partner.isSupplier,
            "rule_fields": [
                Field(name: "account", label: t["crm_rule_account"]!, value: rule?.account ?? "", error: errors["account"]),
                Field(name: "auto_post", label: t["crm_rule_auto_post"]!, type: "checkbox", checked: rule?.autoPost ?? false),
            ].map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary.isEmpty ?? true),
            "inv_nav": InvoicePages.nav.map { ["href": $0.href, "label": t[$0.key] ?? $0.key, "active": $0.href == "/partners"] },
        ]
        return try await html.page("partner", "title_partners", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func detail(_ request: Request, context: WebContext) async throws -> Response {
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await detailPage(request, context, code: code)
    }

    static func input(_ form: [String: String], code: String) -> PartnerInput {
        let text = { (key: String) -> String? in form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        var address: Address?
        if let line = text("address.line") {
            address = Address(
                line: line, city: form["address.city"] ?? "", county: text("address.county"), country: text("address.country") ?? "RO")
        }
        return PartnerInput(
            code: code, kind: Partner.Kind(rawValue: form["kind"] ?? "") ?? .company, name: form["name"] ?? "", cui: text("cui"),
            vatPayer: form["vat_payer"] == "true", cnp: text("cnp"), address: address, ibans: text("ibans[0]").map { [$0] } ?? [],
            email: text("email"), phone: text("phone"), paymentTermDays: text("payment_term_days").flatMap { Int($0) },
            isCustomer: form["is_customer"] == "true", isSupplier: form["is_supplier"] == "true", vatNumber: text("vat_number"))
    }

    @Sendable func update(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        do {
            _ = try await culise.updatePartner(company: p.companyID, code: code, Self.input(context.form, code: code), actor: .user(p))
            return redirect(to: "/partners/\(code)?flash=partner_saved")
        } catch  where html.errors(error, context) != nil {
            return try await detailPage(request, context, code: code, values: context.form, error: error)
        }
    }

    @Sendable func logInteraction(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let form = context.form
        do {
            _ = try await culise.logInteraction(
                company: p.companyID, partner: code, kind: form["kind"] ?? "", date: form["date"], summary: form["summary"] ?? "",
                followUp: form["follow_up"], actor: .user(p))
            return redirect(to: "/partners/\(code)?flash=interaction_logged")
        } catch  where html.errors(error, context) != nil {
            return try await detailPage(request, context, code: code, error: error)
        }
    }

    @Sendable func addContact(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let form = context.form
        do {
            _ = try await culise.addContact(
                company: p.companyID, partner: code,
                Contact(name: form["contact_name"] ?? "", role: form["role"], email: form["contact_email"], phone: form["contact_phone"]),
                actor: .user(p))
            return redirect(to: "/partners/\(code)?flash=contact_added")
        } catch  where html.errors(error, context) != nil {
            return try await detailPage(request, context, code: code, error: error)
        }
    }

    @Sendable func supplierRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let account = context.form["account"]?.trimmingCharacters(in: .whitespaces)
        do {
            try await culise.setSupplierRule(
                company: p.companyID, partner: code, account: (account?.isEmpty ?? true) ? nil : account,
                autoPost: context.form["auto_post"] == "true",
                actor: .user(p))
            return redirect(to: "/partners/\(code)?flash=partner_saved")
        } catch  where html.errors(error, context) != nil {
            return try await detailPage(request, context, code: code, error: error)
        }
    }

    @Sendable func merge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        do {
            _ = try await culise.mergePartners(
                company: p.companyID, keep: code, duplicate: context.form["duplicate"] ?? "", actor: .user(p))
            return redirect(to: "/partners/\(code)?flash=partners_merged")
        } catch  where html.errors(error, context) != nil {
            return try await detailPage(request, context, code: code, error: error)
        }
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
            field("vat_number", "field_vat_number"), field("cnp", "field_cnp"), field("address.line", "field_address_line"),
            field("address.city", "field_city"),
            Field(
                name: "address.county", label: t["field_county"] ?? "", value: values["address.county"]?.uppercased() ?? "",
                error: errors["address.county"], choices: PageFormat.countyChoices(selected: values["address.county"])),
            field("address.country", "field_country"), field("ibans[0]", "field_iban"),
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
                Table.cell(partner.code, href: "/partners/\(partner.code)"), Table.cell(partner.name), Table.cell(partner.fiscalIdentifier),
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
        let input = Self.input(form, code: form["code"] ?? "")
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
