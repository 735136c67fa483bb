import Foundation
import Kernel
import Testing

/// Issue 10: each XML bound refuses with its own id while parsing; none traps.
@Suite struct XMLTreeTests {
    static func refusal(_ data: Data) -> String? {
        do {
            _ = try XMLTree.parse(data)
            return nil
        } catch {
            return error.id
        }
    }

    @Test func eachBoundHasItsRefusal() {
        let attributes = (0...Limits.xmlAttributesPerElement).map { "a\($0)=\"1\"" }.joined(separator: " ")
        #expect(Self.refusal(Data("<r \(attributes)/>".utf8)) == "xml.too_many_attributes")
        let fewer = (1...Limits.xmlAttributesPerElement).map { "a\($0)=\"1\"" }.joined(separator: " ")
        #expect(Self.refusal(Data("<r \(fewer)/>".utf8)) == nil)

        let text = String(repeating: "x", count: Limits.xmlTextBytes + 1)
        #expect(Self.refusal(Data("<r>\(text)</r>".utf8)) == "xml.text_too_long")
        #expect(Self.refusal(Data("<r>\(text.dropLast())</r>".utf8)) == nil)

        // A non-UTF-8 byte inside an element name used to end the process inside FoundationXML.
        var bytes = Array("<r><ab/></r>".utf8)
        bytes[5] = 0xFF
        #expect(Self.refusal(Data(bytes)) == "xml.encoding")

        let deep = String(repeating: "<a>", count: Limits.xmlDepth + 1) + String(repeating: "</a>", count: Limits.xmlDepth + 1)
        #expect(Self.refusal(Data(deep.utf8)) == "xml.too_deep")
        #expect(Self.refusal(Data(#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>"#.utf8)) == "xml.doctype")
        #expect(Self.refusal(Data("<r>".utf8)) == "xml.malformed")
    }
}

extension XMLTreeTests {
    /// The element bound (`Limits.xmlElements`, six million) refuses at the first element past it; the same check with a
    /// bound of 100 shows it without building a 24 MB document.
    @Test func theElementBoundRefusesAtTheFirstElementPastIt() {
        let document = Data(("<r>" + String(repeating: "<a/>", count: 100) + "</r>").utf8)
        func refusal(limit: Int) -> String? {
            do {
                _ = try XMLTree.parse(document, detaching: ["a"], elementLimit: limit, onDetached: { _, _ in })
                return nil
            } catch {
                return error.id
            }
        }
        #expect(refusal(limit: 100) == "xml.too_many_elements")
        #expect(refusal(limit: 101) == nil)
    }
}
