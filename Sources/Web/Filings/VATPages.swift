import Application
import Filings
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel

/// `/vat`: the period's VAT return from the posted documents (issue 16 item 3): the D300's rows, every problem its
/// checks find and the VAT accounts it agrees with; generating and keeping the D300, closing the period's VAT
/// (`4427 = 4426`, the result to 4423 or 4424) and reopening it; the tax returns' settings.
struct VATPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/vat", use: show)
        protect(.accounting, .read).get("/vat/{period}/d300.xml", use: draft)
        protect(.accounting, .read).get("/vat/{period}/d390.xml", use: draftD390)
        protect(.accounting, .read).get("/vat/{period}/d394.xml", use: draftD394)
        protect(.accounting, .write).post("/vat/{period}/actions", use: act)
        protect(.accounting, .read).get("/vat/settings", use: settings)
        protect(.accounting, .write).post("/vat/settings", use: saveSettings)
        // A D300's lifecycle (filed, ANAF's answer) for the accountants, whose role does not write payroll's filings.
        protect(.accounting, .write).post("/vat/filings/{id}", use: FilingPages(culise: culise, html: html).act)
    }

    /// The period shown by default: the last month (or quarter) ended.
    func defaultPeriod(quarterly: Bool) -> YearMonth {
        var month = YearMonth(culise.today.adding(days: -culise.today.day))
        while quarterly && month.month % 3 != 0 { month = YearMonth(month.firstDay.adding(days: -1)) }
        return month
    }

    /// The period asked for (`?period=2026-03`), or the default one for the company's VAT period.
    func requestedPeriod(_ request: Request, _ context: WebContext) async throws -> YearMonth {
        let p = try context.requirePrincipal()
        let settings = try await culise.taxFilingSettings(company: p.companyID, actor: .user(p))
        let text = request.uri.queryParameters["period"].map(String.init) ?? ""
        return (try? YearMonth(text: text)) ?? defaultPeriod(quarterly: settings.vatPeriod == .quarterly)
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await render(request, context, period: try await requestedPeriod(request, context))
    }

    func render(_ request: Request, _ context: WebContext, period: YearMonth, error: (any Error)? = nil) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let english = context.locale == "en"
        let locale: NumberLocale = english ? .en : .ro
        var data: [String: Any] = ["period": period.description]
        var problems = error.flatMap { html.errors($0, context) }
        do {
            let returns = try await culise.taxReturns(company: p.companyID, period: period, actor: .user(p))
            let view = returns.d300
            let r = view.d300
            let rows: [[String: Any]] = D300.rows.filter { r.rows[$0.attribute] != nil }.map { row in
                [
                    "attribute": row.attribute, "label": english ? row.en : row.ro,
                    "value": MoneyFormat.amount(r.value(row.attribute), digits: 0, locale: locale), "total": row.total,
                ]
            }
            let canWrite = Policy.allows(p.role, .accounting, .write)
            let blockers = view.blockers.map { views(message: $0, context) }
            data.merge([
                "from": PageFormat.inputDate(view.from), "to": PageFormat.inputDate(view.to), "documents": "\(view.documents)",
                "quarterly": r.quarterly, "rows": rows, "has_rows": !rows.isEmpty,
                "layout_2025": r.layout == .august2025,
                "problems": view.problems.map { ["check": $0.check, "message": english ? $0.message : $0.messageRO] },
                "has_problems": !view.problems.isEmpty, "blockers": blockers, "has_blockers": !blockers.isEmpty,
                "collected": MoneyFormat.amount(r.collected, locale: locale),
                "account_4427": MoneyFormat.amount(view.account4427, locale: locale),
                "deducted": MoneyFormat.amount(r.deducted, locale: locale),
                "account_4426": MoneyFormat.amount(view.account4426, locale: locale),
                "payable": MoneyFormat.amount(r.payable, digits: 0, locale: locale),
                "recoverable": MoneyFormat.amount(r.recoverable, digits: 0, locale: locale), "is_recoverable": r.recoverable > 0,
                "due": PageFormat.inputDate(FilingForm.d300.due(period)),
                "has_filing": view.filing != nil, "filing_href": view.filing.map { "/filings/\($0.id)" } ?? "",
                "filing_state": view.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "closed": view.closingEntry != nil, "closing_href": view.closingEntry.map { "/ledger/entries/\($0)" } ?? "",
                "can_generate": canWrite && view.blockers.isEmpty, "can_download": view.blockers.isEmpty,
                "can_close": canWrite && view.closingEntry == nil
                    && view.filing.map { [.validated, .filed, .accepted].contains($0.state) } == true,
                "can_reopen": canWrite && view.closingEntry != nil, "can_settings": canWrite,
            ]) { $1 }
            // The period's D394: its summary per partner type and rate.
            let d394 = returns.d394
            let summary: [[String: Any]] = Set(d394.declaration.lines.map { "\($0.kind) \($0.rate)" }).sorted().map { key in
                let parts = key.split(separator: " ").map(String.init)
                let total = d394.declaration.total(parts[0], rate: Int(parts.last ?? "") ?? 0)
                return [
                    "kind": parts[0], "rate": parts.last ?? "", "invoices": "\(total.invoices)",
                    "base": MoneyFormat.amount(total.base, digits: 0, locale: locale),
                    "vat": MoneyFormat.amount(total.vat, digits: 0, locale: locale),
                ]
            }
            let d394Blockers = d394.blockers.map { views(message: $0, context) }
            data.merge([
                "d394_rows": summary, "has_d394": !summary.isEmpty || d394.filing != nil,
                "d394_partners": "\(Set(d394.declaration.lines.map { $0.cui ?? $0.name }).count)",
                "d394_problems": d394.problems.map { ["check": $0.check, "message": english ? $0.message : $0.messageRO] },
                "has_d394_problems": !d394.problems.isEmpty, "d394_blockers": d394Blockers, "has_d394_blockers": !d394Blockers.isEmpty,
                "d394_filing_href": d394.filing.map { "/filings/\($0.id)" } ?? "", "has_d394_filing": d394.filing != nil,
                "d394_filing_state": d394.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "d394_ready": d394.blockers.isEmpty, "can_generate_d394": canWrite && d394.blockers.isEmpty,
                "d394_due": PageFormat.inputDate(FilingForm.d394.due(period)),
            ]) { $1 }
            // The month's D390 (always monthly): shown when the month has intra-Community operations or a kept D390.
            let vies = returns.d390
            let operations: [[String: Any]] = vies.declaration.operations.map {
                [
                    "kind": $0.kind.rawValue, "partner": "\($0.country)\($0.code)", "name": $0.name,
                    "base": MoneyFormat.amount($0.base, digits: 0, locale: locale),
                ]
            }
            let viesBlockers = vies.blockers.filter { $0.id != "filing.d390_empty" }.map { views(message: $0, context) }
            data.merge([
                "has_vies": !operations.isEmpty || vies.filing != nil || !vies.problems.isEmpty, "vies_operations": operations,
                "vies_problems": vies.problems.map { ["check": $0.check, "message": english ? $0.message : $0.messageRO] },
                "has_vies_problems": !vies.problems.isEmpty, "vies_blockers": viesBlockers, "has_vies_blockers": !viesBlockers.isEmpty,
                "vies_filing_href": vies.filing.map { "/filings/\($0.id)" } ?? "", "has_vies_filing": vies.filing != nil,
                "vies_filing_state": vies.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "vies_ready": vies.blockers.isEmpty, "can_generate_vies": canWrite && vies.blockers.isEmpty,
                "vies_due": PageFormat.inputDate(FilingForm.d390.due(period)),
            ]) { $1 }
        } catch let failure where html.errors(failure, context) != nil {
            problems = html.errors(failure, context)
        }
        data["form_errors"] = problems?.summary ?? []
        data["has_errors"] = !(problems?.summary ?? []).isEmpty
        return try await html.page("vat", "title_vat", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    func views(message error: DomainError, _ context: WebContext) -> [String: String] {
        ["field": error.field ?? "", "message": html.views.catalog.message(id: error.id, fallback: error.message, context.locale)]
    }

    func period(_ context: WebContext) throws -> YearMonth {
        guard let period = context.parameters.get("period").flatMap({ try? YearMonth(text: $0) }) else { throw WebError.notFound }
        return period
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try period(context)
        let draft = try await culise.d300Draft(company: p.companyID, period: period, actor: .user(p))
        return FilingPages.xmlResponse(draft.xml, name: "d300_\(period)_draft")
    }

    @Sendable func draftD390(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try period(context)
        let draft = try await culise.d390Draft(company: p.companyID, period: period, actor: .user(p))
        return FilingPages.xmlResponse(draft.xml, name: "d390_\(period)_draft")
    }

    @Sendable func draftD394(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try period(context)
        let draft = try await culise.d394Draft(company: p.companyID, period: period, actor: .user(p))
        return FilingPages.xmlResponse(draft.xml, name: "d394_\(period)_draft")
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try period(context)
        let actor = Actor.user(p)
        do {
            switch context.form["action"] ?? "" {
            case "generate": _ = try await culise.generateD300(company: p.companyID, period: period, actor: actor)
            case "generate_d390": _ = try await culise.generateD390(company: p.companyID, period: period, actor: actor)
            case "generate_d394": _ = try await culise.generateD394(company: p.companyID, period: period, actor: actor)
            case "close": _ = try await culise.closeVAT(company: p.companyID, period: period, actor: actor)
            case "reopen": _ = try await culise.reopenVAT(company: p.companyID, period: period, actor: actor)
            default: throw WebError.notFound
            }
            return redirect(to: "/vat?period=\(period)&flash=vat_done")
        } catch let error where html.errors(error, context) != nil {
            return try await render(request, context, period: period, error: error)
        }
    }

    // MARK: - Settings

    static let settingFields = [
        "caen", "declarant_last_name", "declarant_first_name", "declarant_function", "bank_name", "iban", "phone", "email",
    ]

    @Sendable func settings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let s = try await culise.taxFilingSettings(company: p.companyID, actor: .user(p))
        let values: [String: String] = [
            "vat_period": s.vatPeriod.rawValue, "caen": s.caen ?? "", "declarant_last_name": s.declarantLastName ?? "",
            "declarant_first_name": s.declarantFirstName ?? "", "declarant_function": s.declarantFunction ?? "",
            "bank_name": s.bankName ?? "", "iban": s.iban ?? "", "phone": s.phone ?? "", "email": s.email ?? "",
            "employer": s.employer ? "true" : "", "saft": s.saft ? "true" : "",
        ]
        return try await renderSettings(request, context, values: values)
    }

    func renderSettings(
        _ request: Request, _ context: WebContext, values: [String: String], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        var fields = [
            Field(
                name: "vat_period", label: t["field_vat_period"] ?? "", value: values["vat_period"] ?? "monthly",
                error: errors["vat_period"],
                choices: VATPeriod.allCases.map { ($0.rawValue, t["vat_period_\($0.rawValue)"] ?? $0.rawValue) })
        ]
        for name in Self.settingFields {
            fields.append(
                Field(
                    name: name, label: t["field_\(name)"] ?? name, type: name == "email" ? "email" : "text", value: values[name] ?? "",
                    error: errors[name]))
        }
        fields.append(Field(name: "employer", label: t["field_employer"] ?? "", type: "checkbox", checked: values["employer"] == "true"))
        fields.append(Field(name: "saft", label: t["field_saft"] ?? "", type: "checkbox", checked: values["saft"] == "true"))
        var data = html.formData(fields: fields, summary: problems?.summary ?? [])
        data["can_edit"] = Policy.allows(p.role, .accounting, .write)
        return try await html.page(
            "vat_settings", "title_vat_settings", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func saveSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        var values = Self.settingFields.reduce(into: [String: String]()) { $0[$1] = form[$1] ?? "" }
        values["vat_period"] = form["vat_period"] ?? "monthly"
        values["employer"] = form["employer"] == "true" ? "true" : ""
        values["saft"] = form["saft"] == "true" ? "true" : ""
        do {
            let period: VATPeriod
            period = try VATPeriod(parsing: values["vat_period"] ?? "")
            let settings = TaxFilingSettings(
                vatPeriod: period, caen: values["caen"], declarantLastName: values["declarant_last_name"],
                declarantFirstName: values["declarant_first_name"], declarantFunction: values["declarant_function"],
                bankName: values["bank_name"], iban: values["iban"], phone: values["phone"], email: values["email"],
                employer: values["employer"] == "true", saft: values["saft"] == "true")
            try await culise.setTaxFilingSettings(company: p.companyID, settings, actor: .user(p))
            return redirect(to: "/vat?flash=vat_done")
        } catch let error where html.errors(error, context) != nil {
            return try await renderSettings(request, context, values: values, error: error)
        }
    }
}
