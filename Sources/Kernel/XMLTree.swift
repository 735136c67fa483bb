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

    /// Frees the subtree iteratively: the default recursive release of a 50,000-deep tree overflows the stack.
    deinit {
        var pending = children
        children = []
        while var node = pending.popLast() {
            // Only a node nobody else holds may be emptied; a subtree kept elsewhere stays whole.
            guard isKnownUniquelyReferenced(&node) else { continue }
            pending.append(contentsOf: node.children)
            node.children = []
        }
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
///
/// Safe on hostile input: a document type declaration (and so any entity declaration, internal or external) is
/// refused before parsing; depth, element count, attributes per element and text per element are bounded by
/// `Limits.xml…` and checked while parsing, which stops at the first excess.
public enum XMLTree {
    public static func parse(_ data: Data) throws(DomainError) -> XMLElementNode {
        try parse(data, detaching: [], onDetached: { _, _ in })
    }

    /// Parses as a stream: each element named in `detaching` is handed to `onDetached` with its ancestors (root first)
    /// when it ends, and is not kept in the tree, so memory stays bounded by the largest such element, not the file.
    /// `elementLimit` is `Limits.xmlElements` (tests use a small one).
    public static func parse(
        _ data: Data, detaching: Set<String>, elementLimit: Int = Limits.xmlElements,
        onDetached: @escaping (XMLElementNode, [XMLElementNode]) -> Void
    ) throws(DomainError) -> XMLElementNode {
        try refuseDocumentType(data)
        // FoundationXML traps on a name that is not UTF-8 (a one-byte change to an invoice ended the process), so the
        // bytes are checked first; UBL (CIUS-RO), CAMT.053 and the BNR feed are UTF-8 by specification.
        guard isValidUTF8(data) else {
            throw DomainError(
                "xml.encoding", field: "xml",
                "You cannot import this file because it is not valid UTF-8; e-invoices, statements and rate files must be UTF-8.")
        }
        let delegate = TreeBuilder(detaching: detaching, elementLimit: elementLimit, onDetached: onDetached)
        // A stream is fed to libxml2 in chunks; one chunk of more than 10 MB trips its "huge input" guard (a 40,000-entry
        // CAMT.053 file is about 15 MB). `DataReader` serves the bytes in place: `InputStream(data:)` copies them.
        let parser = data.count > 4 << 20 ? XMLParser(stream: DataReader(data)) : XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let refusal = delegate.refusal { throw refusal }
        guard ok, let root = delegate.root else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "XML parser error \(($0 as NSError).code)" } ?? "the document is empty"
            throw DomainError(
                "xml.malformed", field: "xml",
                "You cannot import this file because it is not well-formed XML (line \(line)): \(reason).")
        }
        return root
    }

    /// Whether `data` is well-formed UTF-8, checked in place (a `String` copy would double a 64 MiB statement's memory).
    static func isValidUTF8(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            !transcode(raw.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
        }
    }

    /// Refuses a `<!DOCTYPE`: business XML (UBL, CAMT.053, BNR) never has one, and a DTD is how entity attacks start.
    /// Reads only the prolog (declaration, comments, processing instructions, white space) before the root element.
    static func refuseDocumentType(_ data: Data) throws(DomainError) {
        let bytes = data.prefix(64 << 10)
        var index = bytes.startIndex
        func starts(with text: String) -> Bool { bytes[index...].starts(with: Array(text.utf8)) }
        func skip(past text: String) {
            let pattern = Array(text.utf8)
            while index < bytes.endIndex, !bytes[index...].starts(with: pattern) { index += 1 }
            index = min(bytes.endIndex, index + pattern.count)
        }
        if starts(with: "\u{FEFF}") { index += 3 }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
            } else if starts(with: "<?") {
                skip(past: "?>")
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<!") {
                throw DomainError(
                    "xml.doctype", field: "xml",
                    "You cannot import this file because it declares a document type (<!DOCTYPE>); invoices, statements and rate files never need one, and entity declarations are refused for safety."
                )
            } else {
                return
            }
        }
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: XMLElementNode?
        var stack: [XMLElementNode] = []
        var elements = 0
        var refusal: DomainError?
        let detaching: Set<String>
        let elementLimit: Int
        let onDetached: (XMLElementNode, [XMLElementNode]) -> Void

        init(detaching: Set<String>, elementLimit: Int, onDetached: @escaping (XMLElementNode, [XMLElementNode]) -> Void) {
            self.detaching = detaching
            self.elementLimit = elementLimit
            self.onDetached = onDetached
        }

        func refuse(_ parser: XMLParser, _ error: DomainError) {
            guard refusal == nil else { return }
            refusal = error
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            guard refusal == nil else { return }
            elements += 1
            let line = parser.lineNumber
            if stack.count >= Limits.xmlDepth {
                return refuse(
                    parser,
                    DomainError(
                        "xml.too_deep", field: "xml",
                        "You cannot import this file because its elements nest deeper than \(Limits.xmlDepth) levels (line \(line))."))
            }
            if elements > elementLimit {
                return refuse(
                    parser,
                    DomainError(
                        "xml.too_many_elements", kind: .tooLarge, field: "xml",
                        "You cannot import this file because it has more than \(elementLimit) elements."))
            }
            if attributeDict.count > Limits.xmlAttributesPerElement {
                return refuse(
                    parser,
                    DomainError(
                        "xml.too_many_attributes", field: "xml",
                        "You cannot import this file because an element has more than \(Limits.xmlAttributesPerElement) attributes (line \(line))."
                    ))
            }
            let node = XMLElementNode(name: elementName, namespace: namespaceURI, attributes: attributeDict, line: line)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard refusal == nil, let node = stack.popLast() else { return }
            if detaching.contains(node.name), let parent = stack.last {
                onDetached(node, stack)
                if parent.children.last === node { parent.children.removeLast() }
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard refusal == nil, let node = stack.last else { return }
            if node.text.utf8.count + string.utf8.count > Limits.xmlTextBytes {
                return refuse(
                    parser,
                    DomainError(
                        "xml.text_too_long", kind: .tooLarge, field: "xml",
                        "You cannot import this file because element \(node.name) holds more than \(Limits.xmlTextBytes) bytes of text."))
            }
            node.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            self.parser(parser, foundCharacters: String(decoding: CDATABlock, as: UTF8.self))
        }
    }
}

/// An input stream over bytes already in memory that reads them in place (`InputStream(data:)` makes a copy, which
/// for a 64 MiB statement is 64 MiB more at the peak).
final class DataReader: InputStream, @unchecked Sendable {
    private let bytes: Data
    private var offset = 0
    private var status: Stream.Status = .notOpen

    init(_ data: Data) {
        bytes = data
        super.init(data: Data())
    }

    override func open() { status = .open }
    override func close() { status = .closed }
    override var streamStatus: Stream.Status { offset >= bytes.count && status == .open ? .atEnd : status }
    override var hasBytesAvailable: Bool { offset < bytes.count }
    override var streamError: (any Error)? { nil }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        let count = min(length, bytes.count - offset)
        guard count > 0 else { return 0 }
        let start = bytes.startIndex + offset
        bytes.copyBytes(to: buffer, from: start..<start + count)
        offset += count
        return count
    }

    override func getBuffer(_ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, length len: UnsafeMutablePointer<Int>) -> Bool {
        false
    }
}
