import Crypto
import DropMateDataProtection
import Foundation

/// Random bearer secrets (`dms_` staff API tokens, `dmr_` refresh tokens, `dmc_` courier-app tokens) and the one
/// thing the database keeps of them: their SHA-256 in hex, so a leaked table grants nothing.
enum SecretToken {
    /// `prefix` and 32 random bytes in hex.
    static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix
            + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}
