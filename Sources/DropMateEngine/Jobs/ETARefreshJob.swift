import DropMateCore
import Foundation

/// Work out an order's arrival again (its courier moved, or time passed) and tell the customer if it shifted.
public struct ETARefreshJob: JobPayload, Hashable {
    public static let kind = "eta"
    public var orderID: Int64

    /// Why the refresh was queued; it names the job's idempotency window.
    public enum Reason: Sendable {
        /// A courier reported a position: at most one refresh per order per 30 seconds of reports.
        case courierMoved
        /// The periodic sweep: one refresh per order per sweep period.
        case schedule(every: Int64)
    }

    public init(orderID: Int64) { self.orderID = orderID }

    /// An order's refreshes run one at a time.
    public var lane: String? { String(orderID) }

    /// The queued job. Reports and sweeps that come close together make one job, so a courier sending their
    /// location every few seconds costs one refresh per order per window.
    func job(reason: Reason, now: Int64) throws -> NewJob {
        let key: String
        switch reason {
        case .courierMoved: key = "eta:\(orderID):m\(now / 30)"
        case .schedule(let every): key = "eta:\(orderID):s\(now / max(every, 1))"
        }
        return try newJob(key: key, runAt: now, maxAttempts: 3)
    }
}
