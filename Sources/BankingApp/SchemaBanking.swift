import Application
import InvoicingApp
import LedgerApp
import PartnersApp
import Storage

extension Schema {
    /// Banking and cash (issue 5): bank and cash accounts, statement imports and lines, reconciliation rules, CSV
    /// profiles, month-end FX revaluations, cash document counters and limits.
    package static let banking = Migration(5, "banking") { _ in
        [
            """
            CREATE TABLE bank_accounts (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                iban TEXT,
                currency TEXT NOT NULL,
                ledger_account TEXT NOT NULL,
                auto_threshold INTEGER,
                archived BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE UNIQUE INDEX bank_accounts_iban ON bank_accounts (company_id, iban)",
            """
            CREATE TABLE bank_imports (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                file_name TEXT NOT NULL,
                format TEXT NOT NULL,
                statement_ref TEXT NOT NULL,
                first_date TEXT,
                last_date TEXT,
                opening BIGINT,
                closing BIGINT,
                lines_new INTEGER NOT NULL,
                lines_duplicate INTEGER NOT NULL,
                warnings TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            """
            CREATE TABLE bank_lines (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                import_id TEXT NOT NULL,
                booking_date TEXT NOT NULL,
                value_date TEXT,
                amount BIGINT NOT NULL,
                currency TEXT NOT NULL,
                bank_ref TEXT,
                reference TEXT,
                counterparty_name TEXT,
                counterparty_iban TEXT,
                details TEXT NOT NULL,
                position TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                state TEXT NOT NULL,
                payment_id TEXT,
                entry_id BIGINT,
                fee_entry_id BIGINT,
                linked BOOLEAN NOT NULL,
                match_account TEXT,
                match_partner TEXT,
                match_documents TEXT,
                match_score INTEGER,
                explanation TEXT,
                automatic BOOLEAN NOT NULL,
                matched_by TEXT,
                matched_at TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE UNIQUE INDEX bank_lines_dedup ON bank_lines (company_id, account_id, dedup_key)",
            "CREATE INDEX bank_lines_queue ON bank_lines (company_id, account_id, state, booking_date, id)",
            "CREATE INDEX bank_lines_entry ON bank_lines (company_id, entry_id)",
            """
            CREATE TABLE bank_rules (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                pattern TEXT NOT NULL,
                account TEXT NOT NULL,
                partner_code TEXT,
                direction TEXT,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            """
            CREATE TABLE bank_csv_profiles (
                company_id TEXT NOT NULL REFERENCES companies(id),
                name TEXT NOT NULL,
                profile TEXT NOT NULL,
                PRIMARY KEY (company_id, name)
            )
            """,
            """
            CREATE TABLE fx_revaluations (
                company_id TEXT NOT NULL REFERENCES companies(id),
                month TEXT NOT NULL,
                entry_id BIGINT NOT NULL,
                reversal_entry_id BIGINT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, month)
            )
            """,
            """
            CREATE TABLE cash_counters (
                company_id TEXT NOT NULL REFERENCES companies(id),
                kind TEXT NOT NULL,
                year INTEGER NOT NULL,
                next_number BIGINT NOT NULL,
                PRIMARY KEY (company_id, kind, year)
            )
            """,
            """
            CREATE TABLE banking_settings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                cash_limit_partner_day BIGINT NOT NULL,
                cash_limit_individual BIGINT NOT NULL,
                cash_register_ceiling BIGINT,
                PRIMARY KEY (company_id)
            )
            """,
            // Open amounts per document (payments, reconciliation) read the lines that reference it.
            "CREATE INDEX entry_lines_source ON entry_lines (company_id, source_type, source_id)",
            // Payments and matches find invoices by number as well as by id.
            "CREATE INDEX invoices_by_number ON invoices (company_id, number)",
            "ALTER TABLE payments ADD COLUMN document_number TEXT",
            "ALTER TABLE payments ADD COLUMN reversal_entry_id BIGINT",
        ]
    }
}
