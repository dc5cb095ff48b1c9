import DropMateCore
import SQLKit

/// The `jobs` table as the outbox of a queue that lives elsewhere (Redis Streams in production).
///
/// A job's row is its record: `ready` (committed, not yet handed to the transport), `queued` (handed over),
/// `retrying` (failed, waiting for `run_at`), `running`, `done` or `dead`. Every handover, retry and start
/// carries a lease (`locked_until`): a job that stays quiet well past it — the transport lost it — is handed
/// over again, and `start` lets only one worker run it at a time. So the transport may lose or duplicate
/// entries: no job is lost and none runs twice concurrently.
extension SQLJobQueue {
    /// Hands due jobs to the transport: new due rows, and rows that went quiet — handed over, retrying or
    /// running, with a lease that ran out more than `grace` seconds ago (the transport must have lost them;
    /// a running job's own lease is the transport's business: Redis Streams reclaim it sooner). `handOver`
    /// runs inside the transaction, before the rows become `queued` until `now + grace`: if it throws, nothing
    /// changes; if the commit fails after it, the rows stay due and the transport's copies are refused by `start`.
    @discardableResult
    public func relay(
        limit: Int, now: Int64, grace: Int64, handOver: @escaping @Sendable ([Job]) async throws -> Void
    ) async throws -> Int {
        let skipLocked: SQLQueryString = backend.isSQLite ? "" : " FOR UPDATE SKIP LOCKED"
        return try await backend.transaction { db in
            let due: SQLQueryString = """
                (state = 'ready' AND run_at <= \(bind: now)) OR (state IN ('queued', 'retrying', 'running') AND locked_until < \(bind: now - grace))
                """
            let jobs = try await db.raw(
                """
                SELECT id, kind, payload, attempts, max_attempts, last_error FROM jobs WHERE \(due) ORDER BY run_at, id LIMIT \(bind: limit)\(skipLocked)
                """
            ).all().map(job)
            guard !jobs.isEmpty else { return 0 }
            try await handOver(jobs)
            let list = SQLList(jobs.map { SQLBind($0.id) })
            try await db.raw(
                """
                UPDATE jobs SET state = 'queued', locked_until = \(bind: now + grace), updated_at = \(bind: now) WHERE id IN (\(list))
                """
            ).run()
            return jobs.count
        }
    }

    /// The transport lost everything it held (Redis restarted empty): every handed-over or retrying row, and every
    /// running row whose lease ran out, becomes `ready` again (a retry keeps its time). Returns how many.
    @discardableResult
    public func takeBackFromTransport(now: Int64) async throws -> Int {
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = 'ready', locked_until = NULL, updated_at = \(bind: now)
                WHERE state IN ('queued', 'retrying') OR (state = 'running' AND locked_until < \(bind: now))
                RETURNING id
                """
            ).all().count
        }
    }

    /// Starts the jobs with these ids that may run now (handed over and due, or running on an expired lease),
    /// counting an attempt; ids already done, dead or running elsewhere are left out.
    public func start(ids: [Int64], now: Int64, leaseSeconds: Int64) async throws -> [Job] {
        guard !ids.isEmpty else { return [] }
        let list = SQLList(ids.map { SQLBind($0) })
        return try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = \(bind: now + leaseSeconds), updated_at = \(bind: now)
                WHERE id IN (\(list))
                AND ((state IN ('queued', 'retrying') AND run_at <= \(bind: now)) OR (state = 'running' AND locked_until < \(bind: now)))
                RETURNING id, kind, payload, attempts, max_attempts, last_error
                """
            ).all().map(job)
        }
    }

    /// Which of these jobs will never run again: done, dead or gone.
    public func finished(ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let list = SQLList(ids.map { SQLBind($0) })
        let open = try await backend.reader.raw(
            "SELECT id FROM jobs WHERE id IN (\(list)) AND state NOT IN ('done', 'dead')"
        ).all()
            .map { try $0.decode(column: "id", as: Int64.self) }
        return Set(ids).subtracting(open)
    }

    /// Records a failed attempt: `retrying` until `retryAt` (the transport holds it until then), or `dead` with
    /// the reason when attempts are used up. Returns whether it died.
    @discardableResult
    public func failAttempt(_ job: Job, reason: String, retryAt: Int64, leaseSeconds: Int64) async throws -> Bool {
        let dead = job.attempts >= job.maxAttempts
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = \(bind: dead ? "dead" : "retrying"), run_at = \(bind: retryAt),
                    locked_until = \(bind: dead ? nil : retryAt + leaseSeconds), last_error = \(bind: String(reason.prefix(1000))), updated_at = \(bind: retryAt)
                WHERE id = \(bind: job.id) AND state = 'running'
                """
            ).run()
        }
        return dead
    }

    /// Hands started jobs back unrun (a worker stopping): `queued` again, the attempt not counted.
    public func handBack(ids: [Int64], now: Int64, leaseSeconds: Int64) async throws {
        guard !ids.isEmpty else { return }
        let list = SQLList(ids.map { SQLBind($0) })
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_until = \(bind: now + leaseSeconds), updated_at = \(bind: now)
                WHERE id IN (\(list)) AND state = 'running'
                """
            ).run()
        }
    }
}
