import Application
import Storage

extension Schema {
    /// Courses, sessions and enrolments; a completed enrolment is the certificate (issue 14 item 7).
    package static let training = Migration(19, "training") { _ in
        [
            """
            CREATE TABLE courses (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                title TEXT NOT NULL,
                mandatory BOOLEAN NOT NULL,
                validity_months INTEGER,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE training_sessions (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                course TEXT NOT NULL,
                held_on TEXT NOT NULL,
                trainer TEXT NOT NULL,
                location TEXT,
                capacity INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX training_sessions_course ON training_sessions (company_id, course, held_on)",
            """
            CREATE TABLE enrolments (
                company_id TEXT NOT NULL REFERENCES companies(id),
                session_id TEXT NOT NULL,
                employee TEXT NOT NULL,
                course TEXT NOT NULL,
                state TEXT NOT NULL,
                completed_on TEXT,
                expires_on TEXT,
                recorded_by TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, session_id, employee)
            )
            """,
            "CREATE INDEX enrolments_employee ON enrolments (company_id, employee, course, completed_on)",
        ]
    }
}
