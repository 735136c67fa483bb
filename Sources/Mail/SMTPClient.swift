import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why a message was not sent. `transient` failures (a server down, a 4xx reply) are worth retrying; permanent ones
/// (a 5xx reply such as an unknown recipient or refused login) are not.
public struct MailError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let transient: Bool

    public var description: String { message }
}

/// An SMTP client (RFC 5321) over SwiftNIO: plain, STARTTLS (RFC 3207) or implicit TLS, AUTH PLAIN (RFC 4954),
/// one message per connection. The password never appears in errors or logs.
public enum SMTPClient {
    /// The whole conversation must finish within this time.
    public static let timeoutSeconds: Int64 = 60

    public static func send(_ message: MailMessage, with settings: SMTPSettings) async throws(MailError) {
        do {
            try await conversation(message, settings)
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError(message: "cannot reach \(settings.host):\(settings.port): \(error)", transient: true)
        }
    }

    static func conversation(_ message: MailMessage, _ settings: SMTPSettings) async throws {
        let (stream, continuation) = AsyncThrowingStream<SMTPReply, any Error>.makeStream()
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
        let tls = try NIOSSLContext(configuration: configuration)
        let host = settings.host
        // Server Name Indication takes a name, not an address; for an address the certificate chain is still verified.
        let serverName: String? = host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
        let implicitTLS = settings.security == .tls
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler(continuation: continuation))
                }
            }
            .connect(host: host, port: settings.port).get()
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) { channel.close(promise: nil) }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        var replies = stream.makeAsyncIterator()
        func expect(_ codes: Set<Int>, after command: String) async throws -> SMTPReply {
            guard let reply = try await replies.next() else {
                throw MailError(message: "the server closed the connection after \(command)", transient: true)
            }
            guard codes.contains(reply.code) else {
                throw MailError(
                    message: "the server answered \(command) with \(reply.code) \(reply.text.prefix(200))", transient: reply.code < 500)
            }
            return reply
        }
        func send(_ line: String, shown: String? = nil) async throws -> String {
            try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n"))
            return shown ?? String(line.prefix(40))
        }
        _ = try await expect([220], after: "connect")
        var hello = try await expect([250], after: try await send("EHLO culise.local"))
        if settings.security == .starttls {
            guard hello.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw MailError(
                    message: "\(host) does not offer STARTTLS; set CULISE_SMTP_SECURITY=tls for port 465, or none only for a local relay",
                    transient: false)
            }
            _ = try await expect([220], after: try await send("STARTTLS"))
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
            }.get()
            hello = try await expect([250], after: try await send("EHLO culise.local"))
        }
        if let user = settings.user, let password = settings.password {
            let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
            _ = try await expect([235], after: try await send("AUTH PLAIN \(token)", shown: "AUTH PLAIN (credentials)"))
        }
        _ = try await expect([250], after: try await send("MAIL FROM:<\(message.from)>"))
        for recipient in message.to { _ = try await expect([250, 251], after: try await send("RCPT TO:<\(recipient)>")) }
        _ = try await expect([354], after: try await send("DATA"))
        try await channel.writeAndFlush(ByteBuffer(bytes: dotStuffed(message.mime()) + Data(".\r\n".utf8)))
        _ = try await expect([250], after: "the message")
        _ = try? await expect([221], after: try await send("QUIT"))
    }

    /// A line that starts with `.` gets another one (RFC 5321 §4.5.2).
    static func dotStuffed(_ data: Data) -> Data {
        var output = Data()
        output.reserveCapacity(data.count + 64)
        var lineStart = true
        for byte in data {
            if lineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
        }
        return output
    }
}

/// A reply: its code and its lines (a multi-line reply has several).
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// Splits the server's bytes into lines and lines into replies (`250-…` continues, `250 …` ends).
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    var buffer: [UInt8] = []
    var pending: [String] = []

    init(continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer += bytes.readBytes(length: bytes.readableBytes) ?? []
        guard buffer.count <= 64 << 10 else {
            continuation.finish(throwing: MailError(message: "the server sent an over-long reply", transient: true))
            context.close(promise: nil)
            return
        }
        while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = String(decoding: buffer[..<end], as: UTF8.self)
            buffer.removeSubrange(...end)
            if line.hasSuffix("\r") { line.removeLast() }
            guard line.count >= 3, let code = Int(line.prefix(3)) else { continue }
            pending.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                continuation.yield(SMTPReply(code: code, lines: pending))
                pending = []
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: MailError(message: "connection failed: \(error)", transient: true))
        context.close(promise: nil)
    }
}
