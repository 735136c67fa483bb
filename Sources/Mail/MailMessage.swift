import Foundation

/// A file sent with a message.
public struct MailAttachment: Sendable, Equatable, Codable {
    public var fileName: String
    public var contentType: String
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// One e-mail: plain text in UTF-8 with optional attachments, written as MIME (RFC 5322, 2045, 2047, 2183).
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var fromName: String?
    public var to: [String]
    public var subject: String
    public var text: String
    public var attachments: [MailAttachment]
    /// Stable across retries, so a receiving system can tell a repeated delivery.
    public var messageID: String
    public var date: Date

    public init(
        from: String, fromName: String? = nil, to: [String], subject: String, text: String, attachments: [MailAttachment] = [],
        messageID: String, date: Date
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.messageID = messageID
        self.date = date
    }

    /// The message as sent after `DATA`, with CRLF line ends (dot-stuffing is the client's job).
    public func mime(boundary: String = "culise-boundary-7f3a9c") -> Data {
        var lines: [String] = []
        lines.append("From: " + (fromName.map { "\(Self.encodedWord($0)) <\(from)>" } ?? "<\(from)>"))
        lines.append("To: " + to.map { "<\($0)>" }.joined(separator: ", "))
        lines.append("Subject: " + Self.encodedWord(subject))
        lines.append("Date: " + Self.rfc5322Date(date))
        lines.append("Message-ID: <\(messageID)>")
        lines.append("MIME-Version: 1.0")
        let body = Self.base64Lines(Data(text.utf8))
        if attachments.isEmpty {
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines += body
        } else {
            lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines.append("Content-Type: text/plain; charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines += body
            for attachment in attachments {
                let name = Self.safeFileName(attachment.fileName)
                lines.append("--\(boundary)")
                lines.append("Content-Type: \(attachment.contentType); name=\"\(name)\"")
                lines.append("Content-Disposition: attachment; filename=\"\(name)\"")
                lines.append("Content-Transfer-Encoding: base64")
                lines.append("")
                lines += Self.base64Lines(attachment.data)
            }
            lines.append("--\(boundary)--")
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// An RFC 2047 encoded word when the text is not plain ASCII (`=?UTF-8?B?…?=`).
    static func encodedWord(_ text: String) -> String {
        let clean = text.filter { $0 != "\r" && $0 != "\n" }
        guard clean.unicodeScalars.contains(where: { !$0.isASCII || $0 == "\"" }) else { return clean }
        return "=?UTF-8?B?" + Data(clean.utf8).base64EncodedString() + "?="
    }

    static func base64Lines(_ data: Data) -> [String] {
        let text = data.base64EncodedString()
        return stride(from: 0, to: text.count, by: 76).map { start in
            let from = text.index(text.startIndex, offsetBy: start)
            let to = text.index(from, offsetBy: min(76, text.count - start))
            return String(text[from..<to])
        }
    }

    /// File names in headers: ASCII letters, digits, `-`, `_` and `.` only.
    static func safeFileName(_ name: String) -> String {
        let cleaned = String(
            name.unicodeScalars.map {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
                    ? Character($0) : "_"
            })
        return cleaned.isEmpty ? "attachment" : String(cleaned.prefix(100))
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
