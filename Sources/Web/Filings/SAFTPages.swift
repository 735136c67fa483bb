import Application
import Filings
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel

/// `/saft`: the period's SAF-T file (D406, issue 16 item 2): its accounts with their opening and closing balances, what
/// it holds, what keeps it from being written (partners without an identifier, accounts outside ANAF's nomenclature),
/// its cross-checks, the XML as a draft, and generating and keeping it.
struct SAFTPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/saft", use: show)
        protect(.accounting, .read).get("/saft/{period}/d406.xml", use: draft)
        protect(.accounting, .write).post("/saft/{period}/actions", use: act)
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await render(request, context, period: try await VATPages(culise: culise, html: html).requestedPeriod(request, context))
    }

    func render(_ request: Request, _ context: WebContext, period: YearMonth, error: (any Error)? = nil) async throws -> Response {
        var data: [String: Any] = ["period": period.description]
        var problems = error.flatMap { html.errors($0, context) }
        let p = try context.requirePrincipal()
        let english = context.locale == "en"
        do {
            let t = html.t(context)
            let locale: NumberLocale = english ? .en : .ro
            let view = try await culise.saftReturn(company: p.companyID, period: period, actor: .user(p))
            let file = view.file
            let canWrite = Policy.allows(p.role, .accounting, .write)
            let vat = VATPages(culise: culise, html: html)
            let blockers = zip(view.blockers, view.blockerSubjects).map { blocker, subject in
                var row: [String: Any] = vat.views(message: blocker, context)
                row["subject"] = subject
                row["has_subject"] = !subject.isEmpty
                return row
            }
            func side(_ amount: Int64, debit: Bool) -> String {
                (debit ? amount > 0 : amount < 0) ? MoneyFormat.amount(abs(amount), locale: locale) : ""
            }
            let accounts: [[String: Any]] = file.accounts.map { account in
                [
                    "code": account.code, "name": account.name, "standard": account.standard ?? "—", "type": account.type,
                    "opening_debit": side(account.opening, debit: true), "opening_credit": side(account.opening, debit: false),
                    "closing_debit": side(account.closing, debit: true), "closing_credit": side(account.closing, debit: false),
                ]
            }
            data.merge([
                "from": PageFormat.inputDate(view.from), "to": PageFormat.inputDate(view.to), "quarterly": view.quarterly,
                "due": PageFormat.inputDate(FilingForm.d406.due(period)), "accounts": accounts, "has_accounts": !accounts.isEmpty,
                "account_count": "\(file.accounts.count)", "customers": "\(file.customers.count)", "suppliers": "\(file.suppliers.count)",
                "entries": "\(file.transactionCount)", "lines": "\(file.lineCount)", "sales": "\(file.sales.count)",
                "purchases": "\(file.purchases.count)", "payments": "\(file.payments.count)",
                "problems": view.problems.map { ["check": $0.check, "message": english ? $0.message : $0.messageRO] },
                "has_problems": !view.problems.isEmpty, "blockers": blockers, "has_blockers": !blockers.isEmpty,
                "has_filing": view.filing != nil, "filing_href": view.filing.map { "/filings/\($0.id)" } ?? "",
                "filing_state": view.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "can_download": view.blockers.isEmpty, "can_generate": canWrite && view.blockers.isEmpty,
            ]) { $1 }
        } catch let failure where html.errors(failure, context) != nil {
            problems = html.errors(failure, context)
        }
        data["form_errors"] = problems?.summary ?? []
        data["has_errors"] = !(problems?.summary ?? []).isEmpty
        return try await html.page("saft", "title_saft", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try VATPages(culise: culise, html: html).period(context)
        let draft = try await culise.d406Draft(company: p.companyID, period: period, actor: .user(p))
        return FilingPages.xmlResponse(draft.xml, name: "d406_\(period)_draft")
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try VATPages(culise: culise, html: html).period(context)
        do {
            guard context.form["action"] == "generate" else { throw WebError.notFound }
            _ = try await culise.generateD406(company: p.companyID, period: period, actor: .user(p))
            return redirect(to: "/saft?period=\(period)&flash=vat_done")
        } catch let error where html.errors(error, context) != nil {
            return try await render(request, context, period: period, error: error)
        }
    }
}
