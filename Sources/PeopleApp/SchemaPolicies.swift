import Application
import Storage

extension Schema {
    /// Policies with their versions and acknowledgements, and recruitment: openings, applicants, interviews
    /// (issue 14, items 6 and 8).
    package static let policiesAndRecruitment = Migration(17, "policies and recruitment") { _ in
        [
            """
            CREATE TABLE policies (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                title TEXT NOT NULL,
                departments TEXT NOT NULL,
                positions TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE policy_versions (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                version INTEGER NOT NULL,
                title TEXT NOT NULL,
                summary TEXT,
                document_id TEXT,
                published_at TEXT NOT NULL,
                published_by TEXT NOT NULL,
                PRIMARY KEY (company_id, code, version)
            )
            """,
            """
            CREATE TABLE policy_acknowledgements (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                version INTEGER NOT NULL,
                employee TEXT NOT NULL,
                acknowledged_at TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                PRIMARY KEY (company_id, code, version, employee)
            )
            """,
            """
            CREATE TABLE openings (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                title TEXT NOT NULL,
                department TEXT,
                position TEXT,
                cor_code TEXT NOT NULL,
                headcount INTEGER NOT NULL,
                description TEXT,
                state TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            """
            CREATE TABLE applicants (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                opening_id TEXT NOT NULL,
                last_name TEXT NOT NULL,
                first_name TEXT NOT NULL,
                email TEXT,
                phone TEXT,
                source TEXT,
                consent_at TEXT NOT NULL,
                retain_until TEXT NOT NULL,
                stage TEXT NOT NULL,
                offer_salary INTEGER,
                offer_start TEXT,
                offer_norm INTEGER,
                employee TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX applicants_opening ON applicants (company_id, opening_id, stage)",
            "CREATE INDEX applicants_retention ON applicants (company_id, retain_until)",
            """
            CREATE TABLE applicant_interviews (
                company_id TEXT NOT NULL REFERENCES companies(id),
                applicant_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                held_at TEXT NOT NULL,
                interviewers TEXT NOT NULL,
                score INTEGER,
                notes TEXT,
                recorded_by TEXT NOT NULL,
                PRIMARY KEY (company_id, applicant_id, seq)
            )
            """,
        ]
    }
}
