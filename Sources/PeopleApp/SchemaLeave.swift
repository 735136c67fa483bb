import Application
import Storage

extension Schema {
    /// Leave requests and monthly timesheets (issue 14, items 4 and 5).
    package static let leaveAndTimesheets = Migration(16, "leave and timesheets") { _ in
        [
            """
            CREATE TABLE leave_requests (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                employee TEXT NOT NULL,
                type TEXT NOT NULL,
                from_date TEXT NOT NULL,
                to_date TEXT NOT NULL,
                year INTEGER NOT NULL,
                days INTEGER NOT NULL,
                state TEXT NOT NULL,
                certificate_series TEXT,
                certificate_number TEXT,
                indemnity_code TEXT,
                note TEXT,
                requested_by TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX leave_requests_employee ON leave_requests (company_id, employee, from_date)",
            "CREATE INDEX leave_requests_dates ON leave_requests (company_id, from_date, to_date)",
            """
            CREATE TABLE timesheets (
                company_id TEXT NOT NULL REFERENCES companies(id),
                employee TEXT NOT NULL,
                month TEXT NOT NULL,
                state TEXT NOT NULL,
                days TEXT NOT NULL,
                hours INTEGER NOT NULL,
                approved_by TEXT,
                approved_at TEXT,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, month, employee)
            )
            """,
        ]
    }
}
