import Application
import Assembly
import Banking
import BankingApp
import Foundation
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// Banking and cash pages: accounts and imports, the review queue (keyboard-friendly), lines, rules, the
/// reconciliation statement, the cash register, and exchange rates with the month-end revaluation.
struct BankPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        let read = protect(.banking, .read)
        let write = protect(.banking, .write)
        read.get("/bank", use: accounts)
        write.post("/bank/accounts", use: addAccount)
        write.post("/bank/accounts/{id}", use: updateAccount)
        write.post("/bank/import", use: importStatement)
        write.post("/bank/csv-profiles", use: saveProfile)
        read.get("/bank/review", use: review)
        write.post("/bank/lines/{id}/match", use: match)
        write.post("/bank/lines/{id}/unmatch", use: unmatch)
        write.post("/bank/reconcile", use: reconcile)
        read.get("/bank/lines", use: lines)
        read.get("/bank/rules", use: rules)
        write.post("/bank/rules", use: addRule)
        write.post("/bank/rules/{id}/delete", use: deleteRule)
        read.get("/bank/reconciliation", use: statement)
        read.get("/cash", use: cash)
        write.post("/cash/operations", use: cashOperation)
        write.post("/cash/limits", use: cashLimits)
        protect(.accounting, .read).get("/fx", use: fx)
        protect(.accounting, .write).post("/fx/import", use: fxImport)
        protect(.accounting, .write).post("/fx/convention", use: fxConvention)
        protect(.accounting, .write).post("/fx/revalue", use: fxRevalue)
    }

    static let nav: [(href: String, key: String)] = [
        ("/bank", "bank_accounts"), ("/bank/review", "bank_review"), ("/bank/lines", "bank_lines"), ("/bank/rules", "bank_rules"),
        ("/bank/reconciliation", "bank_reconciliation"), ("/cash", "cash_title"), ("/fx", "fx_title"),
    ]

    func render(
        _ template: String, _ title: String, _ data: [String: Any], _ request: Request, _ context: WebContext,
        status: HTTPResponse.Status = .ok, flash: String? = nil
    ) async throws -> Response {
        let t = html.t(context)
        let path = request.uri.path
        var merged: [String: Any] = [
            "bank_nav": Self.nav.map { ["href": $0.href, "label": t[$0.key] ?? $0.key, "active": path == $0.href] },
            "can_edit": context.principal.map { Policy.allows($0.role, .banking, .write) } ?? false,
        ]
        for (key, value) in data { merged[key] = value }
        return try await html.page(template, title, merged, request, context, status: status, flash: flash)
    }

    /// Where a line is in its file, in the reader's language: `row 2` → `rândul 2`, `Ntry at line 40` → `Ntry de la linia
    /// 40`, `line 7` → `linia 7` (the parsers write the English form, which the API keeps).
    /// "1 linie nouă", "3 linii noi", "20 de linii noi" (English "1 new line", "3 new lines") from `key_one/few/many`.
    static func counted(_ count: Int, _ key: String, _ t: [String: String]) -> String {
        PageFormat.locale == .en
            ? Plural.english(count, one: t[key + "_one", default: ""], other: t[key + "_few", default: ""])
            : Plural.romanian(
                count, one: t[key + "_one", default: ""], few: t[key + "_few", default: ""], many: t[key + "_many", default: ""])
    }

    static func position(_ text: String) -> String {
        guard PageFormat.locale == .ro else { return text }
        for (english, romanian) in [("Ntry at line ", "Ntry de la linia "), ("row ", "rândul "), ("line ", "linia ")]
        where text.hasPrefix(english) {
            return romanian + text.dropFirst(english.count)
        }
        return text
    }

    static func money(_ minor: Int64?) -> String { minor.map { PageFormat.amount($0) } ?? "—" }

    static func money(_ amount: Money) -> String { PageFormat.amount(amount) }

    func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    func accountChoices(_ accounts: [BankAccountRecord]) -> [(value: String, label: String)] {
        accounts.map { ($0.id.description, "\($0.name) · \($0.iban ?? $0.ledgerAccount) · \($0.currency)") }
    }

    /// The account a page is about: the `account` query, or the first bank account.
    func chosenAccount(_ request: Request, _ accounts: [BankAccountRecord]) -> BankAccountRecord? {
        if let id = query(request, "account") { return accounts.first { $0.id.description == id } }
        return accounts.first { $0.kind == .bank } ?? accounts.first
    }

    // MARK: accounts and imports

    func accountsPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil,
        report: StatementImportReport? = nil, matched: [BankAccountID: Int] = [:], flash: String? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let rows = try await culise.bankStatus(company: p.companyID, actor: .user(p))
        let accounts = rows.map(\.account)
        let profiles = try await culise.csvProfiles(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        func field(_ name: String, _ key: String, type: String = "text", fallback: String = "", hint: String? = nil) -> Field {
            Field(
                name: name, label: t[key] ?? key, type: type, value: values[name] ?? fallback, error: errors[name],
                hint: hint.flatMap { t[$0] })
        }
        let accountFields = [
            field("name", "col_name"),
            Field(
                name: "kind", label: t["bank_kind"]!, value: values["kind"] ?? "bank", error: errors["kind"],
                choices: [("bank", t["bank_kind_bank"]!), ("cash", t["bank_kind_cash"]!)]),
            field("iban", "field_iban"), field("currency", "col_currency", fallback: "RON"),
            field("ledger_account", "col_account", hint: "bank_ledger_hint"),
            field("auto_threshold", "bank_threshold", hint: "bank_threshold_hint"),
        ]
        let importFields = [
            Field(name: "file", label: t["bank_file"]!, type: "file", error: errors["file"]),
            Field(
                name: "account", label: t["bank_account"]!, value: values["account"] ?? "", error: errors["account"],
                choices: [("", t["bank_account_from_file"]!)] + accountChoices(accounts)),
            Field(
                name: "format", label: t["bank_format"]!, value: values["format"] ?? "", error: errors["format"],
                choices: [("", t["bank_format_detect"]!), ("camt053", "CAMT.053"), ("mt940", "MT940"), ("csv", "CSV")]),
            Field(
                name: "profile", label: t["bank_profile"]!, value: values["profile"] ?? "generic", error: errors["profile"],
                choices: profiles.map { ($0.name, $0.name) }),
        ]
        let profileFields: [Field] = [
            field("profile_name", "col_name"), field("delimiter", "bank_csv_delimiter", fallback: ";"),
            field("header_rows", "bank_csv_header_rows", fallback: "1"),
            Field(
                name: "date_format", label: t["bank_csv_date_format"]!, value: values["date_format"] ?? "dd.MM.yyyy",
                error: errors["date_format"],
                choices: CSVProfile.dateFormats.map { ($0, $0) }),
            Field(
                name: "decimal_separator", label: t["bank_csv_decimal"]!, value: values["decimal_separator"] ?? ",",
                error: errors["decimal_separator"], choices: [(",", ","), (".", ".")]),
            field("col_date", "bank_csv_col_date"), field("col_amount", "bank_csv_col_amount"), field("col_debit", "bank_csv_col_debit"),
            field("col_credit", "bank_csv_col_credit"), field("col_currency", "bank_csv_col_currency"),
            field("default_currency", "bank_csv_default_currency", fallback: "RON"), field("col_details", "bank_csv_col_details"),
            field("col_counterparty", "bank_csv_col_counterparty"), field("col_counterparty_iban", "bank_csv_col_counterparty_iban"),
            field("col_reference", "bank_csv_col_reference"), field("col_bank_reference", "bank_csv_col_bank_reference"),
            field("col_account_iban", "bank_csv_col_account_iban"), field("col_balance", "bank_csv_col_balance"),
        ]
        let statusRows = rows.map { row -> [String: Any] in
            [
                "id": row.account.id.description, "name": row.account.name, "iban": row.account.iban ?? "—",
                "currency": row.account.currency,
                "ledger_account": row.account.ledgerAccount, "lines": row.lines, "matched": row.matched,
                "unmatched": Self.counted(row.unmatched, "bank_review_line", t),
                "progress": row.progress, "last": row.lastDate.map { PageFormat.date($0) } ?? "—",
                "bank_balance": Self.money(row.bankBalance),
                "ledger_balance": Self.money(row.ledgerBalance), "threshold": row.account.autoThreshold.map(String.init) ?? "",
                "auto": row.account.autoThreshold.map { "≥ \($0)" } ?? t["bank_auto_off"]!, "is_bank": row.account.kind == .bank,
            ]
        }
        var data: [String: Any] = [
            "accounts": statusRows, "has_accounts": !rows.isEmpty, "account_fields": accountFields.map(\.dictionary),
            "import_fields": importFields.map(\.dictionary), "profile_fields": profileFields.map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        if let report {
            data["import_results"] = report.statements.map { result -> [String: Any] in
                [
                    "statement": result.statement, "iban": result.iban, "new": Self.counted(result.new, "bank_new_line", t),
                    "duplicates": Self.counted(result.duplicates, "bank_duplicate", t),
                    "positions": result.duplicatePositions.prefix(10).map(Self.position).joined(separator: ", "),
                    "has_positions": !result.duplicatePositions.isEmpty,
                    "warnings": result.warnings, "has_warnings": !result.warnings.isEmpty, "account": result.account.description,
                    "matched": Self.counted(matched[result.account] ?? 0, "bank_matched", t),
                    "has_matched": matched[result.account] != nil,
                ]
            }
            data["has_import_results"] = true
        }
        return try await render(
            "bank", "bank_title", data, request, context, status: error == nil ? .ok : .unprocessableContent, flash: flash)
    }

    @Sendable func accounts(_ request: Request, context: WebContext) async throws -> Response { try await accountsPage(request, context) }

    static func threshold(_ text: String?) throws -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            throw DomainError(
                "bank.threshold", field: "auto_threshold",
                "You cannot use '\(text)' as a threshold; use a whole number from 1 to 200, or leave it empty.")
        }
        return value
    }

    @Sendable func addAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            _ = try await culise.addBankAccount(
                company: p.companyID,
                BankAccountInput(
                    name: form["name"], kind: form["kind"], iban: form["iban"], currency: form["currency"],
                    ledgerAccount: form["ledger_account"],
                    autoThreshold: try Self.threshold(form["auto_threshold"])),
                actor: .user(p))
            return redirect(to: "/bank?flash=bank_account_added")
        } catch  where html.errors(error, context) != nil {
            return try await accountsPage(request, context, values: form, error: error)
        }
    }

    @Sendable func updateAccount(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankAccountID.init(string:))
        do {
            _ = try await culise.updateBankAccount(
                company: p.companyID, id: id, name: context.form["name"], autoThreshold: try Self.threshold(context.form["auto_threshold"]),
                actor: .user(p))
            return redirect(to: "/bank?flash=bank_account_saved")
        } catch  where html.errors(error, context) != nil {
            return try await accountsPage(request, context, values: context.form, error: error)
        }
    }

    @Sendable func importStatement(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        guard let file = context.files.first else {
            return try await accountsPage(
                request, context, values: form,
                error: DomainError("statement.no_file", field: "file", "To import a statement, you must choose a file."))
        }
        do {
            let report = try await culise.importStatement(
                company: p.companyID, data: file.data, fileName: file.filename, format: form["format"], profile: form["profile"],
                accountReference: form["account"], actor: .user(p))
            // Accounts with a threshold are matched at once, as the review queue would: what scores above it is confirmed.
            var matched: [BankAccountID: Int] = [:]
            let accounts = try await culise.bankAccounts(company: p.companyID, actor: .user(p))
            for account in Set(report.statements.map(\.account)) where accounts.first(where: { $0.id == account })?.autoThreshold != nil {
                matched[account] = try await culise.reconcile(company: p.companyID, account: account, actor: .user(p)).automatic
            }
            return try await accountsPage(request, context, report: report, matched: matched)
        } catch  where html.errors(error, context) != nil {
            return try await accountsPage(request, context, values: form, error: error)
        }
    }

    @Sendable func saveProfile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        func value(_ key: String) -> String? { form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let delimiter = value("delimiter").map { $0 == "\\t" || $0.lowercased() == "tab" ? "\t" : $0 } ?? ";"
        let profile = CSVProfile(
            name: value("profile_name") ?? "", delimiter: delimiter, headerRows: Int(value("header_rows") ?? "1") ?? -1,
            dateFormat: value("date_format") ?? "", decimalSeparator: value("decimal_separator") ?? ",", date: value("col_date") ?? "",
            amount: value("col_amount"), debit: value("col_debit"), credit: value("col_credit"), currency: value("col_currency"),
            details: (value("col_details") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            },
            counterpartyName: value("col_counterparty"), counterpartyIBAN: value("col_counterparty_iban"),
            reference: value("col_reference"),
            bankReference: value("col_bank_reference"), accountIBAN: value("col_account_iban"), balance: value("col_balance"),
            defaultCurrency: value("default_currency"))
        do {
            try await culise.saveCSVProfile(company: p.companyID, profile, actor: .user(p))
            return redirect(to: "/bank?flash=bank_profile_saved")
        } catch  where html.errors(error, context) != nil {
            return try await accountsPage(request, context, values: form, error: error)
        }
    }

    // MARK: review queue

    func reviewPage(
        _ request: Request, _ context: WebContext, error: (any Error)? = nil, line failed: String? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let accounts = try await culise.bankAccounts(company: p.companyID, actor: .user(p))
        guard let account = chosenAccount(request, accounts) else {
            return try await render("bank_review", "bank_review", ["has_account": false], request, context)
        }
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let queue = try await culise.reviewQueue(company: p.companyID, account: account.id, page: pageRequest, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let language = context.locale
        let items = queue.items.enumerated().map { index, item -> [String: Any] in
            let line = item.line
            let candidates = item.proposal.candidates.enumerated().map { rank, candidate -> [String: Any] in
                [
                    "rank": rank, "key": rank + 1, "checked": rank == 0, "score": candidate.score,
                    "target": candidate.allocations.map(\.number).joined(separator: " + ")
                        + (candidate.account.map { "\(t["col_account"]!) \($0)" } ?? ""),
                    "amount": candidate.allocations.isEmpty ? "" : Self.money(candidate.allocations.reduce(0) { $0 + $1.amount }),
                    "explanation": candidate.explanation(language: language), "partner": candidate.partner ?? "",
                ]
            }
            var entry: [String: Any] = [
                "id": line.id.description, "index": index, "date": PageFormat.date(line.bookingDate), "amount": Self.money(line.amount),
                "incoming": line.amount.minorUnits > 0,
                "currency": line.currency, "counterparty": line.counterpartyName ?? "", "iban": line.counterpartyIBAN ?? "",
                "details": line.details,
                "candidates": candidates, "has_candidates": !candidates.isEmpty,
                "reason": item.proposal.reviewReason(language: context.locale) ?? "", "has_reason": item.proposal.reviewReason != nil,
                "suggested_account": item.proposal.candidates.first?.account ?? "",
                "suggested_partner": item.proposal.candidates.first?.partner ?? "",
            ]
            if failed == line.id.description, let problems { entry["errors"] = problems.summary }
            return entry
        }
        let data: [String: Any] = [
            "has_account": true, "items": items, "has_items": !items.isEmpty, "total": Self.counted(queue.total, "bank_review_line", t),
            "account_id": account.id.description,
            "account_name": account.name,
            "accounts": accountChoices(accounts).map {
                ["value": $0.value, "label": $0.label, "selected": $0.value == account.id.description]
            },
            "next": queue.nextOffset.map { "/bank/review?account=\(account.id)&offset=\($0)&limit=\(queue.limit)" } ?? "",
            "has_next": queue.nextOffset != nil,
        ]
        return try await render("bank_review", "bank_review", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func review(_ request: Request, context: WebContext) async throws -> Response { try await reviewPage(request, context) }

    /// Accept a candidate (by rank) or assign an account (with a partner), from the review queue.
    @Sendable func match(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankLineID.init(string:))
        let form = context.form
        func value(_ key: String) -> String? { form[key].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let input: BankMatchInput
        if form["action"] == "assign" {
            input = BankMatchInput(account: value("account") ?? "", partner: value("partner"), fee: value("fee"))
        } else {
            input = BankMatchInput(fee: value("fee"), candidate: Int(value("candidate") ?? "0") ?? 0)
        }
        do {
            let line = try await culise.confirmMatch(company: p.companyID, line: id, input, actor: .user(p))
            if form["action"] == "assign", form["make_rule"] == "true", let pattern = value("rule_pattern"), let account = value("account")
            {
                _ = try await culise.addBankRule(
                    company: p.companyID, pattern: pattern, account: account, partner: value("partner"),
                    direction: line.amount.minorUnits > 0 ? "in" : "out",
                    actor: .user(p))
            }
            return redirect(to: "/bank/review?account=\(line.account)&flash=bank_matched")
        } catch  where html.errors(error, context) != nil {
            return try await reviewPage(request, context, error: error, line: id.description)
        }
    }

    @Sendable func unmatch(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankLineID.init(string:))
        let line = try await culise.unmatch(company: p.companyID, line: id, actor: .user(p))
        return redirect(to: "/bank/lines?account=\(line.account)&flash=bank_unmatched")
    }

    @Sendable func reconcile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let account = context.form["account"].flatMap { BankAccountID(string: $0) }
        let report = try await culise.reconcile(company: p.companyID, account: account, actor: .user(p))
        let t = html.t(context)
        let text = (t["bank_reconcile_result"] ?? "%1 / %2").replacingOccurrences(of: "%1", with: String(report.automatic))
            .replacingOccurrences(of: "%2", with: String(report.review + report.noCandidate + report.deferred))
        return try await accountsPage(request, context, flash: text)
    }

    // MARK: lines, rules, statement

    @Sendable func lines(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let accounts = try await culise.bankAccounts(company: p.companyID, actor: .user(p))
        let account = chosenAccount(request, accounts)
        let state = query(request, "state").flatMap(BankLineState.init(rawValue:))
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.bankLines(
            company: p.companyID, account: account?.id, state: state, page: pageRequest, actor: .user(p))
        // Matched documents by number, not by id: the line's direction says whose (invoices in, bills out).
        let documents = result.items.flatMap { line in
            (line.matchDocuments ?? "").split(separator: ",").map(String.init).filter { UUID(uuidString: $0) != nil }.map {
                (type: line.amount.minorUnits >= 0 ? "invoice" : "bill", id: $0)
            }
        }
        let names = await DocumentNames.labels(culise, documents, p, t).mapValues(\.label)
        let rows = result.items.map { line -> [String: Any] in
            let target = line.matchDocuments.map {
                $0.split(separator: ",").map { names[String($0)] ?? String($0) }.joined(separator: ", ")
            }
            return [
                "id": line.id.description, "date": PageFormat.date(line.bookingDate), "amount": Self.money(line.amount),
                "currency": line.currency,
                "counterparty": line.counterpartyName ?? "", "details": line.details,
                "state": t["bank_state_\(line.state.rawValue)"] ?? line.state.rawValue,
                "matched": line.state == .matched, "explanation": line.explanation(language: context.locale) ?? "",
                "automatic": line.automatic,
                "target": target ?? line.matchAccount ?? "", "entry": line.entryID.map(String.init) ?? "",
                "has_entry": line.entryID != nil,
            ]
        }
        let base = "/bank/lines?account=\(account?.id.description ?? "")&state=\(state?.rawValue ?? "")"
        let data: [String: Any] = [
            "rows": rows, "has_rows": !rows.isEmpty, "total": result.total,
            "accounts": accountChoices(accounts).map {
                ["value": $0.value, "label": $0.label, "selected": $0.value == account?.id.description]
            },
            "states": [("", t["bank_state_all"]!), ("unmatched", t["bank_state_unmatched"]!), ("matched", t["bank_state_matched"]!)].map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == (state?.rawValue ?? "")]
            },
            "prev": result.offset > 0 ? "\(base)&offset=\(max(0, result.offset - result.limit))&limit=\(result.limit)" : "",
            "has_prev": result.offset > 0,
            "next": result.nextOffset.map { "\(base)&offset=\($0)&limit=\(result.limit)" } ?? "", "has_next": result.nextOffset != nil,
        ]
        return try await render("bank_lines", "bank_lines", data, request, context)
    }

    func rulesPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let rules = try await culise.bankRules(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let fields = [
            Field(name: "pattern", label: t["bank_rule_pattern"]!, value: values["pattern"] ?? "", error: errors["pattern"]),
            Field(name: "account", label: t["col_account"]!, value: values["account"] ?? "", error: errors["account"]),
            Field(name: "partner", label: t["col_partner"]!, value: values["partner"] ?? "", error: errors["partner"]),
            Field(
                name: "direction", label: t["col_direction"]!, value: values["direction"] ?? "", error: errors["direction"],
                choices: [("", t["bank_direction_both"]!), ("in", t["pay_in"]!), ("out", t["pay_out"]!)]),
        ]
        let data: [String: Any] = [
            "rules": rules.map {
                [
                    "id": $0.id.description, "pattern": $0.pattern, "account": $0.account, "partner": $0.partner ?? "",
                    "direction": $0.direction.flatMap { t["pay_\($0)"] } ?? t["bank_direction_both"]!,
                ]
            },
            "has_rules": !rules.isEmpty, "fields": fields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary.isEmpty ?? true),
        ]
        return try await render("bank_rules", "bank_rules", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func rules(_ request: Request, context: WebContext) async throws -> Response { try await rulesPage(request, context) }

    @Sendable func addRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            _ = try await culise.addBankRule(
                company: p.companyID, pattern: form["pattern"] ?? "", account: form["account"] ?? "", partner: form["partner"],
                direction: form["direction"], actor: .user(p))
            return redirect(to: "/bank/rules?flash=bank_rule_added")
        } catch  where html.errors(error, context) != nil {
            return try await rulesPage(request, context, values: form, error: error)
        }
    }

    @Sendable func deleteRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try InvoiceAPI.id(context, BankRuleID.init(string:))
        try await culise.deleteBankRule(company: p.companyID, id: id, actor: .user(p))
        return redirect(to: "/bank/rules?flash=bank_rule_deleted")
    }

    @Sendable func statement(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let accounts = try await culise.bankAccounts(company: p.companyID, actor: .user(p))
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? culise.today
        try problems.throwIfAny()
        guard let account = chosenAccount(request, accounts) else {
            return try await render("bank_reconciliation", "bank_reconciliation", ["has_account": false], request, context)
        }
        let statement = try await culise.reconciliationStatement(company: p.companyID, account: account.id, date: date, actor: .user(p))
        let data: [String: Any] = [
            "has_account": true, "date": PageFormat.inputDate(date), "account_name": account.name, "ledger_account": account.ledgerAccount,
            "currency": account.currency,
            "accounts": accountChoices(accounts).map {
                ["value": $0.value, "label": $0.label, "selected": $0.value == account.id.description]
            },
            "bank_balance": Self.money(statement.bankBalance), "ledger_balance": Self.money(statement.ledgerBalance),
            "bank_only_total": Self.money(statement.bankOnlyTotal),
            "ledger_only_total": Self.money(statement.ledgerOnlyTotal),
            "bank_only_count": statement.bankOnlyCount, "ledger_only_count": statement.ledgerOnlyCount,
            "bank_only_more": statement.bankOnlyCount > statement.bankOnly.count,
            "ledger_only_more": statement.ledgerOnlyCount > statement.ledgerOnly.count,
            "listed": Limits.reconciliationItemsListed,
            "bank_only": statement.bankOnly.map {
                [
                    "date": PageFormat.date($0.bookingDate), "amount": Self.money($0.amount),
                    "details": "\($0.counterpartyName ?? "") · \($0.details)",
                ]
            },
            "ledger_only": statement.ledgerOnly.map {
                [
                    "date": PageFormat.date($0.date), "amount": Self.money($0.amount), "details": "\($0.number ?? "") \($0.description)",
                    "href": "/ledger/entries/\($0.entryID)",
                ]
            },
            "has_bank_only": !statement.bankOnly.isEmpty, "has_ledger_only": !statement.ledgerOnly.isEmpty,
            "difference": Self.money(statement.difference), "balanced": statement.difference == 0,
        ]
        return try await render("bank_reconciliation", "bank_reconciliation", data, request, context)
    }

    // MARK: cash

    func cashPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil, warnings: [String] = [],
        flash: String? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? (values["date"].flatMap { try? LocalDate(iso: $0) } ?? culise.today)
        try problems.throwIfAny()
        let account = query(request, "account") ?? "5311"
        let register = try await culise.cashRegister(company: p.companyID, account: account, date: date, actor: .user(p))
        let limits = try await culise.cashLimits(company: p.companyID, actor: .user(p))
        let formProblems = error.flatMap { html.errors($0, context) }
        let errors = formProblems?.byField ?? [:]
        func field(_ name: String, _ key: String, type: String = "text", fallback: String = "") -> Field {
            Field(name: name, label: t[key] ?? key, type: type, value: values[name] ?? fallback, error: errors[name])
        }
        let fields = [
            Field(
                name: "direction", label: t["col_direction"]!, value: values["direction"] ?? "in", error: errors["direction"],
                choices: [("in", t["cash_in"]!), ("out", t["cash_out"]!)]),
            field("date", "col_date", type: "date", fallback: date.iso), field("amount", "col_amount"),
            field("counter_account", "cash_counter_account", fallback: "581"), field("description", "col_description"),
            field("partner", "col_partner"),
        ]
        let limitFields = [
            field("partner_per_day", "cash_limit_partner", fallback: DecimalText.amount(limits.partnerPerDay)),
            field("individual_per_transaction", "cash_limit_individual", fallback: DecimalText.amount(limits.individualPerTransaction)),
            field("register_ceiling", "cash_ceiling", fallback: limits.registerCeiling.map(DecimalText.amount) ?? ""),
        ]
        let data: [String: Any] = [
            "date": PageFormat.inputDate(date), "account": account, "opening": Self.money(register.opening),
            "closing": Self.money(register.closing),
            "lines": register.lines.map {
                [
                    "document": $0.document ?? "", "description": $0.description, "receipt": $0.receipt > 0 ? Self.money($0.receipt) : "",
                    "payment": $0.payment > 0 ? Self.money($0.payment) : "", "balance": Self.money($0.balance),
                    "href": "/ledger/entries/\($0.entryID)",
                ]
            },
            "has_lines": !register.lines.isEmpty, "warnings": register.warnings + warnings,
            "has_warnings": !(register.warnings + warnings).isEmpty,
            "fields": fields.map(\.dictionary), "limit_fields": limitFields.map(\.dictionary), "form_errors": formProblems?.summary ?? [],
            "has_errors": !(formProblems?.summary.isEmpty ?? true),
            "previous": "/cash?account=\(account)&date=\(date.adding(days: -1).iso)",
            "following": "/cash?account=\(account)&date=\(date.adding(days: 1).iso)",
        ]
        return try await render(
            "cash", "cash_title", data, request, context, status: error == nil ? .ok : .unprocessableContent, flash: flash)
    }

    @Sendable func cash(_ request: Request, context: WebContext) async throws -> Response { try await cashPage(request, context) }

    @Sendable func cashOperation(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            let record = try await culise.recordCashOperation(
                company: p.companyID,
                CashOperationInput(
                    direction: form["direction"] ?? "in", date: form["date"], amount: form["amount"] ?? "",
                    counterAccount: form["counter_account"] ?? "",
                    description: form["description"] ?? "", partner: form["partner"]),
                actor: .user(p))
            return try await cashPage(
                request, context, values: ["date": form["date"] ?? ""], warnings: record.warnings, flash: record.document)
        } catch  where html.errors(error, context) != nil {
            return try await cashPage(request, context, values: form, error: error)
        }
    }

    @Sendable func cashLimits(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        func minor(_ key: String) throws -> Int64? {
            guard let text = form[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = DecimalText.parse(text, scale: 2).map(InvoiceMath.minor) else {
                throw DomainError("cash.limit", field: key, "You cannot use '\(text)' as a limit; write an amount such as 5000.")
            }
            return value
        }
        do {
            try await culise.setCashLimits(
                company: p.companyID,
                CashLimits(
                    partnerPerDay: try minor("partner_per_day") ?? 0,
                    individualPerTransaction: try minor("individual_per_transaction") ?? 0,
                    registerCeiling: try minor("register_ceiling")),
                actor: .user(p))
            return redirect(to: "/cash?flash=cash_limits_saved")
        } catch  where html.errors(error, context) != nil {
            return try await cashPage(request, context, values: form, error: error)
        }
    }

    // MARK: exchange rates

    func fxPage(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil, message: String? = nil,
        revaluation: RevaluationReport? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let convention = try await culise.rateConvention()
        let currency = (query(request, "currency") ?? values["currency"] ?? "EUR").uppercased()
        var problems = ProblemCollector()
        let date = LedgerAPI.date(request, "date", &problems) ?? culise.today
        try problems.throwIfAny()
        var rate: [String: Any] = ["currency": currency, "date": PageFormat.inputDate(date)]
        do {
            let found = try await culise.exchangeRate(currency: currency, on: date)
            rate["value"] = "\(found.ronPerUnit) RON"
            rate["unit"] = "1 \(currency)"
            rate["published"] = PageFormat.date(found.published)
            rate["found"] = true
        } catch let error as DomainError {
            rate["missing"] = views.catalog.message(id: error.id, fallback: error.message, context.locale)
        }
        let formProblems = error.flatMap { html.errors($0, context) }
        let errors = formProblems?.byField ?? [:]
        let canRevalue = Policy.allows(p.role, .accounting, .write)
        var data: [String: Any] = [
            "rate": rate, "convention_previous": convention == .previousPublication, "convention_same": convention == .samePublicationDay,
            "month": values["month"] ?? YearMonth(culise.today.adding(days: -28)).description, "month_error": errors["month"] ?? "",
            "has_month_error": errors["month"] != nil, "form_errors": formProblems?.summary ?? [],
            "has_errors": !(formProblems?.summary.isEmpty ?? true),
            "message": message ?? "", "has_message": message != nil, "can_revalue": canRevalue,
        ]
        if let revaluation {
            data["revaluation"] = [
                "month": revaluation.month, "gain": Self.money(revaluation.gain), "loss": Self.money(revaluation.loss),
                "entry": revaluation.entryID.map(String.init) ?? "", "has_entry": revaluation.entryID != nil,
                "reversal": revaluation.reversalEntryID.map(String.init) ?? "", "has_reversal": revaluation.reversalEntryID != nil,
                "lines": revaluation.lines.map {
                    [
                        "account": $0.account, "partner": $0.partner ?? "", "open": "\(Self.money($0.openCurrency)) \($0.currency)",
                        "rate": "\($0.rate)",
                        "carrying": Self.money($0.carryingRON), "revalued": Self.money($0.revaluedRON),
                        "difference": Self.money($0.difference),
                    ]
                },
            ]
            data["has_revaluation"] = true
        }
        return try await render("fx", "fx_title", data, request, context, status: error == nil ? .ok : .unprocessableContent)
    }

    @Sendable func fx(_ request: Request, context: WebContext) async throws -> Response { try await fxPage(request, context) }

    @Sendable func fxImport(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let file = context.files.first else {
            return try await fxPage(
                request, context, error: DomainError("fx.no_file", field: "file", "To import BNR rates, you must choose the XML file."))
        }
        do {
            let report = try await culise.importBNRRates(file.data, actor: .user(p))
            let t = html.t(context)
            let text = (t["fx_imported"] ?? "%1 / %2").replacingOccurrences(of: "%1", with: String(report.rates))
                .replacingOccurrences(of: "%2", with: String(report.days))
            return try await fxPage(request, context, message: text)
        } catch  where html.errors(error, context) != nil {
            return try await fxPage(request, context, error: error)
        }
    }

    @Sendable func fxConvention(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let convention = context.form["convention"].flatMap(RateConvention.init(rawValue:)) else {
            return try await fxPage(
                request, context,
                error: DomainError("fx.convention", field: "convention", "You cannot use that convention; use previous or same-day."))
        }
        try await culise.setRateConvention(convention, actor: .user(p))
        return redirect(to: "/fx?flash=fx_convention_saved")
    }

    @Sendable func fxRevalue(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            let month = try YearMonth(text: form["month"] ?? "")
            let report = try await culise.revalue(
                company: p.companyID, month: month, reverseNextMonth: form["reverse"] == "true", actor: .user(p))
            return try await fxPage(request, context, values: form, revaluation: report)
        } catch  where html.errors(error, context) != nil {
            return try await fxPage(request, context, values: form, error: error)
        }
    }
}
