import Application
import Storage

extension Schema {
    /// Changes of personal data an employee asks for and HR decides (issue 14 item 9).
    package static let employeeChanges = Migration(21, "employeeChanges") { _ in
        [
            """
            CREATE TABLE employee_change_requests (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                employee TEXT NOT NULL,
                changes TEXT NOT NULL,
                before_values TEXT NOT NULL,
                state TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                comment TEXT,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX employee_change_requests_employee ON employee_change_requests (company_id, employee, state)",
            "CREATE INDEX employee_change_requests_state ON employee_change_requests (company_id, state, created_at)",
        ]
    }
}
