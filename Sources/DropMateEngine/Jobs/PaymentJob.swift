import DropMateCore
import Foundation

/// Background work on an order's payment, queued with the change that calls for it.
public struct PaymentJob: JobPayload, Hashable {
    public static let kind = "payment"
    public static let payloadHint: String? =
        #"{"action": "check|expire|settleCancelled|refund", "orderID": 1001, "attempt": 1}"#

    public enum Action: String, Sendable, Hashable, Codable {
        /// Ask WeChat Pay whether the order was paid (the callback may be late or lost); again later if not yet.
        case check
        /// The payment time ran out: a last query, then close the transaction and cancel the order.
        case expire
        /// The order was cancelled: refund what was paid, or close an unpaid transaction.
        case settleCancelled
        /// Send refund `refundNo` to WeChat Pay (stable number, so a retry is the same refund).
        case refund
    }

    public var action: Action
    public var orderID: Int64
    /// Which check this is (backoff grows with it).
    public var attempt: Int
    public var refundNo: String?

    public init(action: Action, orderID: Int64, attempt: Int = 1, refundNo: String? = nil) {
        self.action = action
        self.orderID = orderID
        self.attempt = attempt
        self.refundNo = refundNo
    }

    /// An order's payment steps run one at a time.
    public var lane: String? { String(orderID) }

    /// Seconds after the pay link before the n-th check: 3, 6, 12 minutes, then every 15.
    package static func checkDelay(attempt: Int) -> Int64 {
        min(Int64(180) << Int64(max(0, min(attempt - 1, 4))), 900)
    }

    package func job(runAt: Int64) throws -> NewJob {
        try newJob(key: "payment:\(orderID):\(action.rawValue):\(refundNo ?? String(attempt))", runAt: runAt)
    }
}
