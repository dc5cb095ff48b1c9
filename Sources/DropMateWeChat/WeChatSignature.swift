import Crypto
import DropMateDataProtection

/// WeChat's SHA-1 request signatures: sort the parts by bytes, concatenate, hash, lowercase hex.
public enum WeChatSignature {
    /// SHA-1 (lowercase hex) of `parts` sorted in byte order and concatenated.
    public static func sign(_ parts: [String]) -> String {
        let sorted = parts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var hasher = Insecure.SHA1()
        for part in sorted {
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return Hex.encode(hasher.finalize())
    }

    /// Whether `signature` signs `[token, timestamp, nonce]` (URL verification and every push).
    public static func isValid(signature: String, token: String, timestamp: String, nonce: String) -> Bool {
        constantTimeEquals(sign([token, timestamp, nonce]), signature)
    }

    /// Whether `msgSignature` signs `[token, timestamp, nonce, encrypted]` (safe and compatible modes).
    public static func isValid(
        msgSignature: String, token: String, timestamp: String, nonce: String, encrypted: String
    ) -> Bool {
        constantTimeEquals(sign([token, timestamp, nonce, encrypted]), msgSignature)
    }

    /// Compares two strings' UTF-8 bytes in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { a in
            b.withUTF8 { b in
                guard a.count == b.count else { return false }
                var difference: UInt8 = 0
                for index in 0..<a.count { difference |= a[index] ^ b[index] }
                return difference == 0
            }
        }
    }
}
