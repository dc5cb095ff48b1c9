import DropMateCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound
@testable import DropMateTelemetry

/// The worker's periodic sweeps (idle drafts, ETA refreshes, dedupe pruning) are services of their own, each with
/// its interval, run wherever the worker runs.
@Suite struct PeriodicSweepTests {
    final class Counter: Sendable {
        let runs = Mutex(0)
        var count: Int { runs.withLock { $0 } }
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func eventually(within seconds: Double = 10, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func theWorkerRunsTheThreeSweepsEachWithItsInterval() async throws {
        let app = try await TestApp.make(extra: ["DROPMATE_ETA_REFRESH_SECONDS": "90"])
        let sweeps = app.dependencies.sweeps
        #expect(sweeps.map(\.name) == ["idle-drafts", "eta-refresh", "dedupe-prune"])
        #expect(sweeps.map(\.every) == [.seconds(30), .seconds(90), .seconds(3600)])
        let services = app.dependencies.workerServices(schedulesReports: false)
        #expect(services.contains { $0 is JobWorker })
        #expect(
            services.compactMap { ($0 as? PeriodicSweep)?.name } == ["idle-drafts", "eta-refresh", "dedupe-prune"],
            "`dropmate worker` runs them")
        await app.shutdown()
    }

    @Test func eachSweepDoesItsOwnWork() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine, queue = app.dependencies.queue
        let sweeps = Dictionary(uniqueKeysWithValues: app.dependencies.sweeps.map { ($0.name, $0) })

        // An order in progress gets an ETA refresh job.
        let orderID = try await ReadReplicaTests.placeOrder(app, customer: "o_order")
        if try await engine.order(id: orderID)?.status == .awaitingConfirmation {
            _ = try await engine.confirmThroughLink(orderID: orderID)
        }
        #expect(try await queue.jobs(kind: ETARefreshJob.kind).isEmpty)
        try await #require(sweeps["eta-refresh"]).sweep()
        let refreshes = try await queue.jobs(kind: ETARefreshJob.kind)
        #expect(try refreshes.map { try ETARefreshJob(payload: $0.payload).orderID } == [orderID])

        // An idle draft lapses, its customer told by push.
        _ = try await engine.handle(
            IncomingChat(customer: "o_idle", createTime: app.clock.now, dedupeKey: "idle:1", input: .text("2 份牛肉面")))
        func pushesToIdle() async throws -> Int {
            try await queue.jobs(kind: PushJob.kind).filter { try PushJob(payload: $0.payload).openID == "o_idle" }
                .count
        }
        try await #require(sweeps["idle-drafts"]).sweep()
        #expect(try await pushesToIdle() == 0, "not idle yet")
        app.clock.advance(31 * 60)
        try await #require(sweeps["idle-drafts"]).sweep()
        #expect(try await pushesToIdle() == 1)

        // A week-old dedupe record is forgotten.
        await app.dependencies.store.flush()
        #expect(try await app.dependencies.store.handled(dedupeKey: "idle:1") != nil)
        app.clock.advance(8 * 86_400)
        try await #require(sweeps["dedupe-prune"]).sweep()
        #expect(try await app.dependencies.store.handled(dedupeKey: "idle:1") == nil)
        await app.shutdown()
    }

    @Test func aShorterDedupeRetentionPrunesAfterItAndSweepsTenTimesInIt() async throws {
        let app = try await TestApp.make(extra: ["DROPMATE_DEDUPE_RETENTION_SECONDS": "900"])
        let sweeps = Dictionary(uniqueKeysWithValues: app.dependencies.sweeps.map { ($0.name, $0) })
        #expect(sweeps["dedupe-prune"]?.every == .seconds(90))
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_kept", createTime: app.clock.now, dedupeKey: "kept:1", input: .text("2 份牛肉面")))
        await app.dependencies.store.flush()
        app.clock.advance(899)
        try await #require(sweeps["dedupe-prune"]).sweep()
        #expect(try await app.dependencies.store.handled(dedupeKey: "kept:1") != nil, "kept for the whole retention")
        app.clock.advance(2)
        try await #require(sweeps["dedupe-prune"]).sweep()
        #expect(try await app.dependencies.store.handled(dedupeKey: "kept:1") == nil)
        await app.shutdown()
    }

    @Test func aSweepRunsAtStartThenEveryPeriodSurvivesFailuresAndStopsOnShutdown() async throws {
        let runs = Counter()
        let logs = CapturedLogs()
        let sweep = PeriodicSweep("test", every: .milliseconds(20), logger: logs.logger) {
            let run = runs.runs.withLock { count in
                count += 1
                return count
            }
            if run == 2 { throw SweepFailed() }
        }
        let group = ServiceGroup(
            configuration: .init(services: [sweep], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        #expect(try await Self.eventually { runs.count >= 4 }, "swept at start and again after the failed second sweep")
        #expect(
            logs.all.contains {
                $0.hasPrefix("error sweep failed; trying again next period") && $0.contains("dropmate.sweep=test")
            })
        await group.triggerGracefulShutdown()
        try await running.value
        let stopped = runs.count
        try await Task.sleep(for: .milliseconds(100))
        #expect(runs.count == stopped, "no sweep after the shutdown")
    }

    @Test func aShutdownLetsTheSweepInHandFinish() async throws {
        let finished = Counter(), started = Counter()
        let sweep = PeriodicSweep(
            "slow", every: .seconds(3600), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        ) {
            started.runs.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(300))
            finished.runs.withLock { $0 += 1 }
        }
        let group = ServiceGroup(
            configuration: .init(services: [sweep], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        #expect(try await Self.eventually { started.count == 1 })
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(finished.count == 1, "the sweep in hand ran to its end")
        #expect(started.count == 1, "and the hour-long wait for the next one ended at once")
    }

    struct SweepFailed: Error {}
}
