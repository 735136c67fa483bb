import Storage

extension Schema {
    /// Issue 11: attachments of any record. Files are content-addressed (SHA-256); their bytes live in a folder or,
    /// without one, in `document_blobs`.
    package static let documents = Migration(10, "documents") { dialect in
        [
            """
            CREATE TABLE documents (
                company_id TEXT NOT NULL REFERENCES companies(id),
                id TEXT NOT NULL,
                owner_type TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (company_id, id)
            )
            """,
            "CREATE INDEX documents_owner ON documents (company_id, owner_type, owner_id)",
            "CREATE INDEX documents_sha ON documents (company_id, sha256)",
            """
            CREATE TABLE document_blobs (
                company_id TEXT NOT NULL REFERENCES companies(id),
                sha256 TEXT NOT NULL,
                content \(dialect.blobType) NOT NULL,
                PRIMARY KEY (company_id, sha256)
            )
            """,
        ]
    }
}
