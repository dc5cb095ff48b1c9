import Crypto
import DropMateDataProtection
import Foundation

/// Signed, expiring links (HMAC-SHA256): only DropMate can make them, nobody can change the order or the expiry.
public struct LinkSigner: Sendable {
    private let key: SymmetricKey

    public init(secret: [UInt8]) { key = SymmetricKey(data: secret) }

    /// The signature for `purpose` (e.g. "confirm"), `id` and `expires`.
    public func signature(purpose: String, id: String, expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(purpose):\(id):\(expires)".utf8), using: key)
        return Hex.encode(mac.prefix(16))
    }

    /// Whether `signature` is right (constant time) and the link has not expired at `now`.
    public func verify(purpose: String, id: String, expires: Int64, signature: String, now: Int64) -> LinkCheck {
        guard Self.constantTimeEquals(self.signature(purpose: purpose, id: id, expires: expires), signature) else {
            return .forged
        }
        return now <= expires ? .valid : .expired
    }

    public enum LinkCheck: Sendable, Equatable { case valid, expired, forged }

    /// Whether two signatures are equal, taking the same time wherever they differ (only a length mismatch, which
    /// says nothing about a signature of known length, ends early).
    package static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
