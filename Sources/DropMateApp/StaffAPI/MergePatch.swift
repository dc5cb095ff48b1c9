import DropMateDataProtection
import Foundation
import NIOCore

/// `PATCH` bodies as JSON Merge Patch (RFC 7396): a member left out stays as it is, `null` clears it (where the
/// resource allows an empty value; a required one then answers 400 naming it), anything else replaces it. The
/// patched representation is then checked exactly as a full `PUT` of it would be, so both paths share every rule.
enum MergePatch {
    /// `Content-Type` a PATCH may carry (plain JSON is accepted too: most clients send it).
    static let mediaTypes: Set<String> = ["application/merge-patch+json", "application/json"]

    /// The patch document of a request: a JSON object, or a 400/415 that says what is wrong.
    static func document(_ body: ByteBuffer, contentType: String?) throws -> [String: Any] {
        if let contentType {
            let type =
                contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                ?? ""
            guard mediaTypes.contains(type) else {
                throw APIError(
                    status: .unsupportedMediaType, code: "unsupported_media_type",
                    message: "a PATCH body is application/merge-patch+json (or application/json)")
            }
        }
        guard body.readableBytes > 0 else {
            throw APIError.badRequest("a JSON object is required (send {} to change nothing)")
        }
        guard
            let object =
                (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed]))
                as? [String: Any]
        else {
            throw APIError.badRequest("a PATCH body must be a JSON object")
        }
        return object
    }

    /// RFC 7396 §2: `patch` applied to `target`.
    static func apply(_ patch: Any, to target: Any?) -> Any {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key])
            }
        }
        return result
    }

    /// The representation of `value` as a JSON object, the way the API writes it.
    static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: APIJSON.encoder.encode(value))) as? [String: Any] ?? [:]
    }

    /// Decodes a patched object as the resource's full body, with the API's own error messages.
    static func decode<T: Decodable>(_ type: T.Type, from object: [String: Any]) throws -> T {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return try APIJSON.decode(T.self, from: ByteBuffer(bytes: data))
    }

    /// Refuses a patch that changes a member the resource does not let a client set this way.
    static func refuse(_ patch: [String: Any], changing members: [String: String], in current: [String: Any]) throws {
        for (member, hint) in members.sorted(by: { $0.key < $1.key }) {
            guard let value = patch[member] else { continue }
            if !same(value, current[member] ?? NSNull()) {
                throw APIError.badRequest("\"\(member)\" cannot be changed here: \(hint)", code: "read_only")
            }
        }
    }

    /// Whether two JSON values are equal, compared as their canonical JSON text (no bridging needed on Linux).
    static func same(_ a: Any, _ b: Any) -> Bool { canonical(a) == canonical(b) }

    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

/// What an update changed, for the audit log: only the members whose value differs, each side as one JSON object
/// (`{"price_fen":1800}` → `{"price_fen":2000}`), phone numbers masked. Nothing changed: both nil.
struct AuditDiff {
    var before: String?
    var after: String?

    /// Members whose values are personal data: shown masked (a phone's last four digits, no more).
    static let masked: Set<String> = ["phone"]
    /// Longest side kept (the audit log is for reading, not for storing whole documents).
    static let maxLength = 2000

    init(before old: [String: Any]?, after new: [String: Any]) {
        guard let old else {
            after = Self.text(new)
            return
        }
        var removed: [String: Any] = [:], added: [String: Any] = [:]
        for key in Set(old.keys).union(new.keys) {
            let was = old[key] ?? NSNull(), now = new[key] ?? NSNull()
            if MergePatch.same(was, now) { continue }
            removed[key] = was
            added[key] = now
        }
        guard !added.isEmpty else { return }
        before = Self.text(removed)
        after = Self.text(added)
    }

    init<T: Encodable>(before old: T?, after new: T) throws {
        self.init(before: try old.map { try MergePatch.object($0) }, after: try MergePatch.object(new))
    }

    private static func text(_ members: [String: Any]) -> String {
        var members = members
        for key in masked { if let phone = members[key] as? String { members[key] = PIIMask.phone(phone) } }
        let data =
            (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        let text = PIIMask.phoneNumbers(in: String(decoding: data, as: UTF8.self))
        return text.count > maxLength ? String(text.prefix(maxLength - 1)) + "…" : text
    }
}
