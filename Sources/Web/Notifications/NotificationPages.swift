import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// The in-app inbox: every user's notifications in the selected company, newest first.
struct NotificationPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/notifications", use: inbox)
        protect(.profile, .write).post("/notifications/read", use: markAllRead)
        protect(.profile, .write).post("/notifications/{id}/read", use: markRead)
        protect(.invoicing, .read).get("/mail", use: mailLog)
    }

    @Sendable func inbox(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let page = try await culise.notifications(company: p.companyID, page: pageRequest, actor: .user(p))
        let items: [[String: Any]] = page.items.map { $0.localized(context.locale) }.map {
            [
                "id": $0.id.description, "title": $0.title, "body": $0.body, "link": $0.link ?? "",
                "at": PageFormat.timestamp($0.createdAt),
                "unread": $0.readAt == nil,
            ]
        }
        let data: [String: Any] = [
            "items": items, "has_items": !items.isEmpty, "has_unread": page.items.contains { $0.readAt == nil }, "total": page.total,
            "next_href": page.nextOffset.map { "/notifications?offset=\($0)&limit=\(page.limit)" } ?? "",
        ]
        return try await html.page("notifications", "notifications_title", data, request, context)
    }

    @Sendable func markRead(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = NotificationID(string: text) else { throw WebError.notFound }
        try await culise.markNotificationsRead(company: p.companyID, id: id, actor: .user(p))
        return redirect(to: "/notifications")
    }

    @Sendable func markAllRead(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try await culise.markNotificationsRead(company: p.companyID, id: nil, actor: .user(p))
        return redirect(to: "/notifications")
    }

    /// What Culise e-mailed from this company, to whom, and whether it went out.
    @Sendable func mailLog(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let pageRequest = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let page = try await culise.mailLog(company: p.companyID, page: pageRequest, actor: .user(p))
        let items: [[String: Any]] = page.items.map {
            [
                "to": $0.to, "subject": $0.subject, "state": t["mail_state_\($0.state)", default: $0.state],
                "at": PageFormat.timestamp($0.sentAt ?? $0.createdAt),
                "attachments": $0.attachments.joined(separator: ", "), "error": $0.lastError ?? "",
                "href": $0.entity == "invoice" ? "/invoices/\($0.entityID ?? "")" : "",
            ]
        }
        let data: [String: Any] = [
            "items": items, "has_items": !items.isEmpty, "total": page.total,
            "next_href": page.nextOffset.map { "/mail?offset=\($0)&limit=\(page.limit)" } ?? "",
        ]
        return try await html.page("mail", "mail_title", data, request, context)
    }
}
