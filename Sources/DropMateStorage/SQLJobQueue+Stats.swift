import DropMateCore
import SQLKit

/// Jobs waiting to run, per kind: what the queue gauges show.
public struct QueuedJobStats: Sendable, Hashable {
    public var kind: String
    /// Jobs waiting: committed, handed to the transport, or waiting to retry (not running, done or dead).
    public var count: Int
    /// The earliest `run_at` among them (Unix seconds).
    public var oldestRunAt: Int64

    public init(kind: String, count: Int, oldestRunAt: Int64) {
        self.kind = kind
        self.count = count
        self.oldestRunAt = oldestRunAt
    }
}

extension SQLJobQueue {
    /// Counts and the oldest `run_at` of waiting jobs, per kind (one grouped query on the `jobs_due` index).
    public func queuedStats() async throws -> [QueuedJobStats] {
        try await backend.reader.raw(
            """
            SELECT kind, COUNT(*) AS n, MIN(run_at) AS oldest FROM jobs WHERE state IN ('ready', 'queued', 'retrying') GROUP BY kind ORDER BY kind
            """
        ).all().map { row in
            QueuedJobStats(
                kind: try row.decode(column: "kind", as: String.self), count: try row.decode(column: "n", as: Int.self),
                oldestRunAt: try row.decode(column: "oldest", as: Int64.self))
        }
    }
}
