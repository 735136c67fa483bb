import Application
import LedgerApp
import PartnersApp
import Storage

extension Schema {
    /// Invoicing and e-Factura (issue 4): series and gapless counters, invoices, bills, payments, the e-Factura outbox.
    package static let invoicing = Migration(3, "invoicing") { _ in
        [
            "ALTER TABLE partners ADD COLUMN tax_id TEXT",
            "ALTER TABLE partners ADD COLUMN merged_into TEXT",
            """
            CREATE TABLE partner_contacts (
                company_id TEXT NOT NULL REFERENCES companies(id),
                partner_code TEXT NOT NULL,
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                role TEXT,
                email TEXT,
                phone TEXT,
                PRIMARY KEY (company_id, partner_code, id)
            )
            """,
            """
            CREATE TABLE partner_interactions (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                partner_code TEXT NOT NULL,
                kind TEXT NOT NULL,
                date TEXT NOT NULL,
                summary TEXT NOT NULL,
                user_name TEXT NOT NULL,
                follow_up TEXT,
                follow_up_done BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX partner_interactions_partner ON partner_interactions (company_id, partner_code, date)",
            "CREATE INDEX partner_interactions_follow_up ON partner_interactions (company_id, follow_up_done, follow_up)",
            "CREATE INDEX partners_tax_id ON partners (company_id, tax_id)",
            """
            CREATE TABLE invoice_settings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                default_series TEXT NOT NULL,
                iban TEXT,
                email TEXT,
                phone TEXT,
                write_off_limit BIGINT NOT NULL,
                PRIMARY KEY (company_id)
            )
            """,
            """
            CREATE TABLE invoice_series (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE invoice_counters (
                company_id TEXT NOT NULL,
                series TEXT NOT NULL,
                year INTEGER NOT NULL,
                next_number BIGINT NOT NULL,
                PRIMARY KEY (company_id, series, year)
            )
            """,
            """
            CREATE TABLE invoices (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                type TEXT NOT NULL,
                state TEXT NOT NULL,
                series TEXT NOT NULL,
                year INTEGER NOT NULL,
                seq BIGINT,
                number TEXT,
                partner_code TEXT NOT NULL,
                issue_date TEXT NOT NULL,
                supply_date TEXT NOT NULL,
                due_date TEXT,
                currency TEXT NOT NULL,
                exchange_rate TEXT,
                net BIGINT NOT NULL,
                vat BIGINT NOT NULL,
                total BIGINT NOT NULL,
                total_ron BIGINT NOT NULL,
                corrects TEXT,
                entry_id BIGINT,
                document TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                issued_at TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE UNIQUE INDEX invoices_number ON invoices (company_id, series, year, seq)",
            "CREATE INDEX invoices_partner ON invoices (company_id, partner_code, issue_date)",
            "CREATE INDEX invoices_listing ON invoices (company_id, issue_date, id)",
            """
            CREATE TABLE bills (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                type TEXT NOT NULL,
                state TEXT NOT NULL,
                partner_code TEXT NOT NULL,
                number TEXT NOT NULL,
                issue_date TEXT NOT NULL,
                due_date TEXT,
                currency TEXT NOT NULL,
                exchange_rate TEXT,
                net BIGINT NOT NULL,
                vat BIGINT NOT NULL,
                total BIGINT NOT NULL,
                payable BIGINT NOT NULL,
                entry_id BIGINT,
                source TEXT NOT NULL,
                source_sha256 TEXT,
                warnings TEXT,
                document TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                posted_at TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE UNIQUE INDEX bills_supplier_number ON bills (company_id, partner_code, number, issue_date)",
            "CREATE INDEX bills_listing ON bills (company_id, issue_date, id)",
            """
            CREATE TABLE bill_lines (
                company_id TEXT NOT NULL,
                bill_id TEXT NOT NULL,
                line_no INTEGER NOT NULL,
                partner_code TEXT NOT NULL,
                description TEXT NOT NULL,
                account TEXT,
                posted BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, bill_id, line_no)
            )
            """,
            "CREATE INDEX bill_lines_history ON bill_lines (company_id, posted, partner_code)",
            """
            CREATE TABLE supplier_rules (
                company_id TEXT NOT NULL,
                partner_code TEXT NOT NULL,
                account TEXT,
                auto_post BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, partner_code)
            )
            """,
            """
            CREATE TABLE payments (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                direction TEXT NOT NULL,
                partner_code TEXT NOT NULL,
                date TEXT NOT NULL,
                method TEXT NOT NULL,
                account TEXT NOT NULL,
                currency TEXT NOT NULL,
                amount BIGINT NOT NULL,
                exchange_rate TEXT,
                reference TEXT,
                entry_id BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX payments_listing ON payments (company_id, date, id)",
            """
            CREATE TABLE efactura (
                company_id TEXT NOT NULL REFERENCES companies(id),
                invoice_id TEXT NOT NULL,
                state TEXT NOT NULL,
                xml TEXT NOT NULL,
                xml_sha256 TEXT NOT NULL,
                deadline TEXT NOT NULL,
                upload_index TEXT,
                download_id TEXT,
                attempts INTEGER NOT NULL,
                claimed_until TEXT,
                last_attempt_at TEXT,
                errors TEXT,
                response_zip TEXT,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, invoice_id)
            )
            """,
            "CREATE INDEX efactura_state ON efactura (company_id, state, deadline)",
        ]
    }
}
