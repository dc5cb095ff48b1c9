import CLibXML2

/// Reads the few fields of S3's XML error body (`<Error><Code>…</Code><Message>…</Message><RequestId>…</Error>`)
/// with libxml2, so entities, CDATA and attributes mean what XML says they mean (a tag scan took `<Code>` inside
/// a CDATA section, or a `<Message>` nested in another element, for the error's own).
///
/// An S3-compatible endpoint is a server we do not control, so the WeChat reader's rules hold here too: the body
/// is capped by the caller (`S3Payload.errorBodyLimit`), any markup declaration (`<!DOCTYPE`, `<!ENTITY`) is refused
/// before parsing, no network, and values are built only from TEXT and CDATA nodes, never by expanding entities.
/// A body that is not an `<Error>` document yields an error with its status alone.
enum S3ErrorBody {
    /// The largest body parsed (the caller collects at most this much).
    static let maxBodyBytes = 64 * 1024

    static func parse(_ body: [UInt8], status: Int) -> S3ServiceError {
        let fields = body.withUnsafeBytes { Self.fields(in: $0) }
        return S3ServiceError(
            status: status, code: fields["Code"], message: fields["Message"], requestID: fields["RequestId"])
    }

    private static let wanted: Set<String> = ["Code", "Message", "RequestId"]

    private static let setUp: Void = {
        xmlInitParser()
        dm_xml_silence_errors()
    }()

    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
    )

    /// The non-empty, trimmed text of the root `<Error>`'s direct children named in `wanted`, the first of each
    /// name winning; empty when the body is not such a document.
    static func fields(in buffer: UnsafeRawBufferPointer) -> [String: String] {
        guard let base = buffer.baseAddress, !buffer.isEmpty, buffer.count <= maxBodyBytes,
            !containsMarkupDeclaration(buffer)
        else { return [:] }
        _ = setUp
        guard
            let doc = xmlReadMemory(
                base.assumingMemoryBound(to: CChar.self), Int32(buffer.count), nil, "UTF-8", options)
        else { return [:] }
        defer { xmlFreeDoc(doc) }
        guard doc.pointee.intSubset == nil, doc.pointee.extSubset == nil,
            let root = xmlDocGetRootElement(doc), string(root.pointee.name) == "Error"
        else { return [:] }
        var fields: [String: String] = [:]
        var cursor = root.pointee.children
        while let node = cursor {
            cursor = node.pointee.next
            guard node.pointee.type == XML_ELEMENT_NODE else { continue }
            let name = string(node.pointee.name)
            guard wanted.contains(name), fields[name] == nil else { continue }
            let value = text(of: node).trimmingASCIIWhitespace
            if !value.isEmpty { fields[name] = value }
        }
        return fields
    }

    /// The concatenated TEXT and CDATA children of `node`: comments, processing instructions, entity references and
    /// nested elements carry no value.
    private static func text(of node: xmlNodePtr) -> String {
        var text = ""
        var cursor = node.pointee.children
        while let child = cursor {
            cursor = child.pointee.next
            if child.pointee.type == XML_TEXT_NODE || child.pointee.type == XML_CDATA_SECTION_NODE {
                text += string(child.pointee.content)
            }
        }
        return text
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))), as: UTF8.self)
    }

    /// Whether the body has a `<!` that opens neither a comment (`<!--`) nor a CDATA section (`<![CDATA[`): a
    /// DOCTYPE, ENTITY or other declaration, which no S3 error carries and which is where entity bombs live.
    static func containsMarkupDeclaration(_ buffer: UnsafeRawBufferPointer) -> Bool {
        let comment = Array("--".utf8), cdata = Array("[CDATA[".utf8)
        var index = 0
        while index + 1 < buffer.count {
            defer { index += 1 }
            guard buffer[index] == UInt8(ascii: "<"), buffer[index + 1] == UInt8(ascii: "!") else { continue }
            let rest = buffer[(index + 2)...]
            if rest.starts(with: comment) || rest.starts(with: cdata) { continue }
            return true
        }
        return false
    }
}

extension String {
    fileprivate var trimmingASCIIWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
