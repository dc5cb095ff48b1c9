import DropMateCore
import Foundation
import SQLKit

/// A daily report as recorded once its files are stored: the business day, when it was built, what it found
/// and where its files are (both JSON the app defines).
public struct ReportRecord: Sendable, Hashable {
    /// `YYYY-MM-DD` in the business time zone.
    public var date: String
    public var builtAt: Int64
    /// The job that built it.
    public var jobID: Int64?
    public var summary: String
    public var files: String

    public init(date: String, builtAt: Int64, jobID: Int64?, summary: String, files: String) {
        self.date = date
        self.builtAt = builtAt
        self.jobID = jobID
        self.summary = summary
        self.files = files
    }
}

/// What happened in a day outside the orders: pushes, text messages, board posts, jobs that died.
public struct DayActivity: Sendable, Hashable {
    public var pushesSent = 0
    public var pushesFailed = 0
    public var smsSent = 0
    public var boardPosts = 0
    public var deadJobs = 0

    public init(pushesSent: Int = 0, pushesFailed: Int = 0, smsSent: Int = 0, boardPosts: Int = 0, deadJobs: Int = 0) {
        self.pushesSent = pushesSent
        self.pushesFailed = pushesFailed
        self.smsSent = smsSent
        self.boardPosts = boardPosts
        self.deadJobs = deadJobs
    }
}

/// The WeChat Pay payment of one of a day's orders, with what the order became (the report flags a delivered
/// order left unpaid and a cancelled one left paid).
public struct DayPayment: Sendable, Hashable {
    public var orderID: Int64
    public var merchantID: String
    public var orderStatus: OrderStatus?
    public var payment: OrderPayment

    public init(orderID: Int64, merchantID: String, orderStatus: OrderStatus?, payment: OrderPayment) {
        self.orderID = orderID
        self.merchantID = merchantID
        self.orderStatus = orderStatus
        self.payment = payment
    }
}

/// The `reports` table, and the day-level counts a report reads from the other tables.
public struct SQLReportStore: Sendable {
    let backend: any SQLBackend
    /// Seals the notices' payloads as the job queue does.
    let sealer: PIISealer?

    public init(backend: any SQLBackend, sealer: PIISealer? = nil) {
        self.backend = backend
        self.sealer = sealer
    }

    /// Records `report` (replacing an earlier build of the same day) and queues `notices` in the same transaction:
    /// a report is recorded with its notices or not at all. Notices already queued (same idempotency key) stay one.
    public func record(_ report: ReportRecord, notices: [NewJob]) async throws {
        let sealer = sealer
        try await backend.transaction { db in
            try await db.raw(
                """
                INSERT INTO reports (date, built_at, job_id, summary, files)
                VALUES (\(bind: report.date), \(bind: report.builtAt), \(bind: report.jobID), \(bind: report.summary), \(bind: report.files))
                ON CONFLICT (date) DO UPDATE SET built_at = excluded.built_at, job_id = excluded.job_id, summary = excluded.summary, files = excluded.files
                """
            ).run()
            for notice in notices { try await SQLJobQueue.insert(notice, now: report.builtAt, in: db, sealer: sealer) }
        }
    }

    /// The recorded report of `date`, if any.
    public func report(date: String) async throws -> ReportRecord? {
        try await backend.reader.raw(
            "SELECT date, built_at, job_id, summary, files FROM reports WHERE date = \(bind: date)"
        ).first().map(Self.record)
    }

    /// Recorded reports with `from ≤ date ≤ to` (either bound optional), newest first.
    public func reports(from: String?, to: String?, limit: Int) async throws -> [ReportRecord] {
        try await Self.reports(from: from, to: to, limit: limit, in: backend.reader)
    }

    static func reports(from: String?, to: String?, limit: Int, in db: any SQLDatabase) async throws -> [ReportRecord] {
        var conditions: SQLQueryString = "1 = 1"
        if let from { conditions = "\(conditions) AND date >= \(bind: from)" }
        if let to { conditions = "\(conditions) AND date <= \(bind: to)" }
        return try await db.raw(
            """
            SELECT date, built_at, job_id, summary, files FROM reports WHERE \(conditions) ORDER BY date DESC LIMIT \(bind: limit)
            """
        ).all().map(Self.record)
    }

    /// Pushes, text messages, board posts and dead jobs in `[from, to)` (Unix seconds).
    /// A push counts as failed when WeChat reported it failed; text messages are the deliveries that went out as SMS.
    public func activity(from: Int64, to: Int64) async throws -> DayActivity {
        try await Self.activity(from: from, to: to, in: backend.reader)
    }

    static func activity(from: Int64, to: Int64, in db: any SQLDatabase) async throws -> DayActivity {
        let row = try await db.raw(
            """
            SELECT
              (SELECT COUNT(*) FROM deliveries WHERE created_at >= \(bind: from) AND created_at < \(bind: to) AND channel <> 'sms' AND status NOT LIKE 'failed%') AS pushes_sent,
              (SELECT COUNT(*) FROM deliveries WHERE created_at >= \(bind: from) AND created_at < \(bind: to) AND channel <> 'sms' AND status LIKE 'failed%') AS pushes_failed,
              (SELECT COUNT(*) FROM deliveries WHERE created_at >= \(bind: from) AND created_at < \(bind: to) AND channel = 'sms' AND status NOT LIKE 'failed%') AS sms_sent,
              (SELECT COUNT(*) FROM board_posts WHERE created_at >= \(bind: from) AND created_at < \(bind: to)) AS board_posts,
              (SELECT COUNT(*) FROM jobs WHERE state = 'dead' AND updated_at >= \(bind: from) AND updated_at < \(bind: to)) AS dead_jobs
            """
        ).first()
        guard let row else { return DayActivity() }
        return DayActivity(
            pushesSent: try row.decode(column: "pushes_sent", as: Int.self),
            pushesFailed: try row.decode(column: "pushes_failed", as: Int.self),
            smsSent: try row.decode(column: "sms_sent", as: Int.self),
            boardPosts: try row.decode(column: "board_posts", as: Int.self),
            deadJobs: try row.decode(column: "dead_jobs", as: Int.self))
    }

    /// The payments (`payments` table) of the orders placed in `[from, to)` (Unix seconds), the same orders the
    /// report lists, in the order they were placed. At most one per order, so bounded by the day's orders.
    public func payments(ofOrdersPlacedFrom from: Int64, to: Int64) async throws -> [DayPayment] {
        try await Self.payments(ofOrdersPlacedFrom: from, to: to, in: backend.reader)
    }

    static func payments(ofOrdersPlacedFrom from: Int64, to: Int64, in db: any SQLDatabase) async throws -> [DayPayment]
    {
        let rows = try await db.raw(
            """
            SELECT p.order_id AS order_id, o.merchant_id AS merchant_id, o.status AS order_status, p.data AS data
            FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE o.created_at >= \(bind: from) AND o.created_at < \(bind: to)
            ORDER BY o.created_at, o.id
            """
        ).all()
        return try rows.map { row in
            let data = try row.decode(column: "data", as: String.self)
            return DayPayment(
                orderID: try row.decode(column: "order_id", as: Int64.self),
                merchantID: try row.decode(column: "merchant_id", as: String.self),
                orderStatus: OrderStatus(rawValue: try row.decode(column: "order_status", as: String.self)),
                payment: try JSONDecoder().decode(OrderPayment.self, from: Data(data.utf8)))
        }
    }

    static func record(_ row: any SQLRow) throws -> ReportRecord {
        ReportRecord(
            date: try row.decode(column: "date", as: String.self),
            builtAt: try row.decode(column: "built_at", as: Int64.self),
            jobID: try row.decode(column: "job_id", as: Int64?.self),
            summary: try row.decode(column: "summary", as: String.self),
            files: try row.decode(column: "files", as: String.self))
    }
}
