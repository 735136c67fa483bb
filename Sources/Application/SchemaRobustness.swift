import Storage

extension Schema {
    /// Issue 10: the ledger's volume bound, idempotency keys per (company, user), invitations, the last company used.
    package static let robustness = Migration(6, "robustness") { _ in
        [
            // The sum of |debit| + |credit| + |foreign amount| over every posted line; posting past
            // Limits.ledgerVolumeMinorUnits is refused, so no sum over the ledger can overflow.
            "ALTER TABLE ledger_settings ADD COLUMN volume BIGINT NOT NULL DEFAULT 0",
            """
            UPDATE ledger_settings SET volume = COALESCE((
                SELECT SUM(ABS(l.debit)) + SUM(ABS(l.credit)) + COALESCE(SUM(ABS(l.amount_currency)), 0)
                FROM entry_lines l WHERE l.company_id = ledger_settings.company_id AND l.posted), 0)
            """,
            // The same bound for each bank or cash account's imported lines.
            "ALTER TABLE bank_accounts ADD COLUMN volume BIGINT NOT NULL DEFAULT 0",
            """
            UPDATE bank_accounts SET volume = COALESCE((
                SELECT SUM(ABS(b.amount)) FROM bank_lines b WHERE b.company_id = bank_accounts.company_id AND b.account_id = bank_accounts.id), 0)
            """,
            // Stored responses live 24 hours; the table is recreated with the company leading its key.
            "DROP TABLE idempotency_keys",
            """
            CREATE TABLE idempotency_keys (
                company_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                body TEXT NOT NULL,
                created_epoch BIGINT NOT NULL,
                PRIMARY KEY (company_id, user_id, key)
            )
            """,
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_epoch)",
            // An existing user is invited to another company; the membership exists only once they accept.
            """
            CREATE TABLE invitations (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                invited_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_epoch BIGINT NOT NULL,
                state TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX invitations_company_email ON invitations (company_id, email, state)",
            "CREATE INDEX invitations_email ON invitations (email, state)",
            "ALTER TABLE users ADD COLUMN last_company_id TEXT",
        ]
    }
}
