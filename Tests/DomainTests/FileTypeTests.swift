import Documents
import Foundation
import Kernel
import Testing

/// What Culise keeps is decided from the bytes; the name must agree.
@Suite struct FileTypeTests {
    static let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56))

    @Test(arguments: [
        ("factura.pdf", Data("%PDF-1.7\n...".utf8), FileType.pdf),
        ("scan.PNG", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), FileType.png),
        ("poza.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), FileType.jpeg),
        ("efactura.xml", Data("<?xml version=\"1.0\"?><Invoice/>".utf8), FileType.xml),
        ("extras.csv", Data("data,suma\n2026-12-01,12.50\n".utf8), FileType.text),
        ("contract.docx", Data([0x50, 0x4B, 0x03, 0x04] + Array("....[Content_Types].xml....word/document.xml".utf8)), FileType.docx),
        (
            "buget.ods", Data([0x50, 0x4B, 0x03, 0x04] + Array("..mimetypeapplication/vnd.oasis.opendocument.spreadsheet".utf8)),
            FileType.ods
        ),
    ])
    func keptTypes(_ name: String, _ data: Data, _ expected: FileType) throws {
        #expect(try FileType.detect(data, fileName: name) == expected)
    }

    @Test(arguments: [
        ("factura.pdf", elf, "document.type", "ELF"),
        ("setup.pdf", Data([0x4D, 0x5A, 0x90, 0]), "document.type", "Windows program"),
        ("run.txt", Data("#!/bin/sh\nrm -rf /\n".utf8), "document.type", "script"),
        ("pagina.xml", Data("<!DOCTYPE html><html><script>alert(1)</script>".utf8), "document.type", "HTML"),
        ("logo.xml", Data("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>".utf8), "document.type", "SVG"),
        ("arhiva.zip", Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]), "document.type", "not one of the kept types"),
        ("binar.dat", Data([0, 1, 2, 3, 0, 0, 7]), "document.type", "not one of the kept types"),
        ("poza.pdf", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "document.type_mismatch", "says .pdf but its content is PNG"),
    ])
    func refused(_ name: String, _ data: Data, _ id: String, _ words: String) {
        do {
            _ = try FileType.detect(data, fileName: name)
            Issue.record("\(name) was kept")
        } catch {
            #expect(error.id == id && error.field == "file" && error.message.contains(words), "\(error)")
        }
    }
}
