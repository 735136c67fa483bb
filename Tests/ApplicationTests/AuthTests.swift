import Application
import Assembly
import BankingApp
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import Synchronization
import TestSupport
import Testing

/// A clock tests can move.
final class TestClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var date: Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    var function: @Sendable () -> Date { { self.date } }
}

@Suite struct AuthTests {
    @Test(arguments: Engine.available)
    func loginSessionLogout(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            let (companyID, userID, _) = try await Fixtures.companyWithAdmin(culise)
            await #expect(throws: DomainError.self) {
                try await culise.login(email: "admin@alfa.ro", password: "wrong password!", clientAddress: "1.1.1.1")
            }
            await #expect(throws: DomainError.self) {
                try await culise.login(email: "nobody@alfa.ro", password: Fixtures.password, clientAddress: "1.1.1.1")
            }
            let result = try await culise.login(email: "ADMIN@alfa.ro ", password: Fixtures.password, clientAddress: "1.1.1.1")
            #expect(!result.needsSecondFactor)
            let session = try #require(try await culise.session(token: result.sessionToken))
            #expect(session.userID == userID)
            #expect(session.principal?.companyID == companyID)
            #expect(session.principal?.role == .admin)

            // A new app instance (a restarted or second server) accepts the same session.
            let restarted = try await TestDatabase.open(location)
            #expect(try await restarted.session(token: result.sessionToken)?.userID == userID)

            try await culise.logout(token: result.sessionToken)
            #expect(try await restarted.session(token: result.sessionToken) == nil)
            #expect(try await culise.session(token: "forged") == nil)
            await restarted.close()
        }
    }

    @Test(arguments: Engine.available)
    func eleventhFailureIsThrottledUntilTheWindowPasses(_ engine: Engine) async throws {
        let clock = TestClock()
        try await TestDatabase.withCulise(engine, clock: clock.function) { culise, _ in
            _ = try await Fixtures.companyWithAdmin(culise)
            for attempt in 1...10 {
                do {
                    _ = try await culise.login(
                        email: "admin@alfa.ro", password: "wrong-\(attempt)-password", clientAddress: "10.0.0.\(attempt)")
                } catch let error as DomainError {
                    #expect(error.kind == .unauthenticated, "attempt \(attempt)")
                }
            }
            // The 11th attempt is refused even with the right password.
            do {
                _ = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "10.0.0.99")
                Issue.record("expected throttling")
            } catch let error as DomainError {
                #expect(error.kind == .rateLimited)
            }
            clock.advance(15 * 60 + 1)
            _ = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "10.0.0.99")
        }
    }

    @Test(arguments: Engine.available)
    func failuresFromOneAddressAreThrottledAcrossAccounts(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            _ = try await Fixtures.companyWithAdmin(culise)
            for attempt in 1...10 {
                _ = try? await culise.login(email: "guess\(attempt)@alfa.ro", password: "whatever-password", clientAddress: "6.6.6.6")
            }
            do {
                _ = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "6.6.6.6")
                Issue.record("expected throttling")
            } catch let error as DomainError {
                #expect(error.kind == .rateLimited)
            }
            _ = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "7.7.7.7")
        }
    }

    @Test(arguments: Engine.available)
    func passwordChangeEndsOtherSessions(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (_, userID, _) = try await Fixtures.companyWithAdmin(culise)
            let first = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a")
            let second = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "b")
            await #expect(throws: ValidationErrors.self) {
                try await culise.changePassword(
                    user: userID, current: "wrong-password-x", new: "a brand new secret", keepSession: first.sessionToken)
            }
            await #expect(throws: ValidationErrors.self) {
                try await culise.changePassword(
                    user: userID, current: Fixtures.password, new: "admin@alfa.ro", keepSession: first.sessionToken)
            }
            try await culise.changePassword(
                user: userID, current: Fixtures.password, new: "a brand new secret", keepSession: first.sessionToken)
            #expect(try await culise.session(token: first.sessionToken) != nil)
            #expect(try await culise.session(token: second.sessionToken) == nil)
            _ = try await culise.login(email: "admin@alfa.ro", password: "a brand new secret", clientAddress: "c")
        }
    }

    @Test(arguments: Engine.available)
    func sessionsExpire(_ engine: Engine) async throws {
        let clock = TestClock()
        try await TestDatabase.withCulise(engine, clock: clock.function) { culise, _ in
            _ = try await Fixtures.companyWithAdmin(culise)
            let login = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a")
            clock.advance(Double(Limits.sessionIdleSeconds) - 60)
            #expect(try await culise.session(token: login.sessionToken) != nil)
            clock.advance(Double(Limits.sessionIdleSeconds) + 1)
            #expect(try await culise.session(token: login.sessionToken) == nil)
        }
    }

    @Test(arguments: Engine.available)
    func twoFactorEnrolmentAndLogin(_ engine: Engine) async throws {
        let clock = TestClock()
        try await TestDatabase.withCulise(engine, clock: clock.function) { culise, _ in
            let (_, userID, _) = try await Fixtures.companyWithAdmin(culise)
            let (secret, uri) = try await culise.beginTOTPEnrollment(user: userID)
            #expect(uri.hasPrefix("otpauth://totp/Culise%3Aadmin@alfa.ro?secret=\(secret)&issuer=Culise"))
            let key = try #require(Base32.decode(secret))
            await #expect(throws: ValidationErrors.self) { try await culise.confirmTOTPEnrollment(user: userID, code: "000000") }
            let codes = try await culise.confirmTOTPEnrollment(user: userID, code: TOTP.code(secret: key, step: TOTP.step(at: clock.date)))
            #expect(codes.count == Limits.recoveryCodes)

            clock.advance(90)
            let login = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a")
            #expect(login.needsSecondFactor)
            let pending = try #require(try await culise.session(token: login.sessionToken))
            #expect(pending.principal == nil)
            await #expect(throws: DomainError.self) {
                try await culise.verifySecondFactor(token: login.sessionToken, code: "123456", clientAddress: "a")
            }
            let code = TOTP.code(secret: key, step: TOTP.step(at: clock.date))
            try await culise.verifySecondFactor(token: login.sessionToken, code: code, clientAddress: "a")
            #expect(try await culise.session(token: login.sessionToken)?.principal != nil)

            // The same code cannot be replayed; a recovery code works once.
            let again = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a")
            await #expect(throws: DomainError.self) {
                try await culise.verifySecondFactor(token: again.sessionToken, code: code, clientAddress: "a")
            }
            try await culise.verifySecondFactor(token: again.sessionToken, code: codes[0], clientAddress: "a")
            let third = try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a")
            await #expect(throws: DomainError.self) {
                try await culise.verifySecondFactor(token: third.sessionToken, code: codes[0], clientAddress: "a")
            }

            try await culise.disableTOTP(user: userID, password: Fixtures.password)
            #expect(!(try await culise.login(email: "admin@alfa.ro", password: Fixtures.password, clientAddress: "a").needsSecondFactor))
        }
    }

    @Test func totpMatchesRFC6238Vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits truncated to our 6.
        let secret = Array("12345678901234567890".utf8)
        #expect(TOTP.code(secret: secret, step: 59 / 30) == "287082")
        #expect(TOTP.code(secret: secret, step: 1_111_111_109 / 30) == "081804")
        #expect(TOTP.code(secret: secret, step: 2_000_000_000 / 30) == "279037")
        #expect(Base32.decode(Base32.encode(secret)) == secret)
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
    }

    @Test(arguments: Engine.available)
    func apiTokens(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (companyID, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let (id, token) = try await culise.createToken(user: userID, company: companyID, name: "export", actor: .user(admin))
            #expect(token.hasPrefix("culise_"))
            #expect(try await culise.authenticate(bearer: token) == admin)
            #expect(try await culise.authenticate(bearer: token + "x") == nil)
            let listed = try await culise.tokens(of: userID)
            #expect(listed.map(\.id) == [id])
            // Only the digest is stored.
            let stored = try await culise.database.read { db in
                try await db.raw("SELECT token_hash FROM api_tokens").all().map { try $0.decode(column: "token_hash", as: String.self) }
            }
            #expect(stored == [Secrets.digest(token)])
            try await culise.revokeToken(id, actor: .user(admin))
            #expect(try await culise.authenticate(bearer: token) == nil)
            await #expect(throws: ValidationErrors.self) {
                try await culise.createToken(user: userID, company: companyID, name: " ", actor: .user(admin))
            }
        }
    }

    @Test(arguments: Engine.available)
    func tokenLimitIsEnforced(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (companyID, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            for index in 0..<Limits.tokensPerUser {
                _ = try await culise.createToken(user: userID, company: companyID, name: "t\(index)", actor: .user(admin))
            }
            await #expect(throws: DomainError.self) {
                try await culise.createToken(user: userID, company: companyID, name: "one more", actor: .user(admin))
            }
        }
    }

    @Test(arguments: Engine.available)
    func idempotencyKeys(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let user = UserID.generate()
            let company = CompanyID.generate()
            #expect(try await culise.beginIdempotent(user: user, company: company, key: "k1", requestHash: "h1") == .proceed)
            await #expect(throws: DomainError.self) {
                try await culise.beginIdempotent(user: user, company: company, key: "k1", requestHash: "h1")
            }
            let stored = StoredResponse(status: 201, contentType: "application/json", body: "{\"id\":1}")
            try await culise.completeIdempotent(user: user, company: company, key: "k1", response: stored)
            #expect(try await culise.beginIdempotent(user: user, company: company, key: "k1", requestHash: "h1") == .replay(stored))
            do {
                _ = try await culise.beginIdempotent(user: user, company: company, key: "k1", requestHash: "other")
                Issue.record("expected a refusal")
            } catch let error as DomainError {
                #expect(error.id == "idempotency.key_reused")
            }
            // Keys are per user.
            #expect(try await culise.beginIdempotent(user: UserID.generate(), company: company, key: "k1", requestHash: "h1") == .proceed)
            // Keys are per (user, company): the same key and body in another company is a new request (issue 10).
            #expect(try await culise.beginIdempotent(user: user, company: CompanyID.generate(), key: "k1", requestHash: "h1") == .proceed)
            // A failed request frees its key.
            #expect(try await culise.beginIdempotent(user: user, company: company, key: "k2", requestHash: "h") == .proceed)
            try await culise.abandonIdempotent(user: user, company: company, key: "k2")
            #expect(try await culise.beginIdempotent(user: user, company: company, key: "k2", requestHash: "h") == .proceed)
        }
    }

    @Test(arguments: Engine.available)
    func demoIsIdempotent(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let first = try await culise.seedDemo()
            let second = try await culise.seedDemo()
            #expect(first.created)
            #expect(!second.created)
            #expect(first.company.id == second.company.id)
            #expect(try await culise.allCompanies().count == 1)
            _ = try await culise.login(email: first.email, password: first.password, clientAddress: "a")
        }
    }
}
