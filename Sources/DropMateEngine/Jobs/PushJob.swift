import DropMateCore
import Foundation

/// A message to a customer outside the passive reply (customer-service message, template or SMS later).
public struct PushJob: JobPayload, Hashable {
    public static let kind = "push"
    public static let payloadHint: String? = #"{"openID": "…", "message": {"text": {"_0": "…"}}}"#
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

    /// One customer's pushes run in the order queued (a "delivered" must not overtake its "on its way").
    public var lane: String? { openID }

    /// The queued job; `key` makes enqueuing it twice one job.
    package func job(key: String, now: Int64) throws -> NewJob {
        try newJob(key: key, runAt: now)
    }
}
