import Foundation
import Kernel

/// Where the database lives: `sqlite:PATH` (the embedded default) or `postgres://user:pass@host:port/db`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public static let defaultURL = "sqlite:culise.db"

    public init(_ text: String) throws(DomainError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw DomainError(
                    "config.database_url", field: "database",
                    "You cannot use '\(text)' as a database URL because it names no file; write sqlite:PATH.")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(text))
        } else {
            throw DomainError(
                "config.database_url", field: "database",
                "You cannot use '\(DatabaseLocation.mask(text))' as a database URL because it must start with sqlite: or postgres://."
            )
        }
    }

    public var dialect: Dialect {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// The URL with any password replaced by `***`, safe to print and log.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let location): return location.masked
        }
    }

    static func mask(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "***"
    }
}

public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `disable`, `prefer` (default) or `require`, from `?sslmode=`.
    public var tlsMode: String

    public init(_ text: String) throws(DomainError) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw DomainError(
                "config.database_url", field: "database",
                "You cannot use '\(DatabaseLocation.mask(text))' because a PostgreSQL URL must look like postgres://user:pass@host:5432/db."
            )
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password?.removingPercentEncoding
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.user : path
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw DomainError(
                "config.database_sslmode", field: "database",
                "You cannot use sslmode=\(mode) because Culise supports disable, prefer and require.")
        }
        self.tlsMode = mode
    }

    public var masked: String {
        let secret = password == nil ? "" : ":***"
        return "postgres://\(user)\(secret)@\(host):\(port)/\(database)?sslmode=\(tlsMode)"
    }

    /// The same server with another database name (tests create one database each).
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }
}
