import Foundation
import Kernel
import SQLKit

/// A response kept for replay under an `Idempotency-Key`.
public struct StoredResponse: Sendable, Equatable {
    public let status: Int
    public let contentType: String
    public let body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// What to do with a request that carries an `Idempotency-Key`.
public enum IdempotencyDecision: Sendable, Equatable {
    /// First use of the key: it is now reserved; run the request, then `completeIdempotent`.
    case proceed
    /// The same request was already answered: send this again.
    case replay(StoredResponse)
}

extension Culise {
    /// Reserves a key for `user`, or returns the stored response. The same key with a different
    /// request is refused; a key whose request is still running is a conflict.
    public func beginIdempotent(user: UserID, company: CompanyID, key: String, requestHash: String) async throws -> IdempotencyDecision {
        guard (1...255).contains(key.count) else {
            throw DomainError(
                "idempotency.key_length", field: "Idempotency-Key",
                "You cannot use this Idempotency-Key because it must be 1 to 255 characters.")
        }
        let now = epoch
        let expired = now - Int64(Limits.idempotencySeconds)
        return try await transaction { db in
            try await db.raw("DELETE FROM idempotency_keys WHERE created_epoch < \(bind: expired)").run()
            let reserved = try await db.raw(
                """
                INSERT INTO idempotency_keys (company_id, user_id, key, request_hash, status, content_type, body, created_epoch)
                VALUES (\(bind: company.description), \(bind: user.description), \(bind: key), \(bind: requestHash), 0, '', '', \(bind: now))
                ON CONFLICT (company_id, user_id, key) DO NOTHING RETURNING key
                """
            ).first()
            if reserved != nil { return .proceed }
            let row = try await db.raw(
                "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description) AND key = \(bind: key)"
            ).first()
            guard let row else {
                throw DomainError(
                    "idempotency.in_progress", kind: .conflict, field: "Idempotency-Key",
                    "You cannot repeat this request yet because the first one with this key is still running.")
            }
            guard try row.decode(column: "request_hash", as: String.self) == requestHash else {
                throw DomainError(
                    "idempotency.key_reused", field: "Idempotency-Key",
                    "You cannot reuse this Idempotency-Key for a different request; use a new key for a new request.")
            }
            let status = Int(try row.decode(column: "status", as: Int64.self))
            guard status != 0 else {
                throw DomainError(
                    "idempotency.in_progress", kind: .conflict, field: "Idempotency-Key",
                    "You cannot repeat this request yet because the first one with this key is still running.")
            }
            return .replay(
                StoredResponse(
                    status: status, contentType: try row.decode(column: "content_type", as: String.self),
                    body: try row.decode(column: "body", as: String.self)))
        }
    }

    /// Stores the response of a request that `beginIdempotent` let proceed.
    public func completeIdempotent(user: UserID, company: CompanyID, key: String, response: StoredResponse) async throws {
        try await transaction { db in
            try await db.raw(
                """
                UPDATE idempotency_keys SET status = \(bind: response.status), content_type = \(bind: response.contentType),
                    body = \(bind: response.body) WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description) AND key = \(bind: key)
                """
            ).run()
        }
    }

    /// Frees a key whose request failed before producing a response, so a retry can run.
    public func abandonIdempotent(user: UserID, company: CompanyID, key: String) async throws {
        try await transaction { db in
            try await db.raw(
                "DELETE FROM idempotency_keys WHERE company_id = \(bind: company.description) AND user_id = \(bind: user.description) AND key = \(bind: key) AND status = 0"
            ).run()
        }
    }
}
