import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import NIOCore
import PartnersApp

/// Per-request state: who is signed in, the selected company, the language and the parsed form.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The session behind the cookie (HTML routes).
    public var session: SessionInfo?
    public var sessionToken: String?
    /// The signed-in user in the selected company (from the session or a bearer token).
    public var principal: Principal?
    /// `ro` (default) or `en`.
    public var locale: String = Catalog.defaultLocale
    /// The CSRF token forms on this page must carry.
    public var csrfToken: String = ""
    /// A pre-session CSRF cookie to set on the response (login page).
    public var newCSRFCookie: String?
    /// The fields of an URL-encoded form POST, read by `FormMiddleware`.
    public var form: [String: String] = [:]
    /// Files of a multipart form (see `Multipart`).
    public var files: [UploadedFile] = []
    public var requestID: String = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { Limits.requestBodyBytes }

    /// The client's address for throttling; never taken from a header a client can forge.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The actor for use cases: a principal, or a signed-in user with no company yet.
    public var actor: Actor? {
        if let principal { return .user(principal) }
        if let session, !session.pendingSecondFactor { return session.accountActor }
        return nil
    }

    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw DomainError("auth.required", kind: .unauthenticated, "To continue, you must sign in.")
        }
        return principal
    }

    public func requireSession() throws -> (SessionInfo, String) {
        guard let session, let token = sessionToken, !session.pendingSecondFactor else {
            throw DomainError("auth.required", kind: .unauthenticated, "To continue, you must sign in.")
        }
        return (session, token)
    }
}
