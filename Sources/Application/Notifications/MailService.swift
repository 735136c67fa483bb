import Crypto
import Foundation
import Identity
import Invoicing
import Jobs
import Kernel
import Mail
import Partners
import SQLKit
import Storage

public enum MailTag {}
public typealias MailID = ID<MailTag>

/// An e-mail Culise queued: to whom, what, with which files, and whether it went out.
public struct MailRecord: Sendable, Codable, Equatable {
    public var id: MailID
    public var purpose: String
    public var entity: String?
    public var entityID: String?
    public var to: String
    public var subject: String
    public var state: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: String
    public var sentAt: String?
    public var attachments: [String]
}

/// A mail job whose failure will not go away by retrying (an address the server refuses, a refused login).
package struct PermanentMailFailure: Error, PermanentJobFailure, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

extension Culise {
    /// Queues an e-mail with its attachments inside the caller's transaction and a job to send it; returns its id.
    package func queueMail(
        _ db: any SQLDatabase, company: CompanyID, purpose: String, entity: String?, entityID: String?, to: String, subject: String,
        body: String, attachments: [MailAttachment], actor: Actor
    ) async throws -> MailID {
        let id = MailID.generate(now: now)
        try await db.raw(
            """
            INSERT INTO outgoing_mail (company_id, id, purpose, entity, entity_id, to_address, subject, body, state, message_id, attempts,
                created_at, created_by)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: purpose), \(bind: entity), \(bind: entityID), \(bind: to),
                \(bind: subject), \(bind: body), 'queued', \(bind: "\(id)@culise"), 0, \(bind: nowText), \(bind: actor.auditName))
            """
        ).run()
        for (position, attachment) in attachments.enumerated() {
            try await db.raw(
                """
                INSERT INTO outgoing_mail_attachments (company_id, mail_id, position, file_name, content_type, size, sha256, content)
                VALUES (\(bind: company.description), \(bind: id.description), \(bind: position), \(bind: attachment.fileName),
                    \(bind: attachment.contentType), \(bind: Int64(attachment.data.count)),
                    \(bind: SHA256.hash(data: attachment.data).hexString), \(bind: attachment.data))
                """
            ).run()
        }
        _ = try await enqueue(
            db,
            JobRequest(
                kind: "mail.send", company: company, payload: #"{"mail":"\#(id)"}"#, maxAttempts: Limits.jobAttempts,
                uniqueKey: "mail:\(id)"))
        return id
    }

    /// The mail log of a company, newest first (optionally of one document).
    public func mailLog(
        company: CompanyID, entity: String? = nil, entityID: String? = nil, page: PageRequest, actor: Actor
    ) async throws -> Page<MailRecord> {
        try actor.require(.invoicing, .read, in: company)
        var condition: SQLQueryString = "1 = 1"
        if let entity { condition = condition + " AND entity = \(bind: entity)" }
        if let entityID { condition = condition + " AND entity_id = \(bind: entityID)" }
        let filter = condition
        return try await read { db in
            let total = try await db.raw(
                "SELECT COUNT(*) AS n FROM outgoing_mail WHERE company_id = \(bind: company.description) AND " + filter
            ).first()?.decode(column: "n", as: Int64.self)
            let items = try await Self.loadMail(db, company: company, where: filter, limit: page.limit, offset: page.offset)
            return Page(items: items, total: Int(total ?? 0), offset: page.offset, limit: page.limit)
        }
    }

    package static func loadMail(
        _ db: any SQLDatabase, company: CompanyID, where condition: SQLQueryString, limit: Int = 1, offset: Int = 0
    ) async throws -> [MailRecord] {
        let rows = try await db.raw(
            """
            SELECT id, purpose, entity, entity_id, to_address, subject, state, attempts, last_error, created_at, sent_at
            FROM outgoing_mail WHERE company_id = \(bind: company.description) AND
            """ + " " + condition + " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all()
        // The attachments' names of the whole page in one query.
        let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
        var names: [String: [String]] = [:]
        if !ids.isEmpty {
            for row in try await db.raw(
                """
                SELECT mail_id, file_name FROM outgoing_mail_attachments WHERE company_id = \(bind: company.description) AND mail_id IN
                """ + " " + .list(ids) + " ORDER BY mail_id, position"
            ).all() {
                names[try row.decode(column: "mail_id", as: String.self), default: []].append(
                    try row.decode(column: "file_name", as: String.self))
            }
        }
        var records: [MailRecord] = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            records.append(
                MailRecord(
                    id: try MailID(string: id).orThrow("mail id"), purpose: try row.decode(column: "purpose", as: String.self),
                    entity: try row.decode(column: "entity", as: String?.self),
                    entityID: try row.decode(column: "entity_id", as: String?.self),
                    to: try row.decode(column: "to_address", as: String.self), subject: try row.decode(column: "subject", as: String.self),
                    state: try row.decode(column: "state", as: String.self),
                    attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                    lastError: try row.decode(column: "last_error", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: String.self),
                    sentAt: try row.decode(column: "sent_at", as: String?.self),
                    attachments: names[id] ?? []))
        }
        return records
    }

    /// The `mail.send` job: sends one queued e-mail. A message already sent is not sent again (a job run twice after
    /// a lost lease finds it `sent`). Without SMTP settings the attempt fails, so the job waits and retries.
    package func sendQueuedMail(_ job: JobRecord, smtp: SMTPSettings?) async throws -> String {
        struct Payload: Decodable { let mail: String }
        guard let company = job.company, let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else {
            throw PermanentMailFailure(message: "the job has no company or mail id")
        }
        let (row, attachments) = try await read { db in
            let row = try await db.raw(
                """
                SELECT to_address, subject, body, state, message_id, created_at FROM outgoing_mail
                WHERE company_id = \(bind: company.description) AND id = \(bind: payload.mail)
                """
            ).first()
            let attachments = try await db.raw(
                """
                SELECT file_name, content_type, content FROM outgoing_mail_attachments
                WHERE company_id = \(bind: company.description) AND mail_id = \(bind: payload.mail) ORDER BY position
                """
            ).all().map {
                MailAttachment(
                    fileName: try $0.decode(column: "file_name", as: String.self),
                    contentType: try $0.decode(column: "content_type", as: String.self),
                    data: try $0.decode(column: "content", as: Data.self))
            }
            return (row, attachments)
        }
        guard let row else { throw PermanentMailFailure(message: "mail \(payload.mail) does not exist") }
        let to = try row.decode(column: "to_address", as: String.self)
        if try row.decode(column: "state", as: String.self) == "sent" { return "already sent to \(to)" }
        guard let smtp else {
            throw DomainError(
                "mail.not_configured", kind: .conflict, "You cannot send e-mail because no SMTP server is configured (CULISE_SMTP_HOST).")
        }
        let message = MailMessage(
            from: smtp.from, fromName: nil, to: [to], subject: try row.decode(column: "subject", as: String.self),
            text: try row.decode(column: "body", as: String.self), attachments: attachments,
            messageID: try row.decode(column: "message_id", as: String.self),
            date: Timestamp.parse(try row.decode(column: "created_at", as: String.self)) ?? now)
        do {
            try await SMTPClient.send(message, with: smtp)
        } catch {
            let last = job.attempts >= job.maxAttempts || !error.transient
            try await transaction { db in
                try await db.raw(
                    """
                    UPDATE outgoing_mail SET attempts = attempts + 1, last_error = \(bind: error.message), state = \(bind: last ? "failed" : "queued")
                    WHERE company_id = \(bind: company.description) AND id = \(bind: payload.mail)
                    """
                ).run()
                if last {
                    let users = try await self.members(db, company: company, roles: [.admin, .accountant])
                    try await self.notify(
                        db, company: company, users: users, kind: "mail.failed",
                        parameters: ["to": to, "subject": message.subject, "error": error.message], link: "/mail")
                }
            }
            if !error.transient { throw PermanentMailFailure(message: error.message) }
            throw error
        }
        try await transaction { db in
            try await db.raw(
                """
                UPDATE outgoing_mail SET state = 'sent', sent_at = \(bind: self.nowText), attempts = attempts + 1, last_error = NULL
                WHERE company_id = \(bind: company.description) AND id = \(bind: payload.mail)
                """
            ).run()
        }
        return "sent to \(to)"
    }
}
