import SQLKit

/// One push's delivery: how it went out and what became of it.
public struct Delivery: Sendable, Hashable {
    public enum Channel: String, Sendable {
        case customerService = "customer_service"
        case template, sms
    }
    public var jobID: Int64
    public var openID: String
    public var channel: Channel
    /// WeChat's msgid for a template message (its outcome arrives later as TEMPLATESENDJOBFINISH).
    public var msgID: String?
    /// `sent`, then for template messages WeChat's outcome: `success`, `failed:user block`, `failed:system failed`.
    public var status: String

    public init(jobID: Int64, openID: String, channel: Channel, msgID: String? = nil, status: String = "sent") {
        self.jobID = jobID
        self.openID = openID
        self.channel = channel
        self.msgID = msgID
        self.status = status
    }
}

/// The `deliveries` table.
public struct SQLDeliveryLog: Sendable {
    let backend: any SQLBackend
    /// The worker sends up to 64 pushes at once, each recording its delivery: together they make one INSERT.
    private let writes: GroupCommitter<(delivery: Delivery, now: Int64)>

    public init(backend: any SQLBackend) {
        self.backend = backend
        self.writes = GroupCommitter(maxBatch: 128) { batch in try await Self.insert(batch, into: backend) }
    }

    /// Records how a push went out (a job run twice records its latest delivery). Returns once the row is written;
    /// records made at the same moment share one statement.
    public func record(_ delivery: Delivery, now: Int64) async throws {
        try await writes.commit((delivery, now))
    }

    private static func insert(_ batch: [(delivery: Delivery, now: Int64)], into backend: any SQLBackend) async throws {
        // One row per job (the latest): a statement may not upsert the same row twice.
        var latest: [Int64: Int] = [:]
        for (index, entry) in batch.enumerated() { latest[entry.delivery.jobID] = index }
        let rows = batch.indices.filter { latest[batch[$0].delivery.jobID] == $0 }.map { index -> SQLQueryString in
            let (delivery, now) = batch[index]
            return
                "(\(bind: delivery.jobID), \(bind: delivery.openID), \(bind: delivery.channel.rawValue), \(bind: delivery.msgID), \(bind: delivery.status), \(bind: now), \(bind: now))"
        }
        try await backend.singleStatement { db in
            try await db.raw(
                """
                INSERT INTO deliveries (job_id, openid, channel, msgid, status, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (job_id) DO UPDATE SET channel = excluded.channel, msgid = excluded.msgid, status = excluded.status, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// WeChat's TEMPLATESENDJOBFINISH: the template message `msgID` ended with `status`. Returns whether it was ours.
    @discardableResult
    public func templateFinished(msgID: String, status: String, now: Int64) async throws -> Bool {
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE deliveries SET status = \(bind: String(status.prefix(100))), updated_at = \(bind: now) WHERE msgid = \(bind: msgID) RETURNING job_id
                """
            ).first() != nil
        }
    }

    /// The delivery of a job, if it went out.
    public func delivery(jobID: Int64) async throws -> Delivery? {
        guard
            let row = try await backend.reader.raw(
                "SELECT job_id, openid, channel, msgid, status FROM deliveries WHERE job_id = \(bind: jobID)"
            ).first()
        else { return nil }
        return Delivery(
            jobID: try row.decode(column: "job_id", as: Int64.self),
            openID: try row.decode(column: "openid", as: String.self),
            channel: Delivery.Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .customerService,
            msgID: try row.decode(column: "msgid", as: String?.self),
            status: try row.decode(column: "status", as: String.self))
    }
}
