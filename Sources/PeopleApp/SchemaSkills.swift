import Application
import Storage

extension Schema {
    /// The skills matrix: the company's skills and each employee's level (issue 14 item 7).
    package static let skills = Migration(20, "skills") { _ in
        [
            """
            CREATE TABLE skills (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE employee_skills (
                company_id TEXT NOT NULL REFERENCES companies(id),
                employee TEXT NOT NULL,
                skill TEXT NOT NULL,
                level INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (company_id, employee, skill)
            )
            """,
        ]
    }
}
