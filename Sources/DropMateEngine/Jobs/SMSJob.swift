import DropMateCore
import Foundation

/// The `sms` job's payload: one text message to one phone.
public struct SMSJob: JobPayload, Hashable {
    public static let kind = "sms"
    public static let payloadHint: String? = #"{"phone": "+8613800138000", "text": "…"}"#
    /// E.164, e.g. `+8613800138000`.
    public var phone: String
    public var text: String

    public init(phone: String, text: String) {
        self.phone = phone
        self.text = text
    }

    private enum CodingKeys: String, CodingKey { case phone, text }

    /// Decodes a queued job's payload, refusing a phone that is not E.164 (retrying could not mend it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phone = try container.decode(String.self, forKey: .phone)
        text = try container.decode(String.self, forKey: .text)
        guard phone.first == "+", phone.dropFirst().allSatisfy(\.isNumber), (8...16).contains(phone.count) else {
            throw SMSError(provider: "job", reason: "the phone is not an E.164 number")
        }
    }

    /// One phone's texts go out in the order queued.
    public var lane: String? { phone }

    package func job(key: String, now: Int64) throws -> NewJob {
        try newJob(key: key, runAt: now)
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
