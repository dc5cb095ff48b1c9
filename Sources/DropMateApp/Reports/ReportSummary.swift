import DropMateReports
import Foundation

/// What a recorded report found, as the `reports.summary` column, the API and the H5 page hold it.
public struct ReportSummary: Sendable, Hashable, Codable {
    public struct Reason: Sendable, Hashable, Codable { public var reason: String; public var count: Int }
    public struct TopItem: Sendable, Hashable, Codable {
        public var name: String; public var quantity: Int; public var revenueFen: Int
    }

    public var placed = 0
    public var confirmed = 0
    public var delivered = 0
    public var cancelled = 0
    public var cancelledByReason: [Reason] = []
    /// Integer fen (1/100 yuan), over orders not cancelled.
    public var revenueFen = 0
    public var averageDeliverySeconds: Double?
    public var p90DeliverySeconds: Int?
    public var onTimeRate: Double?
    public var etaMeanAbsoluteErrorMinutes: Double?
    public var pushesSent = 0
    public var pushesFailed = 0
    public var smsSent = 0
    public var boardPosts = 0
    public var deadJobs = 0
    public var topItems: [TopItem] = []
    /// The day's WeChat Pay figures (integer fen); absent when payment is off and nothing was paid.
    public var payments: Payments?

    public struct Payments: Sendable, Hashable, Codable {
        public var count: Int
        public var paidFen: Int
        public var refundedFen: Int
        public var netFen: Int
        /// Delivered but unpaid (payment required), or paid and cancelled without a refund.
        public var needingAttention: Int
    }

    public init() {}

    init(_ summary: DailySummary) {
        placed = summary.placed
        confirmed = summary.confirmed
        delivered = summary.delivered
        cancelled = summary.cancelled
        cancelledByReason = summary.cancelledByReason.map { Reason(reason: $0.reason, count: $0.count) }
        revenueFen = summary.revenueFen
        averageDeliverySeconds = summary.averageDeliverySeconds
        p90DeliverySeconds = summary.p90DeliverySeconds
        onTimeRate = summary.onTimeRate
        etaMeanAbsoluteErrorMinutes = summary.etaMeanAbsoluteErrorMinutes
        pushesSent = summary.extras.pushesSent
        pushesFailed = summary.extras.pushesFailed
        smsSent = summary.extras.smsSent
        boardPosts = summary.extras.boardPosts
        deadJobs = summary.extras.deadJobs
        topItems = summary.topItems.map { TopItem(name: $0.name, quantity: $0.quantity, revenueFen: $0.revenueFen) }
        payments = summary.payments.map {
            Payments(
                count: $0.payments, paidFen: $0.paidFen, refundedFen: $0.refundedFen, netFen: $0.netFen,
                needingAttention: $0.needingAttention)
        }
    }

    /// "¥1234.50".
    public var revenueText: String { String(format: "¥%d.%02d", revenueFen / 100, abs(revenueFen % 100)) }
}

/// Where a recorded report's files are in object storage: stable keys per date, replaced by a rebuild.
public struct ReportFileKeys: Sendable, Hashable, Codable {
    public var xlsx: String
    public var chart: String
    /// Section file name without `.csv` (`orders`, `by_hour`, …) → key.
    public var csv: [String: String]

    /// `reports/DATE/`.
    public static func prefix(_ date: String) -> String { "reports/\(date)/" }
}
