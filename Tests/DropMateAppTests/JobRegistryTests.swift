import DropMateCore
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound
@testable import DropMateTelemetry

/// A parcel scanned at a locker: a job kind this file adds as a newcomer would, one type and one `register` line.
struct ParcelScanJob: JobPayload, Hashable {
    static let kind = "test-parcel-scan"
    var locker: String
    var step: Int
    var lane: String? { locker }
}

/// Jobs as registered handlers: one type and one `register` line per kind; a kind nobody registered, or a payload
/// that does not decode, ends in the dead letters (logged and counted), never in a crash, a silent drop or endless retries.
@Suite struct JobRegistryTests {
    final class Seen: Sendable {
        let values = Mutex<[String]>([])
        let running = Mutex((now: 0, most: 0))
    }

    static func metricsText(_ metrics: AppMetrics) -> String {
        metrics.registry?.emitToString() ?? ""
    }

    @Test func aNewKindIsOneTypeAndOneRegisterLineAndItsLanesRunInOrder() async throws {
        let app = try await TestApp.make()
        let seen = Seen()
        var worker = JobWorker(queue: app.dependencies.queue, clock: { app.clock.now }, logger: app.dependencies.logger)
        worker.register(ParcelScanJob.self) { scan, context in
            seen.running.withLock {
                $0.now += 1; $0.most = max($0.most, $0.now)
            }
            try await Task.sleep(for: .milliseconds(scan.step == 1 ? 60 : 5))  // the first of a locker's scans is slow
            seen.running.withLock { $0.now -= 1 }
            seen.values.withLock { $0.append("\(scan.locker):\(scan.step):\(context.attempt)") }
        }
        #expect(worker.kinds == [ParcelScanJob.kind])
        for locker in ["A", "B"] {
            for step in 1...3 {
                try await app.dependencies.queue.enqueue(
                    try ParcelScanJob(locker: locker, step: step).newJob(key: "\(locker)\(step)", runAt: app.clock.now))
            }
        }
        #expect(try await worker.runDueJobs() == 6)
        let values = seen.values.withLock { $0 }
        #expect(
            values.filter { $0.hasPrefix("A") } == ["A:1:1", "A:2:1", "A:3:1"], "one locker's scans in the order queued"
        )
        #expect(values.filter { $0.hasPrefix("B") } == ["B:1:1", "B:2:1", "B:3:1"])
        #expect(seen.running.withLock { $0.most } == 2, "the two lockers' lanes ran side by side")
        #expect(try await app.dependencies.queue.counts() == ["done": 6])
        // The stored payload is the type's own JSON.
        let stored = try await app.dependencies.queue.jobs(kind: ParcelScanJob.kind)
        #expect(try stored.map { try ParcelScanJob(payload: $0.payload) }.first == ParcelScanJob(locker: "A", step: 1))
        await app.shutdown()
    }

    @Test func aKindWithNoHandlerIsRetriedForAWorkerThatHasOneThenDeadLetteredLoggedAndCounted() async throws {
        let logs = CapturedLogs()
        let app = try await TestApp.make(logger: logs.logger)
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        var worker = app.dependencies.worker
        worker.telemetry = Telemetry(metrics: metrics)
        // A kind a newer release queues (and one this process's feature switch leaves unregistered: payment is off).
        try await app.dependencies.queue.enqueue(
            NewJob(
                kind: "from-the-future", payload: #"{"x":1}"#, idempotencyKey: "future", runAt: app.clock.now,
                maxAttempts: 3))
        try await app.dependencies.queue.enqueue(
            try PaymentJob(action: .check, orderID: 1001).job(runAt: app.clock.now))
        #expect(try await worker.runDueJobs() == 2, "claimed and run, not skipped")
        #expect(try await app.dependencies.queue.counts() == ["ready": 2], "kept for a worker that has a handler")
        var runs = 1
        while try await app.dependencies.queue.counts()["ready"] != nil, runs < 20 {
            app.clock.advance(2 * 3600)
            _ = try await worker.runDueJobs()
            runs += 1
        }
        #expect(runs == 8, "the payment job's eight attempts, and no more")
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(Set(dead.map(\.kind)) == ["from-the-future", PaymentJob.kind])
        #expect(dead.first { $0.kind == "from-the-future" }?.attempts == 3)
        #expect(dead.first { $0.kind == "from-the-future" }?.lastError == "no handler for job kind 'from-the-future'")
        app.clock.advance(30 * 86_400)
        #expect(try await worker.runDueJobs() == 0, "dead jobs stay dead until someone retries them")
        let text = Self.metricsText(metrics)
        #expect(
            text.contains(#"dropmate_jobs_unhandled_total{kind="from-the-future",reason="unknown_kind"} 3"#), "\(text)")
        #expect(text.contains(#"dropmate_jobs_unhandled_total{kind="payment",reason="unknown_kind"} 8"#))
        #expect(text.contains(#"dropmate_jobs_total{kind="from-the-future",outcome="dead"} 1"#))
        #expect(text.contains(#"dropmate_jobs_total{kind="from-the-future",outcome="retried"} 2"#))
        let lines = logs.all
        #expect(
            lines.contains {
                $0.hasPrefix("warning no handler for this job kind here")
                    && $0.contains("dropmate.job_kind=from-the-future")
            })
        #expect(
            lines.contains {
                $0.hasPrefix("error no handler for this job kind: dead-lettered")
                    && $0.contains("dropmate.job_kind=payment")
            })
        await app.shutdown()
    }

    @Test func anUndecodablePayloadIsDeadAtOnceLoggedAndCountedAndItsNeighboursRun() async throws {
        let logs = CapturedLogs()
        let app = try await TestApp.make(logger: logs.logger)
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        var worker = app.dependencies.worker
        worker.telemetry = Telemetry(metrics: metrics)
        try await app.dependencies.queue.enqueue(
            NewJob(
                kind: SMSJob.kind, payload: #"{"phone":"13800138000","text":"hi"}"#, idempotencyKey: "bad-phone",
                runAt: app.clock.now))
        try await app.dependencies.queue.enqueue(
            NewJob(
                kind: ETARefreshJob.kind, payload: #"{"orderID":"not a number"}"#, idempotencyKey: "bad-eta",
                runAt: app.clock.now))
        try await app.dependencies.queue.enqueue(
            NewJob(kind: PushJob.kind, payload: "not json", idempotencyKey: "bad-push", runAt: app.clock.now))
        try await app.dependencies.queue.enqueue(
            try PushJob(openID: "o_a", message: .text("fine")).job(key: "fine", now: app.clock.now))
        #expect(try await worker.runDueJobs() == 4)
        #expect(try await app.dependencies.queue.counts() == ["dead": 3, "done": 1])
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.allSatisfy { $0.attempts == 1 }, "no retries: retrying cannot mend a payload")
        let smsReason = dead.first { $0.kind == SMSJob.kind }?.lastError ?? ""
        #expect(smsReason.contains("E.164"))
        #expect(!smsReason.contains("13800138000"), "no phone number in the reason")
        let text = Self.metricsText(metrics)
        for kind in [SMSJob.kind, ETARefreshJob.kind, PushJob.kind] {
            #expect(text.contains(#"dropmate_jobs_unhandled_total{kind="\#(kind)",reason="unreadable"} 1"#), "\(kind)")
        }
        #expect(logs.all.filter { $0.hasPrefix("error job payload unreadable") }.count == 3)
        await app.shutdown()
    }

    @Test func aRefusalNamesTheKnownKindsOrTheExpectedPayload() async throws {
        let app = try await TestApp.make()
        let registry = app.dependencies.worker.registry
        #expect(registry.refusal(kind: "push", payload: #"{"openID":"o_a","message":{"text":{"_0":"hi"}}}"#) == nil)
        #expect(
            registry.refusal(kind: "nope", payload: "{}")
                == "unknown job kind 'nope'; known kinds: daily-report, eta, push, sms, staff-notice")
        #expect(registry.refusal(kind: "push", payload: "{}")?.hasPrefix("the push payload does not decode (") == true)
        #expect(
            registry.refusal(kind: "push", payload: "{}")?.hasSuffix(
                #"; it looks like {"openID": "…", "message": {"text": {"_0": "…"}}}"#) == true)
        #expect(registry.refusal(kind: "eta", payload: "{}")?.hasPrefix("the eta payload does not decode (") == true)
        #expect(registry.refusal(kind: "eta", payload: "{}")?.contains("looks like") == false, "eta has no hint")
        await app.shutdown()
    }

    @Test(.enabled(if: DropMateBinary.path != nil, "build the dropmate product first (swift build)"))
    func enqueueRefusesAKindNoWorkerRunsAndAPayloadItsHandlerCannotRead() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-enqueue-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["DROPMATE_DATA_DIR": directory, "HOME": directory]
        let unknown = try WorkerShutdownTests.Launched(["enqueue", "nope"], environment: environment)
        #expect(await unknown.exit() != 0)
        #expect(
            unknown.output.contains("unknown job kind 'nope'; known kinds: daily-report, eta, push, sms, staff-notice"),
            "\(unknown.output)")
        let unreadable = try WorkerShutdownTests.Launched(
            ["enqueue", "sms", "--payload", #"{"phone":"13800138000","text":"hi"}"#], environment: environment)
        #expect(await unreadable.exit() != 0)
        #expect(
            unreadable.output.contains(
                "the sms payload does not decode (job SMS failed: the phone is not an E.164 number)"),
            "\(unreadable.output)")
        #expect(unreadable.output.contains(#"it looks like {"phone": "+8613800138000", "text": "…"}"#))
        let fine = try WorkerShutdownTests.Launched(
            ["enqueue", "sms", "--payload", #"{"phone":"+8613800138000","text":"hi"}"#, "--key", "cli-sms"],
            environment: environment)
        #expect(await fine.exit() == 0, "\(fine.output)")
        #expect(fine.output.contains("queued sms (key cli-sms)"))
    }
}
