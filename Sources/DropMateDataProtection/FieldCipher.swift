import Crypto
import Foundation

/// Encrypts personal data (phone numbers, addresses) for storage with AES-256-GCM.
///
/// Ciphertext is text: `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id says which key of the
/// ``PIIKeyRing`` opens it, so keys can rotate while old rows still decrypt; the `v1.<key id>` header is
/// authenticated as associated data, so it cannot be altered either.
public struct FieldCipher: Sendable {
    public let keyRing: PIIKeyRing
    static let version = "v1"
    private static let nonceBytes = 12
    private static let tagBytes = 16

    /// The current key and its `v1.<key id>` header, looked up once (every message's answer is sealed).
    private let currentKey: SymmetricKey
    private let currentHeader: [UInt8]

    public init(keyRing: PIIKeyRing) {
        self.keyRing = keyRing
        currentKey = keyRing.keys[keyRing.currentKeyID]!
        currentHeader = Array("\(Self.version).\(keyRing.currentKeyID)".utf8)
    }

    /// Encrypts `plaintext` under the current key with a fresh random nonce.
    public func encrypt(_ plaintext: String) throws -> String {
        let nonce = try AES.GCM.Nonce(data: SecureRandom.shared.bytes(Self.nonceBytes))
        let sealed = try AES.GCM.seal(Array(plaintext.utf8), using: currentKey, nonce: nonce, authenticating: currentHeader)
        // `combined` is nil only for nonces that are not 12 bytes, and ours always are.
        let combined = sealed.combined!
        var text = currentHeader
        text.reserveCapacity(currentHeader.count + 1 + Base64URL.encodedCount(combined.count))
        text.append(UInt8(ascii: "."))
        combined.withUnsafeBytes { Base64URL.append($0, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decrypts ciphertext made under any key in the ring.
    public func decrypt(_ ciphertext: String) throws(FieldCipherError) -> String {
        let parsed = try Self.parse(ciphertext)
        guard let key = keyRing.keys[parsed.keyID] else { throw .unknownKeyID(parsed.keyID) }
        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(combined: parsed.sealed)
            plaintext = try AES.GCM.open(box, using: key, authenticating: Array("\(Self.version).\(parsed.keyID)".utf8))
        } catch {
            throw .authenticationFailed(keyID: parsed.keyID)
        }
        guard let text = String(validating: plaintext, as: UTF8.self) else { throw .malformed }
        return text
    }

    /// Whether `ciphertext` was made under a key other than the current one.
    public func needsRotation(_ ciphertext: String) throws(FieldCipherError) -> Bool {
        try Self.parse(ciphertext).keyID != keyRing.currentKeyID
    }

    /// `ciphertext` under the current key: decrypted and encrypted afresh if it needs rotation, returned as is otherwise.
    public func reencrypt(_ ciphertext: String) throws -> String {
        guard try needsRotation(ciphertext) else { return ciphertext }
        return try encrypt(try decrypt(ciphertext))
    }

    private static func parse(_ ciphertext: String) throws(FieldCipherError) -> (keyID: String, sealed: [UInt8]) {
        // Split on the UTF-8 view: Character-wise splitting of a long ciphertext costs more than opening it.
        let parts = ciphertext.utf8.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed }
        let header = String(decoding: parts[0], as: UTF8.self)
        guard header == version else { throw .unsupportedVersion(String(header.prefix(8))) }
        let keyID = String(decoding: parts[1], as: UTF8.self)
        guard PIIKeyRing.isValidKeyID(keyID),
              let sealed = Base64URL.decode(utf8: parts[2]), sealed.count >= nonceBytes + tagBytes
        else { throw .malformed }
        return (keyID, sealed)
    }
}

/// Why a field could not be decrypted. Never contains plaintext or key material.
public enum FieldCipherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `v1.<key id>.<base64url>`.
    case malformed
    /// A format version this build does not know.
    case unsupportedVersion(String)
    /// The key id is not in the ring: a key was removed before rotation finished.
    case unknownKeyID(String)
    /// The ciphertext or its header was altered, or the key under that id changed.
    case authenticationFailed(keyID: String)

    public var description: String {
        switch self {
        case .malformed: "encrypted field is malformed"
        case .unsupportedVersion(let version): "encrypted field has unsupported version \(version)"
        case .unknownKeyID(let id): "encrypted field uses key \(id), which is not configured in DROPMATE_PII_KEYS"
        case .authenticationFailed(let id): "encrypted field failed authentication under key \(id)"
        }
    }
}
