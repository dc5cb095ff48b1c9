import DropMateCore
import DropMateDataProtection
import Foundation

/// Seals the stored documents that hold personal data (orders, conversation states, answers) with AES-GCM
/// before they reach the database or a cache, and opens them again. Values written before sealing was
/// introduced (plain JSON) are still read, and `dropmate rotate-key` seals them.
public struct PIISealer: Sendable {
    public let cipher: FieldCipher

    public init(keyRing: PIIKeyRing) { cipher = FieldCipher(keyRing: keyRing) }

    /// Sealed text: `v1.<key id>.<…>`.
    public func seal(_ text: String) throws -> String { try cipher.encrypt(text) }

    /// The text inside a sealed value; an unsealed value as it is.
    public func open(_ stored: String) throws -> String {
        guard Self.isSealed(stored) else { return stored }
        return try cipher.decrypt(stored)
    }

    /// Whether `stored` is sealed (else it predates sealing).
    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix("v1.") }

    /// Whether a stored value should be sealed again: unsealed, or sealed under an older key.
    public func needsResealing(_ stored: String) -> Bool {
        guard Self.isSealed(stored) else { return true }
        return (try? cipher.needsRotation(stored)) ?? false
    }

    public func encode<T: Encodable>(_ value: T) throws -> String { try seal(try JSONColumn.encode(value)) }

    public func decode<T: Decodable>(_ type: T.Type, from stored: String) throws -> T { try JSONColumn.decode(type, from: try open(stored)) }

    /// The keyed hash staff search phone numbers by.
    public func phoneHash(_ phone: PhoneNumber) -> String { cipher.lookupHash(phone.digits, .phone) }

    /// Hashes of `phone` under every key in the ring (rows not yet rotated are found too).
    public func phoneHashCandidates(_ text: String) -> [String] { cipher.lookupHashCandidates(text, .phone) }
}
