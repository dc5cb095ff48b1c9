import DropMateCore
import SQLKit

/// The durable job queue of the embedded default: a `jobs` table, leased claims, retries and dead letters.
public final class SQLJobQueue: JobQueue {
    let backend: any SQLBackend
    /// Seals payloads at rest (pushes and texts carry phone numbers). Without one, payloads are plain (tests); with
    /// one, a payload that is not sealed, or does not open, reads as empty and its job is dead-lettered.
    let sealer: PIISealer?

    public init(backend: any SQLBackend, sealer: PIISealer? = nil) {
        self.backend = backend
        self.sealer = sealer
    }

    public func enqueue(_ job: NewJob) async throws {
        let sealer = sealer
        try await backend.transaction { db in try await Self.insert(job, now: job.runAt, in: db, sealer: sealer) }
    }

    /// Inserts `job` unless its idempotency key is already queued (used inside store commits too).
    static func insert(_ job: NewJob, now: Int64, in db: any SQLDatabase, sealer: PIISealer? = nil) async throws {
        let payload = try sealer?.seal(job.payload, as: .jobPayload) ?? job.payload
        try await db.insert(into: "jobs")
            .columns(
                "kind", "payload", "idempotency_key", "state", "run_at", "attempts", "max_attempts", "created_at",
                "updated_at"
            )
            .values(
                SQLBind(job.kind), SQLBind(payload), SQLBind(job.idempotencyKey), SQLBind("ready"), SQLBind(job.runAt),
                SQLBind(0), SQLBind(job.maxAttempts), SQLBind(now), SQLBind(now)
            )
            .ignoringConflicts(with: ["idempotency_key"])
            .run()
    }

    public func claim(limit: Int, now: Int64, leaseSeconds: Int64) async throws -> [Job] {
        // PostgreSQL: several workers claim at once. Rows another claim holds are skipped rather than waited
        // for, and the due condition is checked again on the rows being updated (a waiting UPDATE does not
        // re-run its IN subquery), so no job is ever handed to two workers. SQLite has one writer: no locking.
        let skipLocked: SQLQueryString = backend.isSQLite ? "" : " FOR UPDATE SKIP LOCKED"
        return try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = \(bind: now + leaseSeconds), updated_at = \(bind: now)
                WHERE id IN (
                    SELECT id FROM jobs
                    WHERE (state = 'ready' AND run_at <= \(bind: now)) OR (state IN ('running', 'queued', 'retrying') AND locked_until < \(bind: now))
                    ORDER BY run_at, id LIMIT \(bind: limit)\(skipLocked))
                AND ((state = 'ready' AND run_at <= \(bind: now)) OR (state IN ('running', 'queued', 'retrying') AND locked_until < \(bind: now)))
                RETURNING id, kind, payload, attempts, max_attempts, last_error
                """
            ).all().map(job)
        }
    }

    public func complete(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let list = SQLList(ids.map { SQLBind($0) })
        try await backend.transaction { db in
            try await db.raw("UPDATE jobs SET state = 'done', locked_until = NULL WHERE id IN (\(list))").run()
        }
    }

    public func release(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await backend.transaction { db in
            for id in ids {
                try await db.raw(
                    """
                    UPDATE jobs SET state = 'ready', attempts = attempts - 1, locked_until = NULL WHERE id = \(bind: id) AND state = 'running'
                    """
                ).run()
            }
        }
    }

    public func fail(_ job: Job, reason: String, retryAt: Int64) async throws {
        let dead = job.attempts >= job.maxAttempts
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET state = \(bind: dead ? "dead" : "ready"), run_at = \(bind: retryAt), locked_until = NULL,
                    last_error = \(bind: String(reason.prefix(1000))), updated_at = \(bind: retryAt)
                WHERE id = \(bind: job.id)
                """
            ).run()
        }
    }

    public func deadJobs(limit: Int) async throws -> [Job] {
        try await backend.reader.raw(
            """
            SELECT id, kind, payload, attempts, max_attempts, last_error FROM jobs WHERE state = 'dead' ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).all().map(job)
    }

    /// A job already queued under `key`: its id, its state (`ready`, `running`, `done`, `dead`) and its last error.
    public func existingJob(key: String) async throws -> (id: Int64, state: String, lastError: String?)? {
        guard
            let row = try await backend.reader.raw(
                "SELECT id, state, last_error FROM jobs WHERE idempotency_key = \(bind: key)"
            ).first()
        else { return nil }
        return (
            try row.decode(column: "id", as: Int64.self), try row.decode(column: "state", as: String.self),
            try row.decode(column: "last_error", as: String?.self)
        )
    }

    public func retryDead(_ id: Int64, now: Int64) async throws -> Bool {
        try await backend.transaction { db in
            let row = try await db.raw(
                """
                UPDATE jobs SET state = 'ready', attempts = 0, run_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND state = 'dead' RETURNING id
                """
            ).first()
            return row != nil
        }
    }

    public func counts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await backend.reader.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() {
            counts[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// Jobs of one kind in insertion order, whatever their state (for tests and the dev outbox); at most `limit`.
    public func jobs(kind: String, after id: Int64 = 0, limit: Int = .max) async throws -> [Job] {
        try await backend.reader.raw(
            """
            SELECT id, kind, payload, attempts, max_attempts, last_error FROM jobs WHERE kind = \(bind: kind) AND id > \(bind: id) \
            ORDER BY id LIMIT \(bind: Int64(clamping: limit))
            """
        ).all().map(job)
    }

    func job(_ row: any SQLRow) throws -> Job {
        let stored = try row.decode(column: "payload", as: String.self)
        let payload: String
        if let sealer {
            // One bad row must not stop the queue: it becomes a job the worker dead-letters at once.
            payload = (try? sealer.open(stored, as: .jobPayload)) ?? ""
        } else {
            guard !PIISealer.isSealed(stored) else { throw SealedPayload() }
            payload = stored
        }
        return Job(
            id: try row.decode(column: "id", as: Int64.self), kind: try row.decode(column: "kind", as: String.self),
            payload: payload, attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            lastError: try row.decode(column: "last_error", as: String?.self))
    }
}

/// A sealed job payload met a queue without the key to open it.
struct SealedPayload: Error, CustomStringConvertible {
    var description: String { "the job's payload is sealed and this queue has no personal-data key" }
}
