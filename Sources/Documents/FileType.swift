import Foundation
import Kernel

public enum DocumentTag {}
public typealias DocumentID = ID<DocumentTag>

/// The kinds of file Culise keeps, detected from the content (never from the name or the browser's claim). Anything
/// else is refused: executables, scripts, HTML and SVG (which a browser would run), archives of unknown content.
public enum FileType: String, Sendable, Codable, CaseIterable {
    case pdf
    case png
    case jpeg
    case webp
    case xml
    case text
    case docx
    case xlsx
    case odt
    case ods

    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        case .xml: "application/xml"
        case .text: "text/plain; charset=utf-8"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        }
    }

    /// File-name endings that may carry this type (a mismatch is refused: an executable renamed `.pdf`).
    public var extensions: Set<String> {
        switch self {
        case .pdf: ["pdf"]
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .webp: ["webp"]
        case .xml: ["xml"]
        case .text: ["txt", "csv", "tsv", "md"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        case .odt: ["odt"]
        case .ods: ["ods"]
        }
    }

    /// The type of `data` named `fileName`, or a refusal naming what was found.
    public static func detect(_ data: Data, fileName: String) throws(DomainError) -> FileType {
        let name = fileName.lowercased()
        let ending = name.contains(".") ? String(name.split(separator: ".").last ?? "") : ""
        let head = [UInt8](data.prefix(512))
        func starts(_ bytes: [UInt8]) -> Bool { head.count >= bytes.count && Array(head[0..<bytes.count]) == bytes }
        if let danger = dangerous(head, starts: starts) {
            throw DomainError(
                "document.type", kind: .invalid, field: "file",
                "You cannot attach \(fileName.prefix(80)) because its content is \(danger), which Culise does not keep.")
        }
        let detected: FileType?
        if starts(Array("%PDF-".utf8)) {
            detected = .pdf
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            detected = .png
        } else if starts([0xFF, 0xD8, 0xFF]) {
            detected = .jpeg
        } else if starts(Array("RIFF".utf8)) && head.count >= 12 && Array(head[8..<12]) == Array("WEBP".utf8) {
            detected = .webp
        } else if starts([0x50, 0x4B, 0x03, 0x04]) {
            detected = office(data, ending: ending)
        } else {
            detected = textual(data)
        }
        guard let detected else {
            throw DomainError(
                "document.type", kind: .invalid, field: "file",
                "You cannot attach \(fileName.prefix(80)) because its content is not one of the kept types (PDF, PNG, JPEG, WebP, XML, text, CSV, Word, Excel, OpenDocument)."
            )
        }
        guard detected.extensions.contains(ending) || (detected == .text && ending.isEmpty) else {
            throw DomainError(
                "document.type_mismatch", kind: .invalid, field: "file",
                "You cannot attach \(fileName.prefix(80)) because its name says .\(ending) but its content is \(detected.rawValue.uppercased())."
            )
        }
        return detected
    }

    static func dangerous(_ head: [UInt8], starts: ([UInt8]) -> Bool) -> String? {
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return "a Linux program (ELF)" }
        if starts([0x4D, 0x5A]) { return "a Windows program (MZ)" }
        if starts([0xCF, 0xFA, 0xED, 0xFE]) || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xCA, 0xFE, 0xBA, 0xBE]) {
            return "a macOS program (Mach-O)"
        }
        if starts(Array("#!".utf8)) { return "a script" }
        let text = String(decoding: head.prefix(256), as: UTF8.self).lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") || text.contains("<script") { return "HTML" }
        if text.contains("<svg") { return "an SVG image (which can hold scripts)" }
        return nil
    }

    /// Office files are ZIPs; the first entry names the format (OOXML `[Content_Types].xml`, ODF `mimetype`).
    static func office(_ data: Data, ending: String) -> FileType? {
        let sample = String(decoding: data.prefix(4_096), as: UTF8.self)
        if sample.contains("mimetypeapplication/vnd.oasis.opendocument.text") { return .odt }
        if sample.contains("mimetypeapplication/vnd.oasis.opendocument.spreadsheet") { return .ods }
        let whole = String(decoding: data.prefix(1 << 20), as: UTF8.self)
        guard whole.contains("[Content_Types].xml") else { return nil }
        if whole.contains("word/") { return .docx }
        if whole.contains("xl/") { return .xlsx }
        return nil
    }

    /// XML or plain text: valid UTF-8 without NUL bytes.
    static func textual(_ data: Data) -> FileType? {
        let sample = data.prefix(1 << 20)
        guard !sample.contains(0), String(data: sample, encoding: .utf8) != nil || sample.count == (1 << 20) else { return nil }
        let start = String(decoding: sample.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return start.hasPrefix("<?xml") || start.hasPrefix("<") ? .xml : .text
    }
}
