import Foundation

/// The text encodings AWS Signature Version 4 is defined over (its percent-encoding is `PercentEncoding`'s).
enum SigV4Encoding {
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
}
