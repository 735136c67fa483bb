import Storage

extension Schema {
    /// Issue 11: approval rules per document type and the requests with their decisions.
    package static let approvals = Migration(9, "approvals") { _ in
        [
            """
            CREATE TABLE approval_rules (
                company_id TEXT NOT NULL REFERENCES companies(id),
                document_type TEXT NOT NULL,
                threshold BIGINT NOT NULL,
                approver_roles TEXT NOT NULL,
                role_limits TEXT NOT NULL,
                PRIMARY KEY (company_id, document_type)
            )
            """,
            """
            CREATE TABLE approval_requests (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                document_type TEXT NOT NULL,
                document_id TEXT NOT NULL,
                document_label TEXT NOT NULL,
                amount BIGINT NOT NULL,
                creator TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                state TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                comment TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX approval_requests_document ON approval_requests (company_id, document_type, document_id, created_at)",
            "CREATE INDEX approval_requests_state ON approval_requests (company_id, state)",
        ]
    }
}
