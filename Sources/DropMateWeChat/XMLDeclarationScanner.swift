/// A byte scan that finds markup declarations (`<!DOCTYPE`, `<!ENTITY`, …) before libxml2 sees them.
///
/// It walks the body the way an XML parser tokenizes it: CDATA sections, comments and processing
/// instructions are skipped to their terminators, so a customer's text `<![CDATA[<!DOCTYPE…]]>`
/// is not mistaken for markup; any other `<!` is a declaration and refused.
enum XMLDeclarationScanner {
    private static let lt = UInt8(ascii: "<")
    private static let cdataOpen = Array("<![CDATA[".utf8)
    private static let commentOpen = Array("<!--".utf8)
    private static let cdataClose = Array("]]>".utf8)
    private static let commentClose = Array("-->".utf8)
    private static let piClose = Array("?>".utf8)

    static func containsDeclaration(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while let open = firstIndex(of: lt, in: bytes, from: index) {
            let next = open + 1
            guard next < bytes.count else { return false }
            switch bytes[next] {
            case UInt8(ascii: "!"):
                if hasPrefix(cdataOpen, in: bytes, at: open) {
                    guard let end = find(cdataClose, in: bytes, from: open + cdataOpen.count) else { return false }
                    index = end
                } else if hasPrefix(commentOpen, in: bytes, at: open) {
                    guard let end = find(commentClose, in: bytes, from: open + commentOpen.count) else { return false }
                    index = end
                } else {
                    return true
                }
            case UInt8(ascii: "?"):
                guard let end = find(piClose, in: bytes, from: open + 2) else { return false }
                index = end
            default:
                index = next
            }
        }
        return false
    }

    private static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private static func hasPrefix(_ prefix: [UInt8], in bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        guard bytes.count - start >= prefix.count else { return false }
        for offset in 0..<prefix.count where bytes[start + offset] != prefix[offset] { return false }
        return true
    }

    /// The index just past the first occurrence of `needle` at or after `start`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while let candidate = firstIndex(of: needle[0], in: bytes, from: index) {
            if hasPrefix(needle, in: bytes, at: candidate) { return candidate + needle.count }
            index = candidate + 1
        }
        return nil
    }
}
