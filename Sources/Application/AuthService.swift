import Foundation
import Identity
import Kernel
import SQLKit

/// A live session as the web layer sees it.
public struct SessionInfo: Sendable, Equatable {
    public let userID: UserID
    public let email: String
    public let displayName: String
    public let twoFactor: Bool
    public let csrfToken: String
    /// True between a correct password and a correct second factor.
    public let pendingSecondFactor: Bool
    /// The selected company and the role there, when the user has one.
    public let companyID: CompanyID?
    public let role: Role?

    public var principal: Principal? {
        guard !pendingSecondFactor, let companyID, let role else { return nil }
        return Principal(userID: userID, email: email, displayName: displayName, companyID: companyID, role: role)
    }

    public var accountActor: Actor { .account(userID, email: email) }
}

/// The result of a password login: a session token for the cookie.
public struct LoginResult: Sendable {
    public let sessionToken: String
    public let needsSecondFactor: Bool
}

extension Culise {
    package static let failedLogin = DomainError(
        "auth.invalid_credentials", kind: .unauthenticated, field: "password",
        "You cannot sign in because the e-mail or password is wrong.")

    package static func throttled(minutes: Int) -> DomainError {
        DomainError(
            "auth.throttled", kind: .rateLimited,
            "You cannot sign in right now because there were too many failed attempts; try again in \(minutes) minutes.")
    }

    /// Refuses when the account or the address already has the allowed number of failures in the window.
    package func checkThrottle(_ db: any SQLDatabase, subjects: [String]) async throws {
        let since = epoch - Int64(Limits.loginWindowSeconds)
        for subject in subjects {
            let count = try await db.raw(
                "SELECT COUNT(*) AS n FROM login_failures WHERE subject = \(bind: subject) AND at_epoch > \(bind: since)"
            ).first()!.decode(column: "n", as: Int64.self)
            if count >= Int64(Limits.loginFailuresAllowed) {
                throw Culise.throttled(minutes: Limits.loginWindowSeconds / 60)
            }
        }
    }

    package func recordFailure(subjects: [String]) async throws {
        let at = epoch
        try await transaction { db in
            for subject in subjects {
                try await db.raw("INSERT INTO login_failures (subject, at_epoch) VALUES (\(bind: subject), \(bind: at))").run()
            }
            // Keep the table small: failures older than the window no longer count.
            try await db.raw("DELETE FROM login_failures WHERE at_epoch < \(bind: at - Int64(Limits.loginWindowSeconds) * 2)").run()
        }
    }

    /// Checks e-mail and password, with throttling per account and per client address.
    public func login(email rawEmail: String, password: String, clientAddress: String) async throws -> LoginResult {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let subjects = ["account:\(email)", "ip:\(clientAddress)"]
        let row = try await read { db in
            try await self.checkThrottle(db, subjects: subjects)
            return try await db.raw(
                "SELECT id, password_hash, totp_enabled, disabled FROM users WHERE email = \(bind: email)"
            ).first().map {
                (
                    try $0.decode(column: "id", as: String.self), try $0.decode(column: "password_hash", as: String.self),
                    try $0.decode(column: "totp_enabled", as: Bool.self), try $0.decode(column: "disabled", as: Bool.self)
                )
            }
        }
        // Verify against a dummy hash when the user is unknown, so timing does not reveal which e-mails exist.
        let hash = row?.1 ?? Culise.dummyHash
        let passwordOK = await verifyPassword(password, hash: hash)
        guard let (id, _, twoFactor, disabled) = row, passwordOK, !disabled else {
            try await recordFailure(subjects: subjects)
            throw Culise.failedLogin
        }
        let userID = UserID(string: id)!
        let token = try await createSession(user: userID, pendingSecondFactor: twoFactor, email: email)
        return LoginResult(sessionToken: token, needsSecondFactor: twoFactor)
    }

    package static let dummyHash = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5yJ1Wlm6S0Sg2zHJgU7VHnW9C4Zb3/2"

    package func createSession(user: UserID, pendingSecondFactor: Bool, email: String) async throws -> String {
        let token = Secrets.random(bytes: 32)
        let csrf = Secrets.random(bytes: 24)
        let now = epoch
        let expires = now + Int64(settings.sessionAbsoluteSeconds)
        try await transaction { db in
            let company = try await db.raw(
                """
                SELECT m.company_id FROM memberships m JOIN companies c ON c.id = m.company_id JOIN users u ON u.id = m.user_id
                WHERE m.user_id = \(bind: user.description)
                ORDER BY CASE WHEN m.company_id = u.last_company_id THEN 0 ELSE 1 END, c.legal_name LIMIT 1
                """
            ).first().map { try $0.decode(column: "company_id", as: String.self) }
            try await db.raw(
                """
                INSERT INTO sessions (id, user_id, company_id, csrf_token, pending_second_factor, created_at, last_seen_at, expires_at)
                VALUES (\(bind: Secrets.digest(token)), \(bind: user.description), \(bind: company), \(bind: csrf),
                    \(bind: pendingSecondFactor), \(bind: now), \(bind: now), \(bind: expires))
                """
            ).run()
            if !pendingSecondFactor {
                try await AuditLog.append(
                    db, actor: .account(user, email: email), company: nil, action: "session.login", entity: "user",
                    entityID: user.description, now: self.now)
            }
        }
        return token
    }

    /// The session behind a cookie token, or nil when unknown, expired or idle too long.
    public func session(token: String) async throws -> SessionInfo? {
        let id = Secrets.digest(token)
        let now = epoch
        let idle = Int64(settings.sessionIdleSeconds)
        let found: (SessionInfo, Int64)? = try await read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT s.user_id, s.company_id, s.csrf_token, s.pending_second_factor, s.last_seen_at, s.expires_at,
                        u.email, u.display_name, u.totp_enabled, u.disabled, m.role
                    FROM sessions s JOIN users u ON u.id = s.user_id
                    LEFT JOIN memberships m ON m.user_id = s.user_id AND m.company_id = s.company_id
                    WHERE s.id = \(bind: id)
                    """
                ).first()
            else { return nil }
            let lastSeen = try row.decode(column: "last_seen_at", as: Int64.self)
            let expires = try row.decode(column: "expires_at", as: Int64.self)
            guard expires > now, lastSeen + idle > now, try !row.decode(column: "disabled", as: Bool.self) else { return nil }
            let role = try row.decode(column: "role", as: String?.self).flatMap { Role(rawValue: $0) }
            let company = role == nil ? nil : try row.decode(column: "company_id", as: String?.self).flatMap(CompanyID.init(string:))
            let info = SessionInfo(
                userID: UserID(string: try row.decode(column: "user_id", as: String.self))!,
                email: try row.decode(column: "email", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self),
                twoFactor: try row.decode(column: "totp_enabled", as: Bool.self),
                csrfToken: try row.decode(column: "csrf_token", as: String.self),
                pendingSecondFactor: try row.decode(column: "pending_second_factor", as: Bool.self),
                companyID: company, role: role)
            return (info, lastSeen)
        }
        guard let (info, lastSeen) = found else { return nil }
        // Sliding idle expiry, written at most once a minute per session.
        if now - lastSeen > 60 {
            try await transaction { db in
                try await db.raw("UPDATE sessions SET last_seen_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
        }
        return info
    }

    /// Ends a session (logout).
    public func logout(token: String) async throws {
        let id = Secrets.digest(token)
        try await transaction { db in
            guard
                let row = try await db.raw("DELETE FROM sessions WHERE id = \(bind: id) RETURNING user_id").first()
            else { return }
            let user = try row.decode(column: "user_id", as: String.self)
            try await AuditLog.append(
                db, actor: .system("web"), company: nil, action: "session.logout", entity: "user", entityID: user, now: self.now)
        }
    }

    /// Switches the session to another company the user belongs to.
    public func selectCompany(token: String, company: CompanyID) async throws {
        guard let session = try await session(token: token), !session.pendingSecondFactor else {
            throw DomainError("auth.session_expired", kind: .unauthenticated, "To switch companies, you must sign in again.")
        }
        try await transaction { db in
            guard
                try await db.raw(
                    "SELECT role FROM memberships WHERE user_id = \(bind: session.userID.description) AND company_id = \(bind: company.description)"
                ).first() != nil
            else {
                throw DomainError(
                    "company.not_found", kind: .notFound, field: "company", "You cannot open this company because it does not exist.")
            }
            try await db.raw(
                "UPDATE sessions SET company_id = \(bind: company.description) WHERE id = \(bind: Secrets.digest(token))"
            ).run()
            // The next sign-in opens the company used last.
            try await db.raw(
                "UPDATE users SET last_company_id = \(bind: company.description) WHERE id = \(bind: session.userID.description)"
            ).run()
        }
    }

    /// Completes a login with a TOTP code or an unused recovery code.
    public func verifySecondFactor(token: String, code: String, clientAddress: String) async throws {
        let id = Secrets.digest(token)
        guard let session = try await session(token: token), session.pendingSecondFactor else {
            throw DomainError("auth.session_expired", kind: .unauthenticated, "To enter a code, you must sign in with your password again.")
        }
        let subjects = ["account:\(session.email)", "ip:\(clientAddress)"]
        let accepted = try await transaction { db -> Bool in
            try await self.checkThrottle(db, subjects: subjects)
            guard try await self.consumeSecondFactor(db, user: session.userID, code: code) else { return false }
            try await db.raw("UPDATE sessions SET pending_second_factor = \(bind: false) WHERE id = \(bind: id)").run()
            try await AuditLog.append(
                db, actor: session.accountActor, company: nil, action: "session.login", entity: "user",
                entityID: session.userID.description, changes: [FieldChange("second_factor", before: nil, after: "ok")],
                now: self.now)
            return true
        }
        guard accepted else {
            try await recordFailure(subjects: subjects)
            throw DomainError(
                "auth.invalid_code", kind: .unauthenticated, field: "code", "You cannot sign in because the code is wrong or already used.")
        }
    }

    /// True when `code` is the current TOTP (not replayed) or an unused recovery code, which it then marks used.
    package func consumeSecondFactor(_ db: any SQLDatabase, user: UserID, code: String) async throws -> Bool {
        guard
            let row = try await db.raw(
                "SELECT totp_secret, totp_last_step FROM users WHERE id = \(bind: user.description)"
            ).first(),
            let secretText = try row.decode(column: "totp_secret", as: String?.self),
            let secret = Base32.decode(secretText)
        else { return false }
        let lastStep = try row.decode(column: "totp_last_step", as: Int64.self)
        if let step = TOTP.verify(code: code, secret: secret, at: now, lastUsedStep: lastStep) {
            try await db.raw("UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: user.description)").run()
            return true
        }
        let normalised = code.uppercased().filter { $0.isLetter || $0.isNumber }
        let used = try await db.raw(
            """
            UPDATE recovery_codes SET used_at = \(bind: nowText)
            WHERE user_id = \(bind: user.description) AND code_hash = \(bind: Secrets.digest(normalised)) AND used_at IS NULL
            RETURNING code_hash
            """
        ).first()
        return used != nil
    }

    // MARK: - TOTP enrolment

    /// Starts enrolment: a new secret, not yet active, and its otpauth URI for the authenticator app.
    public func beginTOTPEnrollment(user: UserID) async throws -> (secret: String, uri: String) {
        let account = try await self.user(id: user)
        guard !account.twoFactor else {
            throw DomainError(
                "totp.already_enabled", kind: .conflict,
                "You cannot enrol again because two-factor sign-in is already on; turn it off first.")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = Base32.encode((0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await transaction { db in
            try await db.raw("UPDATE users SET totp_secret = \(bind: secret), totp_last_step = 0 WHERE id = \(bind: user.description)")
                .run()
        }
        return (secret, TOTP.provisioningURI(secretBase32: secret, account: account.email))
    }

    /// Confirms enrolment with a code from the app; returns the recovery codes, shown once.
    public func confirmTOTPEnrollment(user: UserID, code: String) async throws -> [String] {
        let account = try await self.user(id: user)
        let codes = (0..<Limits.recoveryCodes).map { _ in
            Secrets.random(bytes: 8).uppercased().filter { $0.isLetter || $0.isNumber }.prefix(10)
        }
        .map(String.init)
        try await transaction { db in
            guard
                let row = try await db.raw("SELECT totp_secret, totp_enabled FROM users WHERE id = \(bind: user.description)").first(),
                let secretText = try row.decode(column: "totp_secret", as: String?.self), let secret = Base32.decode(secretText),
                try !row.decode(column: "totp_enabled", as: Bool.self)
            else {
                throw DomainError("totp.not_started", kind: .conflict, "To confirm two-factor sign-in, you must start the enrolment first.")
            }
            guard let step = TOTP.verify(code: code, secret: secret, at: self.now, lastUsedStep: 0) else {
                throw ValidationErrors([
                    DomainError(
                        "totp.invalid_code", field: "code",
                        "You cannot turn on two-factor sign-in because the code does not match; check the time on your phone.")
                ])
            }
            try await db.raw(
                "UPDATE users SET totp_enabled = \(bind: true), totp_last_step = \(bind: step) WHERE id = \(bind: user.description)"
            ).run()
            try await db.raw("DELETE FROM recovery_codes WHERE user_id = \(bind: user.description)").run()
            for recovery in codes {
                try await db.raw(
                    "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (\(bind: user.description), \(bind: Secrets.digest(recovery)), NULL)"
                ).run()
            }
            try await AuditLog.append(
                db, actor: .account(user, email: account.email), company: nil, action: "user.totp_enable", entity: "user",
                entityID: user.description, changes: [FieldChange("two_factor", before: "off", after: "on")], now: self.now)
        }
        return codes
    }

    /// Turns two-factor sign-in off after checking the password.
    public func disableTOTP(user: UserID, password: String) async throws {
        let hash = try await read { db in
            try await db.raw("SELECT password_hash FROM users WHERE id = \(bind: user.description)").first()!
                .decode(column: "password_hash", as: String.self)
        }
        guard await verifyPassword(password, hash: hash) else {
            throw ValidationErrors([
                DomainError(
                    "password.current_wrong", field: "password", "You cannot turn off two-factor sign-in because the password is wrong.")
            ])
        }
        let account = try await self.user(id: user)
        try await transaction { db in
            try await db.raw(
                "UPDATE users SET totp_enabled = \(bind: false), totp_secret = NULL WHERE id = \(bind: user.description)"
            ).run()
            try await db.raw("DELETE FROM recovery_codes WHERE user_id = \(bind: user.description)").run()
            try await AuditLog.append(
                db, actor: .account(user, email: account.email), company: nil, action: "user.totp_disable", entity: "user",
                entityID: user.description, changes: [FieldChange("two_factor", before: "on", after: "off")], now: self.now)
        }
    }
}
