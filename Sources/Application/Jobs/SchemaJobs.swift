import Storage

extension Schema {
    /// Issue 11: the persistent job queue, its attempts, and cron-like schedules. Jobs belong to the installation
    /// (`company_id` NULL: backups, polling every company) or to one company, so the tables are platform tables.
    package static let jobs = Migration(7, "jobs") { _ in
        [
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                company_id TEXT,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL,
                run_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT,
                last_error TEXT,
                result TEXT,
                unique_key TEXT UNIQUE,
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT
            )
            """,
            "CREATE INDEX jobs_due ON jobs (state, run_at)",
            "CREATE INDEX jobs_company ON jobs (company_id, created_at)",
            """
            CREATE TABLE job_attempts (
                job_id TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                worker TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                outcome TEXT,
                error TEXT,
                PRIMARY KEY (job_id, attempt)
            )
            """,
            """
            CREATE TABLE job_schedules (
                name TEXT PRIMARY KEY,
                company_id TEXT,
                kind TEXT NOT NULL,
                cron TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                payload TEXT NOT NULL,
                max_attempts INTEGER NOT NULL,
                active BOOLEAN NOT NULL,
                next_run_at BIGINT NOT NULL,
                last_fired_at BIGINT
            )
            """,
        ]
    }
}
