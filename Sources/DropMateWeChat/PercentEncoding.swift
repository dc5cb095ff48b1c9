import DropMateDataProtection
/// Percent-encoding for query values and form fields: everything but RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`) becomes `%XX` of its UTF-8 bytes.
public enum PercentEncoding {
    /// `value` with every byte outside the unreserved set written as `%XX` (uppercase hex).
    public static func queryValue(_ value: String) -> String {
        // Tokens, ids and signatures are almost always unreserved already: hand them back without building a copy
        // (WeChat's access_token goes through here on every push).
        guard !value.utf8.allSatisfy(isUnreserved) else { return value }
        var out = ""
        for byte in value.utf8 {
            if isUnreserved(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += "%" + Hex.uppercase(byte) }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
