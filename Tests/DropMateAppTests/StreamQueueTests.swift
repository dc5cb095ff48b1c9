import DropMateCore
import DropMateRedis
import Foundation
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Production's queue: the `jobs` outbox relayed onto Redis Streams, shared by workers through a consumer group.
@Suite(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
struct StreamQueueTests {
    /// An app whose workers use the stream queue, and a second queue on the same stream (another worker process).
    static func app(lease: Int64 = 120) async throws -> (TestApp, second: RedisStreamJobQueue, prefix: String) {
        let environment = TestRedis.environment().merging(["DROPMATE_JOB_LEASE_SECONDS": "\(lease)"]) { $1 }
        let app = try await TestApp.make(extra: environment)
        let second = RedisStreamJobQueue(
            outbox: app.dependencies.queue, redis: app.dependencies.redis!, keyPrefix: environment["REDIS_KEY_PREFIX"]!,
            leaseSeconds: lease, logger: app.dependencies.logger)
        return (app, second, environment["REDIS_KEY_PREFIX"]!)
    }

    static func worker(_ app: TestApp, queue: (any JobQueue)? = nil, notifier: RecordingNotifier) -> JobWorker {
        JobWorker(
            queue: queue ?? app.dependencies.jobQueue, engine: app.dependencies.engine, notifier: notifier,
            clock: { app.clock.now },
            leaseSeconds: app.dependencies.config.jobLeaseSeconds, logger: app.dependencies.logger)
    }

    static func push(_ app: TestApp, _ text: String) async throws {
        try await app.dependencies.queue.enqueue(
            try PushJob(openID: "o_a", message: .text(text)).job(key: text, now: app.clock.now))
    }

    @Test func aCommittedJobTravelsTheStreamAndRunsOnce() async throws {
        let (app, second, _) = try await Self.app()
        #expect(app.dependencies.jobQueue is RedisStreamJobQueue)
        let notifier = RecordingNotifier()
        try await Self.push(app, "订单 #1001 已送达")
        let ran =
            try await Self.worker(app, notifier: notifier).runDueJobs()
            + Self.worker(app, queue: second, notifier: notifier).runDueJobs()
        #expect(ran == 1)
        #expect(try await Self.worker(app, queue: second, notifier: notifier).runDueJobs() == 0)
        #expect(notifier.sent.withLock { $0.map(\.message) } == [.text("订单 #1001 已送达")])
        #expect(try await app.dependencies.queue.counts() == ["done": 1])
        await app.shutdown()
    }

    @Test func failuresWaitInTheDelayedSetThenGoToTheDeadLetterStreamWithTheReason() async throws {
        let (app, _, prefix) = try await Self.app()
        let redis = try #require(app.dependencies.redis)
        let worker = Self.worker(app, notifier: RecordingNotifier(failures: 100))
        try await Self.push(app, "hello")
        #expect(try await worker.runDueJobs() == 1)
        #expect(
            try await redis.send(["ZCARD", "{\(prefix):jobs}:delayed"]).integer == 1,
            "the retry waits in the delayed set")
        #expect(try await worker.runDueJobs() == 0, "not before its backoff")
        for _ in 0..<7 {
            app.clock.advance(2 * 3600)
            #expect(try await worker.runDueJobs() == 1)
        }
        app.clock.advance(2 * 3600)
        #expect(try await worker.runDueJobs() == 0)
        let dead = try await redis.send(["XRANGE", "{\(prefix):jobs}:dead", "-", "+"]).array ?? []
        #expect(dead.count == 1)
        let fields = dead.first?.array?.last?.array?.compactMap(\.string) ?? []
        #expect(fields.contains("WeChat errcode -1 (system busy)") && fields.contains("8"), "\(fields)")
        #expect(
            try await app.dependencies.queue.deadJobs(limit: 5).first?.lastError == "WeChat errcode -1 (system busy)")
        await app.shutdown()
    }

    @Test func jobsOfAWorkerThatDiedAreTakenOverAfterTheLease() async throws {
        let (app, second, _) = try await Self.app(lease: 2)
        try await Self.push(app, "one")
        try await Self.push(app, "two")
        // The first worker reads and starts both jobs, then dies without finishing them.
        let abandoned = try await app.dependencies.jobQueue.claim(limit: 10, now: app.clock.now, leaseSeconds: 2)
        #expect(abandoned.count == 2)
        let notifier = RecordingNotifier()
        #expect(try await Self.worker(app, queue: second, notifier: notifier).runDueJobs() == 0, "still leased")
        try await Task.sleep(for: .milliseconds(3100))  // Redis's idle time, for XAUTOCLAIM (lease + 1 s)
        #expect(
            try await Self.worker(app, queue: second, notifier: notifier).runDueJobs() == 0,
            "the database lease has not run out (its clock stood still): the entries must stay pending, not be dropped")
        app.clock.advance(3)
        try await Task.sleep(for: .milliseconds(3100))
        #expect(try await Self.worker(app, queue: second, notifier: notifier).runDueJobs() == 2)
        #expect(Set(notifier.sent.withLock { $0.map(\.message) }) == [.text("one"), .text("two")])
        #expect(try await app.dependencies.queue.counts() == ["done": 2])
        await app.shutdown()
    }

    @Test func aJobRedisForgotIsRelayedAgainFromTheOutbox() async throws {
        let (app, second, prefix) = try await Self.app(lease: 5)
        try await Self.push(app, "kept")
        #expect(try await app.dependencies.jobQueue.claim(limit: 10, now: app.clock.now, leaseSeconds: 5).count == 1)
        // Redis restarts empty: the stream, its group and its pending entries are gone.
        _ = try await app.dependencies.redis!.send(["DEL", "{\(prefix):jobs}", "{\(prefix):jobs}:delayed"])
        app.clock.advance(10)
        let notifier = RecordingNotifier()
        let worker = Self.worker(app, queue: second, notifier: notifier)
        var ran = 0
        for _ in 0..<3 where ran == 0 { ran += try await worker.runDueJobs() }
        #expect(ran == 1)
        #expect(notifier.sent.withLock { $0.map(\.message) } == [.text("kept")])
        await app.shutdown()
    }

    @Test func jobsRedisLostInAFailoverAreRelayedAgainFromTheOutbox() async throws {
        let (app, second, prefix) = try await Self.app(lease: 5)
        let redis = try #require(app.dependencies.redis)
        try await Self.push(app, "kept across a failover")
        #expect(try await app.dependencies.jobQueue.claim(limit: 10, now: app.clock.now, leaseSeconds: 5).count == 1)
        // A replica is promoted that never got the stream's latest entries (nor the pending one): the consumer group
        // is still there, so nothing says NOGROUP; only the dataset (the replication id) has changed.
        let stream = "{\(prefix):jobs}"
        _ = try await redis.send(["XTRIM", stream, "MAXLEN", "0"])
        _ = try await redis.send(["XGROUP", "DESTROY", stream, "workers"])
        _ = try await redis.send(["XGROUP", "CREATE", stream, "workers", "0"])
        _ = try await redis.send(["SET", stream + ":dataset", "the-master-that-died"])
        app.clock.advance(10)  // the dead worker's lease is over
        let notifier = RecordingNotifier()
        let worker = Self.worker(app, queue: second, notifier: notifier)
        var ran = 0
        for _ in 0..<3 where ran == 0 { ran += try await worker.runDueJobs() }
        #expect(ran == 1, "relayed again at once, not after the ten-minute grace for trimmed streams")
        #expect(notifier.sent.withLock { $0.map(\.message) } == [.text("kept across a failover")])
        await app.shutdown()
    }

    @Test func aStoppingWorkerHandsItsUnstartedJobsBackToTheStream() async throws {
        let (app, second, _) = try await Self.app()
        try await Self.push(app, "a")
        try await Self.push(app, "b")
        let claimed = try await app.dependencies.jobQueue.claim(limit: 10, now: app.clock.now, leaseSeconds: 120)
        try await app.dependencies.jobQueue.release(claimed.map(\.id))
        let notifier = RecordingNotifier()
        #expect(
            try await Self.worker(app, queue: second, notifier: notifier).runDueJobs() == 2,
            "another worker runs them at once")
        #expect(
            try await app.dependencies.queue.jobs(kind: PushJob.kind).allSatisfy { $0.attempts == 1 },
            "the handed-back attempt is not counted")
        await app.shutdown()
    }
}
