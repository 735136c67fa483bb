import Application
import Filings
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel

/// `/filing-calendar` and `/api/v1/filing-calendar`: what the company files, for which period and by when, with each
/// declaration's state (issue 16 item 5).
struct FilingCalendarPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes?

    func register(protect: (Area, Access) -> Protected) {
        if html != nil {
            protect(.accounting, .read).get("/filing-calendar", use: show)
        } else {
            protect(.accounting, .read).get("/api/v1/filing-calendar", use: api)
        }
    }

    /// The range asked for (`from`, `to` as YYYY-MM), by default the last six months and the next two.
    func range(_ request: Request) throws -> (YearMonth, YearMonth) {
        let now = YearMonth(culise.today)
        func month(_ name: String, _ shift: Int) throws -> YearMonth {
            if let text = request.uri.queryParameters[Substring(name)] {
                do { return try YearMonth(text: String(text), field: name) } catch { throw ValidationErrors([error]) }
            }
            var m = now
            for _ in 0..<abs(shift) { m = shift < 0 ? YearMonth(m.firstDay.adding(days: -1)) : YearMonth(m.lastDay.adding(days: 1)) }
            return m
        }
        return (try month("from", -6), try month("to", 2))
    }

    /// Where the declaration is made: the VAT page for the tax returns, the payroll page for D112.
    static func href(_ entry: FilingCalendarEntry) -> String? {
        if let filing = entry.filing { return "/filings/\(filing.id)" }
        switch entry.form {
        case .d300, .d390, .d394: return "/vat?period=\(entry.period)"
        case .d112: return "/payroll?month=\(entry.period)"
        case .d406: return "/saft?period=\(entry.period)"
        }
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        guard let html else { throw WebError.notFound }
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let (from, to) = try range(request)
        let entries = try await culise.filingCalendar(company: p.companyID, from: from, to: to, actor: .user(p))
        let rows: [[String: Any]] = entries.map { entry in
            var row: [String: Any] = [
                "form": entry.form.rawValue.uppercased(), "title": entry.form.title, "period": entry.period.description,
                "quarterly": entry.obligation.quarterly, "due": PageFormat.inputDate(entry.due), "overdue": entry.overdue,
                "state": entry.filing.map { t["filing_state_\($0.state.rawValue)"] ?? $0.state.rawValue }
                    ?? (entry.obligation.period.lastDay < culise.today ? t["filing_not_generated"] ?? "" : t["calendar_upcoming"] ?? ""),
                "outside": !entry.generated,
            ]
            if let href = Self.href(entry) { row["href"] = href }
            return row
        }
        return try await html.page(
            "filing_calendar", "title_filing_calendar",
            ["rows": rows, "has_rows": !rows.isEmpty, "from": from.description, "to": to.description], request, context)
    }

    struct EntryDTO: Encodable {
        let form: String
        let period: String
        let quarterly: Bool
        let due: String
        let state: String?
        let filing: String?
        let writtenByCulise: Bool
        let open: Bool
        let overdue: Bool
    }

    @Sendable func api(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let (from, to) = try range(request)
        let entries = try await culise.filingCalendar(company: p.companyID, from: from, to: to, actor: .user(p))
        return try JSON.response([
            "items": entries.map {
                EntryDTO(
                    form: $0.form.rawValue, period: $0.period.description, quarterly: $0.obligation.quarterly, due: $0.due.iso,
                    state: $0.filing?.state.rawValue, filing: $0.filing?.id.description, writtenByCulise: $0.generated, open: $0.open,
                    overdue: $0.overdue)
            }
        ])
    }
}
