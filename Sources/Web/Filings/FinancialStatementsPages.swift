import Application
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel
import Ledger

/// `/ledger/financial-statements`, `/api/v1/reports/financial-statements`: F10 and F20 of a fiscal year with the prior
/// year beside it (issue 16 item 6), on the page, as JSON, or downloaded as CSV or PDF (`format=csv|pdf`).
struct FinancialStatementsPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes?

    func register(protect: (Area, Access) -> Protected) {
        // Registered twice: with the pages (the page) and with the API (the JSON and files).
        if html != nil {
            protect(.accounting, .read).get("/ledger/financial-statements", use: show)
        } else {
            protect(.accounting, .read).get("/api/v1/reports/financial-statements", use: api)
        }
    }

    /// The year asked for (`?year=2025`), by default the last one ended.
    func year(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["year"].map(String.init), !text.isEmpty else { return culise.today.year - 1 }
        guard let year = Int(text), (1900...2199).contains(year) else {
            throw ValidationErrors([
                DomainError(
                    "report.year", field: "year",
                    "You cannot report on the year '\(text.prefix(12))' because a year is between 1900 and 2199.")
            ])
        }
        return year
    }

    /// A CSV or PDF download when `format` asks for one, else nil.
    func file(_ request: Request, _ statements: FinancialStatements, english: Bool) throws -> Response? {
        let format = request.uri.queryParameters["format"].map(String.init) ?? ""
        guard !["", "json", "html"].contains(format) else { return nil }
        let file: (data: Data, contentType: String, name: String)
        do { file = try statements.export(format: format, english: english, created: culise.now) } catch { throw ValidationErrors([error]) }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(file.name)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: file.data)))
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        guard let html else { throw WebError.notFound }
        let p = try context.requirePrincipal()
        let english = context.locale == "en"
        let locale: NumberLocale = english ? .en : .ro
        let year = try year(request)
        let statements = try await culise.financialStatements(company: p.companyID, year: year, actor: .user(p))
        if let file = try file(request, statements, english: english) { return file }
        func rows(_ rows: [AnnualStatements.Row]) -> [[String: Any]] {
            rows.filter { $0.code != "CHK" }.map {
                [
                    "code": $0.code, "label": $0.label(language: english ? "en" : "ro"), "total": $0.isTotal,
                    "previous": MoneyFormat.amount($0.previous, locale: locale), "current": MoneyFormat.amount($0.current, locale: locale),
                ]
            }
        }
        let data: [String: Any] = [
            "year": "\(year)", "from": PageFormat.inputDate(statements.from), "to": PageFormat.inputDate(statements.to),
            "provisional": !statements.closed, "f10": rows(statements.f10), "f20": rows(statements.f20),
            "unmapped": statements.unmapped.joined(separator: ", "), "has_unmapped": !statements.unmapped.isEmpty,
            "ledger_nav": LedgerPages.sections.map {
                ["href": $0.0, "label": html.t(context)[$0.1] ?? $0.1, "active": $0.0 == "/ledger/financial-statements"] as [String: Any]
            },
        ]
        return try await html.page("financial_statements", "ledger_financial_statements", data, request, context)
    }

    struct StatementsDTO: Encodable {
        let from: String
        let to: String
        let closed: Bool
        let f10: [AnnualStatements.Row]
        let f20: [AnnualStatements.Row]
        let unmapped: [String]
    }

    @Sendable func api(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let statements = try await culise.financialStatements(company: p.companyID, year: try year(request), actor: .user(p))
        if let file = try file(request, statements, english: request.uri.queryParameters["language"] == "en") { return file }
        return try JSON.response(
            StatementsDTO(
                from: statements.from.iso, to: statements.to.iso, closed: statements.closed, f10: statements.f10, f20: statements.f20,
                unmapped: statements.unmapped))
    }
}
