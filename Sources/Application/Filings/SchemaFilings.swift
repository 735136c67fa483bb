import Storage

extension Schema {
    /// Declarations filed with ANAF and their shared lifecycle (issue 16 item 1, used first by D112 in issue 15): the
    /// XML exactly as generated, its SHA-256, the cross-checks' problems, ANAF's registration number and answer.
    package static let filings = Migration(23, "filings") { _ in
        [
            """
            CREATE TABLE filings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                form TEXT NOT NULL,
                period TEXT NOT NULL,
                state TEXT NOT NULL,
                rectifies TEXT,
                xml TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                problems TEXT NOT NULL,
                registration_number TEXT,
                filed_on TEXT,
                answer TEXT,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX filings_period ON filings (company_id, form, period, created_at)",
        ]
    }
}
