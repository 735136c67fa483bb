import Foundation
import Identity
import Kernel
import SQLKit

/// An API token as listed (never its secret).
public struct APITokenInfo: Sendable, Equatable, Codable {
    public let id: APITokenID
    public let name: String
    public let companyID: CompanyID
    public let createdAt: String
    public let lastUsedAt: String?
    public let revokedAt: String?
}

extension Culise {
    package static let tokenPrefix = "culise_"

    /// Creates a bearer token for `user` acting in `company`. The plaintext is returned once; only its digest is kept.
    public func createToken(
        user: UserID, company: CompanyID, name rawName: String, actor: Actor
    ) async throws -> (
        id: APITokenID, token: String
    ) {
        if case .user(let principal) = actor, principal.userID != user { try principal.require(.users, .write) }
        let name = rawName.trimmingCharacters(in: .whitespaces)
        var problems = ProblemCollector()
        problems.check(!name.isEmpty, DomainError("token.name_required", field: "name", "To create a token, you must give it a name."))
        problems.check(
            name.count <= Limits.nameLength,
            DomainError(
                "token.name_length", field: "name", "You cannot use this name because it is longer than \(Limits.nameLength) characters."))
        try problems.throwIfAny()
        let id = APITokenID.generate()
        let token = Culise.tokenPrefix + Secrets.random(bytes: 32)
        try await transaction { db in
            guard
                try await db.raw(
                    "SELECT role FROM memberships WHERE user_id = \(bind: user.description) AND company_id = \(bind: company.description)"
                ).first() != nil
            else {
                throw DomainError(
                    "token.not_member", kind: .conflict, field: "company",
                    "You cannot create a token for this company because the user is not a member of it.")
            }
            let count = try await db.raw(
                "SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = \(bind: user.description) AND revoked_at IS NULL"
            ).first()!.decode(column: "n", as: Int64.self)
            guard count < Limits.tokensPerUser else {
                throw DomainError(
                    "token.too_many", kind: .conflict,
                    "You cannot create another token because a user may have at most \(Limits.tokensPerUser) active tokens; revoke one first."
                )
            }
            try await db.raw(
                """
                INSERT INTO api_tokens (id, user_id, company_id, name, token_hash, created_at, last_used_at, revoked_at)
                VALUES (\(bind: id.description), \(bind: user.description), \(bind: company.description), \(bind: name),
                    \(bind: Secrets.digest(token)), \(bind: self.nowText), NULL, NULL)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "token.create", entity: "api_token", entityID: id.description,
                changes: [FieldChange("name", before: nil, after: name)], now: self.now)
        }
        return (id, token)
    }

    /// The principal behind a bearer token, or nil when unknown or revoked.
    public func authenticate(bearer token: String) async throws -> Principal? {
        guard token.hasPrefix(Culise.tokenPrefix) else { return nil }
        let digest = Secrets.digest(token)
        let found: (Principal, String?)? = try await read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT t.user_id, t.company_id, t.last_used_at, u.email, u.display_name, m.role
                    FROM api_tokens t JOIN users u ON u.id = t.user_id
                    JOIN memberships m ON m.user_id = t.user_id AND m.company_id = t.company_id
                    WHERE t.token_hash = \(bind: digest) AND t.revoked_at IS NULL AND u.disabled = \(bind: false)
                    """
                ).first()
            else { return nil }
            let principal = Principal(
                userID: UserID(string: try row.decode(column: "user_id", as: String.self))!,
                email: try row.decode(column: "email", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self),
                companyID: CompanyID(string: try row.decode(column: "company_id", as: String.self))!,
                role: try Role(parsing: row.decode(column: "role", as: String.self)))
            return (principal, try row.decode(column: "last_used_at", as: String?.self))
        }
        guard let (principal, lastUsed) = found else { return nil }
        // Record use at most once a minute, so reads stay reads.
        if lastUsed.flatMap(Timestamp.parse).map({ now.timeIntervalSince($0) > 60 }) ?? true {
            let text = nowText
            try await transaction { db in
                try await db.raw("UPDATE api_tokens SET last_used_at = \(bind: text) WHERE token_hash = \(bind: digest)").run()
            }
        }
        return principal
    }

    /// Revokes a token: the owner may revoke their own; an admin of the token's company any of its tokens.
    public func revokeToken(_ id: APITokenID, actor: Actor) async throws {
        try await transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT user_id, company_id, revoked_at FROM api_tokens WHERE id = \(bind: id.description)"
                ).first()
            else {
                throw DomainError("token.not_found", kind: .notFound, "You cannot revoke this token because it does not exist.")
            }
            let owner = try row.decode(column: "user_id", as: String.self)
            let company = CompanyID(string: try row.decode(column: "company_id", as: String.self))!
            if owner != actor.userID?.description {
                do {
                    try actor.require(.users, .write, in: company)
                } catch {
                    throw DomainError("token.not_found", kind: .notFound, "You cannot revoke this token because it does not exist.")
                }
            }
            guard try row.decode(column: "revoked_at", as: String?.self) == nil else { return }
            try await db.raw("UPDATE api_tokens SET revoked_at = \(bind: self.nowText) WHERE id = \(bind: id.description)").run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "token.revoke", entity: "api_token", entityID: id.description,
                now: self.now)
        }
    }

    /// A user's tokens.
    public func tokens(of user: UserID) async throws -> [APITokenInfo] {
        try await read { db in
            try await db.raw(
                "SELECT id, name, company_id, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = \(bind: user.description) ORDER BY created_at DESC"
            ).all().map { row in
                APITokenInfo(
                    id: APITokenID(string: try row.decode(column: "id", as: String.self))!,
                    name: try row.decode(column: "name", as: String.self),
                    companyID: CompanyID(string: try row.decode(column: "company_id", as: String.self))!,
                    createdAt: try row.decode(column: "created_at", as: String.self),
                    lastUsedAt: try row.decode(column: "last_used_at", as: String?.self),
                    revokedAt: try row.decode(column: "revoked_at", as: String?.self))
            }
        }
    }
}
