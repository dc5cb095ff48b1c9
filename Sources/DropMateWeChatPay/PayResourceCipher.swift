import Crypto
import Foundation

/// AEAD_AES_256_GCM as WeChat Pay uses it for callback resources: key = the API v3 key, a 12-character nonce,
/// `associated_data` authenticated but not encrypted, and base64(ciphertext ‖ 16-byte tag).
public struct PayResourceCipher: Sendable {
    let key: APIv3Key

    public init(key: APIv3Key) { self.key = key }

    /// The plaintext of a callback's `resource`.
    public func decrypt(_ resource: PayNotification.Resource) throws(WeChatPayError) -> Data {
        guard resource.algorithm == "AEAD_AES_256_GCM" else {
            throw .unsupportedAlgorithm(String(resource.algorithm.prefix(32)))
        }
        return try decrypt(
            ciphertext: resource.ciphertext, nonce: resource.nonce, associatedData: resource.associatedData ?? "")
    }

    public func decrypt(ciphertext: String, nonce: String, associatedData: String) throws(WeChatPayError) -> Data {
        guard let combined = Data(base64Encoded: ciphertext), combined.count >= 16 else { throw .undecryptable }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: Data(nonce.utf8)), ciphertext: combined.dropLast(16),
                tag: combined.suffix(16))
            return try AES.GCM.open(box, using: key.key, authenticating: Data(associatedData.utf8))
        } catch {
            throw .undecryptable
        }
    }

    /// base64(ciphertext ‖ tag): what WeChat Pay would send (the fake server and tests encrypt with it).
    public func encrypt(_ plaintext: Data, nonce: String, associatedData: String) throws(WeChatPayError) -> String {
        do {
            let box = try AES.GCM.seal(
                plaintext, using: key.key, nonce: AES.GCM.Nonce(data: Data(nonce.utf8)),
                authenticating: Data(associatedData.utf8))
            return (box.ciphertext + box.tag).base64EncodedString()
        } catch {
            throw .malformed("nonce (must be 12 bytes)")
        }
    }
}
