import Foundation

/// A small PDF 1.4 writer for server-made documents (invoices, payslips, registers): A4 pages with text in Helvetica
/// and Helvetica-Bold, lines and shaded boxes. The fonts are the standard ones every reader has, with an encoding
/// that covers Romanian (ă â î ș ț and the cedilla forms) and a `/ToUnicode` map, so text is copied and extracted
/// exactly (`pdftotext` reads it back). Characters outside the encoding print as `?`. See
/// docs/decisions/0003-pdf-generation.md. Coordinates are points from the page's top-left corner.
public struct PDFWriter: Sendable {
    public enum Font: Sendable {
        case regular
        case bold

        var resource: String { self == .regular ? "F1" : "F2" }
        var widths: [UInt16] { self == .regular ? FontData.helvetica : FontData.helveticaBold }
    }

    /// A4 in points.
    public static let pageWidth = 595.28
    public static let pageHeight = 841.89

    private var pages: [String] = []
    private var current = ""

    public init() {}

    public var pageCount: Int { pages.count + (current.isEmpty ? 0 : 1) }

    /// Ends the current page and starts a new one.
    public mutating func newPage() {
        pages.append(current)
        current = ""
    }

    // MARK: - Drawing

    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 9, font: Font = .regular) {
        current += "BT /\(font.resource) \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(Self.pageHeight - y)) Td ("
        current += Self.literal(text) + ") Tj ET\n"
    }

    /// Text that ends at `right` (amounts in columns).
    public mutating func textRight(_ text: String, right: Double, y: Double, size: Double = 9, font: Font = .regular) {
        self.text(text, x: right - Self.width(text, size: size, font: font), y: y, size: size, font: font)
    }

    public mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double = 0.5) {
        current += "\(Self.number(width)) w \(Self.number(start.x)) \(Self.number(Self.pageHeight - start.y)) m "
        current += "\(Self.number(end.x)) \(Self.number(Self.pageHeight - end.y)) l S\n"
    }

    /// A filled rectangle in a shade of grey (0 black … 1 white).
    public mutating func box(x: Double, y: Double, width: Double, height: Double, gray: Double) {
        current += "q \(Self.number(gray)) g \(Self.number(x)) \(Self.number(Self.pageHeight - y - height)) "
        current += "\(Self.number(width)) \(Self.number(height)) re f Q\n"
    }

    // MARK: - Measuring

    /// The width of `text` in points.
    public static func width(_ text: String, size: Double, font: Font = .regular) -> Double {
        let widths = font.widths
        var total = 0
        for scalar in text.unicodeScalars { total += Int(widths[Int(code(scalar))]) }
        return Double(total) * size / 1000
    }

    /// `text` broken into lines no wider than `width` (at spaces; a word longer than a line is cut).
    public static func wrap(_ text: String, width: Double, size: Double, font: Font = .regular) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if Self.width(candidate, size: size, font: font) <= width {
                    line = candidate
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                var rest = String(word)
                while Self.width(rest, size: size, font: font) > width, rest.count > 1 {
                    var cut = rest.count - 1
                    while cut > 1 && Self.width(String(rest.prefix(cut)), size: size, font: font) > width { cut -= 1 }
                    lines.append(String(rest.prefix(cut)))
                    rest = String(rest.dropFirst(cut))
                }
                line = rest
            }
            lines.append(line)
        }
        return lines
    }

    // MARK: - Output

    /// The finished document. `created` is written as the creation date (from the app's clock, so output is
    /// reproducible).
    public func data(title: String, created: Date) -> Data {
        var pages = self.pages
        if !current.isEmpty || pages.isEmpty { pages.append(current) }
        var objects: [String] = []
        // 1 catalog, 2 page tree, 3 and 4 fonts, 5 ToUnicode, 6 info; then a page and its content per page.
        let kids = pages.indices.map { "\(7 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        objects.append(Self.fontObject("Helvetica", widths: FontData.helvetica))
        objects.append(Self.fontObject("Helvetica-Bold", widths: FontData.helveticaBold))
        objects.append(Self.stream(Self.toUnicode))
        objects.append("<< /Title (\(Self.literal(title))) /Producer (Culise) /CreationDate (\(Self.pdfDate(created))) >>")
        for (index, content) in pages.enumerated() {
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(Self.pageWidth)) \(Self.number(Self.pageHeight))] "
                    + "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(8 + 2 * index) 0 R >>")
            objects.append(Self.stream(content))
        }
        var output = Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.count)
            output.append(Data("\(index + 1) 0 obj\n".utf8))
            output.append(Self.bytes(object))
            output.append(Data("\nendobj\n".utf8))
        }
        let xref = output.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 6 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        output.append(Data(table.utf8))
        return output
    }

    static func fontObject(_ name: String, widths: [UInt16]) -> String {
        let differences = FontData.differences.map { "\($0.code) /\($0.glyph)" }.joined(separator: " ")
        let list = widths[32...].map(String.init).joined(separator: " ")
        return "<< /Type /Font /Subtype /Type1 /BaseFont /\(name) /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding "
            + "/Differences [\(differences)] >> /FirstChar 32 /LastChar 255 /Widths [\(list)] /ToUnicode 5 0 R >>"
    }

    static let toUnicode: String = {
        let entries = FontData.unicode.enumerated().filter { $0.offset >= 32 && $0.element != 0 }
        var text = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        text += "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Culise-UCS def\n/CMapType 2 def\n"
        text += "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
        for start in stride(from: 0, to: entries.count, by: 100) {
            let block = entries[start..<min(start + 100, entries.count)]
            text += "\(block.count) beginbfchar\n"
            for entry in block { text += "<\(hex(UInt32(entry.offset), 2))> <\(hex(entry.element, 4))>\n" }
            text += "endbfchar\n"
        }
        return text + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    }()

    static func hex(_ value: UInt32, _ digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    static func stream(_ content: String) -> String {
        "<< /Length \(bytes(content).count) >>\nstream\n" + content + "\nendstream"
    }

    /// The code of a scalar in the encoding; `?` when the encoding cannot show it. Tabs and line breaks are spaces.
    static func code(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return 0x20 }
        return FontData.codes[scalar.value] ?? 0x3F
    }

    /// A PDF literal string (without its parentheses): encoded, with `\`, `(` and `)` escaped and other bytes as octal.
    static func literal(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let byte = code(scalar)
            switch byte {
            case 0x5C: result += "\\\\"
            case 0x28: result += "\\("
            case 0x29: result += "\\)"
            case 0x20...0x7E: result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                result += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return result
    }

    /// The file's bytes of an object: everything written is ASCII (literals use octal escapes).
    static func bytes(_ text: String) -> Data { Data(text.utf8) }

    static func number(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e9 else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
    }

    static func pdfDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return
            "D:\(String(format: "%04d", parts.year ?? 1970))\(two(parts.month))\(two(parts.day))\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }
}
