import Foundation

/// URL-safe base64 without padding (RFC 4648 §5), so ciphertext fits in URLs, logs and CSV unchanged.
public enum Base64URL {
    /// One table lookup per six bits, straight into UTF-8 (every message's answer is sealed through here).
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity(encodedCount(input.count))
        input.withUnsafeBytes { append($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The length of `count` bytes encoded (no padding).
    public static func encodedCount(_ count: Int) -> Int { (count * 4 + 2) / 3 }

    /// Appends `input` encoded to `output`.
    public static func append(_ input: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        alphabet.withUnsafeBufferPointer { alphabet in
            var index = 0
            while index + 3 <= input.count {
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output.append(alphabet[Int(chunk >> 18 & 63)])
                output.append(alphabet[Int(chunk >> 12 & 63)])
                output.append(alphabet[Int(chunk >> 6 & 63)])
                output.append(alphabet[Int(chunk & 63)])
                index += 3
            }
            switch input.count - index {
            case 1:
                let chunk = UInt32(input[index]) << 16
                output.append(alphabet[Int(chunk >> 18 & 63)])
                output.append(alphabet[Int(chunk >> 12 & 63)])
            case 2:
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                output.append(alphabet[Int(chunk >> 18 & 63)])
                output.append(alphabet[Int(chunk >> 12 & 63)])
                output.append(alphabet[Int(chunk >> 6 & 63)])
            default: break
            }
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func decode(_ text: String) -> [UInt8]? { decode(utf8: text.utf8) }

    /// One pass over the bytes (every sealed order is opened through here: a daily report opens 100,000s).
    public static func decode(utf8 text: some Collection<UInt8>) -> [UInt8]? {
        var standard = [UInt8]()
        standard.reserveCapacity(text.count + 3)
        for byte in text {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): standard.append(byte)
            case UInt8(ascii: "-"): standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): standard.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        standard += repeatElement(UInt8(ascii: "="), count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: Data(standard)).map(Array.init)
    }
}

extension Base64URL {
    /// Standard-alphabet base64 without padding, as PHC strings write salts and hashes.
    static func standardUnpadded(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decodeStandardUnpadded(_ text: String) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        return Data(base64Encoded: text + String(repeating: "=", count: (4 - text.count % 4) % 4)).map(Array.init)
    }
}
