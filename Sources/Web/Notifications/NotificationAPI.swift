import Application
import Foundation
import Hummingbird
import Identity
import Kernel

/// The in-app inbox over the API: the caller's notifications in the token's company (newest first, with the unread
/// count), and marking one or all of them read.
struct NotificationAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/api/v1/notifications", use: list)
        protect(.profile, .write).post("/api/v1/notifications/read", use: markAllRead)
        protect(.profile, .write).post("/api/v1/notifications/{id}/read", use: markRead)
    }

    struct NotificationDTO: Encodable {
        let id: String
        let kind: String
        let title: String
        let body: String
        let link: String?
        let createdAt: String
        let readAt: String?

        init(_ record: NotificationRecord) {
            id = record.id.description
            kind = record.kind
            title = record.title
            body = record.body
            link = record.link
            createdAt = record.createdAt
            readAt = record.readAt
        }
    }

    struct InboxDTO: Encodable {
        let items: [NotificationDTO]
        let total: Int
        let unread: Int
        let limit: Int
        let offset: Int
        let nextOffset: Int?
    }

    /// `unread=true` lists only the unread ones.
    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let unreadOnly = LedgerAPI.query(request, "unread") == "true"
        let inbox = try await culise.notifications(company: p.companyID, unreadOnly: unreadOnly, page: page, actor: .user(p))
        let unread = try await culise.unreadNotifications(company: p.companyID, user: p.userID)
        return try JSON.response(
            InboxDTO(
                items: inbox.items.map(NotificationDTO.init), total: inbox.total, unread: unread, limit: inbox.limit, offset: inbox.offset,
                nextOffset: inbox.nextOffset))
    }

    @Sendable func markRead(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap(NotificationID.init(string:)) else { throw WebError.notFound }
        try await culise.markNotificationsRead(company: p.companyID, id: id, actor: .user(p))
        return Response(status: .noContent)
    }

    @Sendable func markAllRead(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        try await culise.markNotificationsRead(company: p.companyID, id: nil, actor: .user(p))
        return Response(status: .noContent)
    }
}
