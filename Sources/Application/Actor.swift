import Identity
import Kernel

/// A signed-in user acting in one selected company with one role there.
public struct Principal: Sendable, Equatable {
    public let userID: UserID
    public let email: String
    public let displayName: String
    public let companyID: CompanyID
    public let role: Role

    public init(userID: UserID, email: String, displayName: String, companyID: CompanyID, role: Role) {
        self.userID = userID
        self.email = email
        self.displayName = displayName
        self.companyID = companyID
        self.role = role
    }

    /// The policy check every use case performs; throws `auth.forbidden`.
    public func require(_ area: Area, _ access: Access) throws(DomainError) {
        try Policy.require(role, area, access)
    }
}

/// Who performs a use case, as written in the audit log.
public enum Actor: Sendable, Equatable {
    /// A user acting through the web UI or the API, inside a company.
    case user(Principal)
    /// A user acting on their own account (login, profile) with no company selected yet.
    case account(UserID, email: String)
    /// The command line, run by someone with direct access to the database; `label` names the command.
    case system(String)

    package var auditName: String {
        switch self {
        case .user(let principal): return principal.email
        case .account(_, let email): return email
        case .system(let label): return "system:\(label)"
        }
    }

    package var userID: UserID? {
        switch self {
        case .user(let principal): return principal.userID
        case .account(let id, _): return id
        case .system: return nil
        }
    }

    /// Users must hold the access in the company; the CLI is trusted like a database administrator.
    package func require(_ area: Area, _ access: Access, in company: CompanyID?) throws(DomainError) {
        switch self {
        case .system: return
        case .account:
            throw DomainError("auth.no_company", kind: .forbidden, "To do this, you must first select a company.")
        case .user(let principal):
            if let company, company != principal.companyID {
                throw DomainError("company.not_found", kind: .notFound, "You cannot open this company because it does not exist.")
            }
            try principal.require(area, access)
        }
    }
}
