import Application
import Assembly
import BankingApp
import Documents
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// Attachments on pages and in the API. Every route is open to signed-in users; the use cases check the owning
/// record's permission and answer "not found" to those without it.
struct DocumentRoutes: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        let anyone = protect(.home, .read)
        anyone.get("/documents/{id}", use: download)
        anyone.post("/documents/{id}/delete", use: delete)
        anyone.post("/bills/{id}/documents", use: uploadToBill)
        anyone.get("/api/v1/documents/{id}", use: download)
        anyone.post("/api/v1/bills/{id}/documents", use: apiUploadToBill)
        anyone.get("/api/v1/bills/{id}/documents", use: apiList)
    }

    static func documentID(_ context: WebContext) throws -> DocumentID {
        guard let text = context.parameters.get("id"), let id = DocumentID(string: text) else { throw WebError.notFound }
        return id
    }

    /// The file with its detected type, as an attachment (never rendered inline, so an uploaded file cannot act as a page).
    @Sendable func download(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let (record, data) = try await culise.document(company: p.companyID, id: try Self.documentID(context), actor: .user(p))
        var headers = HTTPFields()
        headers[.contentType] = record.contentType
        let ascii = String(
            record.fileName.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = record.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        headers[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        headers[.cacheControl] = "private, no-store"
        headers[HTTPField.Name("X-Content-SHA256")!] = record.sha256  // trap-safe: a constant, valid header name
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    @Sendable func delete(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let record = try await culise.deleteDocument(company: p.companyID, id: try Self.documentID(context), actor: .user(p))
        return redirect(to: record.owner.type == "bill" ? "/bills/\(record.owner.id)?flash=document_deleted" : "/home")
    }

    @Sendable func uploadToBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = BillID(string: text) else { throw WebError.notFound }
        guard let file = context.files.first else {
            throw DomainError("document.no_file", field: "file", "To attach a file, you must choose one.")
        }
        _ = try await culise.attachDocument(
            company: p.companyID, owner: DocumentOwner(type: "bill", id: id.description), fileName: file.filename, data: file.data,
            actor: .user(p))
        return redirect(to: "/bills/\(id)?flash=document_attached")
    }

    /// The body is the file itself (up to `Limits.documentBytes`); `filename` names it.
    @Sendable func apiUploadToBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = BillID(string: text) else { throw WebError.notFound }
        var request = request
        let buffer = try await Body.collect(&request, limit: Limits.documentBytes)
        let record = try await culise.attachDocument(
            company: p.companyID, owner: DocumentOwner(type: "bill", id: id.description),
            fileName: LedgerAPI.query(request, "filename") ?? "",
            data: Data(buffer: buffer), actor: .user(p))
        return try JSON.response(record, status: .created)
    }

    @Sendable func apiList(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id"), let id = BillID(string: text) else { throw WebError.notFound }
        let items = try await culise.documents(
            company: p.companyID, owner: DocumentOwner(type: "bill", id: id.description), actor: .user(p))
        struct List: Encodable { let items: [DocumentRecord] }
        return try JSON.response(List(items: items))
    }
}
