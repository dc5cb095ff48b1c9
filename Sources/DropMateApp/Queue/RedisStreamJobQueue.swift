import DropMateCore
import DropMateRedis
import DropMateStorage
import Foundation
import Logging
import Synchronization

/// The production job queue: the `jobs` table is the outbox, Redis Streams carry the jobs to workers.
///
/// - A job is committed to `jobs` with the change that caused it. Workers relay due rows onto the stream
///   `{<prefix>:jobs}` (`XADD`), which a consumer group `workers` shares out (`XREADGROUP`).
/// - A failed job waits in the sorted set `{<prefix>:jobs}:delayed` (scored by its retry time, exponential
///   backoff with jitter) and goes back on the stream when due; one that used up its attempts goes to the
///   dead-letter stream `{<prefix>:jobs}:dead` with the reason. The hash tag keeps the three in one slot of a
///   Redis Cluster, so one script moves a retry from the set to the stream.
/// - Entries a dead worker had read are taken over by another after the lease (`XAUTOCLAIM`).
/// - The table stays the record: a row is started (`SQLJobQueue.start`) before it runs, so a duplicate
///   entry never runs a job twice at once. When Redis comes back empty (no persistence), whoever recreates
///   the consumer group takes every job the stream held back into the outbox; a row that stays quiet long
///   after its lease (a trimmed stream) is relayed again. An entry Redis lost is never a lost job. Redis that
///   lost only its latest writes (a replica promoted in a failover, a restart from its append-only file) is told
///   by its replication id, remembered in `{<prefix>:jobs}:dataset`: when it changes, the stream's jobs are
///   taken back into the outbox the same way.
public final class RedisStreamJobQueue: JobQueue {
    private let outbox: SQLJobQueue
    private let redis: RedisClient
    private let logger: Logger
    private let keys: Keys
    private let consumer: String
    private let leaseSeconds: Int64
    /// Seconds a handed-over job may stay quiet past its lease before it is handed over again.
    private let handoverGrace: Int64
    /// How long a read waits for new entries before the worker's loop goes round again.
    private let block: Duration
    private let state = Mutex(State())

    private struct Keys {
        var stream, delayed, dead, dataset: String
        let group = "workers"
    }

    private struct State {
        /// The stream entry each started job came from (acknowledged when the job ends).
        var entries: [Int64: String] = [:]
        var reader: RedisConnection?
        var groupReady = false
        var lastRelay = ContinuousClock.Instant.now - .seconds(60)
        var lastReclaim = ContinuousClock.Instant.now
    }

    public init(
        outbox: SQLJobQueue, redis: RedisClient, keyPrefix: String, leaseSeconds: Int64,
        block: Duration = .milliseconds(200), logger: Logger
    ) {
        self.outbox = outbox
        self.redis = redis
        self.logger = logger
        self.leaseSeconds = leaseSeconds
        self.handoverGrace = max(600, 4 * leaseSeconds)
        self.block = block
        let tag = "{\(keyPrefix):jobs}"
        self.keys = Keys(stream: tag, delayed: tag + ":delayed", dead: tag + ":dead", dataset: tag + ":dataset")
        self.consumer = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    public var waitsForWork: Bool { true }

    public func enqueue(_ job: NewJob) async throws {
        try await outbox.enqueue(job)  // relayed onto the stream by the next worker pass
    }

    public func claim(limit: Int, now: Int64, leaseSeconds: Int64) async throws -> [Job] {
        do {
            return try await claimEntries(limit: limit, now: now, leaseSeconds: leaseSeconds)
        } catch RedisError.server(let message) where message.hasPrefix("NOGROUP") {
            state.withLock { $0.groupReady = false }  // Redis restarted empty: recreate; the relay refills the stream
            return []
        }
    }

    private func claimEntries(limit: Int, now: Int64, leaseSeconds: Int64) async throws -> [Job] {
        try await ensureGroup(now: now)
        try await promoteDueRetries(now: now)
        try await relayOutbox(now: now)
        var entries = try await reclaimAbandoned()
        if entries.isEmpty { entries = try await readNew(limit: limit) }
        guard !entries.isEmpty else { return [] }
        let jobs = try await outbox.start(ids: Array(Set(entries.map(\.jobID))), now: now, leaseSeconds: leaseSeconds)
        let started = Set(jobs.map(\.id))
        // Entries of jobs that could not start: finished ones are dropped; the others (running elsewhere on a
        // lease that has not run out yet) stay pending, so XAUTOCLAIM offers them again after the lease.
        let notStarted = Set(entries.map(\.jobID)).subtracting(started)
        let finished = notStarted.isEmpty ? [] : try await outbox.finished(ids: Array(notStarted))
        var drop: [String] = []
        state.withLock { state in
            for entry in entries {
                if started.contains(entry.jobID) {
                    if state.entries[entry.jobID] == nil {
                        state.entries[entry.jobID] = entry.id
                    } else {
                        drop.append(entry.id)
                    }  // a duplicate
                } else if finished.contains(entry.jobID) {
                    drop.append(entry.id)
                }
            }
        }
        if !drop.isEmpty { _ = try await redis.send(["XACK", keys.stream, keys.group] + drop) }
        return jobs
    }

    public func complete(_ ids: [Int64]) async throws {
        try await outbox.complete(ids)
        try await acknowledge(ids)
    }

    public func fail(_ job: Job, reason: String, retryAt: Int64) async throws {
        let died = try await outbox.failAttempt(job, reason: reason, retryAt: retryAt, leaseSeconds: leaseSeconds)
        if died {
            _ = try await redis.send([
                "XADD", keys.dead, "MAXLEN", "~", "10000", "*", "id", String(job.id), "kind", job.kind,
                "attempts", String(job.attempts), "reason", String(reason.prefix(1000)),
            ])
        } else {
            _ = try await redis.send(["ZADD", keys.delayed, String(retryAt), String(job.id)])
        }
        try await acknowledge([job.id])
    }

    public func release(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await outbox.handBack(ids: ids, now: Int64(Date().timeIntervalSince1970), leaseSeconds: leaseSeconds)
        for id in ids {
            _ = try await redis.send(["XADD", keys.stream, "MAXLEN", "~", "500000", "*", "id", String(id)])
        }
        try await acknowledge(ids)
    }

    public func deadJobs(limit: Int) async throws -> [Job] { try await outbox.deadJobs(limit: limit) }

    public func retryDead(_ id: Int64, now: Int64) async throws -> Bool { try await outbox.retryDead(id, now: now) }

    public func counts() async throws -> [String: Int] { try await outbox.counts() }

    /// Closes the blocking reader's connection.
    public func shutdown() {
        state.withLock { state in
            state.reader?.close()
            state.reader = nil
        }
    }

    // MARK: - Stream plumbing

    private struct Entry {
        var id: String
        var jobID: Int64
    }

    private func acknowledge(_ jobIDs: [Int64]) async throws {
        let entryIDs = state.withLock { state in jobIDs.compactMap { state.entries.removeValue(forKey: $0) } }
        guard !entryIDs.isEmpty else { return }
        _ = try await redis.send(["XACK", keys.stream, keys.group] + entryIDs)
    }

    /// Creates the stream and its consumer group once. Whoever creates them finds Redis without them: new, or
    /// restarted empty. Then every job the stream held is taken back into the outbox to be relayed again.
    private func ensureGroup(now: Int64) async throws {
        guard !state.withLock({ $0.groupReady }) else { return }
        do {
            _ = try await redis.send(["XGROUP", "CREATE", keys.stream, keys.group, "0", "MKSTREAM"])
            let recovered = try await outbox.takeBackFromTransport(now: now)
            if recovered > 0 {
                logger.warning(
                    "Redis had lost the job stream; relaying its jobs again from the outbox",
                    metadata: ["dropmate.jobs": "\(recovered)"])
            }
        } catch RedisError.server(let message) where message.hasPrefix("BUSYGROUP") {}
        state.withLock { $0.groupReady = true }
    }

    /// Moves retries whose time has come from the delayed set back onto the stream, atomically. When the script
    /// finds Redis on another dataset than before (it may have lost the latest entries), every job the stream
    /// held goes back to the outbox to be relayed again.
    private func promoteDueRetries(now: Int64) async throws {
        let reply = try await redis.run(
            Self.promoteScript, keys: [keys.delayed, keys.stream, keys.dataset], arguments: [String(now), "100"])
        guard reply.array?.last?.integer == 1 else { return }
        let recovered = try await outbox.takeBackFromTransport(now: now)
        if recovered > 0 {
            logger.warning(
                "Redis changed datasets (a failover or restart); relaying the stream's jobs again from the outbox",
                metadata: ["dropmate.jobs": "\(recovered)"])
        }
    }

    /// Hands due outbox rows to the stream (one script call per batch), at most every 200 ms. Rows the stream
    /// held but that went quiet for `handoverGrace` seconds (a trimmed stream) are handed over again too.
    private func relayOutbox(now: Int64) async throws {
        let due = state.withLock { state in
            guard ContinuousClock.now - state.lastRelay >= .milliseconds(200) else { return false }
            state.lastRelay = .now
            return true
        }
        guard due else { return }
        let redis = redis, stream = keys.stream
        while try await outbox.relay(
            limit: 500, now: now, grace: handoverGrace,
            handOver: { jobs in
                _ = try await redis.run(Self.appendScript, keys: [stream], arguments: jobs.map { String($0.id) })
            }) == 500
        {}
    }

    /// Takes over entries another consumer read but never acknowledged within the lease (it died).
    private func reclaimAbandoned() async throws -> [Entry] {
        let due = state.withLock { state in
            guard ContinuousClock.now - state.lastReclaim >= .seconds(max(1, leaseSeconds / 4)) else { return false }
            state.lastReclaim = .now
            return true
        }
        guard due else { return [] }
        // A second past the lease, so the job's lease in the database (whole seconds) has surely run out too.
        let reply = try await redis.send([
            "XAUTOCLAIM", keys.stream, keys.group, consumer, String((leaseSeconds + 1) * 1000), "0-0", "COUNT", "100",
        ])
        let entries = Self.entries(reply.array?.dropFirst().first ?? .null)
        if !entries.isEmpty {
            logger.info(
                "took over jobs of a worker that stopped answering", metadata: ["dropmate.jobs": "\(entries.count)"])
        }
        return entries
    }

    /// New entries for this consumer, waiting up to `block` for some.
    private func readNew(limit: Int) async throws -> [Entry] {
        let reader: RedisConnection
        if let current = state.withLock({ $0.reader }), current.isActive {
            reader = current
        } else {
            reader = try await redis.dedicatedConnection(for: keys.stream)
            state.withLock { $0.reader = reader }
        }
        let reply: RedisValue
        do {
            reply = try await reader.send(
                [
                    "XREADGROUP", "GROUP", keys.group, consumer, "COUNT", String(limit), "BLOCK",
                    String(block.wholeMilliseconds),
                    "STREAMS", keys.stream, ">",
                ], timeout: block + .seconds(5))
        } catch {
            // A cluster moved the stream (MOVED) or its node failed: the next read connects to where it is now.
            state.withLock { state in
                if state.reader === reader { state.reader = nil }
            }
            reader.close()
            throw error
        }
        guard let streams = reply.array, let first = streams.first?.array, first.count == 2 else { return [] }
        return Self.entries(first[1])
    }

    /// Parses `[[id, [field, value, …]], …]`, skipping entries trimmed away (nil fields).
    private static func entries(_ value: RedisValue) -> [Entry] {
        (value.array ?? []).compactMap { item in
            guard let parts = item.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array else {
                return nil
            }
            var index = 0
            while index + 1 < fields.count {
                if fields[index].string == "id", let jobID = fields[index + 1].integer {
                    return Entry(id: id, jobID: jobID)
                }
                index += 2
            }
            return nil
        }
    }

    /// KEYS: stream. ARGV: job ids. Appends one entry per job.
    static let appendScript = RedisScript(
        """
        for _, id in ipairs(ARGV) do
          redis.call('XADD', KEYS[1], 'MAXLEN', '~', '500000', '*', 'id', id)
        end
        return #ARGV
        """)

    /// KEYS: delayed set, stream, dataset. ARGV: now, batch size. Moves due members onto the stream; returns
    /// {moved, 1 when the dataset (replication id) is not the one remembered, else 0}.
    static let promoteScript = RedisScript(
        """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, id in ipairs(due) do
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', '500000', '*', 'id', id)
          redis.call('ZREM', KEYS[1], id)
        end
        local dataset = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or '-'
        if redis.call('GET', KEYS[3]) == dataset then return {#due, 0} end
        redis.call('SET', KEYS[3], dataset)
        return {#due, 1}
        """)
}
