/// How Culise reaches its mail server. The password is a secret: never printed or logged.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// Plain connection upgraded with STARTTLS (port 587); refused when the server does not offer it.
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// No encryption: only for a relay on the same machine or a test server.
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var user: String?
    public var password: String?
    public var from: String
    /// A PEM file of certificates to trust instead of the system's (a company mail server with its own CA).
    public var caFile: String?

    public init(
        host: String, port: Int, security: Security, user: String? = nil, password: String? = nil, from: String, caFile: String? = nil
    ) {
        self.caFile = caFile
        self.host = host
        self.port = port
        self.security = security
        self.user = user
        self.password = password
        self.from = from
    }
}
