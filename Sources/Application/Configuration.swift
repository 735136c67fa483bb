import Foundation
import Kernel
import Mail
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
    /// Whether `serve` works the background-job queue (default on; turn off for a process that only serves pages).
    public var jobs: Bool = true
    /// Where nightly SQLite backups go (default: `backups/` beside the database) and how many are kept.
    public var backupFolder: String?
    public var backupKeep: Int = 14
    /// Where attachments are kept; nil: `documents/` beside a SQLite database, in the database for PostgreSQL.
    public var documentsFolder: String?
    /// Outgoing e-mail; nil host: nothing is sent (notifications stay in the in-app inbox).
    public var smtp: SMTPSettings?
    /// Where each value came from: `flag`, `env` or `default`.
    public var sources: [String: String]

    public static let environmentNames = [
        "database": "CULISE_DATABASE_URL", "host": "CULISE_HOST", "port": "CULISE_PORT",
        "secret_key": "CULISE_SECRET_KEY", "secure_cookies": "CULISE_SECURE_COOKIES", "log_level": "CULISE_LOG_LEVEL",
        "anaf_url": "CULISE_ANAF_URL", "anaf_token": "CULISE_ANAF_TOKEN",
        "jobs": "CULISE_JOBS", "backup_dir": "CULISE_BACKUP_DIR", "documents_dir": "CULISE_DOCUMENTS_DIR",
        "backup_keep": "CULISE_BACKUP_KEEP",
        "smtp_host": "CULISE_SMTP_HOST", "smtp_port": "CULISE_SMTP_PORT", "smtp_security": "CULISE_SMTP_SECURITY",
        "smtp_user": "CULISE_SMTP_USER", "smtp_password": "CULISE_SMTP_PASSWORD", "smtp_from": "CULISE_SMTP_FROM",
        "smtp_ca_file": "CULISE_SMTP_CA_FILE",
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
        func text(_ key: String, _ fallback: String) -> String { value(key, fallback) ?? fallback }
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
        let jobsText = text("jobs", "on").lowercased()
        problems.check(
            ["on", "off", "true", "false"].contains(jobsText),
            DomainError("config.jobs", field: "jobs", "You cannot use '\(jobsText)' for jobs because it must be on or off."))
        let backupFolder = value("backup_dir", nil)
        let documentsFolder = value("documents_dir", nil)
        let keepText = text("backup_keep", "14")
        let keep = Int(keepText) ?? -1
        problems.check(
            (1...3650).contains(keep),
            DomainError("config.backup_keep", field: "backup_keep", "You cannot keep '\(keepText)' backups; use a number from 1 to 3650."))
        var smtp: SMTPSettings?
        if let smtpHost = value("smtp_host", nil) {
            let security = text("smtp_security", "starttls").lowercased()
            let portText = text("smtp_port", security == "tls" ? "465" : "587")
            let smtpPort = Int(portText) ?? -1
            problems.check(
                (1...65535).contains(smtpPort),
                DomainError(
                    "config.smtp_port", field: "smtp_port",
                    "You cannot use SMTP port '\(portText)' because a port is a number from 1 to 65535."))
            let mode = SMTPSettings.Security(rawValue: security)
            problems.check(
                mode != nil,
                DomainError(
                    "config.smtp_security", field: "smtp_security",
                    "You cannot use '\(security)' for SMTP security because it must be starttls, tls or none."))
            let from = value("smtp_from", nil) ?? ""
            problems.check(
                from.contains("@"),
                DomainError("config.smtp_from", field: "smtp_from", "To send e-mail, you must set the sender address (CULISE_SMTP_FROM)."))
            smtp = SMTPSettings(
                host: smtpHost, port: smtpPort, security: mode ?? .starttls, user: value("smtp_user", nil),
                password: value("smtp_password", nil), from: from, caFile: value("smtp_ca_file", nil))
        }
        try problems.throwIfAny()
        return Configuration(
            databaseURL: database, host: host, port: port, secretKey: secret,
            secureCookies: ["true", "1", "yes"].contains(secureText), logLevel: level, anafURL: anafURL, anafToken: anafToken,
            jobs: ["on", "true"].contains(jobsText), backupFolder: backupFolder, backupKeep: keep, documentsFolder: documentsFolder,
            smtp: smtp,
            sources: sources)
    }

    /// The app settings this configuration implies (the attachment folder).
    public var appSettings: AppSettings {
        var settings = AppSettings()
        if let documentsFolder {
            settings.documentsFolder = documentsFolder
        } else if case .sqlite(let path)? = try? DatabaseLocation(databaseURL) {
            settings.documentsFolder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("documents").path
        }
        return settings
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
            ("jobs", jobs ? "on" : "off", sources["jobs"] ?? "default"),
            ("backup_dir", backupFolder ?? "(backups/ beside the database)", sources["backup_dir"] ?? "default"),
            ("backup_keep", String(backupKeep), sources["backup_keep"] ?? "default"),
            (
                "documents_dir", documentsFolder ?? "(documents/ beside a SQLite database; in PostgreSQL itself)",
                sources["documents_dir"] ?? "default"
            ),
            ("smtp_host", smtp?.host ?? "(not set: e-mail is off)", sources["smtp_host"] ?? "default"),
            ("smtp_port", smtp.map { String($0.port) } ?? "-", sources["smtp_port"] ?? "default"),
            ("smtp_security", smtp?.security.rawValue ?? "-", sources["smtp_security"] ?? "default"),
            ("smtp_user", smtp?.user ?? "-", sources["smtp_user"] ?? "default"),
            ("smtp_password", smtp?.password == nil ? "(not set)" : "***", sources["smtp_password"] ?? "default"),
            ("smtp_from", smtp?.from ?? "-", sources["smtp_from"] ?? "default"),
        ]
    }
}
