import DropMateCore
import Foundation

/// The `sms` job's payload: one text message to one phone.
public struct SMSJob: Sendable, Hashable, Codable {
    public static let kind = "sms"
    /// E.164, e.g. `+8613800138000`.
    public var phone: String
    public var text: String

    public init(phone: String, text: String) {
        self.phone = phone
        self.text = text
    }

    public init(payload: String) throws {
        self = try JSONDecoder().decode(SMSJob.self, from: Data(payload.utf8))
        guard phone.first == "+", phone.dropFirst().allSatisfy(\.isNumber), (8...16).contains(phone.count) else {
            throw SMSError(provider: "job", reason: "the phone is not an E.164 number")
        }
    }

    func job(key: String, now: Int64) throws -> NewJob {
        NewJob(kind: Self.kind, payload: String(decoding: try JSONEncoder().encode(self), as: UTF8.self), idempotencyKey: key, runAt: now)
    }
}

/// A refused or failed SMS. Never carries a key or the full phone number.
public struct SMSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    public var reason: String
    public var description: String { "\(provider) SMS failed: \(reason)" }

    package init(provider: String, reason: String) {
        self.provider = provider
        self.reason = reason
    }
}
