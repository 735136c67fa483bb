import Foundation
import TestSupport
import Testing

@testable import Mail

@Suite struct MailTests {
    static func message(_ to: String = "facturi@beta.ro") -> MailMessage {
        MailMessage(
            from: "facturare@alfa.ro", fromName: "Alfa Consult SRL", to: [to], subject: "Factura EXD-1 — Țesătoria Șercaia",
            text: "Bună ziua,\n.\nvă trimitem factura.\n",
            attachments: [
                MailAttachment(fileName: "EXD-1_2026.pdf", contentType: "application/pdf", data: Data((0..<3000).map { UInt8($0 % 251) })),
                MailAttachment(fileName: "EXD-1_2026.xml", contentType: "application/xml", data: Data("<Invoice/>".utf8)),
            ], messageID: "test-1@culise", date: Date(timeIntervalSince1970: 1_796_000_000))
    }

    /// The base64 body of the part whose headers contain `marker`.
    static func part(_ raw: String, _ marker: String) -> Data? {
        let normalised = raw.replacingOccurrences(of: "\r\n", with: "\n")
        guard let start = normalised.range(of: marker) else { return nil }
        let rest = normalised[start.upperBound...]
        guard let blank = rest.range(of: "\n\n") else { return nil }
        let body = rest[blank.upperBound...].prefix { $0 != "-" }
        return Data(base64Encoded: body.filter { !$0.isWhitespace })
    }

    @Test func mimeHeadersAndParts() {
        let text = String(decoding: Self.message().mime(), as: UTF8.self)
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("Factura EXD-1 — Țesătoria Șercaia".utf8).base64EncodedString())?="))
        #expect(text.range(of: "Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 2026 [0-9:]{8} \\+0000", options: .regularExpression) != nil)
        #expect(text.contains("Message-ID: <test-1@culise>"))
        #expect(text.contains("Content-Disposition: attachment; filename=\"EXD-1_2026.pdf\""))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.count <= 998 })
        #expect(Self.part(text, "filename=\"EXD-1_2026.pdf\"") == Self.message().attachments[0].data)
        // A body line of a single dot is stuffed on the wire.
        #expect(String(decoding: SMTPClient.dotStuffed(Data("a\r\n.\r\n..b\r\n".utf8)), as: UTF8.self) == "a\r\n..\r\n...b\r\n")
    }

    /// Plain SMTP to a real server: the message arrives with both attachments intact.
    @Test func sendsToARealServer() async throws {
        guard let sink = try await SMTPSink.start() else {
            Issue.record("aiosmtpd is not installed (python3 -m pip install aiosmtpd; CI sets CULISE_TEST_AIOSMTPD_PYTHON)")
            return
        }
        defer { sink.stop() }
        try await SMTPClient.send(
            Self.message(), with: SMTPSettings(host: "127.0.0.1", port: sink.port, security: .none, from: "facturare@alfa.ro"))
        let received = try await sink.waitForMessages(1)
        #expect(received.count == 1)
        let raw = try #require(received.first)
        #expect(raw.contains("To: <facturi@beta.ro>") && raw.contains("Message-ID: <test-1@culise>"))
        #expect(Self.part(raw, "filename=\"EXD-1_2026.pdf\"") == Self.message().attachments[0].data)
        #expect(Self.part(raw, "filename=\"EXD-1_2026.xml\"") == Data("<Invoice/>".utf8))
        let body = try #require(Self.part(raw, "charset=utf-8"))
        #expect(String(decoding: body, as: UTF8.self) == "Bună ziua,\n.\nvă trimitem factura.\n")
    }

    /// STARTTLS with a certificate the settings trust; a server without STARTTLS is refused (no silent plain text).
    @Test func startTLSIsRequiredAndWorks() async throws {
        guard let secure = try await SMTPSink.start(startTLS: true), let tls = secure.tls else {
            Issue.record("aiosmtpd or openssl is not installed")
            return
        }
        defer { secure.stop() }
        let settings = SMTPSettings(
            host: "127.0.0.1", port: secure.port, security: .starttls, user: nil, password: nil, from: "facturare@alfa.ro",
            caFile: tls.certificate)
        try await SMTPClient.send(Self.message(), with: settings)
        #expect(try await secure.waitForMessages(1).count == 1)
        guard let plain = try await SMTPSink.start() else { return }
        defer { plain.stop() }
        do {
            try await SMTPClient.send(
                Self.message(), with: SMTPSettings(host: "127.0.0.1", port: plain.port, security: .starttls, from: "facturare@alfa.ro"))
            Issue.record("sent without STARTTLS")
        } catch {
            #expect(error.message.contains("does not offer STARTTLS") && !error.transient)
        }
        #expect(plain.messages().isEmpty)
    }

    @Test func aServerThatIsDownIsATransientFailure() async {
        let port = SMTPSink.freePort()
        do {
            try await SMTPClient.send(Self.message(), with: SMTPSettings(host: "127.0.0.1", port: port, security: .none, from: "a@b.ro"))
            Issue.record("sent to nothing")
        } catch {
            #expect(error.transient && error.message.contains("127.0.0.1:\(port)"))
        }
    }
}
