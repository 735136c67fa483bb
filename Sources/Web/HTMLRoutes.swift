import Application
import Assembly
import BankingApp
import Companies
import FilingsApp
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import PayrollApp

/// Browser pages. Each handler decodes the form or query, calls the app layer and renders.
struct HTMLRoutes: Sendable {
    let culise: Culise
    let views: Views
    let cookies: CookieSettings

    func register(on router: Router<WebContext>, protect: (Area, Access) -> Protected) {
        router.get("/") { _, context in redirect(to: context.session == nil ? "/login" : "/home") }
        router.get("/login", use: loginPage)
        router.head("/login", use: loginPage)
        router.post("/login", use: login)
        router.get("/login/2fa", use: secondFactorPage)
        router.post("/login/2fa", use: secondFactor)
        router.post("/logout", use: logout)
        router.post("/lang", use: language)

        protect(.home, .read).get("/home", use: home)
        protect(.company, .read).get("/company", use: companyPage)
        protect(.company, .read).get("/companies/{id}", use: companyByID)
        protect(.company, .write).post("/company", use: updateCompany)
        protect(.company, .write).get("/companies/new", use: newCompanyPage)
        protect(.company, .write).post("/companies", use: createCompany)
        protect(.profile, .write).post("/company/switch", use: switchCompany)
        protect(.users, .read).get("/users", use: usersPage)
        protect(.users, .write).post("/users", use: addUser)
        protect(.users, .write).post("/users/{id}/role", use: setRole)
        protect(.audit, .read).get("/audit", use: auditPage)
        protect(.profile, .read).get("/profile", use: profilePage)
        protect(.profile, .write).post("/profile/password", use: changePassword)
        protect(.profile, .write).post("/profile/2fa/start", use: startTwoFactor)
        protect(.profile, .write).post("/profile/2fa/confirm", use: confirmTwoFactor)
        protect(.profile, .write).post("/profile/2fa/disable", use: disableTwoFactor)
        protect(.profile, .write).post("/profile/tokens", use: createToken)
        protect(.profile, .write).post("/profile/tokens/{id}/revoke", use: revokeToken)
        LedgerPages(culise: culise, views: views, html: self).register(on: router, protect: protect)
        PartnerPages(culise: culise, views: views, html: self).register(protect: protect)
        PeoplePages(culise: culise, views: views, html: self).register(protect: protect)
        LeavePages(culise: culise, views: views, html: self).register(protect: protect)
        PolicyPages(culise: culise, views: views, html: self).register(protect: protect)
        RecruitmentPages(culise: culise, views: views, html: self).register(protect: protect)
        SelfServicePages(culise: culise, views: views, html: self).register(protect: protect)
        EmployeeChangePages(culise: culise, views: views, html: self).register(protect: protect)
        PayrollPages(culise: culise, views: views, html: self).register(protect: protect)
        FilingPages(culise: culise, html: self).register(protect: protect)
        VATPages(culise: culise, html: self).register(protect: protect)
        SAFTPages(culise: culise, html: self).register(protect: protect)
        FinancialStatementsPages(culise: culise, html: self).register(protect: protect)
        FilingCalendarPages(culise: culise, html: self).register(protect: protect)
        PayrollParameterPages(culise: culise, html: self).register(protect: protect)
        TrainingPages(culise: culise, views: views, html: self).register(protect: protect)
        JobPages(culise: culise, html: self).register(protect: protect)
        NotificationPages(culise: culise, html: self).register(protect: protect)
    }

    // MARK: helpers

    func t(_ context: WebContext) -> [String: String] { views.catalog.table(context.locale) }

    func page(
        _ template: String, _ titleKey: String, _ data: [String: Any], _ request: Request, _ context: WebContext,
        status: HTTPResponse.Status = .ok, flash: String? = nil
    ) async throws -> Response {
        var companies: [(id: String, name: String)] = []
        var unread = 0
        if let session = context.session, !session.pendingSecondFactor {
            companies = try await culise.memberships(of: session.userID).map { ($0.company.id.description, $0.company.legalName) }
            if let company = session.companyID { unread = try await culise.unreadNotifications(company: company, user: session.userID) }
        }
        return views.render(
            template, titleKey: titleKey, data: data, context: context, request: request, companies: companies,
            status: status, flash: flash ?? request.uri.queryParameters["flash"].flatMap { t(context)["flash_\($0)"] }, unread: unread)
    }

    /// Field errors by field name, plus the summary list, from a validation failure.
    func errors(_ error: any Error, _ context: WebContext) -> (byField: [String: String], summary: [[String: String]])? {
        let problems: [DomainError]
        switch error {
        case let error as ValidationErrors: problems = error.problems
        case let error as DomainError where error.kind == .invalid || error.kind == .conflict: problems = [error]
        default: return nil
        }
        var byField: [String: String] = [:]
        let text = { (problem: DomainError) in views.catalog.message(id: problem.id, fallback: problem.message, context.locale) }
        for problem in problems { if let field = problem.field, byField[field] == nil { byField[field] = text(problem) } }
        let summary = problems.map { ["field": $0.field ?? "", "message": text($0)] }
        return (byField, summary)
    }

    func formData(fields: [Field], summary: [[String: String]] = []) -> [String: Any] {
        ["fields": fields.map(\.dictionary), "form_errors": summary, "has_errors": !summary.isEmpty]
    }

    // MARK: sign-in

    func loginFields(_ context: WebContext, email: String = "", errors: [String: String] = [:]) -> [Field] {
        let t = t(context)
        return [
            Field(
                name: "email", label: t["field_email"]!, type: "email", value: email, error: errors["email"], required: true,
                autocomplete: "username"),
            Field(
                name: "password", label: t["field_password"]!, type: "password", error: errors["password"], required: true,
                autocomplete: "current-password"),
        ]
    }

    @Sendable func loginPage(_ request: Request, context: WebContext) async throws -> Response {
        if context.principal != nil { return redirect(to: "/home") }
        var data = formData(fields: loginFields(context))
        data["next"] = request.uri.queryParameters["next"].map(String.init) ?? ""
        return try await page("login", "title_login", data, request, context)
    }

    @Sendable func login(_ request: Request, context: WebContext) async throws -> Response {
        let email = context.form["email"] ?? ""
        do {
            let result = try await culise.login(
                email: email, password: context.form["password"] ?? "", clientAddress: context.clientAddress)
            var response = redirect(to: result.needsSecondFactor ? "/login/2fa" : Redirects.safeLocal(context.form["next"]))
            response.setCookie(cookies.make(CookieSettings.session, result.sessionToken, maxAge: culise.settings.sessionAbsoluteSeconds))
            return response
        } catch let error as DomainError where error.kind == .unauthenticated || error.kind == .rateLimited {
            let status = ErrorMapping.status(for: error.kind)
            let message = views.catalog.message(id: error.id, fallback: error.message, context.locale)
            let data = formData(
                fields: loginFields(context, email: email, errors: ["password": message]),
                summary: [["field": "password", "message": message]])
            return try await page("login", "title_login", data, request, context, status: status)
        }
    }

    func codeField(_ context: WebContext, error: String? = nil) -> [Field] {
        [Field(name: "code", label: t(context)["field_code"]!, type: "text", error: error, required: true, autocomplete: "one-time-code")]
    }

    @Sendable func secondFactorPage(_ request: Request, context: WebContext) async throws -> Response {
        guard let session = context.session, session.pendingSecondFactor else { return redirect(to: "/login") }
        return try await page("twofactor", "title_login", formData(fields: codeField(context)), request, context)
    }

    @Sendable func secondFactor(_ request: Request, context: WebContext) async throws -> Response {
        guard let token = context.sessionToken else { return redirect(to: "/login") }
        do {
            try await culise.verifySecondFactor(token: token, code: context.form["code"] ?? "", clientAddress: context.clientAddress)
            return redirect(to: "/home")
        } catch let error as DomainError where error.kind == .unauthenticated || error.kind == .rateLimited {
            let message = views.catalog.message(id: error.id, fallback: error.message, context.locale)
            let data = formData(fields: codeField(context, error: message), summary: [["field": "code", "message": message]])
            return try await page("twofactor", "title_login", data, request, context, status: ErrorMapping.status(for: error.kind))
        }
    }

    /// Internal ids in a text a person reads, shortened to their first 8 characters (`01a24d43…`).
    static func shortIDs(_ text: String) -> String {
        text.replacingOccurrences(
            of: "([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "$1…", options: .regularExpression)
    }

    @Sendable func logout(_ request: Request, context: WebContext) async throws -> Response {
        if let token = context.sessionToken { try await culise.logout(token: token) }
        var response = redirect(to: "/login")
        response.setCookie(cookies.make(CookieSettings.session, "", maxAge: 0))
        return response
    }

    @Sendable func language(_ request: Request, context: WebContext) async throws -> Response {
        let lang = context.form["lang"].flatMap { Catalog.locales.contains($0) ? $0 : nil } ?? Catalog.defaultLocale
        var response = redirect(to: Redirects.safeLocal(context.form["back"]))
        response.setCookie(cookies.make(CookieSettings.language, lang, maxAge: 365 * 24 * 3600, httpOnly: true))
        // Notifications and e-mails to a signed-in user follow the language they read.
        if let session = context.session { try await culise.setLanguage(user: session.userID, language: lang) }
        return response
    }

    // MARK: home and company

    func companyFacts(_ company: Company, _ t: [String: String]) -> [String: Any] {
        let address = [
            company.address.line, company.address.city, company.address.county.flatMap { County.names[$0] }, company.address.postalCode,
            company.address.country,
        ]
        .compactMap { $0 }.joined(separator: ", ")
        return [
            "legal_name": company.legalName, "fiscal_code": company.fiscalCode, "trade_register": company.tradeRegister?.value ?? "—",
            "address": address, "vat_payer": company.vatPayer ? t["yes"]! : t["no"]!, "currency": company.functionalCurrency.code,
            "fiscal_year_start": t["month_\(company.fiscalYearStartMonth)"] ?? String(company.fiscalYearStartMonth),
        ]
    }

    @Sendable func home(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let company = try await culise.company(principal.companyID, actor: .user(principal))
        let summary = try await culise.companySummary(principal.companyID)
        let t = t(context)
        var data: [String: Any] = [
            "company": companyFacts(company, t), "members": summary.members, "audit_rows": summary.auditRows,
            "role": t["role_\(principal.role.rawValue)"] ?? principal.role.rawValue,
        ]
        // e-Factura: invoices not yet accepted, most urgent first, with their 5-working-day deadline.
        if Policy.allows(principal.role, .invoicing, .read) {
            let pending = try await culise.outbox(company: principal.companyID, pendingOnly: true, limit: 20, actor: .user(principal))
            data["efactura_pending"] = pending.map { item -> [String: Any] in
                [
                    "number": item.number, "href": "/invoices/\(item.invoice)", "state": t["state_ef_\(item.state)"] ?? item.state,
                    "deadline": PageFormat.date(item.deadline), "days_left": PageFormat.businessDaysLeft(item.daysLeft, t),
                    "late": item.daysLeft < 0,
                ]
            }
            data["has_efactura_pending"] = !pending.isEmpty
            data["show_efactura"] = true
            let followUps = try await culise.interactions(
                company: principal.companyID, partner: nil, dueBy: culise.today, limit: 10, actor: .user(principal))
            data["follow_ups"] = followUps.map {
                [
                    "partner": $0.partner, "href": "/partners/\($0.partner)", "summary": $0.interaction.summary,
                    "due": $0.interaction.followUp.map { PageFormat.date($0) } ?? "",
                ]
            }
            data["has_follow_ups"] = !followUps.isEmpty
        }
        // Bank reconciliation progress per account.
        if Policy.allows(principal.role, .banking, .read) {
            let status = try await culise.bankStatus(company: principal.companyID, actor: .user(principal))
            data["bank_status"] = status.map {
                [
                    "name": $0.account.name, "progress": $0.progress,
                    "unmatched": BankPages.counted($0.unmatched, "bank_review_line", t),
                    "href": "/bank/review?account=\($0.account.id)",
                ] as [String: Any]
            }
            data["has_bank_status"] = !status.isEmpty
        }
        // Declarations not yet filed, with their due dates, overdue first: D112 from payroll, and the tax returns of the
        // filing calendar due within ten days or overdue.
        var due: [(date: LocalDate, row: [String: Any])] = []
        if Policy.allows(principal.role, .payroll, .read) {
            let open = try await culise.payrollDeclarations(company: principal.companyID, actor: .user(principal))
                .filter { $0.open && $0.runState != .draft }
            due += open.map { status in
                (
                    status.due,
                    [
                        "form": "D112", "period": status.month.description, "href": "/payroll?month=\(status.month)",
                        "due": PageFormat.date(status.due), "late": status.due < culise.today,
                        "state": status.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                            ?? (t["filing_not_generated"] ?? ""),
                    ]
                )
            }
        }
        if Policy.allows(principal.role, .accounting, .read) {
            let now = YearMonth(culise.today)
            let start = max(YearMonth(now.firstDay.adding(days: -365)), try YearMonth(year: 2025, month: 8))
            let entries = try await culise.filingCalendar(company: principal.companyID, from: start, to: now, actor: .user(principal))
                .filter { $0.open && $0.generated && $0.form != .d112 && culise.today.days(until: $0.due) <= 10 }
            due += entries.map { entry in
                var row: [String: Any] = [
                    "form": entry.form.rawValue.uppercased(), "period": entry.period.description, "due": PageFormat.date(entry.due),
                    "late": entry.overdue,
                    "state": entry.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                        ?? (t["filing_not_generated"] ?? ""),
                ]
                row["href"] = FilingCalendarPages.href(entry) ?? "/filing-calendar"
                return (entry.due, row)
            }
        }
        data["filings_due"] = due.sorted { $0.date < $1.date }.map(\.row)
        data["has_filings_due"] = !due.isEmpty
        return try await page("home", "title_home", data, request, context)
    }

    func companyFields(_ context: WebContext, values: [String: String], errors: [String: String]) -> [Field] {
        let t = t(context)
        func field(_ name: String, _ key: String, required: Bool = false) -> Field {
            Field(name: name, label: t[key]!, value: values[name] ?? "", error: errors[name], required: required)
        }
        let months = (1...12).map { (String($0), t["month_\($0)"] ?? String($0)) }
        return [
            field("legal_name", "field_legal_name", required: true), field("cui", "field_cui", required: true),
            field("trade_register", "field_trade_register"), field("address.line", "field_address_line", required: true),
            field("address.city", "field_city", required: true),
            Field(
                name: "address.county", label: t["field_county", default: ""], value: values["address.county"]?.uppercased() ?? "",
                error: errors["address.county"], choices: PageFormat.countyChoices(selected: values["address.county"])),
            field("address.postal_code", "field_postal_code"), field("address.country", "field_country", required: true),
            Field(
                name: "vat_payer", label: t["field_vat_payer"]!, type: "checkbox", error: errors["vat_payer"],
                checked: values["vat_payer"] == "true"),
            Field(
                name: "fiscal_year_start_month", label: t["field_fiscal_year_start_month"]!,
                value: values["fiscal_year_start_month"] ?? "1",
                error: errors["fiscal_year_start_month"], choices: months),
        ]
    }

    static func values(of company: Company) -> [String: String] {
        [
            "legal_name": company.legalName, "cui": company.cui.digits, "trade_register": company.tradeRegister?.value ?? "",
            "address.line": company.address.line, "address.city": company.address.city, "address.county": company.address.county ?? "",
            "address.postal_code": company.address.postalCode ?? "", "address.country": company.address.country,
            "vat_payer": company.vatPayer ? "true" : "false", "fiscal_year_start_month": String(company.fiscalYearStartMonth),
        ]
    }

    static func companyInput(_ form: [String: String]) -> CompanyInput {
        CompanyInput(
            legalName: form["legal_name"] ?? "", cui: form["cui"] ?? "", tradeRegister: form["trade_register"],
            address: Address(
                line: form["address.line"] ?? "", city: form["address.city"] ?? "", county: form["address.county"],
                postalCode: form["address.postal_code"], country: (form["address.country"] ?? "").isEmpty ? "RO" : form["address.country"]!),
            vatPayer: form["vat_payer"] == "true", fiscalYearStartMonth: Int(form["fiscal_year_start_month"] ?? "1"))
    }

    func companyView(
        _ company: Company?, values: [String: String], summary: [[String: String]] = [], errors: [String: String] = [:],
        context: WebContext, action: String, heading: String
    ) -> [String: Any] {
        let principal = context.principal
        let canEdit = principal.map { Policy.allows($0.role, .company, .write) } ?? false
        var data = formData(fields: companyFields(context, values: values, errors: errors), summary: summary)
        data["can_edit"] = canEdit
        data["can_create"] = canEdit
        data["action"] = action
        data["heading"] = heading
        if let company {
            let t = t(context)
            let facts = companyFacts(company, t)
            data["facts"] = [
                ("company_fiscal_code", "fiscal_code"), ("company_trade_register", "trade_register"), ("company_address", "address"),
                ("company_vat_payer", "vat_payer"), ("company_currency", "currency"), ("company_fiscal_year_start", "fiscal_year_start"),
            ].map { ["label": t[$0.0]!, "value": facts[$0.1] as? String ?? ""] }
        }
        return data
    }

    @Sendable func companyPage(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let company = try await culise.company(principal.companyID, actor: .user(principal))
        let data = companyView(company, values: Self.values(of: company), context: context, action: "/company", heading: company.legalName)
        return try await page("company", "title_company", data, request, context)
    }

    @Sendable func companyByID(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap(CompanyID.init(string:)) else { throw WebError.notFound }
        let company = try await culise.company(id, actor: .user(principal))
        let data = companyView(company, values: Self.values(of: company), context: context, action: "/company", heading: company.legalName)
        return try await page("company", "title_company", data, request, context)
    }

    @Sendable func updateCompany(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        do {
            _ = try await culise.updateCompany(principal.companyID, Self.companyInput(context.form), actor: .user(principal))
            return redirect(to: "/company?flash=company_saved")
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            let data = companyView(
                nil, values: context.form, summary: summary, errors: byField, context: context, action: "/company",
                heading: t(context)["title_company"]!)
            return try await page("company", "title_company", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func newCompanyPage(_ request: Request, context: WebContext) async throws -> Response {
        let data = companyView(
            nil, values: ["address.country": "RO", "vat_payer": "true"], context: context, action: "/companies",
            heading: t(context)["title_new_company"]!)
        return try await page("company", "title_new_company", data, request, context)
    }

    @Sendable func createCompany(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let token = context.sessionToken else { throw WebError.csrf }
        do {
            let company = try await culise.createCompany(Self.companyInput(context.form), actor: .user(principal))
            try await culise.selectCompany(token: token, company: company.id)
            return redirect(to: "/company?flash=company_created")
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            let data = companyView(
                nil, values: context.form, summary: summary, errors: byField, context: context, action: "/companies",
                heading: t(context)["title_new_company"]!)
            return try await page("company", "title_new_company", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func switchCompany(_ request: Request, context: WebContext) async throws -> Response {
        let (_, token) = try context.requireSession()
        guard let id = context.form["company"].flatMap(CompanyID.init(string:)) else { throw WebError.notFound }
        try await culise.selectCompany(token: token, company: id)
        return redirect(to: "/home")
    }

    // MARK: users

    static func sortOrder(_ request: Request, allowed: Set<String>, fallback: String) -> (String, Bool) {
        let sort = request.uri.queryParameters["sort"].map(String.init).flatMap { allowed.contains($0) ? $0 : nil } ?? fallback
        return (sort, request.uri.queryParameters["dir"] == "desc")
    }

    static func pageRequest(_ request: Request) throws(ValidationErrors) -> PageRequest {
        let query = request.uri.queryParameters
        return try PageRequest(limit: query["limit"].flatMap { Int(String($0)) }, offset: query["offset"].flatMap { Int(String($0)) })
    }

    func userFields(_ context: WebContext, values: [String: String] = [:], errors: [String: String] = [:]) -> [Field] {
        let t = t(context)
        return [
            Field(
                name: "email", label: t["field_email"]!, type: "email", value: values["email"] ?? "", error: errors["email"], required: true
            ),
            Field(
                name: "display_name", label: t["field_display_name"]!, value: values["display_name"] ?? "", error: errors["display_name"]),
            Field(
                name: "password", label: t["field_password"]!, type: "password", error: errors["password"], autocomplete: "new-password",
                hint: t["hint_password"]),
            Field(
                name: "role", label: t["field_role"]!, value: values["role"] ?? Role.employee.rawValue, error: errors["role"],
                choices: Role.allCases.map { ($0.rawValue, t["role_\($0.rawValue)"] ?? $0.rawValue) }),
        ]
    }

    func usersData(_ request: Request, context: WebContext, principal: Principal) async throws -> [String: Any] {
        let (sort, descending) = Self.sortOrder(request, allowed: ["email", "name", "role"], fallback: "email")
        let pageRequest = try Self.pageRequest(request)
        let members = try await culise.members(
            of: principal.companyID, actor: .user(principal), page: pageRequest, sort: sort, descending: descending)
        let t = t(context)
        let canEdit = Policy.allows(principal.role, .users, .write)
        let roleChoices = Role.allCases.map { ["value": $0.rawValue, "label": t["role_\($0.rawValue)"] ?? $0.rawValue] }
        let rows: [[[String: Any]]] = members.items.map { member in
            var roleCell = Table.cell(canEdit ? "" : t["role_\(member.role.rawValue)"] ?? member.role.rawValue)
            if canEdit {
                roleCell["row_action"] =
                    [
                        "href": "/users/\(member.userID)/role", "label": t["change_role"]!,
                        "select": [
                            "id": "role-\(member.userID)", "name": "role", "label": t["col_change_role"]!,
                            "choices": roleChoices.map { choice -> [String: Any] in
                                var entry: [String: Any] = choice
                                entry["selected"] = choice["value"] == member.role.rawValue
                                return entry
                            },
                        ] as [String: Any],
                    ] as [String: Any]
            }
            return [
                Table.cell(member.email), Table.cell(member.displayName), roleCell, Table.cell(member.twoFactor ? t["yes"]! : t["no"]!),
            ]
        }
        let table = Table(
            caption: t["users_title"]!,
            columns: [
                .init(label: t["col_email"]!, sortKey: "email"), .init(label: t["col_name"]!, sortKey: "name"),
                .init(label: t["col_role"]!, sortKey: "role"), .init(label: t["col_2fa"]!),
            ],
            rows: rows, basePath: "/users", query: [:], sort: sort, descending: descending, offset: members.offset,
            limit: members.limit, total: members.total)
        return ["table": table.dictionary(t), "can_edit": canEdit]
    }

    @Sendable func usersPage(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var data = try await usersData(request, context: context, principal: principal)
        data.merge(formData(fields: userFields(context))) { $1 }
        return try await page("users", "title_users", data, request, context)
    }

    @Sendable func addUser(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = context.form
        do {
            let role = try Role(parsing: form["role"] ?? "")
            _ = try await culise.addUser(
                email: form["email"] ?? "", displayName: form["display_name"] ?? "", password: form["password"],
                company: principal.companyID, role: role, actor: .user(principal))
            return redirect(to: "/users?flash=user_added")
        } catch is Invited {
            return redirect(to: "/users?flash=user_invited")
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            var data = try await usersData(request, context: context, principal: principal)
            data.merge(formData(fields: userFields(context, values: form, errors: byField), summary: summary)) { $1 }
            return try await page("users", "title_users", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func setRole(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let user = context.parameters.get("id").flatMap(UserID.init(string:)) else { throw WebError.notFound }
        let role = try Role(parsing: context.form["role"] ?? "")
        try await culise.setRole(user: user, company: principal.companyID, role: role, actor: .user(principal))
        return redirect(to: "/users?flash=role_changed")
    }

    // MARK: audit

    @Sendable func auditPage(_ request: Request, context: WebContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let t = t(context)
        func text(_ key: String) -> String { query[Substring(key)].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "" }
        var problems = ProblemCollector()
        let from =
            text("from").isEmpty ? nil : problems.collect { () throws(DomainError) in try LocalDate(iso: text("from"), field: "from") }
        let to = text("to").isEmpty ? nil : problems.collect { () throws(DomainError) in try LocalDate(iso: text("to"), field: "to") }
        let pageRequest = problems.collect { () throws(ValidationErrors) in try Self.pageRequest(request) } ?? .first
        let filter = AuditFilter(action: text("action"), entity: text("entity"), actor: text("actor"), from: from, to: to)
        let entries = try await culise.auditEntries(filter: filter, page: pageRequest, actor: .user(principal))
        let byField = Dictionary(
            problems.problems.compactMap { p in p.field.map { ($0, views.catalog.message(id: p.id, fallback: p.message, context.locale)) }
            },
            uniquingKeysWith: { a, _ in a })
        let fields = [
            Field(name: "action", label: t["field_action"]!, value: text("action")),
            Field(name: "entity", label: t["field_entity"]!, value: text("entity")),
            Field(name: "actor", label: t["field_actor"]!, value: text("actor")),
            Field(name: "from", label: t["field_from"]!, type: "date", value: text("from"), error: byField["from"]),
            Field(name: "to", label: t["field_to"]!, type: "date", value: text("to"), error: byField["to"]),
        ]
        // Documents by kind and number with a link; other records by a short reference (the first 8 characters of the
        // id, enough to find it with `culise audit`), never a whole internal id.
        let names = await DocumentNames.labels(
            culise, entries.items.filter { $0.entity == "invoice" || $0.entity == "bill" }.map { ($0.entity, $0.entityID) }, principal, t)
        let rows: [[[String: Any]]] = entries.items.map { row in
            let named = names[row.entityID]
            return [
                Table.cell(String(row.seq), numeric: true), Table.cell(PageFormat.timestamp(row.at)), Table.cell(row.actor),
                Table.cell(row.action), Table.cell(row.entity), Table.cell(named?.label ?? Self.shortIDs(row.entityID), href: named?.href),
                Table.cell(Self.shortIDs(row.diff)),
            ]
        }
        let table = Table(
            caption: t["audit_title"]!,
            columns: [
                t["col_seq"]!, t["col_at"]!, t["col_actor"]!, t["col_action"]!, t["col_entity"]!, t["col_entity_id"]!, t["col_changes"]!,
            ]
            .map { Table.Column(label: $0) },
            rows: rows, basePath: "/audit",
            query: ["action": text("action"), "entity": text("entity"), "actor": text("actor"), "from": text("from"), "to": text("to")],
            sort: nil, descending: true, offset: entries.offset, limit: entries.limit, total: entries.total)
        var data = formData(
            fields: fields,
            summary: problems.problems.map {
                ["field": $0.field ?? "", "message": views.catalog.message(id: $0.id, fallback: $0.message, context.locale)]
            })
        data["table"] = table.dictionary(t)
        return try await page("audit", "title_audit", data, request, context, status: problems.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: profile

    func profileData(
        _ context: WebContext, session: SessionInfo, extra: [String: Any] = [:], errors: [String: String] = [:],
        summary: [[String: String]] = []
    ) async throws -> [String: Any] {
        let t = t(context)
        let tokens = try await culise.tokens(of: session.userID)
        let rows: [[[String: Any]]] = tokens.map { token in
            var status = Table.cell(token.revokedAt == nil ? t["active"]! : t["revoked"]!)
            if token.revokedAt == nil { status["row_action"] = ["href": "/profile/tokens/\(token.id)/revoke", "label": t["revoke"]!] }
            return [
                Table.cell(token.name), Table.cell(PageFormat.timestamp(token.createdAt)),
                Table.cell(token.lastUsedAt.map { PageFormat.timestamp($0) } ?? "—"), status,
            ]
        }
        let table = Table(
            caption: t["profile_tokens"]!,
            columns: [t["col_token_name"]!, t["col_created"]!, t["col_last_used"]!, t["col_status"]!].map { Table.Column(label: $0) },
            rows: rows, basePath: "/profile", query: [:], sort: nil, descending: false, offset: 0, limit: max(tokens.count, 1),
            total: tokens.count)
        var data: [String: Any] = [
            "two_factor": session.twoFactor, "table": table.dictionary(t), "form_errors": summary, "has_errors": !summary.isEmpty,
            "password_fields": [
                Field(
                    name: "current_password", label: t["field_current_password"]!, type: "password", error: errors["current_password"],
                    required: true, autocomplete: "current-password"),
                Field(
                    name: "new_password", label: t["field_new_password"]!, type: "password", error: errors["new_password"], required: true,
                    autocomplete: "new-password", hint: t["hint_password"]),
            ].map(\.dictionary),
            "confirm_fields": codeField(context, error: errors["code"]).map(\.dictionary),
            "disable_fields": [
                Field(
                    name: "password", label: t["field_password"]!, type: "password", error: errors["password"], required: true,
                    autocomplete: "current-password")
            ].map(\.dictionary),
            "token_fields": [Field(name: "name", label: t["field_token_name"]!, error: errors["name"], required: true)].map(\.dictionary),
        ]
        data.merge(extra) { $1 }
        return data
    }

    @Sendable func profilePage(_ request: Request, context: WebContext) async throws -> Response {
        let (session, _) = try context.requireSession()
        return try await page("profile", "title_profile", try await profileData(context, session: session), request, context)
    }

    /// Runs a profile action; validation problems re-render the profile with the errors.
    func profileAction(
        _ request: Request, _ context: WebContext, extra: [String: Any] = [:], _ action: (SessionInfo, String) async throws -> String?
    ) async throws -> Response {
        let (session, token) = try context.requireSession()
        do {
            if let flash = try await action(session, token) { return redirect(to: "/profile?flash=\(flash)") }
            return redirect(to: "/profile")
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            let data = try await profileData(context, session: session, extra: extra, errors: byField, summary: summary)
            return try await page("profile", "title_profile", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func changePassword(_ request: Request, context: WebContext) async throws -> Response {
        try await profileAction(request, context) { session, token in
            try await culise.changePassword(
                user: session.userID, current: context.form["current_password"] ?? "", new: context.form["new_password"] ?? "",
                keepSession: token)
            return "password_changed"
        }
    }

    @Sendable func startTwoFactor(_ request: Request, context: WebContext) async throws -> Response {
        let (session, _) = try context.requireSession()
        let (secret, uri) = try await culise.beginTOTPEnrollment(user: session.userID)
        let data = try await profileData(context, session: session, extra: ["enrol_secret": secret, "enrol_uri": uri])
        return try await page("profile", "title_profile", data, request, context)
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: WebContext) async throws -> Response {
        let (session, _) = try context.requireSession()
        do {
            let codes = try await culise.confirmTOTPEnrollment(user: session.userID, code: context.form["code"] ?? "")
            let refreshed = try await culise.session(token: context.sessionToken!) ?? session
            let data = try await profileData(context, session: refreshed, extra: ["recovery_codes": codes, "has_recovery_codes": true])
            return try await page("profile", "title_profile", data, request, context, flash: t(context)["flash_2fa_on"])
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            let data = try await profileData(context, session: session, errors: byField, summary: summary)
            return try await page("profile", "title_profile", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func disableTwoFactor(_ request: Request, context: WebContext) async throws -> Response {
        try await profileAction(request, context) { session, _ in
            try await culise.disableTOTP(user: session.userID, password: context.form["password"] ?? "")
            return "2fa_off"
        }
    }

    @Sendable func createToken(_ request: Request, context: WebContext) async throws -> Response {
        let (session, _) = try context.requireSession()
        let principal = try context.requirePrincipal()
        do {
            let (_, token) = try await culise.createToken(
                user: session.userID, company: principal.companyID, name: context.form["name"] ?? "", actor: .user(principal))
            let data = try await profileData(context, session: session, extra: ["new_token": token])
            return try await page("profile", "title_profile", data, request, context, status: .created)
        } catch {
            guard let (byField, summary) = errors(error, context) else { throw error }
            let data = try await profileData(context, session: session, errors: byField, summary: summary)
            return try await page("profile", "title_profile", data, request, context, status: ErrorMapping.describe(error).0)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: WebContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(APITokenID.init(string:)), let actor = context.actor else {
            throw WebError.notFound
        }
        try await culise.revokeToken(id, actor: actor)
        return redirect(to: "/profile?flash=token_revoked")
    }
}
