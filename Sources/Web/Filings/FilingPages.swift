import Application
import Filings
import Foundation
import Hummingbird
import Identity
import Kernel
import PayrollApp

/// `/filings`: the declarations kept for ANAF with their lifecycle (issue 16 item 1; D112 first, issue 15 item 7):
/// the list with due dates, one filing's problems and XML, marking it filed and recording ANAF's answer. D112 is the
/// only form yet, so the routes are the payroll area's; each use case checks the form's own area again.
struct FilingPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.payroll, .read).get("/filings", use: list)
        protect(.payroll, .read).get("/filings/{id}", use: detail)
        protect(.payroll, .read).get("/filings/{id}/xml", use: xml)
        protect(.payroll, .write).post("/filings/{id}", use: act)
        protect(.payroll, .read).get("/filings/d112/{month}/draft", use: draft)
    }

    static func xmlResponse(_ xml: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=utf-8"
        headers[.contentDisposition] =
            "attachment; filename=\"\(name.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }).xml\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    func row(_ filing: FilingRecord, _ t: [String: String]) -> [String: Any] {
        [
            "id": filing.id.description, "href": "/filings/\(filing.id)", "form": filing.form.rawValue.uppercased(),
            "title": filing.form.title,
            "period": filing.period.description, "state": t["filing_state_\(filing.state.rawValue)"] ?? filing.state.rawValue,
            "state_key": filing.state.rawValue, "due": PageFormat.inputDate(filing.due), "rectifying": filing.rectifying,
            "number": filing.registrationNumber ?? "", "has_number": filing.registrationNumber != nil,
            "filed_on": filing.filedOn.map(PageFormat.inputDate) ?? "",
            "overdue": !filing.state.isFiled && filing.due < culise.today,
        ]
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let filings = try await culise.filings(company: p.companyID, actor: .user(p))
        let months = try await culise.payrollDeclarations(company: p.companyID, actor: .user(p)).filter(\.open)
        let due: [[String: Any]] = months.map { status in
            [
                "month": status.month.description, "due": PageFormat.inputDate(status.due), "overdue": status.due < culise.today,
                "state": status.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (t["filing_not_generated"] ?? ""),
                "href": "/payroll?month=\(status.month)",
            ]
        }
        let rows = filings.map { row($0, t) }
        return try await html.page(
            "filings", "title_filings",
            [
                "rows": rows, "has_rows": !rows.isEmpty, "due": due, "has_due": !due.isEmpty,
                "can_accounting": Policy.allows(p.role, .accounting, .read),
            ], request, context)
    }

    func filingID(_ context: WebContext) throws -> FilingID {
        guard let id = context.parameters.get("id").flatMap(FilingID.init(string:)) else { throw WebError.notFound }
        return id
    }

    @Sendable func detail(_ request: Request, context: WebContext) async throws -> Response {
        try await render(request, context, id: try filingID(context))
    }

    func render(_ request: Request, _ context: WebContext, id: FilingID, error: (any Error)? = nil) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let filing = try await culise.filing(company: p.companyID, id: id, actor: .user(p))
        let english = context.locale == "en"
        let canEdit = Policy.allows(p.role, filing.form.area, .write)
        var data = row(filing, t)
        let problems = error.flatMap { html.errors($0, context) }
        data["problems"] = filing.problems.map { ["check": $0.check, "message": english ? $0.message : $0.messageRO] }
        data["has_problems"] = !filing.problems.isEmpty
        data["sha256"] = filing.sha256
        data["answer"] = filing.answer ?? ""
        data["has_answer"] = filing.answer != nil
        data["created_by"] = filing.createdBy
        data["created_at"] = filing.createdAt
        data["can_file"] = canEdit && filing.state == .validated
        // The form posts to the route of the form's area: a D300's to `/vat/filings`, which accountants may write.
        data["action_path"] = filing.form.area == .accounting ? "/vat/filings/\(filing.id)" : "/filings/\(filing.id)"
        data["can_answer"] = canEdit && filing.state == .filed
        // ANAF's receipts kept with it, each downloadable; more may be added once it is filed.
        let receipts = try await culise.filingReceipts(company: p.companyID, id: filing.id, actor: .user(p))
        data["receipts"] = receipts.map { ["name": $0.fileName, "href": "/documents/\($0.id)", "size": "\($0.size)"] }
        data["has_receipts"] = !receipts.isEmpty
        data["can_add_receipt"] = canEdit && filing.state.isFiled
        data["today"] = PageFormat.inputDate(culise.today)
        data["form_errors"] = problems?.summary ?? []
        data["has_errors"] = !(problems?.summary ?? []).isEmpty
        return try await html.page(
            "filing", "title_filings", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func xml(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let filing = try await culise.filing(company: p.companyID, id: try filingID(context), actor: .user(p))
        return Self.xmlResponse(filing.xml, name: "\(filing.form.rawValue)_\(filing.period)")
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) }) else { throw WebError.notFound }
        let draft = try await culise.d112Draft(company: p.companyID, month: month, actor: .user(p))
        return Self.xmlResponse(draft.xml, name: "d112_\(month)_draft")
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try filingID(context)
        let form = context.form
        let actor = Actor.user(p)
        do {
            // ANAF's receipt, when the form carries one (the forms are multipart).
            let receipt = context.files.first { $0.field == "receipt" }.map { FilingReceipt(fileName: $0.filename, data: $0.data) }
            switch form["action"] ?? "" {
            case "file":
                _ = try await culise.markFiled(
                    company: p.companyID, id: id, number: form["number"] ?? "", date: try LocalDate(iso: form["date"] ?? "", field: "date"),
                    receipt: receipt, actor: actor)
            case "accept", "reject":
                _ = try await culise.recordFilingAnswer(
                    company: p.companyID, id: id, accepted: form["action"] == "accept", message: form["message"], receipt: receipt,
                    actor: actor)
            case "receipt":
                guard let receipt else {
                    throw DomainError("document.no_file", field: "receipt", "To keep ANAF's receipt, you must choose its file.")
                }
                _ = try await culise.attachFilingReceipt(company: p.companyID, id: id, receipt, actor: actor)
            default: throw WebError.notFound
            }
            return redirect(to: "/filings/\(id)?flash=filing_done")
        } catch let error as ValidationErrors {
            return try await render(request, context, id: id, error: error)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await render(request, context, id: id, error: error)
        }
    }
}
