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
import TestSupport
import Testing
import Web

@Suite struct RBACTests {
    /// Every role × every protected route, HTML and API, against docs/security.md: forbidden exactly when the
    /// documented matrix denies the route's area and access.
    @Test(arguments: Engine.available)
    func everyRoleOnEveryRoute(_ engine: Engine) async throws {
        let documented = try SecurityDoc.matrix()
        try await Web.test(engine) { culise, server, browser in
            let (companyID, _, admin) = try await Fixtures.companyWithAdmin(culise)
            #expect(server.protectedRoutes.count >= 30)
            var checked = 0
            for role in Role.allCases {
                let email = "role-\(role.rawValue)@alfa.ro"
                let user = try await culise.addUser(
                    email: email, displayName: role.rawValue, password: Fixtures.password, company: companyID, role: role,
                    actor: .user(admin))
                let (_, token) = try await culise.createToken(user: user, company: companyID, name: "rbac", actor: .system("test"))
                browser.setCookie("culise_session", nil)
                let login = try await browser.login(email, Fixtures.password)
                #expect(login.status == .seeOther)
                let csrf = try await browser.csrf(from: "/profile")
                #expect(!csrf.isEmpty)
                for route in server.protectedRoutes {
                    let allowed = (documented[role]?[route.area] ?? .none) >= route.access
                    let path = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                    let method = HTTPRequest.Method(route.method)!
                    let response: TestResponse
                    if path.hasPrefix("/api/") {
                        response = try await browser.api(method, path, token: token, json: method == .get || method == .delete ? nil : "{}")
                    } else if method == .get {
                        response = try await browser.get(path)
                    } else {
                        response = try await browser.post(path, [:], csrf: csrf)
                    }
                    if allowed {
                        #expect(response.status != .forbidden, "\(role) \(route.method) \(route.path) should be allowed")
                        #expect(response.status.code < 500, "\(role) \(route.method) \(route.path) → \(response.status)")
                    } else {
                        #expect(
                            response.status == .forbidden,
                            "\(role) \(route.method) \(route.path) should be forbidden, got \(response.status)")
                    }
                    checked += 1
                }
            }
            #expect(checked == Role.allCases.count * server.protectedRoutes.count)
        }
    }

    @Test func everyRouteIsEitherPublicOrProtected() async throws {
        try await Web.test(.sqlite) { _, server, _ in
            let registered = Set(
                server.router.routes.filter { $0.method != .head }.map {
                    "\($0.method.rawValue) \(WebServerPaths.normalise($0.path.description))"
                })
            let protected = Set(server.protectedRoutes.map { "\($0.method) \($0.path)" })
            let publicRoutes = Set(server.publicRoutes)
            #expect(protected.isDisjoint(with: publicRoutes))
            #expect(registered == protected.union(publicRoutes))
        }
    }

    @Test func unauthenticatedRequestsAreRefused() async throws {
        try await Web.test(.sqlite) { _, server, browser in
            for route in server.protectedRoutes {
                let path = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                let method = HTTPRequest.Method(route.method)!
                if path.hasPrefix("/api/") {
                    #expect(try await browser.api(method, path, token: nil).status == .unauthorized, "\(route.method) \(path)")
                } else if method == .get {
                    let response = try await browser.get(path)
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers[.location]?.hasPrefix("/login") == true)
                } else {
                    #expect(try await browser.post(path, [:], from: "/login").status == .unauthorized, "\(route.method) \(path)")
                }
            }
        }
    }
}

/// The same normalisation the server uses for OpenAPI paths.
enum WebServerPaths {
    static func normalise(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}
