import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server for tests: Python's aiosmtpd (from PyPI) writing every message it receives into a Maildir.
/// The Python with aiosmtpd is `$CULISE_TEST_AIOSMTPD_PYTHON` (CI sets it), else `/tmp/culise-smtp-venv/bin/python3`,
/// else `python3` when it can import aiosmtpd.
public final class SMTPSink: Sendable {
    public let port: Int
    public let maildir: URL
    public let tls: (certificate: String, key: String)?
    let process: Process

    init(port: Int, maildir: URL, tls: (certificate: String, key: String)?, process: Process) {
        self.port = port
        self.maildir = maildir
        self.tls = tls
        self.process = process
    }

    public static var python: String? {
        let environment = ProcessInfo.processInfo.environment
        for candidate in [environment["CULISE_TEST_AIOSMTPD_PYTHON"], "/tmp/culise-smtp-venv/bin/python3", "/usr/bin/python3"] {
            guard let candidate, !candidate.isEmpty, FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            if run(candidate, ["-c", "import aiosmtpd"]) == 0 { return candidate }
        }
        return nil
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, then released).
    public static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        waitForExit(process)
        return process.terminationStatus
    }

    /// A self-signed certificate for 127.0.0.1 made with openssl, for STARTTLS tests; nil without openssl.
    public static func makeCertificate(in directory: URL) -> (certificate: String, key: String)? {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let status = run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2", "-subj",
                "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        return status == 0 ? (certificate, key) : nil
    }

    /// Starts aiosmtpd on `port` (a free one when nil); with `startTLS`, it offers STARTTLS with a fresh self-signed
    /// certificate. Nil when no Python with aiosmtpd is installed.
    public static func start(port: Int? = nil, maildir: URL? = nil, startTLS: Bool = false) async throws -> SMTPSink? {
        guard let python else { return nil }
        let port = port ?? freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("culise-smtp-\(UUID().uuidString)")
        let maildir = maildir ?? directory.appendingPathComponent("Maildir")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var tls: (certificate: String, key: String)?
        if startTLS {
            guard let made = makeCertificate(in: directory) else { return nil }
            tls = made
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"]
        if let tls { arguments += ["--tlscert", tls.certificate, "--tlskey", tls.key, "--no-requiretls"] }
        arguments += ["-c", "aiosmtpd.handlers.Mailbox", maildir.path]
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if accepts(port) { return SMTPSink(port: port, maildir: maildir, tls: tls, process: process) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        kill(process.processIdentifier, SIGKILL)
        return nil
    }

    public func stop() {
        // aiosmtpd's asyncio loop does not stop promptly on SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        Self.waitForExit(process)
    }

    /// Polls instead of `waitUntilExit`, which can hang on Linux when called from a concurrency thread.
    static func waitForExit(_ process: Process, seconds: Double = 30) {
        for _ in 0..<Int(seconds * 100) where process.isRunning { usleep(10_000) }
    }

    /// Every message received so far, oldest first.
    public func messages() -> [String] {
        var files: [URL] = []
        for folder in ["new", "cur"] {
            let url = maildir.appendingPathComponent(folder)
            files += (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: [.creationDateKey])) ?? []
        }
        return files.sorted { $0.lastPathComponent < $1.lastPathComponent }.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    /// Waits up to `seconds` for at least `count` messages.
    public func waitForMessages(_ count: Int, seconds: Double = 10) async throws -> [String] {
        for _ in 0..<Int(seconds * 20) {
            let found = messages()
            if found.count >= count { return found }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return messages()
    }
}
