import DropMateCore
import Foundation

/// A message to a customer outside the passive reply (customer-service message, template or SMS later).
public struct PushJob: Sendable, Hashable, Codable {
    public static let kind = "push"
    public var openID: String
    public var message: OutgoingMessage
    /// The customer's mobile (E.164), when known: the push goes out as an SMS if WeChat cannot deliver it
    /// (outside the 48-hour window with no template configured, or unsubscribed).
    public var phone: String?
    /// The order event the push is about, for a template message when one is configured for it.
    public var event: OrderEventNotice?

    public init(openID: String, message: OutgoingMessage, phone: String? = nil, event: OrderEventNotice? = nil) {
        self.openID = openID
        self.message = message
        self.phone = phone
        self.event = event
    }

    /// The queued job; `key` makes enqueuing it twice one job.
    package func job(key: String, now: Int64) throws -> NewJob {
        let payload = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        return NewJob(kind: Self.kind, payload: payload, idempotencyKey: key, runAt: now)
    }

    /// Decodes a queued job's payload.
    public init(payload: String) throws {
        self = try JSONDecoder().decode(PushJob.self, from: Data(payload.utf8))
    }
}
