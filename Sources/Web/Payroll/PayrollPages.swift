import Application
import Filings
import Foundation
import Hummingbird
import Identity
import Kernel
import Payroll
import PayrollApp

/// `/payroll`: the month's run (its register, totals and the next step), and `/payroll/{month}/{employee}`: one
/// employee's payslip with every line explained in the reader's language.
struct PayrollPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.payroll, .read).get("/payroll", use: month)
        protect(.payroll, .write).post("/payroll", use: act)
        protect(.payroll, .read).get("/payroll/{month}/{employee}", use: payslip)
        protect(.payroll, .read).get("/payroll/{month}/{employee}/pdf", use: payslipPDF)
        protect(.profile, .read).get("/me/payslips/{month}", use: myPayslip)
        protect(.profile, .read).get("/me/payslips/{month}/pdf", use: myPayslipPDF)
    }

    /// The month asked for, or the one before today's.
    func month(_ request: Request) -> YearMonth {
        request.uri.queryParameters["month"].flatMap { try? YearMonth(text: String($0)) }
            ?? YearMonth(YearMonth(culise.today).firstDay.adding(days: -1))
    }

    @Sendable func month(_ request: Request, context: WebContext) async throws -> Response {
        if let export = request.uri.queryParameters["export"].map(String.init) {
            if ["pain001", "salaries_csv", "treasury"].contains(export) {
                do {
                    return try await paymentFile(export, request, context, month: month(request))
                } catch let error as ValidationErrors {
                    return try await render(request, context, month: month(request), error: error)
                } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
                    return try await render(request, context, month: month(request), error: error)
                }
            }
            return try await self.export(export, request, context, month: month(request))
        }
        return try await render(request, context, month: month(request))
    }

    /// The month's payment files to download: the salaries as pain.001 or CSV, the taxes to the Treasury as pain.001
    /// (read-only: making a file changes nothing; the bank executes it).
    func paymentFile(_ kind: String, _ request: Request, _ context: WebContext, month: YearMonth) async throws -> Response {
        let p = try context.requirePrincipal()
        let query = request.uri.queryParameters
        func text(_ name: String) -> String { query[Substring(name)].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "" }
        let bic = text("bic").isEmpty ? nil : text("bic")
        let date = text("date").isEmpty ? culise.today : try LocalDate(iso: text("date"), field: "date")
        var headers = HTTPFields()
        let body: String
        switch kind {
        case "salaries_csv":
            body = try await culise.salaryPaymentCSV(company: p.companyID, month: month, actor: .user(p))
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"salarii_\(month).csv\""
        case "treasury":
            body = try await culise.treasuryPaymentFile(
                company: p.companyID, month: month, debtorIBAN: text("account"), treasuryIBAN: text("treasury"), debtorBIC: bic,
                executionDate: date, actor: .user(p))
            headers[.contentType] = "application/xml; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"impozite_\(month).xml\""
        default:
            body = try await culise.salaryPaymentFile(
                company: p.companyID, month: month, debtorIBAN: text("account"), debtorBIC: bic, executionDate: date, actor: .user(p))
            headers[.contentType] = "application/xml; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"salarii_\(month).xml\""
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The register (one row per employee) or the summary by department or cost centre, as CSV for people.
    func export(_ kind: String, _ request: Request, _ context: WebContext, month: YearMonth) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        func cell(_ text: String, numeric: Bool = false) -> [String: Any] { ["text": text, "numeric": numeric] }
        func column(_ key: String) -> [String: Any] { ["label": t[key] ?? key] }
        let money = { (amount: Money) in cell(PageFormat.money(amount), numeric: true) }
        var table: [String: Any]
        switch kind {
        case "register":
            let run = try await culise.payrollRuns(company: p.companyID, month: month, actor: .user(p)).last
            table = [
                "columns": [
                    "people_code", "col_name", "payroll_days", "payslip_gross", "CAS", "CASS", "payslip_deduction", "payslip_tax",
                    "payslip_net", "payslip_net_to_pay", "CAM", "payslip_cost",
                ].map(column),
                "rows": (run?.lines ?? []).map { line -> [String: Any] in
                    let r = line.result
                    return [
                        "cells": [cell(line.employee), cell(line.name), cell(String(line.workedDays), numeric: true)]
                            + [r.gross, r.cas, r.cass, r.deduction, r.tax, r.net, r.netToPay, r.cam, r.employerCost].map(money)
                    ]
                },
            ]
        case "department", "cost_centre":
            let grouping: Culise.PayrollGrouping = kind == "department" ? .department : .costCentre
            let summary = try await culise.payrollSummary(company: p.companyID, month: month, by: grouping, actor: .user(p))
            table = [
                "columns": [
                    kind == "department" ? "payroll_department" : "payroll_cost_centre", "col_name", "payroll_employees", "payslip_gross",
                    "CAS", "CASS", "payslip_tax", "payslip_net", "payslip_net_to_pay", "CAM", "payslip_cost",
                ].map(column),
                "rows": summary.map { row -> [String: Any] in
                    [
                        "cells": [cell(row.key ?? ""), cell(row.name ?? ""), cell(String(row.employees), numeric: true)]
                            + [row.gross, row.cas, row.cass, row.tax, row.net, row.netToPay, row.cam, row.cost].map(money)
                    ]
                },
            ]
        default: throw WebError.notFound
        }
        return PeopleCSV.response(table, name: "salarii_\(month)_\(kind)", locale: context.locale)
    }

    func render(_ request: Request, _ context: WebContext, month: YearMonth, error: (any Error)? = nil) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let runs = try await culise.payrollRuns(company: p.companyID, month: month, actor: .user(p))
        let run = runs.last
        let canEdit = Policy.allows(p.role, .payroll, .write)
        let state = run?.state
        let actions: [(String, String)] = [
            ("compute", "payroll_compute", state == nil || state == .draft || state == .computed),
            ("approve", "payroll_approve", state == .computed), ("reject", "payroll_reject", state == .computed),
            ("post", "payroll_post", state == .approved), ("correct", "payroll_correct", state == .posted || state == .paid),
        ].filter { canEdit && $0.2 }.map { ($0.0, t[$0.1] ?? $0.0) }
        let money = { (amount: Money) in PageFormat.money(amount) }
        let rows: [[String: Any]] = (run?.lines ?? []).map { line in
            let r = line.result
            return [
                "employee": line.employee, "name": line.name, "href": "/payroll/\(month)/\(line.employee)", "days": String(line.workedDays),
                "gross": money(r.gross), "cas": money(r.cas), "cass": money(r.cass), "deduction": money(r.deduction), "tax": money(r.tax),
                "net": money(r.net), "to_pay": money(r.netToPay), "cam": money(r.cam), "cost": money(r.employerCost),
            ]
        }
        let problems = error.flatMap { html.errors($0, context) }
        var data: [String: Any] = [
            "month": month.description, "rows": rows, "has_rows": !rows.isEmpty, "has_run": run != nil,
            "actions": actions.map { ["action": $0.0, "label": $0.1] }, "has_actions": !actions.isEmpty,
            "can_pay": canEdit && state == .posted, "pay_date": PageFormat.inputDate(culise.today),
            "can_email": canEdit && (state == .posted || state == .paid),
            "can_files": state == .posted || state == .paid, "file_account": request.uri.queryParameters["account"].map(String.init) ?? "",
            "runs": runs.map { item in
                [
                    "kind": t["payroll_kind_\(item.kind)"] ?? item.kind,
                    "state": t["payroll_state_\(item.state.rawValue)"] ?? item.state.rawValue,
                    "computed_by": item.computedBy ?? "", "decided_by": item.decidedBy ?? "", "has_decider": item.decidedBy != nil,
                ] as [String: Any]
            },
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        // The month by department (with cost centres), when the run has lines.
        if run.map({ !$0.lines.isEmpty }) ?? false {
            let departments = try await culise.payrollSummary(company: p.companyID, month: month, by: .department, actor: .user(p))
            data["by_department"] = departments.map { row -> [String: Any] in
                [
                    "key": row.key ?? "—", "name": row.name ?? "", "employees": String(row.employees), "gross": money(row.gross),
                    "net": money(row.net), "to_pay": money(row.netToPay), "cost": money(row.cost),
                ]
            }
            data["has_by_department"] = !departments.isEmpty
        }
        // D112: the month's declaration (a draft while the run is computed; kept once posted) and its settings.
        let declaration = try await culise.payrollDeclarations(company: p.companyID, actor: .user(p)).first { $0.month == month }
        let filing = declaration?.filing
        let settings = try await culise.payrollFilingSettings(company: p.companyID, actor: .user(p))
        let posted = state == .posted || state == .paid
        data["d112"] =
            [
                "due": PageFormat.inputDate(FilingForm.d112.due(month)), "has_draft": state != nil && state != .draft,
                "has_filing": filing != nil, "filing_href": filing.map { "/filings/\($0.id)" } ?? "",
                "filing_state": filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "can_generate": canEdit && posted && filing?.state != .filed,
                "caen": settings.caen ?? "", "last": settings.declarantLastName ?? "", "first": settings.declarantFirstName ?? "",
                "function": settings.declarantFunction ?? "", "can_edit": canEdit,
            ] as [String: Any]
        if let run {
            data["totals"] = [
                "gross": money(run.total(\.gross)), "cas": money(run.total(\.cas)), "cass": money(run.total(\.cass)),
                "deduction": money(run.total(\.deduction)), "tax": money(run.total(\.tax)), "net": money(run.total(\.net)),
                "to_pay": money(run.total(\.netToPay)), "cam": money(run.total(\.cam)), "cost": money(run.total(\.employerCost)),
            ]
        }
        return try await html.page(
            "payroll", "title_payroll", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        guard let month = form["month"].flatMap({ try? YearMonth(text: $0) }) else { throw WebError.notFound }
        let actor = Actor.user(p)
        let company = p.companyID
        do {
            switch form["action"] ?? "" {
            case "compute": _ = try await culise.computePayroll(company: company, month: month, actor: actor)
            case "correct": _ = try await culise.correctPayroll(company: company, month: month, actor: actor)
            case "approve", "reject":
                _ = try await culise.decidePayroll(
                    company: company, month: month, approve: form["action"] == "approve",
                    comment: form["comment"].flatMap { $0.isEmpty ? nil : $0 }, actor: actor)
            case "post": _ = try await culise.postPayroll(company: company, month: month, actor: actor)
            case "d112":
                let filing = try await culise.generateD112(company: company, month: month, actor: actor)
                return redirect(to: "/filings/\(filing.id)?flash=filing_done")
            case "settings":
                try await culise.setPayrollFilingSettings(
                    company: company,
                    PayrollFilingSettings(
                        caen: form["caen"], declarantLastName: form["declarant_last_name"],
                        declarantFirstName: form["declarant_first_name"],
                        declarantFunction: form["declarant_function"]), actor: actor)
            case "email":
                let mailing = try await culise.emailPayslips(company: company, month: month, actor: actor)
                return redirect(to: "/payroll?month=\(month)&flash=payroll_mailed&queued=\(mailing.queued)")
            case "pay":
                let date = try LocalDate(iso: form["date"] ?? "", field: "date")
                _ = try await culise.payPayroll(company: company, month: month, date: date, actor: actor)
            default: throw WebError.notFound
            }
            return redirect(to: "/payroll?month=\(month)&flash=payroll_done")
        } catch let error as ValidationErrors {
            return try await render(request, context, month: month, error: error)
        } catch let error as DomainError where [.invalid, .conflict, .forbidden, .notFound].contains(error.kind) {
            return try await render(request, context, month: month, error: error)
        }
    }

    @Sendable func payslip(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) }),
            let employee = context.parameters.get("employee")
        else { throw WebError.notFound }
        // Only this employee's line is read (a run of 10,000 people has 10,000).
        guard let slip = try await culise.payslip(company: p.companyID, month: month, employee: employee.uppercased(), actor: .user(p))
        else { throw WebError.notFound }
        return try await html.page(
            "payslip", "title_payslip", Self.payslipData(slip.line, run: slip.run, t: html.t(context)), request, context)
    }

    static func pdfResponse(_ data: Data, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/pdf"
        headers[.contentDisposition] =
            "attachment; filename=\"\(name.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }).pdf\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func payslipPDF(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) }),
            let employee = context.parameters.get("employee")?.uppercased()
        else { throw WebError.notFound }
        let data = try await culise.payslipDocument(
            company: p.companyID, month: month, employee: employee, format: "pdf", english: context.locale == "en", actor: .user(p))
        return Self.pdfResponse(data, name: "fluturas_\(month)_\(employee)")
    }

    @Sendable func myPayslipPDF(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) }) else { throw WebError.notFound }
        let data = try await culise.myPayslipDocument(
            company: p.companyID, month: month, format: "pdf", english: context.locale == "en", actor: .user(p))
        return Self.pdfResponse(data, name: "fluturas_\(month)")
    }

    /// The signed-in employee's own payslip of a posted month; anything else is "not found".
    @Sendable func myPayslip(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) }),
            let slip = try await culise.myPayslips(company: p.companyID, actor: .user(p)).first(where: { $0.month == month })
        else { throw WebError.notFound }
        var data = Self.payslipData(slip.line, run: slip.run, t: html.t(context))
        data["pdf_href"] = "/me/payslips/\(month)/pdf"
        return try await html.page("payslip", "title_payslip", data, request, context)
    }

    /// A payslip's page data: each line with its explanation in the reader's language.
    static func payslipData(_ line: PayrollLineRecord, run: PayrollRunRecord, t: [String: String]) -> [String: Any] {
        let english = PageFormat.locale == .en
        return [
            "month": run.month.description, "employee": line.employee, "name": line.name,
            "pdf_href": "/payroll/\(run.month)/\(line.employee)/pdf",
            "state": t["payroll_state_\(run.state.rawValue)"] ?? run.state.rawValue,
            "lines": line.result.lines.map {
                [
                    "label": t["payslip_\($0.code)"] ?? $0.code, "amount": PageFormat.money($0.amount),
                    "explanation": english ? $0.explanation : $0.explanationRO,
                    "strong": ["gross", "net", "net_to_pay", "cost"].contains($0.code),
                ] as [String: Any]
            },
        ]
    }
}
