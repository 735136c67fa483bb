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
    /// ANAF's e-Factura REST base (`https://api.anaf.ro/test/FCTEL/rest`, `…/prod/…`, or a simulator); nil: sending is off.
    public var anafURL: String?
    /// The OAuth2 bearer token for ANAF; a secret, never printed or logged.
    public var anafToken: String?
    /// Where each value came from: `flag`, `env` or `default`.
    public var sources: [String: String]

    public static let environmentNames = [
        "database": "CULISE_DATABASE_URL", "host": "CULISE_HOST", "port": "CULISE_PORT",
        "secret_key": "CULISE_SECRET_KEY", "secure_cookies": "CULISE_SECURE_COOKIES", "log_level": "CULISE_LOG_LEVEL",
        "anaf_url": "CULISE_ANAF_URL", "anaf_token": "CULISE_ANAF_TOKEN",
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
        let anafURL = value("anaf_url", nil)
        let anafToken = value("anaf_token", nil)
        if let anafURL {
            let url = URL(string: anafURL)
            problems.check(
                url?.scheme == "https" || url?.host == "127.0.0.1" || url?.host == "localhost",
                DomainError(
                    "config.anaf_url", field: "anaf_url",
                    "You cannot use '\(anafURL)' for ANAF because it must be an https URL (or a local simulator on 127.0.0.1)."))
            problems.check(
                !(anafToken ?? "").isEmpty,
                DomainError(
                    "config.anaf_token", field: "anaf_token", "To send to e-Factura, you must also set the ANAF token (CULISE_ANAF_TOKEN).")
            )
        }
        try problems.throwIfAny()
        return Configuration(
            databaseURL: database, host: host, port: port, secretKey: secret,
            secureCookies: ["true", "1", "yes"].contains(secureText), logLevel: level, anafURL: anafURL, anafToken: anafToken,
            sources: sources)
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
            ("anaf_url", anafURL ?? "(not set: e-Factura sending is off)", sources["anaf_url"] ?? "default"),
            ("anaf_token", anafToken == nil ? "(not set)" : "***", sources["anaf_token"] ?? "default"),
        ]
    }
}
