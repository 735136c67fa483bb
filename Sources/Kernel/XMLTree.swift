import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element (namespace prefixes resolved to local names).
public final class XMLElementNode: @unchecked Sendable {
    public let name: String
    public let namespace: String?
    public var attributes: [String: String]
    public var children: [XMLElementNode] = []
    public var text = ""
    public let line: Int

    init(name: String, namespace: String?, attributes: [String: String], line: Int) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.line = line
    }

    public func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }
    public func all(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }
    /// The element at a path of local names (`AccountingSupplierParty/Party/PartyName/Name`).
    public func at(_ path: String) -> XMLElementNode? {
        var node: XMLElementNode? = self
        for part in path.split(separator: "/") { node = node?.child(String(part)) }
        return node
    }
    public func value(_ path: String) -> String? {
        guard let text = at(path)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}

/// Parses XML into `XMLElementNode`s, reporting the first well-formedness error with its line.
public enum XMLTree {
    public static func parse(_ data: Data) throws(DomainError) -> XMLElementNode {
        let delegate = TreeBuilder()
        // A stream is fed to libxml2 in chunks; one chunk of more than 10 MB trips its "huge input" guard (a 40,000-entry
        // CAMT.053 file is about 15 MB).
        let parser = data.count > 4 << 20 ? XMLParser(stream: InputStream(data: data)) : XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        delegate.parser = parser
        let ok = parser.parse()
        guard ok, let root = delegate.root else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "XML parser error \(($0 as NSError).code)" } ?? "the document is empty"
            throw DomainError(
                "xml.malformed", field: "xml",
                "You cannot import this file because it is not well-formed XML (line \(line)): \(reason).")
        }
        return root
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: XMLElementNode?
        var stack: [XMLElementNode] = []
        weak var parser: XMLParser?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            let node = XMLElementNode(name: elementName, namespace: namespaceURI, attributes: attributeDict, line: parser.lineNumber)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.text += string }
    }
}
