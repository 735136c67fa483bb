import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import NIOCore
import PartnersApp
import Synchronization
import TestSupport
import Testing
import Web

/// A test browser/API client over one app instance: keeps cookies, finds CSRF tokens in pages.
final class Browser: Sendable {
    let client: any TestClientProtocol
    private let jar = Mutex<[String: String]>([:])

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookies: [String: String] { jar.withLock { $0 } }
    func setCookie(_ name: String, _ value: String?) { jar.withLock { $0[name] = value } }

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = headers
        let cookieHeader = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        if !cookieHeader.isEmpty, headers[.cookie] == nil { headers[.cookie] = cookieHeader }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        for field in response.headers[values: .setCookie] {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            setCookie(name, value.isEmpty ? nil : value)
        }
        return response
    }

    func get(_ uri: String) async throws -> TestResponse { try await request(.get, uri) }

    /// The CSRF token of the page at `uri`.
    func csrf(from uri: String = "/login") async throws -> String {
        let page = String(buffer: try await get(uri).body)
        guard let range = page.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return "" }
        return String(page[range]).components(separatedBy: "value=\"")[1].dropLast().description
    }

    /// Posts a form with the page's CSRF token (unless `csrf` is given).
    @discardableResult
    func post(_ uri: String, _ fields: [String: String], csrf: String? = nil, from page: String = "/profile") async throws -> TestResponse {
        var fields = fields
        if fields["_csrf"] == nil {
            if let csrf { fields["_csrf"] = csrf } else { fields["_csrf"] = try await self.csrf(from: page) }
        }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await request(.post, uri, headers: headers, body: ByteBuffer(string: body))
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// Signs in through the login form; returns the response of the POST.
    @discardableResult
    func login(_ email: String, _ password: String) async throws -> TestResponse {
        let token = try await csrf(from: "/login")
        return try await post("/login", ["email": email, "password": password], csrf: token)
    }

    /// A JSON API call with a bearer token.
    @discardableResult
    func api(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
}

enum Web {
    /// Runs `body` against a router-level app on a fresh database of `engine`.
    static func test<T: Sendable>(
        _ engine: Engine, clock: (@Sendable () -> Date)? = nil, _ body: @escaping @Sendable (Culise, WebServer, Browser) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withCulise(engine, clock: clock) { culise, _ in
            let server = try await WebServer.build(culise: culise, settings: WebSettings(secureCookies: true))
            let routes = server
            return try await Application(router: server.router, logger: TestDatabase.logger).test(.router) { client in
                try await body(culise, routes, Browser(client))
            }
        }
    }
}
