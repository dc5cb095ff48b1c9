import Crypto
import Foundation

/// How a value is normalised before hashing, so the spellings a person might type find the same row.
public enum LookupNormalization: Sendable {
    /// Digits only, with a leading `+86`/`0086`/`86` country code dropped from 11-digit mainland numbers.
    case phone
    /// Trimmed, lowercased, Unicode-compatibility-normalised (NFKC, so full-width forms match), inner whitespace folded.
    case text

    func normalize(_ value: String) -> String {
        switch self {
        case .phone:
            var digits = String(value.unicodeScalars.filter { $0.properties.numericType == .decimal && $0.isASCII })
            for prefix in ["0086", "86"] where digits.hasPrefix(prefix) && digits.count == prefix.count + 11 {
                digits.removeFirst(prefix.count)
            }
            return digits
        case .text:
            return value.precomposedStringWithCompatibilityMapping.lowercased()
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }
}

extension FieldCipher {
    /// A keyed hash of `value` under the current key, stored beside the ciphertext so rows can be found by value
    /// without decrypting: `<key id>.<base64url(HMAC-SHA256)>`.
    ///
    /// The HMAC key is derived from the ring key with HKDF for this purpose only, so it never doubles as an
    /// encryption key; without the ring the hash cannot be brute-forced over the small space of phone numbers.
    public func lookupHash(_ value: String, _ normalization: LookupNormalization) -> String {
        lookupHash(value, normalization, keyID: keyRing.currentKeyID)
    }

    /// The hashes to search for: one per key in the ring, current first, so rows not yet rotated are found too
    /// (`WHERE phone_hash IN (…)`).
    public func lookupHashCandidates(_ value: String, _ normalization: LookupNormalization) -> [String] {
        keyRing.keyIDs.map { lookupHash(value, normalization, keyID: $0) }
    }

    /// Whether a stored lookup hash was made under a key other than the current one.
    public func lookupHashNeedsRotation(_ hash: String) -> Bool {
        !hash.hasPrefix(keyRing.currentKeyID + ".")
    }

    private func lookupHash(_ value: String, _ normalization: LookupNormalization, keyID: String) -> String {
        let lookupKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: keyRing.keys[keyID]!, info: Array("dropmate.pii.lookup.v1".utf8), outputByteCount: 32
        )
        let mac = HMAC<SHA256>.authenticationCode(for: Array(normalization.normalize(value).utf8), using: lookupKey)
        return "\(keyID).\(Base64URL.encode(Array(mac)))"
    }
}
