import Application
import Storage

extension Schema {
    /// People (issue 14): departments, positions, employees with their dependants, employment contracts and their dated
    /// events, each event with its REGES-ONLINE state.
    package static let people = Migration(15, "people") { _ in
        [
            """
            CREATE TABLE departments (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                parent TEXT,
                manager TEXT,
                cost_centre TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE positions (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                title TEXT NOT NULL,
                cor_code TEXT NOT NULL,
                department TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            """
            CREATE TABLE employees (
                company_id TEXT NOT NULL REFERENCES companies(id),
                code TEXT NOT NULL,
                last_name TEXT NOT NULL,
                first_name TEXT NOT NULL,
                cnp TEXT NOT NULL,
                sex TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                id_document TEXT,
                address_line TEXT,
                city TEXT,
                county TEXT,
                phone TEXT,
                email TEXT,
                iban TEXT,
                education TEXT,
                department TEXT,
                position TEXT,
                manager TEXT,
                emergency_contact TEXT,
                declared_dependants INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, code)
            )
            """,
            "CREATE UNIQUE INDEX employees_cnp ON employees (company_id, cnp)",
            "CREATE INDEX employees_department ON employees (company_id, department, last_name, first_name)",
            "CREATE INDEX employees_manager ON employees (company_id, manager)",
            """
            CREATE TABLE employee_dependants (
                company_id TEXT NOT NULL REFERENCES companies(id),
                employee TEXT NOT NULL,
                line_no INTEGER NOT NULL,
                name TEXT NOT NULL,
                cnp TEXT NOT NULL,
                relationship TEXT NOT NULL,
                income_below_limit BOOLEAN NOT NULL,
                PRIMARY KEY (company_id, employee, line_no)
            )
            """,
            """
            CREATE TABLE contracts (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                employee TEXT NOT NULL,
                number TEXT NOT NULL,
                start_date TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX contracts_employee ON contracts (company_id, employee, start_date)",
            "CREATE UNIQUE INDEX contracts_number ON contracts (company_id, number)",
            """
            CREATE TABLE contract_events (
                company_id TEXT NOT NULL REFERENCES companies(id),
                contract_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL,
                effective TEXT NOT NULL,
                terms TEXT,
                change TEXT,
                reason TEXT,
                reges_state TEXT NOT NULL,
                reges_deadline TEXT NOT NULL,
                reges_receipt TEXT,
                reges_at TEXT,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (company_id, contract_id, seq)
            )
            """,
            "CREATE INDEX contract_events_reges ON contract_events (company_id, reges_state, reges_deadline)",
        ]
    }
}
