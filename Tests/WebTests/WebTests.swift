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

@Suite struct WebTests {
    @Test(arguments: Engine.available)
    func healthAndSecurityHeaders(_ engine: Engine) async throws {
        try await Web.test(engine) { _, _, browser in
            let health = try await browser.get("/health")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["migration_version"] as? Int == Schema.all.count)
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            #expect(page.headers[HTTPField.Name("X-Request-Id")!] != nil)
            #expect(!page.text.contains("<script>"))
            #expect(page.text.contains("lang=\"ro\""))
            let metrics = try await browser.get("/metrics")
            #expect(metrics.text.contains("culise_db_pool_size"))
            #expect(metrics.text.contains("http_server_request"))
            // A favicon; the print stylesheet hides the page's footer only, not an invoice's legal footer; a focus
            // ring that stands out on white (blue-700, about 6.7:1).
            #expect(page.text.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""))
            let icon = try await browser.get("/static/favicon.svg")
            #expect(icon.status == .ok && icon.headers[.contentType] == "image/svg+xml" && icon.text.hasPrefix("<svg"))
            let css = try await browser.get("/static/culise.css").text
            #expect(css.contains("@media print { header.top, body > footer,") && css.contains("outline: 3px solid #1d4ed8"))
            #expect(try await browser.get("/static/..%2Fculise.css").status == .notFound)
        }
    }

    @Test(arguments: Engine.available)
    func loginFlowCookiesAndLogout(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise)
            #expect(try await browser.get("/home").status == .seeOther)
            let wrong = try await browser.login("admin@alfa.ro", "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("aria-invalid=\"true\""))
            #expect(wrong.text.contains("value=\"admin@alfa.ro\""))

            let ok = try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(ok.status == .seeOther)
            let cookie = try #require(ok.headers[values: .setCookie].first { $0.hasPrefix("culise_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("SameSite=Lax"))
            let home = try await browser.get("/home")
            #expect(home.status == .ok)
            #expect(home.text.contains("Alfa Consult SRL"))
            #expect(home.text.contains("RO18547290"))
            let session = try #require(browser.cookies["culise_session"])

            try await browser.post("/logout", [:], from: "/home")
            #expect(try await culise.session(token: session) == nil)
            browser.setCookie("culise_session", session)
            #expect(try await browser.get("/home").status == .seeOther)
        }
    }

    @Test(arguments: Engine.available)
    func eleventhFailedLoginGets429(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise)
            for _ in 1...10 { #expect(try await browser.login("admin@alfa.ro", "wrong password").status == .unauthorized) }
            #expect(try await browser.login("admin@alfa.ro", "wrong password").status == .tooManyRequests)
            #expect(try await browser.login("admin@alfa.ro", Fixtures.password).status == .tooManyRequests)
        }
    }

    @Test(arguments: Engine.available)
    func twoFactorIsRequiredWhenEnrolled(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (_, userID, _) = try await Fixtures.companyWithAdmin(culise)
            let (secret, _) = try await culise.beginTOTPEnrollment(user: userID)
            let key = Base32.decode(secret)!
            _ = try await culise.confirmTOTPEnrollment(user: userID, code: TOTP.code(secret: key, step: TOTP.step(at: Date())))
            let login = try await browser.login("admin@alfa.ro", Fixtures.password)
            #expect(login.headers[.location] == "/login/2fa")
            // With only the password, protected pages send the user back to the code form.
            #expect(try await browser.get("/home").headers[.location] == "/login/2fa")
            let bad = try await browser.post("/login/2fa", ["code": "000000"], from: "/login/2fa")
            #expect(bad.status == .unauthorized)
            #expect(try await browser.get("/home").status != .ok)
            let codes = try await culise.confirmTOTPEnrollmentRecoveryProbe(userID)
            #expect(codes == 10)
        }
    }

    @Test(arguments: Engine.available)
    func formsWithoutValidCSRFAreRefused(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise)
            #expect(
                try await browser.post("/login", ["email": "admin@alfa.ro", "password": Fixtures.password], csrf: "forged-token-xxxxxxxxx")
                    .status == .forbidden)
            #expect(
                try await browser.post("/login", ["email": "admin@alfa.ro", "password": Fixtures.password, "_csrf": ""]).status
                    == .forbidden)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let before = try await culise.tableCounts()
            let forged = try await browser.post(
                "/users", ["email": "x@alfa.ro", "password": Fixtures.password, "role": "admin"], csrf: "not-the-session-token")
            #expect(forged.status == .forbidden)
            #expect(try await culise.tableCounts() == before)
            let real = try await browser.post(
                "/users", ["email": "x@alfa.ro", "password": Fixtures.password, "role": "employee"], from: "/users")
            #expect(real.status == .seeOther)
        }
    }

    @Test(arguments: Engine.available)
    func anotherCompanysRecordIs404(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (_, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let other = try await culise.createCompany(
                Fixtures.companyInput(name: "Beta Secret SRL", cuiBody: 3_333_333), actor: .system("test"))
            let (_, token) = try await culise.createToken(user: userID, company: admin.companyID, name: "t", actor: .user(admin))
            let api = try await browser.api(.get, "/api/v1/companies/\(other.id)", token: token)
            #expect(api.status == .notFound)
            #expect(!api.text.contains("Beta Secret"))
            #expect(api.headers[.contentType] == "application/problem+json")
            #expect(try await browser.api(.get, "/api/v1/companies/\(admin.companyID)", token: token).status == .ok)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let page = try await browser.get("/companies/\(other.id)")
            #expect(page.status == .notFound)
            #expect(!page.text.contains("Beta Secret"))
            // Switching into a company one does not belong to is also "not found".
            #expect(try await browser.post("/company/switch", ["company": other.id.description], from: "/home").status == .notFound)
            // Changing the role of a user of another company: not found.
            let outsider = try await culise.addUser(
                email: "o@beta.ro", displayName: "", password: Fixtures.password, company: other.id, role: .admin, actor: .system("t"))
            let role = try await browser.api(.put, "/api/v1/users/\(outsider)/role", token: token, json: #"{"role":"employee"}"#)
            #expect(role.status == .notFound)
        }
    }

    @Test(arguments: Engine.available)
    func apiErrorsAreProblemsAndWriteNothing(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (_, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: userID, company: admin.companyID, name: "t", actor: .user(admin))
            #expect(try await browser.api(.get, "/api/v1/me", token: nil).status == .unauthorized)
            let badToken = try await browser.api(.get, "/api/v1/me", token: "culise_nope")
            #expect(badToken.status == .unauthorized)
            #expect(badToken.json["id"] as? String == "auth.invalid_token")
            let before = try await culise.tableCounts()

            let invalid = try await browser.api(
                .post, "/api/v1/companies", token: token,
                json:
                    #"{"legal_name":"Gama SRL","cui":"RO18547291","address":{"line":"Str. A 1","city":"Iași","county":"RO-IS","country":"RO"},"vat_payer":true}"#
            )
            #expect(invalid.status == .unprocessableContent)
            let errors = invalid.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { $0["field"] as? String == "cui" && $0["id"] as? String == "cui.check_digit" })
            #expect(invalid.json["type"] as? String == "urn:culise:problem:cui.check_digit")

            let malformed = try await browser.api(.post, "/api/v1/companies", token: token, json: #"{"legal_name": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["id"] as? String == "request.malformed_json")

            let missing = try await browser.api(.post, "/api/v1/companies", token: token, json: #"{"legal_name":"X"}"#)
            #expect(missing.status == .unprocessableContent)

            let huge = String(repeating: "x", count: Limits.requestBodyBytes + 10)
            let tooLarge = try await browser.api(.post, "/api/v1/companies", token: token, json: #"{"legal_name":"\#(huge)"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            let tooLargeForm = try await browser.request(
                .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "a=" + huge))
            #expect(tooLargeForm.status == .contentTooLarge)

            #expect(try await culise.tableCounts() == before)

            // A company created through the API can be read back at once (schemathesis ST302), with the creator as admin.
            let created = try await browser.api(
                .post, "/api/v1/companies", token: token,
                json:
                    #"{"legal_name":"Gama SRL","cui":"RO\#(Fixtures.cui(3_333_333))","address":{"line":"Str. A 1","city":"Iași","county":"RO-IS","country":"RO"},"vat_payer":true}"#
            )
            #expect(created.status == .created)
            let createdID = created.json["id"] as? String ?? ""
            let readBack = try await browser.api(.get, "/api/v1/companies/\(createdID)", token: token)
            #expect(readBack.status == .ok)
            #expect(readBack.json["legal_name"] as? String == "Gama SRL")
            #expect(readBack.json["role"] as? String == "admin")

            #expect(try await browser.api(.get, "/api/v1/users?limit=501", token: token).status == .unprocessableContent)
            #expect(try await browser.api(.get, "/api/v1/nowhere", token: token).status == .notFound)
        }
    }

    @Test(arguments: Engine.available)
    func idempotencyKeyCreatesOnce(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (_, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: userID, company: admin.companyID, name: "t", actor: .user(admin))
            let body = #"{"email":"nou@alfa.ro","display_name":"Nou","password":"a long enough password","role":"accountant"}"#
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "abc-123"]
            let first = try await browser.api(.post, "/api/v1/users", token: token, json: body, headers: key)
            let second = try await browser.api(.post, "/api/v1/users", token: token, json: body, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.text == second.text)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let members = try await culise.members(of: admin.companyID, actor: .user(admin))
            #expect(members.items.filter { $0.email == "nou@alfa.ro" }.count == 1)
            let different = try await browser.api(
                .post, "/api/v1/users", token: token, json: body.replacingOccurrences(of: "Nou", with: "Alt"), headers: key)
            #expect(different.status == .unprocessableContent)
            #expect(different.json["id"] as? String == "idempotency.key_reused")
        }
    }

    @Test(arguments: Engine.available)
    func htmlFormsShowFieldErrorsAndKeepValues(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            let response = try await browser.post(
                "/company",
                [
                    "legal_name": "Alfa <b>Consult</b>", "cui": "123", "address.line": "Str. 1", "address.city": "Cluj",
                    "address.county": "RO-QQ",
                    "address.country": "RO", "fiscal_year_start_month": "1",
                ], from: "/company")
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("id=\"f-cui-error\""))
            #expect(response.text.contains("id=\"f-address.county-error\""))
            #expect(response.text.contains("Alfa &lt;b&gt;Consult&lt;/b&gt;"))
            #expect(!response.text.contains("<b>Consult</b>"))
        }
    }

    @Test(arguments: Engine.available)
    func languageSwitch(_ engine: Engine) async throws {
        try await Web.test(engine) { _, _, browser in
            #expect(try await browser.get("/login").text.contains("Autentificare"))
            let switched = try await browser.post("/lang", ["lang": "en", "back": "/login"], from: "/login")
            #expect(switched.headers[.location] == "/login")
            let english = try await browser.get("/login")
            #expect(english.text.contains("Sign in"))
            #expect(english.text.contains("lang=\"en\""))
            let evil = try await browser.post("/lang", ["lang": "ro", "back": "//evil.example"], from: "/login")
            #expect(evil.headers[.location] == "/home")
        }
    }

    @Test(arguments: Engine.available)
    func sessionFromOneInstanceWorksOnAnother(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            _ = try await Fixtures.companyWithAdmin(culise)
            let first = try await WebServer.build(culise: culise, settings: WebSettings())
            let cookie: String = try await Application(router: first.router, logger: TestDatabase.logger).test(.router) { client in
                let browser = Browser(client)
                let login = try await browser.login("admin@alfa.ro", Fixtures.password)
                #expect(login.status == .seeOther)
                return browser.cookies["culise_session"] ?? ""
            }
            // A second server process: its own pool on the same database.
            let other = try await TestDatabase.open(location)
            let second = try await WebServer.build(culise: other, settings: WebSettings())
            try await Application(router: second.router, logger: TestDatabase.logger).test(.router) { client in
                let browser = Browser(client)
                browser.setCookie("culise_session", cookie)
                let home = try await browser.get("/home")
                #expect(home.status == .ok)
                #expect(home.text.contains("Alfa Consult SRL"))
            }
            await other.close()
        }
    }

    @Test(arguments: Engine.available)
    func pagesRenderForAdmin(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            _ = try await Fixtures.companyWithAdmin(culise)
            try await browser.login("admin@alfa.ro", Fixtures.password)
            for path in [
                "/home", "/company", "/companies/new", "/users", "/users?sort=role&dir=desc", "/audit",
                "/audit?action=user&from=2020-01-01", "/profile",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains("<main id=\"main\">"), "\(path)")
                #expect(page.text.contains("aria-label="), "\(path)")
            }
            #expect(try await browser.get("/audit?from=yesterday").status == .unprocessableContent)
            let users = try await browser.get("/users")
            #expect(users.text.contains("<select id=\"role-"), "role change forms in the users table")
            #expect(users.text.contains("<option value=\"auditor\""))
            let token = try await browser.post("/profile/tokens", ["name": "export"])
            #expect(token.status == .created)
            #expect(token.text.contains("culise_"))
            let enrol = try await browser.post("/profile/2fa/start", [:])
            #expect(enrol.text.contains("otpauth://totp/"))
            let created = try await browser.post(
                "/companies",
                [
                    "legal_name": "Gama Prod SRL", "cui": Fixtures.cui(4_444_444), "address.line": "Bd. Unirii 1",
                    "address.city": "Sector 4",
                    "address.county": "RO-B", "address.country": "RO", "vat_payer": "true", "fiscal_year_start_month": "1",
                ], from: "/companies/new")
            #expect(created.status == .seeOther)
            let home = try await browser.get("/home")
            #expect(home.text.contains("Gama Prod SRL"))
            #expect(home.text.contains("SECTOR4"))
            #expect(home.text.contains("company-switch"))
        }
    }
}

extension Culise {
    /// Recovery codes of a user, for a test that only needs to know they exist.
    func confirmTOTPEnrollmentRecoveryProbe(_ user: UserID) async throws -> Int {
        try await database.read { db in
            Int(
                try await db.raw("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = \(bind: user.description)").first()!.decode(
                    column: "n", as: Int64.self))
        }
    }
}
