import Foundation

/// The text encodings AWS Signature Version 4 is defined over.
enum SigV4Encoding {
    /// Percent-encodes everything but RFC 3986's unreserved characters, as SigV4 requires for query names and values.
    static func encodeComponent(_ value: String) -> String {
        encode(value, keepingSlash: false)
    }

    /// Percent-encodes an object key for a URL path: as `encodeComponent`, but `/` stays a separator.
    static func encodePath(_ value: String) -> String {
        encode(value, keepingSlash: true)
    }

    /// Lowercase hexadecimal, as SigV4 writes hashes and signatures.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `20150830T123600Z`, the ISO 8601 basic form SigV4 uses for `X-Amz-Date`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(basicISO8601)
    }

    private static let basicISO8601 = Date.ISO8601FormatStyle(
        dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt
    )

    private static func encode(_ value: String, keepingSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
