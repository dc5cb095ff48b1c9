/// Builds WeChat's flat XML the way WeChat writes it: strings in CDATA, numbers bare.
///
/// Works on UTF-8 bytes: this is on the reply hot path. Characters XML 1.0 forbids (C0 controls
/// other than tab, LF and CR; U+FFFE; U+FFFF) are dropped so every document we write parses.
struct XMLWriter {
    private var bytes: [UInt8]

    init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes += "<xml>".utf8
    }

    /// `<name><![CDATA[value]]></name>`; a `]]>` in `value` is split across two sections.
    mutating func cdata(_ name: String, _ value: String) {
        openTag(name)
        Self.appendCDATA(value, to: &bytes)
        closeTag(name)
    }

    /// `<name>value</name>` with `value` escaped as character data (numbers and tokens).
    mutating func plain(_ name: String, _ value: String) {
        openTag(name)
        Self.appendEscaped(value, to: &bytes)
        closeTag(name)
    }

    /// Opens a container element such as `<Articles>`.
    mutating func open(_ name: String) {
        openTag(name)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Closes a container element.
    mutating func close(_ name: String) { closeTag(name) }

    /// Closes the root and returns the document.
    consuming func finish() -> String {
        bytes += "</xml>".utf8
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A single CDATA section (split where needed) holding `value`.
    static func cdataSection(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 12)
        appendCDATA(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func openTag(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
    }

    private mutating func closeTag(_ name: String) {
        bytes += "</".utf8
        bytes += name.utf8
        bytes += ">\n".utf8
    }

    private static func appendCDATA(_ value: String, to out: inout [UInt8]) {
        out += "<![CDATA[".utf8
        if needsNoCare(value) {
            // Most values (every encrypted envelope, most replies) have nothing to split or drop: copy them whole.
            out += value.utf8
            out += "]]>".utf8
            return
        }
        var closingBrackets = 0
        forEachXMLByte(of: value) { byte in
            if byte == UInt8(ascii: ">"), closingBrackets >= 2 {
                out += "]]><![CDATA[".utf8  // "]]" stays in this section, ">" opens the next
            }
            closingBrackets = byte == UInt8(ascii: "]") ? closingBrackets + 1 : 0
            out.append(byte)
        }
        out += "]]>".utf8
    }

    private static func appendEscaped(_ value: String, to out: inout [UInt8]) {
        forEachXMLByte(of: value) { byte in
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            default: out.append(byte)
            }
        }
    }

    /// Whether `value` has no "]" (which could end a CDATA section), no control character XML forbids and no
    /// 0xEF lead byte (U+FFFE and U+FFFF start with it): such a value is written byte for byte.
    private static func needsNoCare(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { utf8 in
            // A plain loop over the contiguous bytes, which the compiler vectorises (iterating `String.UTF8View`
            // cost ~1.7 ns a byte: a microsecond for every encrypted envelope).
            var flags: UInt8 = 0
            for byte in utf8 {
                let bracket: UInt8 = byte == UInt8(ascii: "]") ? 1 : 0
                let leadEF: UInt8 = byte == 0xEF ? 1 : 0
                let control: UInt8 = isForbiddenControl(byte) ? 1 : 0
                flags |= bracket | leadEF | control
            }
            return flags == 0
        }
    }

    /// The C0 controls XML 1.0 forbids: all below 0x20 but tab, line feed and carriage return.
    private static func isForbiddenControl(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
    }

    /// Calls `body` with each UTF-8 byte of `value`, skipping characters XML 1.0 forbids.
    private static func forEachXMLByte(of value: String, _ body: (UInt8) -> Void) {
        var value = value
        value.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if isForbiddenControl(byte) {
                    index += 1
                    continue
                }
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
                if byte == 0xEF, index + 2 < utf8.count, utf8[index + 1] == 0xBF, utf8[index + 2] >= 0xBE {
                    index += 3
                    continue
                }
                body(byte)
                index += 1
            }
        }
    }
}
