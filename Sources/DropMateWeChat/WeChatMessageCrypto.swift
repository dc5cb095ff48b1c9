import Crypto
import CryptoExtras
import DropMateDataProtection
import Foundation

/// WeChat's AES message format (safe and compatible modes): AES-256-CBC, IV = first 16 key bytes,
/// plaintext = 16 random bytes ‖ big-endian UInt32 length ‖ message ‖ AppID, PKCS#7 to 32-byte blocks.
public struct WeChatMessageCrypto: Sendable {
    /// WeChat pads to 32-byte blocks, not AES's 16.
    static let padBlock = 32
    private let key: SymmetricKey
    private let iv: AES._CBC.IV
    private let appID: [UInt8]

    /// Derives the AES key from the 43-character EncodingAESKey configured for `appID`.
    public init(encodingAESKey: String, appID: String) throws(WeChatCryptoError) {
        guard encodingAESKey.utf8.count == 43,
            let keyBytes = Data(base64Encoded: encodingAESKey + "="), keyBytes.count == 32,
            let iv = try? AES._CBC.IV(ivBytes: keyBytes.prefix(16))
        else { throw .invalidEncodingAESKey }
        self.key = SymmetricKey(data: keyBytes)
        self.iv = iv
        self.appID = Array(appID.utf8)
    }

    /// Decrypts a base64 `Encrypt` value and returns the message XML bytes, after checking padding,
    /// length and that the trailing AppID is ours.
    public func decrypt(_ base64: String) throws(WeChatCryptoError) -> [UInt8] {
        guard let ciphertext = Data(base64Encoded: base64),
            !ciphertext.isEmpty, ciphertext.count % 16 == 0  // AES blocks; the pad bytes are checked below
        else { throw .invalidCiphertext }
        let plain: Data
        do { plain = try AES._CBC.decrypt(ciphertext, using: key, iv: iv, noPadding: true) } catch {
            throw .cipherFailure
        }
        return try plain.withUnsafeBytes { buffer in
            Result { () throws(WeChatCryptoError) in try unwrap(buffer) }
        }.get()
    }

    private func unwrap(_ plain: UnsafeRawBufferPointer) throws(WeChatCryptoError) -> [UInt8] {
        guard let pad = plain.last, (1...Self.padBlock).contains(Int(pad)), Int(pad) <= plain.count
        else { throw .invalidPadding }
        let end = plain.count - Int(pad)
        for index in end..<plain.count where plain[index] != pad { throw .invalidPadding }
        guard end >= 20 else { throw .invalidLength }
        let length = plain[16..<20].reduce(0) { ($0 << 8) | Int($1) }
        guard length <= end - 20 else { throw .invalidLength }
        let messageEnd = 20 + length
        guard end - messageEnd == appID.count,
            plain[messageEnd..<end].elementsEqual(appID)
        else { throw .appIDMismatch }
        return Array(plain[20..<messageEnd])
    }

    /// Encrypts `message` for WeChat with the caller's 16 `random` bytes (deterministic for tests).
    public func encrypt(_ message: [UInt8], random: [UInt8]) throws(WeChatCryptoError) -> String {
        guard random.count == 16 else { throw .invalidRandomLength(random.count) }
        let unpadded = 20 + message.count + appID.count
        let pad = Self.padBlock - unpadded % Self.padBlock
        var plain: [UInt8] = []
        plain.reserveCapacity(unpadded + pad)
        plain += random
        let length = UInt32(truncatingIfNeeded: message.count)
        plain += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        plain += message
        plain += appID
        plain += repeatElement(UInt8(pad), count: pad)
        do {
            return try AES._CBC.encrypt(plain, using: key, iv: iv, noPadding: true).base64EncodedString()
        } catch {
            throw .cipherFailure
        }
    }

    /// Encrypts `message` (UTF-8) with fresh random bytes from the secure random pool.
    public func encrypt(_ message: String) -> String {
        do {
            return try encrypt(Array(message.utf8), random: Self.randomBytes())
        } catch {
            // Unreachable: 16 random bytes and a whole number of blocks are guaranteed above.
            preconditionFailure("WeChat AES encryption failed: \(error)")
        }
    }

    /// 16 fresh bytes from the process's secure random pool.
    static func randomBytes() -> [UInt8] { SecureRandom.shared.bytes(16) }
}
