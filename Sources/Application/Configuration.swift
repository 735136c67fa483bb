import Foundation
import Kernel
import Storage

/// The effective configuration. Precedence: command-line flags, then environment, then defaults.
public struct Configuration: Sendable, Equatable {
    public var databaseURL: String
    public var host: String
    public var port: Int
    /// Secret for cookies and CSRF; nil means "generated and stored in the database on first run".
    public var secretKey: String?
    /// Marks cookies `Secure`. Browsers accept Secure cookies from http://localhost; turn it off only
    /// to serve plain HTTP to other machines on a trusted network.
    public var secureCookies: Bool
    public var logLevel: String
    /// Where each value came from: `flag`, `env` or `default`.
    public var sources: [String: String]

    public static let environmentNames = [
        "database": "CULISE_DATABASE_URL", "host": "CULISE_HOST", "port": "CULISE_PORT",
        "secret_key": "CULISE_SECRET_KEY", "secure_cookies": "CULISE_SECURE_COOKIES", "log_level": "CULISE_LOG_LEVEL",
    ]

    /// Resolves each value from `flags`, then `environment`, then the default; validates the result.
    public static func resolve(flags: [String: String?], environment: [String: String]) throws(ValidationErrors) -> Configuration {
        var sources: [String: String] = [:]
        func value(_ key: String, _ fallback: String?) -> String? {
            if let flag = flags[key] ?? nil {
                sources[key] = "flag"
                return flag
            }
            if let name = environmentNames[key], let env = environment[name], !env.isEmpty {
                sources[key] = "env"
                return env
            }
            sources[key] = "default"
            return fallback
        }
        var problems = ProblemCollector()
        let database = value("database", DatabaseLocation.defaultURL)!
        _ = problems.collect { () throws(DomainError) in try DatabaseLocation(database) }
        let host = value("host", "127.0.0.1")!
        let portText = value("port", "8080")!
        let port = Int(portText) ?? -1
        problems.check(
            (1...65535).contains(port),
            DomainError("config.port", field: "port", "You cannot use port '\(portText)' because a port is a number from 1 to 65535."))
        let secret = value("secret_key", nil)
        if let secret {
            problems.check(
                secret.count >= 32,
                DomainError(
                    "config.secret_key", field: "secret_key",
                    "You cannot use this secret key because it must be at least 32 characters long."))
        }
        let secureText = value("secure_cookies", "true")!.lowercased()
        problems.check(
            ["true", "false", "1", "0", "yes", "no"].contains(secureText),
            DomainError(
                "config.secure_cookies", field: "secure_cookies",
                "You cannot use '\(secureText)' for secure cookies because it must be true or false."))
        let level = value("log_level", "info")!.lowercased()
        problems.check(
            ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level),
            DomainError(
                "config.log_level", field: "log_level",
                "You cannot use log level '\(level)' because it must be one of trace, debug, info, notice, warning, error, critical."))
        try problems.throwIfAny()
        return Configuration(
            databaseURL: database, host: host, port: port, secretKey: secret,
            secureCookies: ["true", "1", "yes"].contains(secureText), logLevel: level, sources: sources)
    }

    /// Lines for `culise config`, with the secret and any database password masked.
    public var printable: [(String, String, String)] {
        let maskedDatabase = (try? DatabaseLocation(databaseURL).description) ?? databaseURL
        return [
            ("database", maskedDatabase, sources["database"] ?? "default"),
            ("host", host, sources["host"] ?? "default"),
            ("port", String(port), sources["port"] ?? "default"),
            ("secret_key", secretKey == nil ? "(stored in the database)" : "***", sources["secret_key"] ?? "default"),
            ("secure_cookies", String(secureCookies), sources["secure_cookies"] ?? "default"),
            ("log_level", logLevel, sources["log_level"] ?? "default"),
        ]
    }
}
