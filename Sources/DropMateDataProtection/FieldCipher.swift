import Crypto
import Foundation

/// Encrypts personal data (phone numbers, addresses) for storage with AES-256-GCM.
///
/// Ciphertext is text: `v2.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id says which key of the
/// ``PIIKeyRing`` opens it, so keys can rotate while old rows still decrypt. The authenticated data is the
/// `v2.<key id>` header and the value's *context*: the column it belongs to and, where the row is known, the row
/// (`orders.data#1001`). So neither the header nor the place can be altered: a value copied into another row or
/// column does not open there.
///
/// `v1` ciphertext (header only, no context) is still opened, so databases sealed before contexts keep working;
/// it counts as needing rotation, and `dropmate rotate-key` reseals it as `v2`.
public struct FieldCipher: Sendable {
    public let keyRing: PIIKeyRing
    static let version = "v2"
    static let legacyVersion = "v1"
    private static let nonceBytes = 12
    private static let tagBytes = 16

    /// The current key and its `v2.<key id>` header, looked up once (every message's answer is sealed).
    private let currentKey: SymmetricKey
    private let currentHeader: [UInt8]

    public init(keyRing: PIIKeyRing) {
        self.keyRing = keyRing
        currentKey = keyRing.keys[keyRing.currentKeyID]!
        currentHeader = Array("\(Self.version).\(keyRing.currentKeyID)".utf8)
    }

    /// Encrypts `plaintext` under the current key with a fresh random nonce, bound to `context`.
    public func encrypt(_ plaintext: String, context: String) throws -> String {
        try seal(
            plaintext, header: currentHeader,
            authenticating: Self.authenticatedData(header: currentHeader, context: context))
    }

    /// The old format, header only (for tests of reading what older releases wrote).
    func encryptLegacy(_ plaintext: String) throws -> String {
        let header = Array("\(Self.legacyVersion).\(keyRing.currentKeyID)".utf8)
        return try seal(plaintext, header: header, authenticating: header)
    }

    private func seal(_ plaintext: String, header: [UInt8], authenticating associatedData: [UInt8]) throws -> String {
        let nonce = try AES.GCM.Nonce(data: SecureRandom.shared.bytes(Self.nonceBytes))
        let sealed = try AES.GCM.seal(
            Array(plaintext.utf8), using: currentKey, nonce: nonce, authenticating: associatedData)
        // `combined` is nil only for nonces that are not 12 bytes, and ours always are.
        let combined = sealed.combined!
        var text = header
        text.reserveCapacity(header.count + 1 + Base64URL.encodedCount(combined.count))
        text.append(UInt8(ascii: "."))
        combined.withUnsafeBytes { Base64URL.append($0, to: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// `v2.<key id>`, a zero byte, the context (a zero byte cannot occur in the header, so no two pairs collide).
    private static func authenticatedData(header: [UInt8], context: String) -> [UInt8] {
        header + [0] + Array(context.utf8)
    }

    /// Decrypts ciphertext made under any key in the ring: `v2` only in the `context` it was sealed for, `v1` anywhere.
    public func decrypt(_ ciphertext: String, context: String) throws(FieldCipherError) -> String {
        let parsed = try Self.parse(ciphertext)
        guard let key = keyRing.keys[parsed.keyID] else { throw .unknownKeyID(parsed.keyID) }
        let header = Array("\(parsed.version).\(parsed.keyID)".utf8)
        let associatedData =
            parsed.version == Self.version ? Self.authenticatedData(header: header, context: context) : header
        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(combined: parsed.sealed)
            plaintext = try AES.GCM.open(box, using: key, authenticating: associatedData)
        } catch {
            throw .authenticationFailed(keyID: parsed.keyID)
        }
        guard let text = String(validating: plaintext, as: UTF8.self) else { throw .malformed }
        return text
    }

    /// Whether `ciphertext` should be sealed again: made under a key other than the current one, or in the old format.
    public func needsRotation(_ ciphertext: String) throws(FieldCipherError) -> Bool {
        let parsed = try Self.parse(ciphertext)
        return parsed.keyID != keyRing.currentKeyID || parsed.version != Self.version
    }

    /// `ciphertext` as current `v2` under the current key, bound to `context`: decrypted and encrypted afresh if it
    /// needs rotation, returned as is otherwise.
    public func reencrypt(_ ciphertext: String, context: String) throws -> String {
        guard try needsRotation(ciphertext) else { return ciphertext }
        return try encrypt(try decrypt(ciphertext, context: context), context: context)
    }

    /// Whether `text` has the shape of a sealed value (`v1.` or `v2.`), whether or not it opens.
    public static func looksSealed(_ text: String) -> Bool {
        text.hasPrefix("\(version).") || text.hasPrefix("\(legacyVersion).")
    }

    private static func parse(
        _ ciphertext: String
    ) throws(FieldCipherError) -> (version: String, keyID: String, sealed: [UInt8]) {
        // Split on the UTF-8 view: Character-wise splitting of a long ciphertext costs more than opening it.
        let parts = ciphertext.utf8.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed }
        let header = String(decoding: parts[0], as: UTF8.self)
        guard header == version || header == legacyVersion else { throw .unsupportedVersion(String(header.prefix(8))) }
        let keyID = String(decoding: parts[1], as: UTF8.self)
        guard PIIKeyRing.isValidKeyID(keyID),
            let sealed = Base64URL.decode(utf8: parts[2]), sealed.count >= nonceBytes + tagBytes
        else { throw .malformed }
        return (header, keyID, sealed)
    }
}

/// Why a field could not be decrypted. Never contains plaintext or key material.
public enum FieldCipherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `v2.<key id>.<base64url>` (or the older `v1.…`).
    case malformed
    /// Plain text where a sealed value belongs: refused, not taken as it is.
    case notSealed
    /// A format version this build does not know.
    case unsupportedVersion(String)
    /// The key id is not in the ring: a key was removed before rotation finished.
    case unknownKeyID(String)
    /// The ciphertext or its header was altered, it was sealed for another column or row, or the key under that id changed.
    case authenticationFailed(keyID: String)

    public var description: String {
        switch self {
        case .malformed: "encrypted field is malformed"
        case .notSealed: "a field that must be encrypted holds plain text"
        case .unsupportedVersion(let version): "encrypted field has unsupported version \(version)"
        case .unknownKeyID(let id): "encrypted field uses key \(id), which is not configured in DROPMATE_PII_KEYS"
        case .authenticationFailed(let id): "encrypted field failed authentication under key \(id)"
        }
    }
}
