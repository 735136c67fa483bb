import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// Errors that exist only at the HTTP edge (malformed JSON, missing CSRF token, unknown route).
/// Domain errors are mapped to statuses here and nowhere else.
public struct WebError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let id: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ id: String, _ message: String) {
        self.status = status
        self.id = id
        self.message = message
    }

    static let csrf = WebError(
        .forbidden, "request.csrf",
        "You cannot send this form because its security token is missing or expired; reload the page and try again.")
    static let notFound = WebError(.notFound, "request.not_found", "You cannot open this page because it does not exist.")
}

/// One problem inside a problem document.
struct ProblemField: Codable {
    let field: String?
    let id: String
    let message: String
}

/// RFC 9457 `application/problem+json`.
struct ProblemDocument: Codable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let id: String
    let instance: String
    let requestID: String
    let errors: [ProblemField]

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, id, instance, errors
        case requestID = "request_id"
    }
}

enum ErrorMapping {
    static func status(for kind: ErrorKind) -> HTTPResponse.Status {
        switch kind {
        case .invalid: return .unprocessableContent
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .forbidden: return .forbidden
        case .unauthenticated: return .unauthorized
        case .rateLimited: return .tooManyRequests
        case .tooLarge: return .contentTooLarge
        }
    }

    /// Status, id, message and per-field problems for any error.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String, String, [ProblemField]) {
        switch error {
        case let error as DomainError:
            return (
                status(for: error.kind), error.id, error.message, [ProblemField(field: error.field, id: error.id, message: error.message)]
            )
        case let error as ValidationErrors:
            let fields = error.problems.map { ProblemField(field: $0.field, id: $0.id, message: $0.message) }
            let first = error.problems[0]
            let kinds = Set(error.problems.map(\.kind))
            let status = kinds.count == 1 ? status(for: first.kind) : .unprocessableContent
            let message =
                error.problems.count == 1 ? first.message : "You cannot save this because \(error.problems.count) fields need attention."
            return (status, error.problems.count == 1 ? first.id : "validation.failed", message, fields)
        case let error as WebError:
            return (error.status, error.id, error.message, [])
        case let error as any HTTPResponseError:
            if error.status == .notFound { return (.notFound, WebError.notFound.id, WebError.notFound.message, []) }
            if error.status == .contentTooLarge {
                return (
                    .contentTooLarge, "request.too_large",
                    "You cannot send this because it is larger than \(Limits.requestBodyBytes) bytes.", []
                )
            }
            return (error.status, "request.http_\(error.status.code)", error.status.reasonPhrase, [])
        default:
            return (
                .internalServerError, "internal.error", "Something went wrong on our side; the error was logged with this request's id.", []
            )
        }
    }

    /// The language of an API answer from `Accept-Language`: Romanian when it comes before English, else English
    /// (also when the header is absent).
    static func apiLanguage(_ request: Request) -> String {
        guard let header = request.headers[.acceptLanguage] else { return "en" }
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (tag: String, q: Double, index: Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = pieces.first?.split(separator: "-").first.map(String.init), ["ro", "en"].contains(tag) else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q, index)
        }
        return ranked.filter { $0.q > 0 }.sorted { ($0.q, -$0.index) > ($1.q, -$1.index) }.first?.tag ?? "en"
    }

    static func problemResponse(_ error: any Error, request: Request, requestID: String, catalog: Catalog? = nil) -> Response {
        var (status, id, message, fields) = describe(error)
        let language = apiLanguage(request)
        if language == "ro", let catalog {
            message = catalog.message(id: id, fallback: message, "ro")
            fields = fields.map {
                ProblemField(field: $0.field, id: $0.id, message: catalog.message(id: $0.id, fallback: $0.message, "ro"))
            }
            if id == "validation.failed" { message = "Nu puteți salva deoarece \(fields.count) câmpuri trebuie corectate." }
        }
        let document = ProblemDocument(
            type: "urn:culise:problem:\(id)", title: status.reasonPhrase, status: status.code, detail: message, id: id,
            instance: request.uri.path, requestID: requestID, errors: fields)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(document)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        headers[.contentLanguage] = language == "ro" && catalog != nil ? "ro" : "en"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"culise\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
