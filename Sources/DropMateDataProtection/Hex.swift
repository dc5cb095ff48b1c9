/// Lower-case hexadecimal, as signatures and digests are written in links and headers.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hex, two digits a byte. Written directly into the string's storage: the
    /// `String(format: "%02x")` per byte it replaces went through Foundation's formatter for every byte, which
    /// showed in the webhook's profile (every reply with a link carries a signature).
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars: [UInt8] = []
        scalars.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            scalars.append(digits[Int(byte >> 4)])
            scalars.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    /// Two upper-case hex digits, as percent-encoding writes a byte.
    public static func uppercase(_ byte: UInt8) -> String {
        String(decoding: [upperDigits[Int(byte >> 4)], upperDigits[Int(byte & 0x0f)]], as: UTF8.self)
    }

    private static let upperDigits = Array("0123456789ABCDEF".utf8)
}
