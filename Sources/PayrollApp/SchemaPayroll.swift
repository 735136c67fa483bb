import Application
import Storage

extension Schema {
    /// Payroll runs with each employee's computed month, the month's variable items, and the company's payroll
    /// settings (issue 15).
    package static let payroll = Migration(22, "payroll") { _ in
        [
            """
            CREATE TABLE payroll_runs (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                month TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                computed_by TEXT,
                computed_at TEXT,
                decided_by TEXT,
                entry_id TEXT,
                payment_entry_id TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX payroll_runs_month ON payroll_runs (company_id, month, created_at)",
            """
            CREATE TABLE payroll_lines (
                company_id TEXT NOT NULL REFERENCES companies(id),
                run_id TEXT NOT NULL,
                employee TEXT NOT NULL,
                name TEXT NOT NULL,
                department TEXT,
                worked_days INTEGER NOT NULL,
                base_pay BIGINT NOT NULL,
                bonuses BIGINT NOT NULL,
                gross BIGINT NOT NULL,
                untaxed BIGINT NOT NULL,
                cas BIGINT NOT NULL,
                cass BIGINT NOT NULL,
                deduction BIGINT NOT NULL,
                taxable BIGINT NOT NULL,
                tax BIGINT NOT NULL,
                net BIGINT NOT NULL,
                meal_vouchers BIGINT NOT NULL,
                advance BIGINT NOT NULL,
                garnishments BIGINT NOT NULL,
                net_to_pay BIGINT NOT NULL,
                cam BIGINT NOT NULL,
                cost BIGINT NOT NULL,
                explanation TEXT NOT NULL,
                PRIMARY KEY (company_id, run_id, employee)
            )
            """,
            """
            CREATE TABLE payroll_items (
                company_id TEXT NOT NULL REFERENCES companies(id),
                month TEXT NOT NULL,
                employee TEXT NOT NULL,
                bonuses BIGINT NOT NULL,
                overtime_hours INTEGER NOT NULL,
                advance BIGINT NOT NULL,
                garnishments BIGINT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, month, employee)
            )
            """,
            """
            CREATE TABLE payroll_settings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                meal_voucher_value BIGINT NOT NULL,
                PRIMARY KEY (company_id)
            )
            """,
        ]
    }

    /// What D112 needs besides the run: the employer's CAEN code and who signs the declaration.
    package static let payrollFilingSettings = Migration(24, "payroll filing settings") { _ in
        [
            "ALTER TABLE payroll_settings ADD COLUMN caen TEXT",
            "ALTER TABLE payroll_settings ADD COLUMN declarant_last_name TEXT",
            "ALTER TABLE payroll_settings ADD COLUMN declarant_first_name TEXT",
            "ALTER TABLE payroll_settings ADD COLUMN declarant_function TEXT",
        ]
    }
}
