import Crypto
import Foundation

/// Secrets couriers hold: API tokens for their app and one-time binding codes for their WeChat.
enum CourierToken {
    /// "dmc_" and 32 random bytes in hex.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return "dmc_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// What the database keeps of a token: its SHA-256 in hex (a leaked table grants nothing).
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Six random digits.
    static func bindingCode() -> String {
        String(format: "%06d", Int.random(in: 0..<1_000_000))
    }
}
