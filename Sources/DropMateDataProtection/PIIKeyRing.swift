import Crypto
import Foundation

/// The AES-256 keys personal data is encrypted with, each named by a short id. The first key is current:
/// new ciphertext uses it; older keys stay only to decrypt until a rotation has re-encrypted everything.
///
/// Configured as `DROPMATE_PII_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"`. `description` shows ids only.
public struct PIIKeyRing: Sendable, CustomStringConvertible {
    /// The id new ciphertext is written under.
    public let currentKeyID: String
    /// Every id in configuration order, current first.
    public let keyIDs: [String]
    let keys: [String: SymmetricKey]

    /// Why a key ring could not be built. Never contains key material.
    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "DROPMATE_PII_KEYS: " + problems.joined(separator: "; ") }
    }

    /// Builds a ring from ids and raw 32-byte keys, current first.
    public init(keys: [(id: String, key: SymmetricKey)]) throws(ConfigurationError) {
        var problems: [String] = []
        if keys.isEmpty { problems.append("at least one key is required") }
        var byID: [String: SymmetricKey] = [:]
        for (id, key) in keys {
            if !Self.isValidKeyID(id) { problems.append("key id '\(id.prefix(20))' must be 1 to 16 letters or digits") }
            if key.bitCount != 256 { problems.append("key \(id.prefix(20)) must be 32 bytes") }
            if byID.updateValue(key, forKey: id) != nil { problems.append("key id \(id) appears twice") }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        self.currentKeyID = keys[0].id
        self.keyIDs = keys.map(\.id)
        self.keys = byID
    }

    /// Parses `id:base64key` entries separated by commas, current first, reporting every bad entry at once.
    public init(parsing text: String) throws(ConfigurationError) {
        var entries: [(id: String, key: SymmetricKey)] = []
        var problems: [String] = []
        for (index, rawEntry) in text.split(separator: ",").enumerated() {
            let entry = rawEntry.trimmingCharacters(in: .whitespaces)
            guard let colon = entry.firstIndex(of: ":") else {
                problems.append("entry \(index + 1) must be id:base64key")
                continue
            }
            let id = String(entry[..<colon])
            guard let bytes = Data(base64Encoded: String(entry[entry.index(after: colon)...])), bytes.count == 32 else {
                problems.append("key \(id.prefix(20)) must be 32 bytes in base64 (openssl rand -base64 32)")
                continue
            }
            entries.append((id, SymmetricKey(data: bytes)))
        }
        let ring: PIIKeyRing
        do {
            ring = try PIIKeyRing(keys: entries)
        } catch {
            // "At least one key is required" only helps when no entry was even malformed.
            let ringProblems = entries.isEmpty && !problems.isEmpty ? [] : error.problems
            throw ConfigurationError(problems: problems + ringProblems)
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        self = ring
    }

    /// Reads `DROPMATE_PII_KEYS` from `environment`.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> PIIKeyRing {
        guard let text = environment["DROPMATE_PII_KEYS"], !text.isEmpty else {
            throw ConfigurationError(problems: ["is required: id:base64key[,id:base64key…], current key first"])
        }
        return try PIIKeyRing(parsing: text)
    }

    public var description: String { "PIIKeyRing(current: \(currentKeyID), ids: \(keyIDs.joined(separator: ",")))" }

    static func isValidKeyID(_ id: String) -> Bool {
        (1...16).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
