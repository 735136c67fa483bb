import Foundation
import HummingbirdBcrypt
import Identity
import Kernel
import SQLKit

/// A user as listed in a company.
public struct Member: Sendable, Equatable, Codable {
    public let userID: UserID
    public let email: String
    public let displayName: String
    public let role: Role
    public let twoFactor: Bool
}

/// A user account (not company-scoped).
public struct UserAccount: Sendable, Equatable {
    public let id: UserID
    public let email: String
    public let displayName: String
    public let twoFactor: Bool
}

extension Culise {
    /// Hashes off the async executor: bcrypt is deliberately slow.
    package func hashPassword(_ password: String) async -> String {
        let cost = settings.bcryptCost
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    package func verifyPassword(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    /// Creates a user account. With a company, also makes the user a member with `role`.
    /// An existing e-mail in a company context just gains the membership (no password needed).
    public func addUser(
        email rawEmail: String, displayName rawName: String, password: String?, company: CompanyID?, role: Role?,
        actor: Actor
    ) async throws -> UserID {
        try actor.require(.users, .write, in: company)
        var problems = ProblemCollector()
        let email = problems.collect { () throws(DomainError) in try Email.normalise(rawEmail) }
        let name = rawName.trimmingCharacters(in: .whitespaces)
        problems.check(
            name.count <= Limits.nameLength,
            DomainError(
                "user.name_length", field: "display_name",
                "You cannot use this name because it is longer than \(Limits.nameLength) characters."))
        if company != nil {
            problems.check(
                role != nil, DomainError("user.role_required", field: "role", "To add a user to a company, you must give a role."))
        }
        try problems.throwIfAny()
        let existing = try await read { db in
            try await db.raw("SELECT id FROM users WHERE email = \(bind: email!)").first()
                .map { try $0.decode(column: "id", as: String.self) }
        }
        if existing != nil, let company, let role, let email {
            // An existing person is invited, never attached: the membership exists once they accept after signing in,
            // and the inviting company learns nothing about them (name, id, 2FA) until then (issue 10).
            try await invite(email: email, company: company, role: role, actor: actor)
            throw Invited(email: email)
        }
        if existing != nil {
            throw DomainError(
                "user.email_taken", kind: .conflict, field: "email",
                "You cannot create user \(email!) because that e-mail is already taken.")
        }
        guard let password, !password.isEmpty else {
            throw ValidationErrors([DomainError("password.required", field: "password", "To create a user, you must give a password.")])
        }
        try PasswordPolicy.check(password, email: email!)
        let hash = await hashPassword(password)
        let userID = UserID.generate()
        let displayName = name.isEmpty ? email! : name
        let timestamp = nowText
        try await transaction { db in
            let inserted = try await db.raw(
                """
                INSERT INTO users (id, email, display_name, password_hash, totp_secret, totp_enabled, totp_last_step,
                    disabled, created_at, password_changed_at)
                VALUES (\(bind: userID.description), \(bind: email!), \(bind: displayName), \(bind: hash), NULL, \(bind: false), 0,
                    \(bind: false), \(bind: timestamp), \(bind: timestamp))
                ON CONFLICT (email) DO NOTHING RETURNING id
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "user.email_taken", kind: .conflict, field: "email",
                    "You cannot create user \(email!) because that e-mail is already taken.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "user.create", entity: "user", entityID: userID.description,
                changes: [
                    FieldChange("email", before: nil, after: email!, personal: true),
                    FieldChange("display_name", before: nil, after: displayName, personal: true),
                ], now: self.now)
            if let company, let role {
                try await self.insertMembership(db, company: company, user: userID, role: role, actor: actor)
            }
        }
        return userID
    }

    package func insertMembership(_ db: any SQLDatabase, company: CompanyID, user: UserID, role: Role, actor: Actor) async throws {
        let count =
            try await db.raw("SELECT COUNT(*) AS n FROM memberships WHERE user_id = \(bind: user.description)").first()?
            .decode(column: "n", as: Int64.self) ?? 0
        guard count < Limits.companiesPerUser else {
            throw DomainError(
                "user.too_many_companies", field: "company",
                "You cannot add this user to another company because a user may belong to at most \(Limits.companiesPerUser).")
        }
        let inserted = try await db.raw(
            """
            INSERT INTO memberships (company_id, user_id, role, created_at)
            VALUES (\(bind: company.description), \(bind: user.description), \(bind: role.rawValue), \(bind: nowText))
            ON CONFLICT (company_id, user_id) DO NOTHING RETURNING user_id
            """
        ).first()
        guard inserted != nil else {
            throw DomainError(
                "user.already_member", kind: .conflict, field: "email",
                "You cannot add this user because they are already a member of the company.")
        }
        try await AuditLog.append(
            db, actor: actor, company: company, action: "membership.create", entity: "user", entityID: user.description,
            changes: [FieldChange("role", before: nil, after: role.rawValue)], now: now)
    }

    /// Changes a member's role. The last admin of a company cannot lose the role.
    public func setRole(user: UserID, company: CompanyID, role: Role, actor: Actor) async throws {
        try actor.require(.users, .write, in: company)
        try await transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT role FROM memberships WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description)"
                ).first()
            else {
                throw DomainError(
                    "user.not_found", kind: .notFound, "You cannot change this user's role because they are not a member of the company.")
            }
            let before = try row.decode(column: "role", as: String.self)
            if before == Role.admin.rawValue && role != .admin {
                let admins = try await db.raw(
                    "SELECT COUNT(*) AS n FROM memberships WHERE company_id = \(bind: company.description) AND role = 'admin'"
                ).first()!.decode(column: "n", as: Int64.self)
                if admins <= 1 {
                    throw DomainError(
                        "user.last_admin", kind: .conflict, field: "role",
                        "You cannot change this role because the company would have no admin left.")
                }
            }
            try await db.raw(
                "UPDATE memberships SET role = \(bind: role.rawValue) WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "membership.role", entity: "user", entityID: user.description,
                changes: [FieldChange("role", before: before, after: role.rawValue)], now: self.now)
        }
    }

    /// The members of a company.
    public func members(
        of company: CompanyID, actor: Actor, page: PageRequest = .first, sort: String = "email", descending: Bool = false
    ) async throws -> Page<Member> {
        try actor.require(.users, .read, in: company)
        let columns = ["email": "u.email", "name": "u.display_name", "role": "m.role"]
        guard let column = columns[sort] else {
            throw DomainError(
                "page.sort", field: "sort", "You cannot sort by '\(sort)' because the sortable columns are email, name and role.")
        }
        let order = "\(column) \(descending ? "DESC" : "ASC"), u.email ASC"
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM memberships WHERE company_id = \(bind: company.description)")
                .first()!.decode(column: "n", as: Int64.self)
            let rows = try await db.raw(
                """
                SELECT u.id, u.email, u.display_name, u.totp_enabled, m.role FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.company_id = \(bind: company.description) ORDER BY \(unsafeRaw: order) LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
                """
            ).all()
            let members = try rows.map { row in
                Member(
                    userID: UserID(string: try row.decode(column: "id", as: String.self))!,
                    email: try row.decode(column: "email", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self),
                    role: try Role(parsing: row.decode(column: "role", as: String.self)),
                    twoFactor: try row.decode(column: "totp_enabled", as: Bool.self))
            }
            return Page(items: members, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    /// Looks up a user by e-mail (CLI).
    public func user(email rawEmail: String) async throws -> UserAccount {
        let email = try Email.normalise(rawEmail)
        guard let account = try await read({ db in try await Culise.loadUser(db, column: "email", value: email) }) else {
            throw DomainError(
                "user.not_found", kind: .notFound, field: "email", "You cannot use user \(email) because no such user exists.")
        }
        return account
    }

    public func user(id: UserID) async throws -> UserAccount {
        guard let account = try await read({ db in try await Culise.loadUser(db, column: "id", value: id.description) }) else {
            throw DomainError("user.not_found", kind: .notFound, "You cannot use this user because they do not exist.")
        }
        return account
    }

    /// Every user (CLI).
    public func allUsers() async throws -> [UserAccount] {
        try await read { db in
            try await db.raw("SELECT id, email, display_name, totp_enabled FROM users ORDER BY email").all().map(Culise.decodeUser)
        }
    }

    package static func loadUser(_ db: any SQLDatabase, column: String, value: String) async throws -> UserAccount? {
        let sql = SQLQueryString("SELECT id, email, display_name, totp_enabled FROM users WHERE \(unsafeRaw: column) = \(bind: value)")
        return try await db.raw(sql).first().map(decodeUser)
    }

    package static func decodeUser(_ row: any SQLRow) throws -> UserAccount {
        UserAccount(
            id: UserID(string: try row.decode(column: "id", as: String.self))!,
            email: try row.decode(column: "email", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            twoFactor: try row.decode(column: "totp_enabled", as: Bool.self))
    }

    /// Changes the user's password after checking the current one, and ends every other session.
    /// API tokens are revoked too, unless `keepTokens` (the user chose to keep them, e.g. for an integration).
    public func changePassword(user: UserID, current: String, new: String, keepSession: String?, keepTokens: Bool = false) async throws {
        let row = try await read { db in
            try await db.raw("SELECT email, password_hash FROM users WHERE id = \(bind: user.description)").first()
                .map { (try $0.decode(column: "email", as: String.self), try $0.decode(column: "password_hash", as: String.self)) }
        }
        guard let (email, hash) = row else {
            throw DomainError("user.not_found", kind: .notFound, "You cannot change this password because the user does not exist.")
        }
        guard await verifyPassword(current, hash: hash) else {
            throw ValidationErrors([
                DomainError(
                    "password.current_wrong", field: "current_password",
                    "You cannot change your password because the current password is wrong.")
            ])
        }
        try PasswordPolicy.check(new, email: email, field: "new_password")
        try await setPassword(
            user: user, email: email, password: new, keepSession: keepSession, keepTokens: keepTokens, actor: .account(user, email: email))
    }

    /// Sets a password without the current one (CLI reset). Ends every session of the user but `keepSession`.
    /// Ends the user's API tokens as well, unless `keepTokens`.
    public func setPassword(
        user: UserID, email: String, password: String, keepSession: String?, keepTokens: Bool = false, actor: Actor
    ) async throws {
        try PasswordPolicy.check(password, email: email, field: "password")
        let hash = await hashPassword(password)
        let keep = keepSession.map(Secrets.digest) ?? ""
        try await transaction { db in
            try await db.raw(
                "UPDATE users SET password_hash = \(bind: hash), password_changed_at = \(bind: self.nowText) WHERE id = \(bind: user.description)"
            ).run()
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: user.description) AND id <> \(bind: keep)").run()
            if !keepTokens {
                try await db.raw(
                    "UPDATE api_tokens SET revoked_at = \(bind: self.nowText) WHERE user_id = \(bind: user.description) AND revoked_at IS NULL"
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: nil, action: "user.password", entity: "user", entityID: user.description,
                changes: [
                    FieldChange("password", before: "***", after: "***", personal: true),
                    FieldChange("api_tokens", before: nil, after: keepTokens ? "kept" : "revoked"),
                ], now: self.now)
        }
    }
}

/// Not an error: `addUser` named a person who already has an account, and an invitation was recorded instead of a
/// membership. The web layer answers 202 with only the e-mail the inviter typed.
public struct Invited: Error, Sendable, Equatable {
    public let email: String
}

/// An invitation to a company, as its invitee sees it.
public struct Invitation: Sendable, Equatable, Codable {
    public let id: String
    public let companyID: CompanyID
    public let companyName: String
    public let role: Role
}

extension Culise {
    /// Records (or renews) a pending invitation of `email` to `company` with `role`.
    package func invite(email: String, company: CompanyID, role: Role, actor: Actor) async throws {
        let id = Secrets.random(bytes: 16)
        let expires = epoch + Int64(Limits.invitationSeconds)
        try await transaction { db in
            let member = try await db.raw(
                """
                SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.company_id = \(bind: company.description) AND u.email = \(bind: email)
                """
            ).first()
            guard member == nil else {
                throw DomainError(
                    "user.already_member", kind: .conflict, field: "email",
                    "You cannot add this user because they are already a member of the company.")
            }
            try await db.raw(
                """
                UPDATE invitations SET state = 'replaced' WHERE company_id = \(bind: company.description) AND email = \(bind: email)
                AND state = 'pending'
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO invitations (company_id, id, email, role, invited_by, created_at, expires_epoch, state)
                VALUES (\(bind: company.description), \(bind: id), \(bind: email), \(bind: role.rawValue), \(bind: actor.auditName),
                    \(bind: self.nowText), \(bind: expires), 'pending')
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "membership.invite", entity: "invitation", entityID: id,
                changes: [
                    FieldChange("email", before: nil, after: email, personal: true), FieldChange("role", before: nil, after: role.rawValue),
                ],
                now: self.now)
        }
    }

    /// The pending invitations of a signed-in user.
    public func invitations(user: UserID) async throws -> [Invitation] {
        try await read { db in
            try await db.raw(
                """
                SELECT i.id, i.company_id, c.legal_name, i.role FROM invitations i
                JOIN users u ON u.email = i.email JOIN companies c ON c.id = i.company_id
                WHERE u.id = \(bind: user.description) AND i.state = 'pending' AND i.expires_epoch > \(bind: self.epoch)
                ORDER BY c.legal_name
                """
            ).all().compactMap { row in
                guard let company = CompanyID(string: try row.decode(column: "company_id", as: String.self)),
                    let role = Role(rawValue: try row.decode(column: "role", as: String.self))
                else { return nil }
                return Invitation(
                    id: try row.decode(column: "id", as: String.self), companyID: company,
                    companyName: try row.decode(column: "legal_name", as: String.self), role: role)
            }
        }
    }

    /// Accepts (or declines) an invitation addressed to `user`'s e-mail: only then does the membership exist.
    public func answerInvitation(user: UserID, id: String, accept: Bool) async throws -> CompanyID {
        try await transaction { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT i.company_id, i.role, u.email FROM invitations i JOIN users u ON u.email = i.email
                    WHERE u.id = \(bind: user.description) AND i.id = \(bind: id) AND i.state = 'pending'
                    AND i.expires_epoch > \(bind: self.epoch)
                    """
                ).first(),
                let company = CompanyID(string: try row.decode(column: "company_id", as: String.self)),
                let role = Role(rawValue: try row.decode(column: "role", as: String.self))
            else {
                throw DomainError(
                    "invitation.not_found", kind: .notFound, field: "invitation",
                    "You cannot answer this invitation because it does not exist, was already answered or has expired.")
            }
            let email = try row.decode(column: "email", as: String.self)
            try await db.raw(
                "UPDATE invitations SET state = \(bind: accept ? "accepted" : "declined") WHERE company_id = \(bind: company.description) AND id = \(bind: id)"
            ).run()
            let actor = Actor.account(user, email: email)
            if accept { try await self.insertMembership(db, company: company, user: user, role: role, actor: actor) }
            try await AuditLog.append(
                db, actor: actor, company: company, action: accept ? "membership.accept" : "membership.decline", entity: "invitation",
                entityID: id, changes: [], now: self.now)
            return company
        }
    }
}
