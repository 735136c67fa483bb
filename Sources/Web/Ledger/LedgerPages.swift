import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp

/// Browser pages of the ledger: reports with drill-down (account → lines → entry → document), entries, the chart.
struct LedgerPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(on router: Router<WebContext>, protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/ledger", use: { _, _ in redirect(to: "/ledger/trial-balance") })
        protect(.accounting, .read).get("/ledger/trial-balance", use: trialBalance)
        protect(.accounting, .read).get("/ledger/account-sheet", use: accountSheet)
        protect(.accounting, .read).get("/ledger/entries", use: entries)
        protect(.accounting, .write).get("/ledger/entries/new", use: newEntry)
        protect(.accounting, .write).post("/ledger/entries", use: createEntry)
        protect(.accounting, .read).get("/ledger/entries/{id}", use: entry)
        protect(.accounting, .write).post("/ledger/entries/{id}/post", use: postDraft)
        protect(.accounting, .write).post("/ledger/entries/{id}/reverse", use: reverse)
        protect(.accounting, .write).post("/ledger/entries/{id}/delete", use: deleteDraft)
        protect(.accounting, .read).get("/ledger/accounts", use: accounts)
        protect(.accounting, .write).post("/ledger/accounts", use: addAccount)
        protect(.accounting, .write).post("/ledger/accounts/{code}/update", use: updateAccount)
        protect(.accounting, .write).post("/ledger/accounts/rename", use: renameAccount)
        protect(.accounting, .read).get("/ledger/balance-sheet", use: balanceSheet)
        protect(.accounting, .read).get("/ledger/profit-loss", use: profitLoss)
        protect(.accounting, .read).get("/ledger/partner-balances", use: partnerBalances)
    }

    static let sections: [(String, String)] = [
        ("/ledger/trial-balance", "ledger_trial_balance"), ("/ledger/entries", "ledger_entries"), ("/ledger/accounts", "ledger_accounts"),
        ("/ledger/account-sheet", "ledger_account_sheet"), ("/ledger/balance-sheet", "ledger_balance_sheet"),
        ("/ledger/profit-loss", "ledger_profit_loss"), ("/ledger/partner-balances", "ledger_partner_balances"),
        ("/ledger/financial-statements", "ledger_financial_statements"),
    ]

    func base(_ request: Request, _ context: WebContext) -> [String: Any] {
        let t = html.t(context)
        let path = request.uri.path
        return [
            "ledger_nav": Self.sections.map { ["href": $0.0, "label": t[$0.1] ?? $0.1, "active": path.hasPrefix($0.0)] as [String: Any] },
            "can_write": context.principal.map { Policy.allows($0.role, .accounting, .write) } ?? false,
        ]
    }

    static func money(_ minor: Int64) -> String { PageFormat.amount(minor) }

    func query(_ request: Request, _ key: String) -> String { request.uri.queryParameters[Substring(key)].map(String.init) ?? "" }

    /// Reads optional dates and paging from the query, collecting problems to show next to the fields.
    func dates(_ request: Request, _ keys: [String], _ problems: inout ProblemCollector) -> [String: LocalDate] {
        var result: [String: LocalDate] = [:]
        for key in keys {
            let text = query(request, key)
            if !text.isEmpty, let date = problems.collect({ () throws(DomainError) in try LocalDate(iso: text, field: key) }) {
                result[key] = date
            }
        }
        return result
    }

    func filterFields(
        _ request: Request, _ context: WebContext, _ keys: [(String, String, String)], _ problems: ProblemCollector,
        choices: [String: [(value: String, label: String)]] = [:]
    ) -> [[String: Any]] {
        let t = html.t(context)
        let errors = Dictionary(
            problems.problems.compactMap { p in p.field.map { ($0, views.catalog.message(id: p.id, fallback: p.message, context.locale)) } }
        ) { a, _ in a }
        return keys.map { key, label, type in
            Field(
                name: key, label: t[label] ?? label, type: type, value: query(request, key), error: errors[key], choices: choices[key]
            ).dictionary
        }
    }

    func page(
        _ template: String, _ title: String, _ data: [String: Any], _ request: Request, _ context: WebContext,
        problems: ProblemCollector = ProblemCollector(), status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        var data = data.merging(base(request, context)) { $1 }
        let summary = problems.problems.map {
            ["field": $0.field ?? "", "message": views.catalog.message(id: $0.id, fallback: $0.message, context.locale)]
        }
        data["form_errors"] = summary
        data["has_errors"] = !summary.isEmpty
        return try await html.page(template, title, data, request, context, status: problems.isEmpty ? status : .unprocessableContent)
    }

    // MARK: reports

    @Sendable func trialBalance(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        var problems = ProblemCollector()
        let range = dates(request, ["from", "to"], &problems)
        let report = try await culise.trialBalance(company: p.companyID, from: range["from"], to: range["to"], actor: .user(p))
        let link = { (code: String) -> String in
            var items = ["account=\(code)"]
            if let from = range["from"] { items.append("from=\(from)") }
            if let to = range["to"] { items.append("to=\(to)") }
            return "/ledger/account-sheet?" + items.joined(separator: "&")
        }
        let rows: [[[String: Any]]] = report.rows.map { row in
            let amounts = [
                row.opening.debit, row.opening.credit, row.period.debit, row.period.credit, row.total.debit, row.total.credit,
                row.closing.debit, row.closing.credit,
            ]
            return [Table.cell(row.code, href: row.kind == "account" ? link(row.code) : nil), Table.cell(row.name)]
                + amounts.map { Table.cell(Self.money($0), numeric: true) }
        }
        let columns = [
            "col_account", "col_name", "col_opening_debit", "col_opening_credit", "col_period_debit", "col_period_credit",
            "col_total_debit", "col_total_credit", "col_closing_debit", "col_closing_credit",
        ]
        let table = Table(
            caption: t["ledger_trial_balance"]!, columns: columns.map { Table.Column(label: t[$0] ?? $0) }, rows: rows,
            basePath: "/ledger/trial-balance",
            query: [:], sort: nil, descending: false, offset: 0, limit: max(rows.count, 1), total: rows.count)
        var summary = report.equalitiesHold ? t["ledger_equalities_hold"]! : t["ledger_equalities_broken"]!
        if let seq = report.chainSeq, let hash = report.chainHead {
            summary +=
                " "
                + t["ledger_chain_head"]!.replacingOccurrences(of: "{seq}", with: String(seq)).replacingOccurrences(
                    of: "{hash}", with: hash)
        }
        var csv = "/ledger/trial-balance?format=csv"
        if let from = range["from"] { csv += "&from=\(from.iso)" }
        if let to = range["to"] { csv += "&to=\(to.iso)" }
        let data: [String: Any] = [
            "heading": t["ledger_trial_balance"]!, "action": "/ledger/trial-balance", "table": table.dictionary(t), "summary": summary,
            "fields": filterFields(request, context, [("from", "field_from", "date"), ("to", "field_to", "date")], problems),
            "csv_href": context.principal != nil ? csv : "",
        ]
        return try await page("ledger_report", "ledger_trial_balance", data, request, context, problems: problems)
    }

    @Sendable func accountSheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        var problems = ProblemCollector()
        let range = dates(request, ["from", "to"], &problems)
        let pageRequest = problems.collect { () throws(ValidationErrors) in try HTMLRoutes.pageRequest(request) } ?? .first
        let account = query(request, "account").isEmpty ? "5121" : query(request, "account")
        let partner = query(request, "partner").isEmpty ? nil : query(request, "partner")
        let sheet = try await culise.accountSheet(
            company: p.companyID, account: account, partner: partner, from: range["from"], to: range["to"], page: pageRequest,
            actor: .user(p))
        let rows: [[[String: Any]]] = sheet.lines.map { line in
            [
                Table.cell(PageFormat.date(line.date)), Table.cell(line.number ?? "", href: "/ledger/entries/\(line.entryID)"),
                Table.cell(line.journal),
                Table.cell(line.description), Table.cell(line.partner ?? ""), Table.cell(Self.money(line.debit), numeric: true),
                Table.cell(Self.money(line.credit), numeric: true), Table.cell(Self.money(line.balance), numeric: true),
            ]
        }
        let columns = ["col_date", "col_number", "col_journal", "col_description", "col_partner", "col_debit", "col_credit", "col_balance"]
        let table = Table(
            caption: "\(sheet.account) \(sheet.name)", columns: columns.map { Table.Column(label: t[$0] ?? $0) }, rows: rows,
            basePath: "/ledger/account-sheet",
            query: ["account": account, "partner": partner ?? "", "from": query(request, "from"), "to": query(request, "to")], sort: nil,
            descending: false, offset: sheet.offset, limit: sheet.limit, total: sheet.totalLines)
        let summary = t["ledger_opening"]!.replacingOccurrences(of: "{opening}", with: Self.money(sheet.opening))
            .replacingOccurrences(of: "{closing}", with: Self.money(sheet.closing))
        let data: [String: Any] = [
            "heading": "\(t["ledger_account_sheet"]!) \(sheet.account)", "action": "/ledger/account-sheet", "table": table.dictionary(t),
            "summary": summary,
            "fields": filterFields(
                request, context,
                [
                    ("account", "field_account", "text"), ("partner", "field_partner", "text"), ("from", "field_from", "date"),
                    ("to", "field_to", "date"),
                ],
                problems),
        ]
        return try await page("ledger_report", "ledger_account_sheet", data, request, context, problems: problems)
    }

    @Sendable func partnerBalances(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        var problems = ProblemCollector()
        let range = dates(request, ["to"], &problems)
        let account = query(request, "account").isEmpty ? "4111" : query(request, "account")
        let balances = try await culise.partnerBalances(company: p.companyID, account: account, asOf: range["to"], actor: .user(p))
        let rows: [[[String: Any]]] = balances.map { row in
            [
                Table.cell(row.partner, href: "/ledger/account-sheet?account=\(account)&partner=\(row.partner)"),
                Table.cell(row.name ?? ""),
                Table.cell(Self.money(row.debit), numeric: true), Table.cell(Self.money(row.credit), numeric: true),
                Table.cell(Self.money(row.balance), numeric: true),
            ]
        }
        let table = Table(
            caption: "\(t["ledger_partner_balances"]!) \(account)",
            columns: ["col_partner", "col_name", "col_debit", "col_credit", "col_balance"].map { Table.Column(label: t[$0] ?? $0) },
            rows: rows,
            basePath: "/ledger/partner-balances", query: [:], sort: nil, descending: false, offset: 0, limit: max(rows.count, 1),
            total: rows.count)
        let data: [String: Any] = [
            "heading": t["ledger_partner_balances"]!, "action": "/ledger/partner-balances", "table": table.dictionary(t),
            "fields": filterFields(request, context, [("account", "field_account", "text"), ("to", "field_to", "date")], problems),
        ]
        return try await page("ledger_report", "ledger_partner_balances", data, request, context, problems: problems)
    }

    func statement(_ rows: [StatementRow], heading: String, action: String, fields: [[String: Any]]) -> [String: Any] {
        [
            "heading": heading, "action": action, "fields": fields,
            "rows": rows.map {
                [
                    "code": $0.code, "label": $0.label(language: PageFormat.locale == .en ? "en" : "ro"), "amount": Self.money($0.amount),
                    "total": $0.isTotal,
                ] as [String: Any]
            },
        ]
    }

    @Sendable func balanceSheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let range = dates(request, ["to"], &problems)
        let rows = try await culise.balanceSheet(company: p.companyID, asOf: range["to"], actor: .user(p))
        let data = statement(
            rows, heading: html.t(context)["ledger_balance_sheet"]!, action: "/ledger/balance-sheet",
            fields: filterFields(request, context, [("to", "field_to", "date")], problems))
        return try await page("ledger_statement", "ledger_balance_sheet", data, request, context, problems: problems)
    }

    @Sendable func profitLoss(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let range = dates(request, ["from", "to"], &problems)
        let rows = try await culise.profitAndLoss(company: p.companyID, from: range["from"], to: range["to"], actor: .user(p))
        let data = statement(
            rows, heading: html.t(context)["ledger_profit_loss"]!, action: "/ledger/profit-loss",
            fields: filterFields(request, context, [("from", "field_from", "date"), ("to", "field_to", "date")], problems))
        return try await page("ledger_statement", "ledger_profit_loss", data, request, context, problems: problems)
    }

    // MARK: entries

    @Sendable func entries(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        var problems = ProblemCollector()
        let range = dates(request, ["from", "to"], &problems)
        let pageRequest = problems.collect { () throws(ValidationErrors) in try HTMLRoutes.pageRequest(request) } ?? .first
        let journal = query(request, "journal")
        let state = EntryState(rawValue: query(request, "state"))
        let result = try await culise.entries(
            company: p.companyID, from: range["from"], to: range["to"], journal: journal, state: state, page: pageRequest, actor: .user(p))
        let rows: [[[String: Any]]] = result.items.map { entry in
            let total = entry.lines.reduce(Int64(0)) { $0 + $1.debit }
            return [
                Table.cell(entry.number ?? "#\(entry.id)", href: "/ledger/entries/\(entry.id)"), Table.cell(PageFormat.date(entry.date)),
                Table.cell(entry.journal),
                Table.cell(entry.description), Table.cell(t["state_\(entry.state.rawValue)"] ?? entry.state.rawValue),
                Table.cell(Self.money(total), numeric: true),
            ]
        }
        let table = Table(
            caption: t["ledger_entries"]!,
            columns: ["col_number", "col_date", "col_journal", "col_description", "col_state", "col_debit"].map {
                Table.Column(label: t[$0] ?? $0)
            },
            rows: rows, basePath: "/ledger/entries",
            query: ["from": query(request, "from"), "to": query(request, "to"), "journal": journal, "state": query(request, "state")],
            sort: nil,
            descending: true, offset: result.offset, limit: result.limit, total: result.total)
        let data: [String: Any] = [
            "heading": t["ledger_entries"]!, "action": "/ledger/entries", "table": table.dictionary(t), "new_href": "/ledger/entries/new",
            "new_label": t["ledger_new_entry"]!,
            "fields": filterFields(
                request, context,
                [
                    ("from", "field_from", "date"), ("to", "field_to", "date"), ("journal", "field_journal", "text"),
                    ("state", "field_state", "text"),
                ],
                problems,
                choices: [
                    "journal": [("", t["all", default: "—"])]
                        + (try await culise.journals(company: p.companyID, actor: .user(p))).map { ($0.code, "\($0.code) · \($0.name)") },
                    "state": [("", t["all", default: "—"])]
                        + EntryState.allCases.map { ($0.rawValue, t["state_\($0.rawValue)"] ?? $0.rawValue) },
                ]),
        ]
        return try await page("ledger_report", "ledger_entries", data, request, context, problems: problems)
    }

    @Sendable func entry(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let raw = context.parameters.get("id").flatMap({ Int64($0) }) else { throw WebError.notFound }
        let entry = try await culise.entry(company: p.companyID, EntryID(raw), actor: .user(p))
        return try await entryPage(entry, request, context)
    }

    func entryPage(
        _ entry: PostedEntry, _ request: Request, _ context: WebContext, problems: ProblemCollector = ProblemCollector()
    ) async throws -> Response {
        let t = html.t(context)
        let p = try context.requirePrincipal()
        // Lines name their source document by kind and number, linked; never by its internal id.
        var documents: [SourceReference: (label: String, href: String?)] = [:]
        for source in Set(entry.lines.compactMap(\.source)) {
            documents[source] = await documentLabel(type: source.type, id: source.id, p, t)
        }
        let rows: [[[String: Any]]] = entry.lines.map { line in
            let source = line.source.flatMap { documents[$0] }
            return [
                Table.cell(line.account, href: "/ledger/account-sheet?account=\(line.account)"), Table.cell(line.partner ?? ""),
                Table.cell(line.description ?? ""), Table.cell(Self.money(line.debit), numeric: true),
                Table.cell(Self.money(line.credit), numeric: true),
                Table.cell(source?.label ?? "", href: source?.href),
            ]
        }
        let table = Table(
            caption: t["ledger_lines"]!,
            columns: ["col_account", "col_partner", "col_description", "col_debit", "col_credit", "col_source"].map {
                Table.Column(label: t[$0] ?? $0)
            },
            rows: rows, basePath: "/ledger/entries/\(entry.id)", query: [:], sort: nil, descending: false, offset: 0,
            limit: max(rows.count, 1),
            total: rows.count)
        var facts: [[String: Any]] = [
            ["label": t["col_date", default: ""], "value": PageFormat.date(entry.date)],
            ["label": t["col_journal", default: ""], "value": entry.journal],
            ["label": t["col_description"]!, "value": entry.description],
            ["label": t["col_state"]!, "value": t["state_\(entry.state.rawValue)"] ?? entry.state.rawValue],
        ]
        if let seq = entry.seq { facts.append(["label": t["fact_chain"]!, "value": "\(seq) / \(entry.hash ?? "")"]) }
        if let reverses = entry.reverses {
            facts.append(["label": t["fact_reverses"]!, "value": reverses.description, "href": "/ledger/entries/\(reverses)"])
        }
        if let reversedBy = entry.reversedBy {
            facts.append(["label": t["fact_reversed_by"]!, "value": reversedBy.description, "href": "/ledger/entries/\(reversedBy)"])
        }
        // An entry a document produced links to the document, whose own action corrects it (no reverse button here).
        let owner = entry.state == .draft ? nil : try await culise.entryOwner(company: p.companyID, entry.id, actor: .user(p))
        if let owner {
            let href: String? =
                switch owner.kind {
                case .invoice: "/invoices/\(owner.id)"
                case .bill: "/bills/\(owner.id)"
                case .payment: "/payments"
                case .bankLine, .bankFee: "/bank/lines"
                case .cash: "/cash"
                case .revaluation: "/fx"
                case .merge: "/partners"
                case .yearEnd: nil
                case .vatClosing: "/vat?period=\(owner.id)"
                }
            let named = await documentLabel(type: owner.kind.rawValue, id: owner.id, p, t)
            var fact: [String: Any] = ["label": t["fact_source_document"] ?? "", "value": named.label]
            if let href { fact["href"] = href }
            facts.append(fact)
        }
        let data: [String: Any] = [
            "heading": t["entry_label"]!.replacingOccurrences(of: "{number}", with: entry.number ?? "#\(entry.id)"), "facts": facts,
            "table": table.dictionary(t), "id": entry.id.description, "can_post": entry.state == .draft,
            "can_reverse": entry.state == .posted && owner == nil, "owned": owner != nil,
            "reverse_confirm": (t["ledger_reverse_confirm"] ?? "").replacingOccurrences(
                of: "{number}", with: entry.number ?? "#\(entry.id)"),
            "today": PageFormat.inputDate(culise.today),
        ]
        return try await page("ledger_entry", "title_ledger", data, request, context, problems: problems)
    }

    func documentLabel(type: String, id: String, _ p: Principal, _ t: [String: String]) async -> (label: String, href: String?) {
        await DocumentNames.label(culise, type: type, id: id, p, t)
    }

    /// Submitted line rows `lines[i].field`, skipping rows left empty.
    static func lineBodies(_ form: [String: String]) -> [LineBody] {
        let indexes = Set(
            form.keys.compactMap { key -> Int? in
                guard key.hasPrefix("lines["), let close = key.firstIndex(of: "]") else { return nil }
                return Int(key[key.index(key.startIndex, offsetBy: 6)..<close])
            }
        ).sorted()
        return indexes.prefix(Limits.linesPerEntry + 1).compactMap { index in
            func value(_ name: String) -> String { (form["lines[\(index)].\(name)"] ?? "").trimmingCharacters(in: .whitespaces) }
            if value("account").isEmpty && value("debit").isEmpty && value("credit").isEmpty { return nil }
            return LineBody(
                account: value("account"), debit: value("debit"), credit: value("credit"), partner: value("partner"),
                description: value("description"),
                currency: nil, amountCurrency: nil, rate: nil)
        }
    }

    func entryForm(_ request: Request, _ context: WebContext, form: [String: String], problems: [DomainError]) async throws -> Response {
        let t = html.t(context)
        let errors = Dictionary(
            problems.compactMap { p in p.field.map { ($0, views.catalog.message(id: p.id, fallback: p.message, context.locale)) } }
        ) { a, _ in a }
        var collector = ProblemCollector()
        for problem in problems { collector.add(problem) }
        let bodies = Self.lineBodies(form)
        let count = max(bodies.count + 1, 4)
        let lines: [[String: Any]] = (0..<count).map { index in
            let body = index < bodies.count ? bodies[index] : nil
            let cells: [[String: Any]] = [
                ("account", body?.account, false), ("partner", body?.partner, false), ("description", body?.description, false),
                ("debit", body?.debit, true), ("credit", body?.credit, true),
            ].map { name, value, numeric in
                var cell: [String: Any] = [
                    "name": "lines[\(index)].\(name)", "label": "\(t["col_\(name)"] ?? name) \(index + 1)", "value": value ?? "",
                ]
                if numeric { cell["numeric"] = name }
                if name == "account" { cell["list"] = "accounts" }
                if let error = errors["lines[\(index)].\(name)"] ?? (name == "debit" ? errors["lines[\(index)].amount"] : nil) {
                    cell["error"] = error
                }
                return cell
            }
            return ["cells": cells]
        }
        let journals = LedgerSeeder.journals.map { ($0.code, "\($0.code) · \($0.name)") }
        let fields = [
            Field(
                name: "journal", label: t["field_journal"]!, value: form["journal"] ?? "GEN", error: errors["journal"], choices: journals),
            Field(
                name: "date", label: t["field_date", default: "date"], type: "date", value: form["date"] ?? culise.today.iso,
                error: errors["date"],
                required: true),
            Field(
                name: "description", label: t["field_description"]!, value: form["description"] ?? "", error: errors["description"],
                required: true),
        ].map(\.dictionary)
        var debit: Int64 = 0
        var credit: Int64 = 0
        for body in bodies {
            debit += (try? Money(parsing: body.debit ?? "0", currency: .ron).minorUnits) ?? 0
            credit += (try? Money(parsing: body.credit ?? "0", currency: .ron).minorUnits) ?? 0
        }
        // The account inputs search the chart by code or name (a datalist of the accounts that take postings).
        let p = try context.requirePrincipal()
        let accounts = try await culise.accounts(company: p.companyID, actor: .user(p)).filter(\.isPostable).map {
            ["code": $0.code.description, "name": $0.name]
        }
        let data: [String: Any] = [
            "fields": fields, "lines": lines, "total_debit": Self.money(debit), "total_credit": Self.money(credit),
            "difference": Self.money(debit - credit), "accounts": accounts,
        ]
        return try await page("ledger_entry_form", "ledger_new_entry", data, request, context, problems: collector)
    }

    @Sendable func newEntry(_ request: Request, context: WebContext) async throws -> Response {
        try await entryForm(request, context, form: [:], problems: [])
    }

    @Sendable func createEntry(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            let draft = try EntryInput.draft(
                journal: form["journal"] ?? "", date: form["date"] ?? "", description: form["description"] ?? "", externalRef: nil,
                lines: Self.lineBodies(form))
            if form["action"] == "draft" {
                let id = try await culise.saveDraft(company: p.companyID, draft, actor: .user(p))
                return redirect(to: "/ledger/entries/\(id)?flash=entry_saved")
            }
            let id = try await culise.postEntry(company: p.companyID, draft, actor: .user(p))
            return redirect(to: "/ledger/entries/\(id)?flash=entry_posted")
        } catch let error as ValidationErrors {
            return try await entryForm(request, context, form: form, problems: error.problems)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await entryForm(request, context, form: form, problems: [error])
        }
    }

    func entryAction(
        _ request: Request, _ context: WebContext, _ action: (Principal, EntryID) async throws -> (EntryID, String)
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let raw = context.parameters.get("id").flatMap({ Int64($0) }) else { throw WebError.notFound }
        do {
            let (target, flash) = try await action(p, EntryID(raw))
            return redirect(to: flash == "entry_deleted" ? "/ledger/entries?flash=\(flash)" : "/ledger/entries/\(target)?flash=\(flash)")
        } catch let error as ValidationErrors {
            var problems = ProblemCollector()
            for problem in error.problems { problems.add(problem) }
            return try await entryPage(
                try await culise.entry(company: p.companyID, EntryID(raw), actor: .user(p)), request, context, problems: problems)
        }
    }

    @Sendable func postDraft(_ request: Request, context: WebContext) async throws -> Response {
        try await entryAction(request, context) { p, id in
            try await culise.postDraft(company: p.companyID, id, actor: .user(p))
            return (id, "entry_posted")
        }
    }

    @Sendable func reverse(_ request: Request, context: WebContext) async throws -> Response {
        let date = context.form["date"].flatMap { $0.isEmpty ? nil : $0 }
        return try await entryAction(request, context) { p, id in
            let day = try date.map { text throws(DomainError) in try LocalDate(iso: text, field: "date") }
            return (try await culise.reverseEntry(company: p.companyID, id, on: day, actor: .user(p)), "entry_reversed")
        }
    }

    @Sendable func deleteDraft(_ request: Request, context: WebContext) async throws -> Response {
        try await entryAction(request, context) { p, id in
            try await culise.deleteDraft(company: p.companyID, id, actor: .user(p))
            return (id, "entry_deleted")
        }
    }

    // MARK: chart

    func accountsPage(
        _ request: Request, _ context: WebContext, form: [String: String] = [:], problems: [DomainError] = []
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let accounts = try await culise.accounts(company: p.companyID, actor: .user(p))
        let canWrite = Policy.allows(p.role, .accounting, .write)
        let rows: [[[String: Any]]] = accounts.map { account in
            [
                Table.cell(account.code.value, href: account.isPostable ? "/ledger/account-sheet?account=\(account.code.value)" : nil),
                Table.cell(String(repeating: "· ", count: account.level) + account.name), Table.cell(account.type.safTName),
                Table.cell(account.isPostable ? t["yes"]! : t["no"]!),
                {
                    var cell = Table.cell(account.isActive ? t["active"]! : t["inactive"]!)
                    if canWrite, account.code.value.count > 2 {
                        cell["row_action"] = [
                            "href": "/ledger/accounts/\(account.code.value)/update?active=\(!account.isActive)",
                            "label": account.isActive ? t["deactivate"]! : t["activate"]!,
                        ]
                    }
                    return cell
                }(),
            ]
        }
        let table = Table(
            caption: t["ledger_accounts"]!,
            columns: ["col_account", "col_name", "col_type", "col_postable", "col_status"].map { Table.Column(label: t[$0] ?? $0) },
            rows: rows,
            basePath: "/ledger/accounts", query: [:], sort: nil, descending: false, offset: 0, limit: max(rows.count, 1), total: rows.count)
        let errors = Dictionary(
            problems.compactMap { p in p.field.map { ($0, views.catalog.message(id: p.id, fallback: p.message, context.locale)) } }
        ) { a, _ in a }
        var collector = ProblemCollector()
        for problem in problems { collector.add(problem) }
        let fields = [
            Field(name: "code", label: t["field_account_code"]!, value: form["code"] ?? "", error: errors["code"], required: true),
            Field(name: "name", label: t["field_account_name"]!, value: form["name"] ?? "", error: errors["name"], required: true),
        ].map(\.dictionary)
        let renameFields = [
            Field(name: "rename_code", label: t["field_account"]!, value: form["rename_code"] ?? "", required: true),
            Field(name: "rename_name", label: t["field_account_name"]!, value: "", required: true),
        ].map(\.dictionary)
        return try await page(
            "ledger_accounts", "ledger_accounts", ["table": table.dictionary(t), "fields": fields, "rename_fields": renameFields], request,
            context, problems: collector)
    }

    @Sendable func accounts(_ request: Request, context: WebContext) async throws -> Response { try await accountsPage(request, context) }

    @Sendable func renameAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        do {
            try await culise.updateAccount(
                company: p.companyID, code: context.form["rename_code"] ?? "", name: context.form["rename_name"] ?? "", active: nil,
                actor: .user(p))
            return redirect(to: "/ledger/accounts?flash=account_updated")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .notFound {
            return try await accountsPage(request, context, form: context.form, problems: [error])
        }
    }

    /// Renames (form field `name`) or (de)activates (query `active`) an account.
    @Sendable func updateAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let active = query(request, "active").isEmpty ? nil : query(request, "active") == "true"
        let name = context.form["name"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            try await culise.updateAccount(company: p.companyID, code: code, name: name, active: active, actor: .user(p))
            return redirect(to: "/ledger/accounts?flash=account_updated")
        } catch let error as DomainError where error.kind == .invalid {
            return try await accountsPage(request, context, form: context.form, problems: [error])
        }
    }

    @Sendable func addAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        do {
            _ = try await culise.addAccount(
                company: p.companyID, code: context.form["code"] ?? "", name: context.form["name"] ?? "", type: nil, actor: .user(p))
            return redirect(to: "/ledger/accounts?flash=account_added")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await accountsPage(request, context, form: context.form, problems: [error])
        }
    }
}
