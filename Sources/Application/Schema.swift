import Storage

/// The core's migrations (platform, ledger tables of the posting engine, shared services). Each context adds its own
/// as `extension Schema` in its app target; `Assembly` lists them all in one numbered sequence (`Schema.all`).
/// Never edit a migration that has landed; add a new one.
public enum Schema {

    package static let platform = Migration(1, "platform") { dialect in
        [
            """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE companies (
                id TEXT PRIMARY KEY,
                legal_name TEXT NOT NULL,
                cui TEXT NOT NULL UNIQUE,
                trade_register TEXT,
                address_line TEXT NOT NULL,
                city TEXT NOT NULL,
                county TEXT,
                postal_code TEXT,
                country TEXT NOT NULL,
                vat_payer BOOLEAN NOT NULL,
                currency TEXT NOT NULL,
                fiscal_year_start_month INTEGER NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                totp_secret TEXT,
                totp_enabled BOOLEAN NOT NULL,
                totp_last_step BIGINT NOT NULL,
                disabled BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                password_changed_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE memberships (
                company_id TEXT NOT NULL REFERENCES companies(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                role TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, user_id)
            )
            """,
            "CREATE INDEX memberships_user ON memberships (user_id)",
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                company_id TEXT REFERENCES companies(id),
                csrf_token TEXT NOT NULL,
                pending_second_factor BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            """
            CREATE TABLE recovery_codes (
                user_id TEXT NOT NULL REFERENCES users(id),
                code_hash TEXT NOT NULL,
                used_at TEXT,
                PRIMARY KEY (user_id, code_hash)
            )
            """,
            """
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                company_id TEXT NOT NULL REFERENCES companies(id),
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                last_used_at TEXT,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
            """
            CREATE TABLE login_failures (
                subject TEXT NOT NULL,
                at_epoch BIGINT NOT NULL
            )
            """,
            "CREATE INDEX login_failures_subject ON login_failures (subject, at_epoch)",
            """
            CREATE TABLE idempotency_keys (
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                body TEXT NOT NULL,
                created_epoch BIGINT NOT NULL,
                PRIMARY KEY (user_id, key)
            )
            """,
            """
            CREATE TABLE chain_heads (
                name TEXT PRIMARY KEY,
                seq BIGINT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "INSERT INTO chain_heads (name, seq, hash) VALUES ('audit', 0, '\(AuditLog.genesisHash)')",
            """
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                user_id TEXT,
                company_id TEXT,
                action TEXT NOT NULL,
                entity TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                diff TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_log_company ON audit_log (company_id, seq)",
        ]
    }

    /// The general ledger (issue 3): chart, journals, fiscal years, entries, lines, balances, partners.
    package static let ledger = Migration(2, "ledger") { _ in
        [
            """
            CREATE TABLE ledger_settings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                lock_date TEXT,
                reversal_style TEXT NOT NULL,
                next_entry_id BIGINT NOT NULL,
                chain_seq BIGINT NOT NULL,
                chain_hash TEXT NOT NULL,
                PRIMARY KEY (company_id)
            )
            """,
            """
            CREATE TABLE accounts (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                parent TEXT,
                postable BOOLEAN NOT NULL,
                requires_partner BOOLEAN NOT NULL,
                active BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE journals (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                next_number BIGINT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE fiscal_years (
                company_id TEXT NOT NULL REFERENCES companies(id),
                start_date TEXT NOT NULL,
                end_date TEXT NOT NULL,
                closed BOOLEAN NOT NULL,
                closing_entry BIGINT,
                PRIMARY KEY (company_id, start_date)
            )
            """,
            """
            CREATE TABLE closed_periods (
                company_id TEXT NOT NULL REFERENCES companies(id),
                period INTEGER NOT NULL,
                closed_at TEXT NOT NULL,
                PRIMARY KEY (company_id, period)
            )
            """,
            """
            CREATE TABLE partners (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                cui TEXT,
                vat_payer BOOLEAN NOT NULL,
                trade_register TEXT,
                cnp TEXT,
                address_line TEXT,
                city TEXT,
                county TEXT,
                postal_code TEXT,
                country TEXT,
                email TEXT,
                phone TEXT,
                payment_term_days INTEGER NOT NULL,
                is_customer BOOLEAN NOT NULL,
                is_supplier BOOLEAN NOT NULL,
                archived BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            "CREATE INDEX partners_cui ON partners (company_id, cui)",
            "CREATE INDEX partners_name ON partners (company_id, name)",
            """
            CREATE TABLE products (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                unit TEXT NOT NULL,
                unit_price TEXT NOT NULL,
                vat_category TEXT NOT NULL,
                vat_rate_kind TEXT,
                exemption_reason TEXT,
                sales_account TEXT NOT NULL,
                purchase_account TEXT NOT NULL,
                archived BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE partner_ibans (
                company_id TEXT NOT NULL REFERENCES companies(id),
                iban TEXT NOT NULL,
                partner_code TEXT NOT NULL,
                PRIMARY KEY (company_id, iban)
            )
            """,
            """
            CREATE TABLE entries (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id BIGINT NOT NULL,
                journal TEXT NOT NULL,
                number TEXT,
                date TEXT NOT NULL,
                description TEXT NOT NULL,
                state TEXT NOT NULL,
                external_ref TEXT,
                reverses BIGINT,
                reversed_by BIGINT,
                seq BIGINT,
                prev_hash TEXT,
                hash TEXT,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE UNIQUE INDEX entries_seq ON entries (company_id, seq)",
            "CREATE UNIQUE INDEX entries_external_ref ON entries (company_id, external_ref)",
            "CREATE INDEX entries_date ON entries (company_id, date, seq)",
            """
            CREATE TABLE entry_lines (
                company_id TEXT NOT NULL,
                entry_id BIGINT NOT NULL,
                line_no INTEGER NOT NULL,
                date TEXT NOT NULL,
                account TEXT NOT NULL,
                partner TEXT,
                debit BIGINT NOT NULL,
                credit BIGINT NOT NULL,
                description TEXT,
                currency TEXT,
                amount_currency BIGINT,
                rate TEXT,
                source_type TEXT,
                source_id TEXT,
                posted BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, entry_id, line_no)
            )
            """,
            "CREATE INDEX entry_lines_account ON entry_lines (company_id, account, date, entry_id, line_no)",
            "CREATE INDEX entry_lines_partner ON entry_lines (company_id, partner, account)",
            """
            CREATE TABLE balances (
                company_id TEXT NOT NULL,
                account TEXT NOT NULL,
                period INTEGER NOT NULL,
                debit BIGINT NOT NULL,
                credit BIGINT NOT NULL,
                line_count BIGINT NOT NULL,
                max_seq BIGINT NOT NULL,
                PRIMARY KEY (company_id, account, period)
            )
            """,
        ]
    }
}
