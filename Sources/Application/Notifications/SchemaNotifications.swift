import Storage

extension Schema {
    /// Issue 11: the in-app inbox, outgoing e-mail with its attachments (the log of what was sent to whom), and each
    /// user's language for what Culise writes to them.
    package static let notifications = Migration(8, "notifications") { dialect in
        [
            "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'ro'",
            """
            CREATE TABLE notifications (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                link TEXT,
                created_at TEXT NOT NULL,
                read_at TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX notifications_inbox ON notifications (company_id, user_id, read_at)",
            """
            CREATE TABLE outgoing_mail (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                purpose TEXT NOT NULL,
                entity TEXT,
                entity_id TEXT,
                to_address TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                state TEXT NOT NULL,
                message_id TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                sent_at TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX outgoing_mail_entity ON outgoing_mail (company_id, entity, entity_id)",
            """
            CREATE TABLE outgoing_mail_attachments (
                company_id TEXT NOT NULL,
                mail_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                file_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                content \(dialect.blobType) NOT NULL,
                PRIMARY KEY (company_id, mail_id, position)
            )
            """,
        ]
    }

    /// Issue 13: a notification keeps its facts (the template's parameters, JSON) besides the sentence written for its
    /// user, so a page says it again in the language of whoever reads it. Older rows keep their sentence.
    package static let notificationFacts = Migration(12, "notification facts") { _ in
        ["ALTER TABLE notifications ADD COLUMN parameters TEXT"]
    }
}
