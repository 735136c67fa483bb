import Foundation
import Identity
import Kernel
import SQLKit
import Storage

public enum NotificationTag {}
public typealias NotificationID = ID<NotificationTag>

/// One message in a user's in-app inbox.
public struct NotificationRecord: Sendable, Codable, Equatable {
    public var id: NotificationID
    public var kind: String
    public var title: String
    public var body: String
    public var link: String?
    public var createdAt: String
    public var readAt: String?
    /// The facts the sentences were written from (nil for rows older than migration 12).
    public var parameters: [String: String]? = nil

    /// The notification as a reader of `language` ("ro" or "en") reads it: written again from its facts in that
    /// language when it has them, else as stored.
    public func localized(_ language: String) -> NotificationRecord {
        guard let parameters, let template = MessageTemplates.notifications[kind]?[language] else { return self }
        var copy = self
        let values = MessageTemplates.values(parameters, language: language)
        copy.title = MessageTemplates.fill(template.title, values)
        copy.body = MessageTemplates.fill(template.body, values)
        return copy
    }
}

/// The texts of notifications and e-mails in Romanian and English; `{name}` is replaced by a parameter.
public enum MessageTemplates {
    /// The parameters for a reader of `language`: `key.en` overrides `key` for English readers (amounts, words).
    public static func values(_ parameters: [String: String], language: String) -> [String: String] {
        var values = parameters.filter { !$0.key.contains(".") }
        for (key, value) in parameters where key.hasSuffix(".\(language)") { values[String(key.dropLast(language.count + 1))] = value }
        return values
    }

    public static let notifications: [String: [String: (title: String, body: String)]] = [
        "job.dead": [
            "ro": ("Sarcina {kind} a eșuat definitiv", "După {attempts} încercări: {error} Reîncercați-o din pagina Sarcini."),
            "en": ("Job {kind} failed for good", "After {attempts} attempts: {error} Retry it from the Jobs page."),
        ],
        "followups.due": [
            "ro": ("{count} urmăriri de parteneri sunt scadente", "Urmăririle programate până la {date} așteaptă un răspuns."),
            "en": ("{count} partner follow-ups are due", "The follow-ups planned up to {date} are waiting."),
        ],
        "dunning.ready": [
            "ro": ("{count} somații de plată pregătite", "Facturile restante la {date} au somații pregătite; verificați pagina Somații."),
            "en": ("{count} dunning notices ready", "Invoices overdue on {date} have notices ready; see the Dunning page."),
        ],
        "mail.failed": [
            "ro": ("E-mailul către {to} nu a putut fi trimis", "{subject}: {error}"),
            "en": ("The e-mail to {to} could not be sent", "{subject}: {error}"),
        ],
        "filing.due": [
            "ro": (
                "{form} pentru {period}: termen {due}", "Declarația {form} pentru {period} nu este depusă ({state}); termenul este {due}."
            ),
            "en": ("{form} for {period}: due {due}", "The {form} for {period} is not filed ({state}); it is due on {due}."),
        ],
        "approval.requested": [
            "ro": ("Aprobare cerută: {kind} {document}", "{requester} cere aprobarea pentru {kind} {document} ({amount})."),
            "en": ("Approval requested: {kind} {document}", "{requester} asks you to approve {kind} {document} ({amount})."),
        ],
        "approval.decided": [
            "ro": ("{kind} {document}: {decision}", "{approver} a decis: {decision}. {comment}"),
            "en": ("{kind} {document}: {decision}", "{approver} decided: {decision}. {comment}"),
        ],
    ]

    public static let invoiceMail: [String: (subject: String, body: String)] = [
        "ro": (
            "Factura {number} din {date} — {seller}",
            """
            Bună ziua,

            Vă transmitem atașat factura {number} din {date}, în valoare de {total} {currency}, cu scadența la {due}.
            Factura a fost transmisă și prin sistemul RO e-Factura; fișierul XML este atașat.

            Cu stimă,
            {seller}
            """
        ),
        "en": (
            "Invoice {number} of {date} — {seller}",
            """
            Hello,

            Please find attached invoice {number} of {date}, for {total} {currency}, due on {due}.
            The invoice was also sent through RO e-Factura; its XML file is attached.

            Kind regards,
            {seller}
            """
        ),
    ]

    public static func fill(_ template: String, _ parameters: [String: String]) -> String {
        var text = template
        for (key, value) in parameters { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return text
    }
}

extension Culise {
    /// Puts a notification in each user's inbox, in the user's language, inside the caller's transaction.
    package func notify(
        _ db: any SQLDatabase, company: CompanyID, users: [UserID], kind: String, parameters: [String: String], link: String? = nil
    ) async throws {
        guard let templates = MessageTemplates.notifications[kind], !users.isEmpty else { return }
        let languages = try await db.raw(
            "SELECT id, language FROM users WHERE id IN " + .list(users.map(\.description))
        ).all().reduce(into: [String: String]()) { map, row in
            map[try row.decode(column: "id", as: String.self)] = try row.decode(column: "language", as: String.self)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let facts = (try? encoder.encode(parameters)).map { String(decoding: $0, as: UTF8.self) }
        for user in Set(users) {
            let language = languages[user.description] ?? "ro"
            let template = templates[language] ?? templates["ro"] ?? (kind, "")
            let values = MessageTemplates.values(parameters, language: language)
            try await db.raw(
                """
                INSERT INTO notifications (company_id, id, user_id, kind, title, body, link, created_at, parameters)
                VALUES (\(bind: company.description), \(bind: NotificationID.generate(now: now).description), \(bind: user.description),
                    \(bind: kind), \(bind: String(MessageTemplates.fill(template.title, values).prefix(300))),
                    \(bind: String(MessageTemplates.fill(template.body, values).prefix(2_000))), \(bind: link), \(bind: nowText), \(bind: facts))
                """
            ).run()
        }
    }

    /// The members of a company holding one of `roles`.
    package func members(_ db: any SQLDatabase, company: CompanyID, roles: Set<Role>) async throws -> [UserID] {
        try await db.raw(
            "SELECT user_id, role FROM memberships WHERE company_id = \(bind: company.description)"
        ).all().compactMap { row in
            guard let role = Role(rawValue: try row.decode(column: "role", as: String.self)), roles.contains(role) else { return nil }
            return UserID(string: try row.decode(column: "user_id", as: String.self))
        }
    }

    /// The user's inbox in a company, newest first.
    public func notifications(
        company: CompanyID, unreadOnly: Bool = false, page: PageRequest, actor: Actor
    ) async throws -> Page<NotificationRecord> {
        guard let user = actor.userID else { return Page(items: [], total: 0, offset: 0, limit: page.limit) }
        try actor.require(.profile, .read, in: company)
        var condition: SQLQueryString = "company_id = \(bind: company.description) AND user_id = \(bind: user.description)"
        if unreadOnly { condition = condition + " AND read_at IS NULL" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM notifications WHERE " + filter).first()?.decode(
                column: "n", as: Int64.self)
            let items = try await db.raw(
                "SELECT id, kind, title, body, link, created_at, read_at, parameters FROM notifications WHERE " + filter
                    + " ORDER BY created_at DESC, id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all().map { row in
                NotificationRecord(
                    id: try NotificationID(string: try row.decode(column: "id", as: String.self)).orThrow("notification id"),
                    kind: try row.decode(column: "kind", as: String.self), title: try row.decode(column: "title", as: String.self),
                    body: try row.decode(column: "body", as: String.self), link: try row.decode(column: "link", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: String.self),
                    readAt: try row.decode(column: "read_at", as: String?.self),
                    parameters: try row.decode(column: "parameters", as: String?.self).flatMap {
                        try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
                    })
            }
            return Page(items: items, total: Int(total ?? 0), offset: page.offset, limit: page.limit)
        }
    }

    /// How many unread notifications the user has in the company (the number in the page header).
    public func unreadNotifications(company: CompanyID, user: UserID) async throws -> Int {
        try await read { db in
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM notifications
                WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description) AND read_at IS NULL
                """
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// Marks one notification (or, with nil, all of them) read. Marking a read one again changes nothing; one that is
    /// not the user's (or does not exist) is not found.
    public func markNotificationsRead(company: CompanyID, id: NotificationID?, actor: Actor) async throws {
        guard let user = actor.userID else { return }
        try actor.require(.profile, .write, in: company)
        let mine: SQLQueryString = "company_id = \(bind: company.description) AND user_id = \(bind: user.description)"
        var condition: SQLQueryString = mine + " AND read_at IS NULL"
        if let id { condition = condition + " AND id = \(bind: id.description)" }
        let filter = condition
        try await transaction { db in
            if let id, try await db.raw("SELECT id FROM notifications WHERE " + mine + " AND id = \(bind: id.description)").first() == nil {
                throw DomainError(
                    "notification.not_found", kind: .notFound, "You cannot mark notification \(id) read because it is not in your inbox.")
            }
            try await db.raw("UPDATE notifications SET read_at = \(bind: self.nowText) WHERE " + filter).run()
        }
    }

    /// Records the language a user reads (what notifications and e-mails to them are written in).
    public func setLanguage(user: UserID, language: String) async throws {
        guard ["ro", "en"].contains(language) else { return }
        try await transaction { db in
            try await db.raw("UPDATE users SET language = \(bind: language) WHERE id = \(bind: user.description)").run()
        }
    }
}
