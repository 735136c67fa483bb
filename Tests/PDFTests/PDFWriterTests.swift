import Foundation
import TestSupport
import Testing

@testable import PDF

@Suite struct PDFWriterTests {
    static let romanian = "Țesătoria Șercaia SA, Str. Ștefan cel Mare, Brașov: ăâîșț ĂÂÎȘȚ şţŞŢ „citat” – 12,50 €"

    /// Every Romanian letter, with the comma-below and the older cedilla forms, reads back exactly.
    @Test func romanianTextReadsBackExactly() throws {
        var pdf = PDFWriter()
        pdf.text(Self.romanian, x: 40, y: 60, size: 10)
        pdf.text("Bold (paranteze) \\ backslash", x: 40, y: 80, size: 10, font: .bold)
        let data = pdf.data(title: "Test ăîș", created: Date(timeIntervalSince1970: 0))
        #expect(data.starts(with: Data("%PDF-1.4".utf8)))
        guard let text = try pdfText(data) else {
            Issue.record("pdftotext is not installed (apt-get install poppler-utils)")
            return
        }
        #expect(text.contains(Self.romanian), "\(text)")
        #expect(text.contains("Bold (paranteze) \\ backslash"))
    }

    @Test func charactersOutsideTheEncodingPrintAsQuestionMarks() {
        #expect(PDFWriter.literal("Ω😀") == "??")
        #expect(PDFWriter.literal("(a\\b)") == "\\(a\\\\b\\)")
        #expect(PDFWriter.literal("ș") == "\\272")
    }

    @Test func widthsFollowTheAFMMetrics() {
        // Helvetica: "A" 667, space 278; Bold: "A" 722. Accented letters take their base letter's width.
        #expect(PDFWriter.width("A A", size: 1000) == 667 + 278 + 667)
        #expect(PDFWriter.width("A", size: 1000, font: .bold) == 722)
        #expect(PDFWriter.width("ășț", size: 1000) == PDFWriter.width("ast", size: 1000))
    }

    @Test func wrapBreaksAtSpacesAndCutsLongWords() {
        let lines = PDFWriter.wrap("Servicii de instalare și configurare rețea", width: 100, size: 9)
        #expect(lines.count > 1 && lines.allSatisfy { PDFWriter.width($0, size: 9) <= 100 })
        #expect(lines.joined(separator: " ") == "Servicii de instalare și configurare rețea")
        let long = PDFWriter.wrap(String(repeating: "W", count: 60), width: 50, size: 9)
        #expect(long.count > 1 && long.joined() == String(repeating: "W", count: 60))
    }

    @Test func pagesAndCrossReferences() throws {
        var pdf = PDFWriter()
        pdf.text("one", x: 40, y: 40)
        pdf.newPage()
        pdf.text("two", x: 40, y: 40)
        let data = pdf.data(title: "t", created: Date(timeIntervalSince1970: 1_790_000_000))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("/Count 2") && text.contains("/CreationDate (D:20260921"))
        // startxref points at the xref table.
        let marker = try #require(text.range(of: "startxref\n"))
        let offset = Int(text[marker.upperBound...].prefix { $0.isNumber })!
        #expect(data[offset..<offset + 4] == Data("xref".utf8))
        if let extracted = try pdfText(data) { #expect(extracted.contains("one") && extracted.contains("two")) }
    }
}
