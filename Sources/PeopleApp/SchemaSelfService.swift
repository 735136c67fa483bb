import Application
import Storage

extension Schema {
    /// Employees linked to the user accounts they sign in with (employee self-service, issue 14 item 9).
    package static let employeeAccounts = Migration(18, "employee accounts") { _ in
        [
            "ALTER TABLE employees ADD COLUMN user_id TEXT",
            "CREATE UNIQUE INDEX employees_user ON employees (company_id, user_id)",
        ]
    }
}
