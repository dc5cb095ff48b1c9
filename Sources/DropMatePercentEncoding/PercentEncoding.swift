/// Percent-encoding as RFC 3986 defines it (section 2.1): every byte of the UTF-8 text outside the unreserved set
/// (`A–Z a–z 0–9 - . _ ~`, section 2.3) becomes `%XX` in uppercase hexadecimal. The one encoder for query values,
/// form fields, path segments and AWS Signature Version 4's canonical request, which requires exactly this set.
///
/// Deliberately not Foundation's `addingPercentEncoding(withAllowedCharacters:)`: its `.alphanumerics` lets non-ASCII
/// letters through unencoded, and its URL character sets keep reserved characters (`+`, `&`, `=`) that a query value
/// must not carry raw.
public enum PercentEncoding {
    /// A query value, form field or SigV4 component: everything outside the unreserved set is encoded (`/` too).
    public static func queryValue(_ value: String) -> String {
        encode(value, keepingSlash: false)
    }

    /// A URL path whose `/`s separate segments (an object key): as `queryValue`, but `/` stays as it is.
    public static func path(_ value: String) -> String {
        encode(value, keepingSlash: true)
    }

    /// One path segment (an id put between `/`s): as `queryValue`, and a segment of only dots (`.`, `..`) has them
    /// written `%2E`, so it cannot become a dot-segment that a URL parser resolves away (RFC 3986 section 5.2.4).
    public static func pathSegment(_ value: String) -> String {
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) else { return queryValue(value) }
        return String(repeating: "%2E", count: value.utf8.count)
    }

    /// Whether `byte` is in RFC 3986's unreserved set.
    @inlinable
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func encode(_ value: String, keepingSlash: Bool) -> String {
        func kept(_ byte: UInt8) -> Bool { isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) }
        // Tokens, ids and signatures are almost always unreserved already: hand them back without building a copy
        // (WeChat's access_token goes through here on every push).
        guard !value.utf8.allSatisfy(kept) else { return value }
        let digits: StaticString = "0123456789ABCDEF"
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count * 3)
        for byte in value.utf8 {
            if kept(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits.utf8Start[Int(byte >> 4)])
                out.append(digits.utf8Start[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
