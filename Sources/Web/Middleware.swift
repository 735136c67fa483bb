import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import PartnersApp

/// Cookie names and the settings they are written with.
struct CookieSettings: Sendable {
    static let session = "culise_session"
    static let csrf = "culise_csrf"
    static let language = "culise_lang"
    let secure: Bool

    func make(_ name: String, _ value: String, maxAge: Int?, sameSite: Cookie.SameSite = .lax, httpOnly: Bool = true) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: httpOnly, sameSite: sameSite)
    }
}

extension Request {
    var isAPI: Bool { uri.path.hasPrefix("/api/") }
}

/// Gives every request an id (logged, and echoed in `X-Request-Id`), logs one line per request,
/// and turns every error into problem JSON (API) or a friendly page (browser).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let views: Views

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = context.id
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = respond(to: error, request: request, context: context)
        }
        response.headers[HTTPField.Name("X-Request-Id")!] = context.requestID
        let elapsed = ContinuousClock.now - started
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "ms": .stringConvertible((elapsed / .microseconds(1)).rounded() / 1000),
            ])
        return response
    }

    func respond(to error: any Error, request: Request, context: WebContext) -> Response {
        let (status, id, _, _) = ErrorMapping.describe(error)
        if status == .internalServerError {
            context.logger.error("unhandled error", metadata: ["error": .string(String(describing: error)), "id": .string(id)])
        }
        if request.isAPI {
            return ErrorMapping.problemResponse(error, request: request, requestID: context.requestID, catalog: views.catalog)
        }
        if status == .unauthorized, request.method == .get {
            return redirect(to: "/login?next=\(Redirects.encode(request.uri.path))")
        }
        return views.errorPage(error, context: context, request: request)
    }
}

/// Conditional GETs of the API (RFC 9110 §13.1.2): a GET whose `If-None-Match` names the `ETag` of the 200 it would
/// get receives `304 Not Modified` with the same validator and no body. The answer is still computed (the tag is over
/// the body), so this saves the transfer and the caller's parsing, not the server's work.
struct ConditionalGetMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method == .get || request.method == .head else {
            // What a write answers is not kept.
            if response.headers[.eTag] != nil {
                response.headers[.eTag] = nil
                response.headers[.cacheControl] = "no-store"
            }
            return response
        }
        guard response.status == .ok,
            let tag = response.headers[.eTag], let asked = request.headers[.ifNoneMatch],
            Self.matches(asked, tag)
        else { return response }
        var headers = HTTPFields()
        headers[.eTag] = tag
        if let cache = response.headers[.cacheControl] { headers[.cacheControl] = cache }
        return Response(status: .notModified, headers: headers)
    }

    /// `If-None-Match` is `*` or a list of tags; the comparison is weak (a `W/` prefix is ignored), as the RFC asks for it.
    static func matches(_ header: String, _ tag: String) -> Bool {
        func bare(_ value: Substring) -> Substring {
            let trimmed = value.drop(while: { $0 == " " })
            let stripped = trimmed.hasPrefix("W/") ? trimmed.dropFirst(2) : trimmed
            return stripped.prefix(while: { $0 != " " })
        }
        let wanted = bare(Substring(tag))
        return header.split(separator: ",").contains { bare($0) == "*" || bare($0) == wanted }
    }
}

/// Security headers on every response.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        return response
    }
}

/// Finds who is calling: a bearer token on `/api/…`, the session cookie elsewhere. It does not
/// enforce anything; `PermissionMiddleware` does. Also picks the language and the CSRF token.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let culise: Culise
    let cookies: CookieSettings
    var views: Views? = nil

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let lang = request.uri.queryParameters["lang"].map(String.init), Catalog.locales.contains(lang) {
            context.locale = lang
        } else if let lang = request.cookies[CookieSettings.language]?.value, Catalog.locales.contains(lang) {
            context.locale = lang
        }
        if request.isAPI {
            if let header = request.headers[.authorization] {
                guard header.lowercased().hasPrefix("bearer "),
                    let principal = try await culise.authenticate(bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
                else {
                    throw DomainError(
                        "auth.invalid_token", kind: .unauthenticated, "You cannot use this API token because it is unknown or revoked.")
                }
                context.principal = principal
            }
            return try await next(request, context)
        }
        // Pages read what a person typed (`1.234,56`, `07.08.2026`) and write numbers and dates the reader's way.
        return try await InputSource.$current.withValue(.person) {
            try await PageFormat.$locale.withValue(context.locale == "en" ? .en : .ro) {
                try await page(request, context, next: next)
            }
        }
    }

    private func page(
        _ request: Request, _ context: WebContext, next: (Request, WebContext) async throws -> Response
    )
        async throws -> Response
    {
        var context = context
        if let token = request.cookies[CookieSettings.session]?.value, let session = try await culise.session(token: token) {
            context.session = session
            context.sessionToken = token
            context.principal = session.principal
            context.csrfToken = session.csrfToken
        } else if let preSession = request.cookies[CookieSettings.csrf]?.value, preSession.count >= 20 {
            context.csrfToken = preSession
        } else {
            context.csrfToken = Secrets.random(bytes: 24)
            context.newCSRFCookie = context.csrfToken
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // A signed-in reader's error page keeps the navigation (the edge renders it without the session). Sign-in
            // redirects and server errors (logged there) stay with the edge.
            let status = ErrorMapping.describe(error).0
            guard let views, context.session.map({ !$0.pendingSecondFactor }) == true, status != .unauthorized,
                status != .internalServerError
            else { throw error }
            response = views.errorPage(error, context: context, request: request)
        }
        if let fresh = context.newCSRFCookie {
            response.setCookie(cookies.make(CookieSettings.csrf, fresh, maxAge: nil, sameSite: .strict))
        }
        return response
    }
}

/// Reads URL-encoded form bodies of browser POSTs (bounded) and checks their CSRF token.
struct FormMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, !request.isAPI else { return try await next(request, context) }
        var context = context
        var request = request
        if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Multipart.boundary(type)
        {
            // File uploads (e-invoices, statements): a larger limit, text fields into `form`, files into `files`.
            let buffer = try await Body.collect(&request, limit: Limits.uploadBytes)
            let parts = Multipart.parse(Data(buffer: buffer), boundary: boundary)
            for part in parts {
                if let filename = part.filename {
                    if !part.data.isEmpty { context.files.append(UploadedFile(field: part.name, filename: filename, data: part.data)) }
                } else {
                    context.form[part.name] = String(decoding: part.data, as: UTF8.self)
                }
            }
        } else {
            let buffer = try await Body.collect(&request, limit: Limits.requestBodyBytes)
            context.form = FormParser.parse(String(buffer: buffer))
        }
        guard let sent = context.form["_csrf"], !context.csrfToken.isEmpty,
            Secrets.constantTimeEquals(sent, context.csrfToken)
        else { throw WebError.csrf }
        // Control characters are refused in every text field (Kernel.TextRules).
        let problems = context.form.sorted { $0.key < $1.key }.compactMap { TextRules.problem($1, field: $0) }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await next(request, context)
    }
}

/// The one place routes are authorised: each protected route group carries the area and the
/// access it needs, and this middleware asks `Policy` (docs/security.md).
struct PermissionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let area: Area
    let access: Access

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        if !request.isAPI, let session = context.session, session.pendingSecondFactor {
            return redirect(to: "/login/2fa")
        }
        if area == .profile, context.session != nil || context.principal != nil {
            return try await next(request, context)
        }
        guard let principal = context.principal else {
            if context.session != nil {
                throw DomainError(
                    "auth.no_company", kind: .forbidden, "You cannot open this page because you are not a member of any company yet.")
            }
            throw DomainError("auth.required", kind: .unauthenticated, "To continue, you must sign in.")
        }
        try Policy.require(principal.role, area, access)
        return try await next(request, context)
    }
}

enum Body {
    /// Collects a request body, refusing more than `limit` bytes (413) before reading it when the length is declared.
    static func collect(_ request: inout Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw DomainError("request.too_large", kind: .tooLarge, "You cannot send \(length) bytes because the limit is \(limit) bytes.")
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw DomainError("request.too_large", kind: .tooLarge, "You cannot send this because it is larger than \(limit) bytes.")
        }
    }
}

enum FormParser {
    /// `a=1&b=x+y` → ["a": "1", "b": "x y"]; the last value of a repeated key wins.
    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if !key.isEmpty { result[key] = value }
        }
        return result
    }

    static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}

/// A file sent with a multipart form.
public struct UploadedFile: Sendable {
    public let field: String
    public let filename: String
    public let data: Data
}

/// A small multipart/form-data reader (RFC 7578): names, file names and bodies; nothing else is needed.
enum Multipart {
    struct Part {
        var name: String
        var filename: String?
        var data: Data
    }

    static func boundary(_ contentType: String) -> String? {
        for piece in contentType.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().hasPrefix("boundary=") {
                let value = trimmed.dropFirst("boundary=".count)
                let unquoted = value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? value.dropFirst().dropLast() : value
                return unquoted.isEmpty || unquoted.count > 200 ? nil : String(unquoted)
            }
        }
        return nil
    }

    static func parse(_ body: Data, boundary: String) -> [Part] {
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        var searchFrom = body.startIndex
        var starts: [Data.Index] = []
        while let range = body.range(of: delimiter, in: searchFrom..<body.endIndex) {
            starts.append(range.upperBound)
            searchFrom = range.upperBound
        }
        for (index, start) in starts.enumerated() where index + 1 < starts.count {
            let end = starts[index + 1] - delimiter.count
            var chunk = body[start..<end]
            if chunk.starts(with: Data("\r\n".utf8)) { chunk = chunk.dropFirst(2) }
            if chunk.count >= 2, chunk.suffix(2) == Data("\r\n".utf8) { chunk = chunk.dropLast(2) }
            guard let split = chunk.range(of: headerEnd) else { continue }
            let headers = String(decoding: chunk[chunk.startIndex..<split.lowerBound], as: UTF8.self)
            var name: String?
            var filename: String?
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for item in line.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if item.hasPrefix("name=") { name = String(item.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                    if item.hasPrefix("filename=") {
                        filename = String(item.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    }
                }
            }
            guard let name else { continue }
            parts.append(Part(name: name, filename: filename, data: Data(chunk[split.upperBound...])))
        }
        return parts
    }
}

enum Redirects {
    static func encode(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_."))) ?? "/"
    }

    /// Only local paths: never an open redirect to another site.
    /// Browsers drop tabs and line breaks from URLs (`/\t/evil.example` becomes `//evil.example`), so any control
    /// character, space or backslash refuses the path, and it must be one path on this origin (`/x`, not `//x`).
    static func safeLocal(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"),
            !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" || (0x80...0x9F).contains($0.value) })
        else { return "/home" }
        return path
    }
}

func redirect(to location: String, status: HTTPResponse.Status = .seeOther) -> Response {
    var headers = HTTPFields()
    headers[.location] = location
    return Response(status: status, headers: headers)
}

/// `HEAD` answers as `GET` would, without the body (RFC 9110 §9.3.2). The router picks a route by method before any
/// middleware runs, so every GET route is also registered for HEAD (`Protected.on`, `/login`, `/health`); this middleware
/// then lets everything downstream (the login redirect, CSRF, handlers) see a GET, and drops the body.
struct HeadMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        var head = request.head
        head.method = .get
        var response = try await next(Request(head: head, body: request.body), context)
        response.body = ResponseBody()
        return response
    }
}
