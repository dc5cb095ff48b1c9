import DropMateCore
import DropMateDataProtection
import Foundation

/// Seals the stored documents that hold personal data (orders, conversation states, answers) with AES-GCM
/// before they reach the database or a cache, and opens them again. Each value is sealed *as* a field: its column
/// and, where the row is known when it is written, its row (``SealedField``), so a sealed value moved to another row
/// or column does not open there.
///
/// Plain text where a sealed value belongs is refused. The one way in for values written before sealing was
/// introduced (plain JSON) is `dropmate rotate-key`, which seals them (``openForResealing(_:as:)``); values sealed
/// in the older, unbound `v1` format still open, and the same command reseals them bound.
public struct PIISealer: Sendable {
    public let cipher: FieldCipher

    public init(keyRing: PIIKeyRing) { cipher = FieldCipher(keyRing: keyRing) }

    /// Sealed text: `v2.<key id>.<…>`, bound to `field`.
    public func seal(_ text: String, as field: SealedField) throws -> String {
        try cipher.encrypt(text, context: field.context)
    }

    /// The text inside a value sealed as `field` (or in the old unbound format); plain text is refused.
    public func open(_ stored: String, as field: SealedField) throws -> String {
        guard Self.isSealed(stored) else { throw FieldCipherError.notSealed }
        return try cipher.decrypt(stored, context: field.context)
    }

    /// For `dropmate rotate-key` only: like `open`, but a value from before sealing (plain text) is returned as it
    /// is, so that it can be sealed.
    public func openForResealing(_ stored: String, as field: SealedField) throws -> String {
        guard Self.isSealed(stored) else { return stored }
        return try cipher.decrypt(stored, context: field.context)
    }

    /// Whether `stored` is sealed (else it predates sealing, or was put there by hand).
    public static func isSealed(_ stored: String) -> Bool { FieldCipher.looksSealed(stored) }

    /// Whether a stored value should be sealed again: unsealed, unbound (`v1`), or sealed under an older key.
    public func needsResealing(_ stored: String) -> Bool {
        guard Self.isSealed(stored) else { return true }
        return (try? cipher.needsRotation(stored)) ?? false
    }

    public func encode<T: Encodable>(_ value: T, as field: SealedField) throws -> String {
        try seal(try JSONColumn.encode(value), as: field)
    }

    public func decode<T: Decodable>(_ type: T.Type, from stored: String, as field: SealedField) throws -> T {
        try JSONColumn.decode(type, from: try open(stored, as: field))
    }

    /// The keyed hash staff search phone numbers by.
    public func phoneHash(_ phone: PhoneNumber) -> String { cipher.lookupHash(phone.digits, .phone) }

    /// Hashes of `phone` under every key in the ring (rows not yet rotated are found too).
    public func phoneHashCandidates(_ text: String) -> [String] { cipher.lookupHashCandidates(text, .phone) }
}

/// Where a sealed value belongs: its column and, when the row's key is known as it is written, that row. Part of the
/// value's authenticated data, so it opens only there.
public struct SealedField: Sendable, Hashable {
    /// `table.column` or `table.column#row`.
    public let context: String

    public init(_ column: String, row: String? = nil) {
        context = row.map { "\(column)#\($0)" } ?? column
    }

    /// An order's document, bound to its number.
    public static func order(_ id: Int64) -> SealedField { SealedField("orders.data", row: String(id)) }
    /// A customer's conversation state (in the database and in the Redis cache alike), bound to the customer.
    public static func customerState(_ openID: String) -> SealedField { SealedField("customers.state", row: openID) }
    /// A stored answer to a WeChat message, bound to its dedupe key.
    public static func answer(_ dedupeKey: String) -> SealedField {
        SealedField("handled_messages.reply", row: dedupeKey)
    }
    /// A courier's phone (the row's id is made by the insert, so the column only).
    public static let courierPhone = SealedField("couriers.phone")
    /// A job's payload (the row's id is made by the insert, so the column only).
    public static let jobPayload = SealedField("jobs.payload")
    /// A staff API answer kept for replay, bound to the principal and the Idempotency-Key it answered.
    public static func idempotentAnswer(principal: String, key: String) -> SealedField {
        SealedField("idempotency_keys.body", row: "\(principal) \(key)")
    }
}
