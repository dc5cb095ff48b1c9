import CLibXML2

/// A small, hostile-input-safe libxml2 reader for WeChat's flat `<xml>` documents.
///
/// No DTDs, no entities, no network: bodies with any markup declaration are refused before
/// parsing, and values are built only from TEXT and CDATA nodes, never by expanding entities.
public enum WeChatXML {
    /// The largest body accepted; WeChat messages are a few hundred bytes.
    public static let maxBodyBytes = 64 * 1024
    /// The deepest element nesting accepted (`<xml>` is depth 1; a news item's title is 4).
    public static let maxDepth = 8

    private static let setUp: Void = {
        xmlInitParser()
        dm_xml_silence_errors()
    }()

    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
    )

    /// Parses a WeChat XML body.
    public static func parseFields(_ bytes: [UInt8]) throws(WeChatXMLError) -> WeChatXMLDocument {
        try bytes.withUnsafeBytes { buffer in Result { () throws(WeChatXMLError) in try parseFields(buffer) } }.get()
    }

    /// Parses a WeChat XML body given as a string.
    public static func parseFields(_ text: String) throws(WeChatXMLError) -> WeChatXMLDocument {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(WeChatXMLError) in try parseFields(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Parses a WeChat XML body in place, without copying it.
    public static func parseFields(_ buffer: UnsafeRawBufferPointer) throws(WeChatXMLError) -> WeChatXMLDocument {
        try parse(buffer, scanForDeclarations: true)
    }

    /// The parser; tests switch the byte scan off to prove the post-parse DTD check holds alone.
    static func parse(
        _ buffer: UnsafeRawBufferPointer, scanForDeclarations: Bool
    ) throws(WeChatXMLError) -> WeChatXMLDocument {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { throw .empty }
        guard buffer.count <= maxBodyBytes else { throw .tooLarge(bytes: buffer.count) }
        if scanForDeclarations, XMLDeclarationScanner.containsDeclaration(buffer) { throw .forbiddenDeclaration }
        _ = setUp
        guard
            let doc = xmlReadMemory(
                base.assumingMemoryBound(to: CChar.self), Int32(buffer.count), nil,
                startsWithElement(buffer) ? nil : "UTF-8", options
            )
        else { throw .malformed }
        defer { xmlFreeDoc(doc) }
        guard doc.pointee.intSubset == nil, doc.pointee.extSubset == nil else { throw .forbiddenDeclaration }
        guard let root = xmlDocGetRootElement(doc) else { throw .malformed }
        guard try name(of: root) == "xml" else { throw .wrongRoot }

        var fields: [String: String] = [:]
        var nested: [String: WeChatXMLElement] = [:]
        var cursor = root.pointee.children
        while let node = cursor {
            cursor = node.pointee.next
            guard node.pointee.type == XML_ELEMENT_NODE else { continue }
            let element = try self.element(node, depth: 2)
            if fields[element.name] == nil { fields[element.name] = element.text }
            if !element.children.isEmpty, nested[element.name] == nil { nested[element.name] = element }
        }
        return WeChatXMLDocument(fields: fields, nested: nested)
    }

    /// Whether the body starts (after ASCII whitespace) with an element: no byte-order mark, no `<?xml …?>`
    /// declaration. WeChat's bodies all do. Such a document is UTF-8 by the XML specification, and libxml2 is
    /// then told no encoding: it reads the bytes as UTF-8 directly (refusing invalid sequences just the same)
    /// instead of passing each one through its UTF-8 "converter", which cost ~0.5 µs a parse. Any other body
    /// is parsed with UTF-8 forced, so a declared or BOM-signalled encoding is never honoured.
    static func startsWithElement(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < buffer.count, [0x20, 0x09, 0x0A, 0x0D].contains(buffer[index]) { index += 1 }
        guard index + 1 < buffer.count, buffer[index] == UInt8(ascii: "<") else { return false }
        let next = buffer[index + 1]
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(next)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(next)
    }

    private static func element(_ node: xmlNodePtr, depth: Int) throws(WeChatXMLError) -> WeChatXMLElement {
        guard depth <= maxDepth else { throw .tooDeep }
        var text: String?
        var children: [WeChatXMLElement] = []
        var cursor = node.pointee.children
        while let child = cursor {
            cursor = child.pointee.next
            switch child.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                let piece = try string(child.pointee.content)
                if text == nil { text = piece } else { text! += piece }
            case XML_ELEMENT_NODE:
                children.append(try element(child, depth: depth + 1))
            default:
                continue  // comments, processing instructions and entity references carry no value
            }
        }
        return WeChatXMLElement(name: try name(of: node), text: text ?? "", children: children)
    }

    private static func name(of node: xmlNodePtr) throws(WeChatXMLError) -> String {
        try string(node.pointee.name)
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) throws(WeChatXMLError) -> String {
        guard let pointer else { return "" }
        let bytes = UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer)))
        guard isValidUTF8(bytes) else { throw .malformed }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// libxml2 already refuses non-UTF-8 input; checking again means a libxml2 quirk can never
    /// slip through as silently repaired text. (No `String(validating:)`: it needs macOS 15.)
    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
