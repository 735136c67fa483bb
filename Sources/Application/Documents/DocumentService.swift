import Crypto
import Documents
import Foundation
import Identity
import Kernel
import SQLKit
import Storage

/// The record a document is attached to: its type and id. The type decides who may see and change the files.
public struct DocumentOwner: Sendable, Equatable, Codable {
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }

    /// The permission area of each owner type (later contexts add theirs: employee → hr, asset → it, …).
    package static let areas: [String: Area] = [
        "bill": .invoicing, "invoice": .invoicing, "partner": .invoicing, "policy": .hr, "applicant": .hr,
        // ANAF's receipts of a filing: a tax return's are the accountants', a D112's payroll's (`FilingForm.area`).
        "filing": .accounting, "payroll_filing": .payroll,
    ]
}

public struct DocumentRecord: Sendable, Codable, Equatable {
    public var id: DocumentID
    public var owner: DocumentOwner
    public var fileName: String
    public var fileType: FileType
    public var contentType: String { fileType.contentType }
    public var size: Int64
    public var sha256: String
    public var createdAt: String
    public var createdBy: String
}

extension Culise {
    /// The owner's area, checked for the actor; a user without access gets "not found", never a hint that it exists.
    package func requireDocumentAccess(_ owner: DocumentOwner, _ access: Access, company: CompanyID, actor: Actor) throws {
        guard let area = DocumentOwner.areas[owner.type] else {
            throw DomainError("document.owner_type", field: "owner", "You cannot attach files to '\(owner.type.prefix(40))' records.")
        }
        let allowed: Bool
        do {
            try actor.require(area, access, in: company)
            allowed = true
        } catch {
            allowed = false
        }
        guard allowed else {
            throw DomainError("document.not_found", kind: .notFound, "You cannot open this file because it does not exist.")
        }
    }

    /// The owning record must exist in the company.
    package static func requireOwner(_ db: any SQLDatabase, company: CompanyID, _ owner: DocumentOwner) async throws {
        let tables: [String: (table: String, key: String)] = [
            "bill": ("bills", "id"), "invoice": ("invoices", "id"), "partner": ("partners", "code"), "policy": ("policies", "code"),
            "applicant": ("applicants", "id"), "filing": ("filings", "id"), "payroll_filing": ("filings", "id"),
        ]
        guard let target = tables[owner.type] else {
            throw DomainError("document.owner_type", field: "owner", "You cannot attach files to '\(owner.type.prefix(40))' records.")
        }
        let table = SQLQueryString(target.table)
        let key = SQLQueryString(target.key)
        let found = try await db.raw(
            "SELECT 1 AS x FROM " + table + " WHERE company_id = \(bind: company.description) AND " + key + " = \(bind: owner.id)"
        ).first()
        guard found != nil else {
            throw DomainError(
                "document.owner_not_found", kind: .notFound,
                "You cannot attach a file to \(owner.type) \(owner.id.prefix(60)) because it does not exist.")
        }
    }

    /// Keeps a file for a record: its type is detected from the content and checked against the allow-list and its
    /// name; its size, its number per record and its name are bounded; its SHA-256 addresses its bytes.
    public func attachDocument(
        company: CompanyID, owner: DocumentOwner, fileName: String, data: Data, actor: Actor
    ) async throws -> DocumentRecord {
        try requireDocumentAccess(owner, .write, company: company, actor: actor)
        return try await transaction { db in
            try await self.attachDocument(db, company: company, owner: owner, fileName: fileName, data: data, actor: actor)
        }
    }

    /// Inside the caller's transaction (an e-invoice's original kept with the bill it became).
    package func attachDocument(
        _ db: any SQLDatabase, company: CompanyID, owner: DocumentOwner, fileName: String, data: Data, actor: Actor
    ) async throws -> DocumentRecord {
        let name =
            fileName.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(
                String.init) ?? ""
        var problems = ProblemCollector()
        problems.check(
            !name.isEmpty && name.count <= Limits.documentNameLength && !name.contains(where: { $0.isNewline || $0 == "\"" }),
            DomainError(
                "document.name", field: "file_name",
                "You cannot attach a file named '\(name.prefix(60))'; use 1 to \(Limits.documentNameLength) characters without quotes or line breaks."
            ))
        problems.check(
            data.count <= Limits.documentBytes,
            DomainError(
                "document.too_large", kind: .tooLarge, field: "file",
                "You cannot attach \(name.prefix(80)) because it has \(data.count) bytes and the limit is \(Limits.documentBytes) (20 MiB)."
            ))
        problems.check(!data.isEmpty, DomainError("document.empty", field: "file", "You cannot attach an empty file."))
        try problems.throwIfAny()
        let type = try FileType.detect(data, fileName: name)
        try await Self.requireOwner(db, company: company, owner)
        let count =
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM documents WHERE company_id = \(bind: company.description) AND owner_type = \(bind: owner.type)
                    AND owner_id = \(bind: owner.id)
                """
            ).first()?.decode(column: "n", as: Int64.self) ?? 0
        guard count < Limits.documentsPerOwner else {
            throw DomainError(
                "document.too_many", kind: .tooLarge, field: "file",
                "You cannot attach more than \(Limits.documentsPerOwner) files to one \(owner.type).")
        }
        let sha = SHA256.hash(data: data).hexString
        try await storeBlob(db, company: company, sha: sha, data: data)
        let id = DocumentID.generate(now: now)
        let at = nowText
        try await db.raw(
            """
            INSERT INTO documents (company_id, id, owner_type, owner_id, file_name, file_type, size, sha256, created_at, created_by)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: owner.type), \(bind: owner.id), \(bind: name),
                \(bind: type.rawValue), \(bind: Int64(data.count)), \(bind: sha), \(bind: at), \(bind: actor.auditName))
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "document.attach", entity: owner.type, entityID: owner.id,
            changes: [FieldChange("file", before: nil, after: "\(name) (\(type.rawValue), \(data.count) bytes, sha256 \(sha.prefix(12)))")],
            now: self.now)
        return DocumentRecord(
            id: id, owner: owner, fileName: name, fileType: type, size: Int64(data.count), sha256: sha, createdAt: at,
            createdBy: actor.auditName)
    }

    /// Writes the bytes once per company and content: a file `<folder>/<company>/<ab>/<sha256>` (written to a temporary
    /// name, then renamed) or a `document_blobs` row.
    package func storeBlob(_ db: any SQLDatabase, company: CompanyID, sha: String, data: Data) async throws {
        if let folder = settings.documentsFolder {
            let url = Self.blobURL(folder: folder, company: company, sha: sha)
            guard !FileManager.default.fileExists(atPath: url.path) else { return }
            let notWritable = DomainError(
                "document.store", kind: .conflict, "You cannot attach the file now because the document folder is not writable.")
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(sha).\(UUID().uuidString).tmp")
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: temporary)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw notWritable
            }
            if rename(temporary.path, url.path) != 0 {
                try? FileManager.default.removeItem(at: temporary)
                throw notWritable
            }
        } else {
            try await db.raw(
                """
                INSERT INTO document_blobs (company_id, sha256, content) VALUES (\(bind: company.description), \(bind: sha), \(bind: data))
                ON CONFLICT (company_id, sha256) DO NOTHING
                """
            ).run()
        }
    }

    package static func blobURL(folder: String, company: CompanyID, sha: String) -> URL {
        URL(fileURLWithPath: folder).appendingPathComponent(company.description).appendingPathComponent(String(sha.prefix(2)))
            .appendingPathComponent(sha)
    }

    package static let documentColumns = "id, owner_type, owner_id, file_name, file_type, size, sha256, created_at, created_by"

    package static func documentRecord(_ row: any SQLRow) throws -> DocumentRecord {
        DocumentRecord(
            id: try DocumentID(string: try row.decode(column: "id", as: String.self)).orThrow("document id"),
            owner: DocumentOwner(
                type: try row.decode(column: "owner_type", as: String.self), id: try row.decode(column: "owner_id", as: String.self)),
            fileName: try row.decode(column: "file_name", as: String.self),
            fileType: FileType(rawValue: try row.decode(column: "file_type", as: String.self)) ?? .text,
            size: try row.decode(column: "size", as: Int64.self), sha256: try row.decode(column: "sha256", as: String.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            createdBy: try row.decode(column: "created_by", as: String.self))
    }

    /// The files of a record, oldest first.
    public func documents(company: CompanyID, owner: DocumentOwner, actor: Actor) async throws -> [DocumentRecord] {
        try requireDocumentAccess(owner, .read, company: company, actor: actor)
        return try await read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.documentColumns) FROM documents WHERE company_id = \(bind: company.description)
                    AND owner_type = \(bind: owner.type) AND owner_id = \(bind: owner.id) ORDER BY created_at, id
                """
            ).all().map(Self.documentRecord)
        }
    }

    /// One file's record (not its bytes), checked against the owning record's permission (404 without access).
    public func documentRecord(company: CompanyID, id: DocumentID, access: Access = .read, actor: Actor) async throws -> DocumentRecord {
        let record = try await read { db -> DocumentRecord in
            guard
                let row = try await db.raw(
                    "SELECT \(unsafeRaw: Self.documentColumns) FROM documents WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)"
                ).first()
            else { throw DomainError("document.not_found", kind: .notFound, "You cannot open this file because it does not exist.") }
            return try Self.documentRecord(row)
        }
        try requireDocumentAccess(record.owner, access, company: company, actor: actor)
        return record
    }

    /// One file and its bytes, checked against the owning record's permission (404 without access).
    public func document(company: CompanyID, id: DocumentID, actor: Actor) async throws -> (DocumentRecord, Data) {
        let record = try await documentRecord(company: company, id: id, actor: actor)
        let data: Data
        if let folder = settings.documentsFolder {
            guard let bytes = FileManager.default.contents(atPath: Self.blobURL(folder: folder, company: company, sha: record.sha256).path)
            else {
                throw DomainError(
                    "document.missing", kind: .notFound,
                    "You cannot open \(record.fileName) because its file is missing from the document folder.")
            }
            data = bytes
        } else {
            let sha = record.sha256
            let stored = try await read { db in
                try await db.raw(
                    "SELECT content FROM document_blobs WHERE company_id = \(bind: company.description) AND sha256 = \(bind: sha)"
                ).first()
            }
            guard let row = stored else {
                throw DomainError("document.missing", kind: .notFound, "You cannot open \(record.fileName) because its content is missing.")
            }
            data = try row.decode(column: "content", as: Data.self)
        }
        guard SHA256.hash(data: data).hexString == record.sha256 else {
            throw DomainError(
                "document.corrupt", kind: .conflict, "You cannot open \(record.fileName) because its content no longer matches its SHA-256."
            )
        }
        return (record, data)
    }

    /// Removes one file from its record; returns what was removed.
    @discardableResult
    public func deleteDocument(company: CompanyID, id: DocumentID, actor: Actor) async throws -> DocumentRecord {
        let record = try await documentRecord(company: company, id: id, access: .write, actor: actor)
        let orphans = try await transaction { db in
            try await db.raw("DELETE FROM documents WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)").run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "document.delete", entity: record.owner.type, entityID: record.owner.id,
                changes: [FieldChange("file", before: record.fileName, after: nil)], now: self.now)
            return try await self.releaseBlobs(db, company: company, shas: [record.sha256])
        }
        removeFiles(company: company, shas: orphans)
        return record
    }

    /// Deletes every file of a record inside the caller's transaction (a deleted draft takes its files with it) and
    /// returns the contents no longer referenced, whose files the caller removes after commit.
    package func deleteDocuments(_ db: any SQLDatabase, company: CompanyID, owner: DocumentOwner) async throws -> [String] {
        let shas = try await db.raw(
            """
            DELETE FROM documents WHERE company_id = \(bind: company.description) AND owner_type = \(bind: owner.type)
                AND owner_id = \(bind: owner.id) RETURNING sha256
            """
        ).all().map { try $0.decode(column: "sha256", as: String.self) }
        return try await releaseBlobs(db, company: company, shas: Set(shas))
    }

    /// Drops database blobs no document references any more; returns those contents (for the file store to delete).
    package func releaseBlobs(_ db: any SQLDatabase, company: CompanyID, shas: Set<String>) async throws -> [String] {
        var orphans: [String] = []
        for sha in shas.sorted() {
            let used = try await db.raw(
                "SELECT 1 AS x FROM documents WHERE company_id = \(bind: company.description) AND sha256 = \(bind: sha)"
            ).first()
            guard used == nil else { continue }
            orphans.append(sha)
            try await db.raw("DELETE FROM document_blobs WHERE company_id = \(bind: company.description) AND sha256 = \(bind: sha)").run()
        }
        return orphans
    }

    package func removeFiles(company: CompanyID, shas: [String]) {
        guard let folder = settings.documentsFolder else { return }
        for sha in shas { try? FileManager.default.removeItem(at: Self.blobURL(folder: folder, company: company, sha: sha)) }
    }
}
