import DropMateCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Stands in for WeChat's customer-service API (outside our control): records pushes, fails when told to.
final class RecordingNotifier: Notifier {
    let sent = Mutex<[PushJob]>([])
    let failuresLeft: Mutex<Int>

    init(failures: Int = 0) { failuresLeft = Mutex(failures) }

    func send(_ push: PushJob, jobID: Int64) async throws {
        let fail = failuresLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if fail { throw WeChatBusy() }
        sent.withLock { $0.append(push) }
    }

    struct WeChatBusy: Error, CustomStringConvertible { var description: String { "WeChat errcode -1 (system busy)" } }
}

@Suite struct WorkerTests {
    func queuePush(_ app: TestApp, text: String) async throws {
        let job = try PushJob(openID: "o_a", message: .text(text)).job(key: text, now: app.clock.now)
        try await app.dependencies.queue.enqueue(job)
    }

    @Test func pushesAreDeliveredOnceAndCompleted() async throws {
        let app = try await TestApp.make()
        let notifier = RecordingNotifier()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine, notifier: notifier,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        try await queuePush(app, text: "订单 #1001 已送达")
        #expect(try await worker.runDueJobs() == 1)
        #expect(try await worker.runDueJobs() == 0)
        #expect(notifier.sent.withLock { $0.map(\.message) } == [.text("订单 #1001 已送达")])
        #expect(try await app.dependencies.queue.counts() == ["done": 1])
        await app.shutdown()
    }

    @Test func aFailingPushIsRetriedWithBackoffThenDeadLettered() async throws {
        let app = try await TestApp.make()
        let notifier = RecordingNotifier(failures: 100)
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine, notifier: notifier,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        try await queuePush(app, text: "hello")
        #expect(try await worker.runDueJobs() == 1)
        #expect(try await worker.runDueJobs() == 0, "the retry waits for its backoff")
        for _ in 0..<7 {
            app.clock.advance(2 * 3600)
            #expect(try await worker.runDueJobs() == 1)
        }
        app.clock.advance(2 * 3600)
        #expect(try await worker.runDueJobs() == 0)
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.count == 1 && dead[0].attempts == 8 && dead[0].lastError == "WeChat errcode -1 (system busy)")
        await app.shutdown()
    }

    @Test func pushesRunConcurrentlyButEachCustomersInOrder() async throws {
        let app = try await TestApp.make()
        /// Slow for the first push of each customer, so a later one would overtake it if it could; counts overlaps.
        final class SlowFirst: Notifier {
            let sent = Mutex<[String]>([])
            let inFlight = Mutex((now: 0, most: 0))
            func send(_ push: PushJob, jobID: Int64) async throws {
                guard case .text(let text) = push.message else { return }
                inFlight.withLock {
                    $0.now += 1; $0.most = max($0.most, $0.now)
                }
                try await Task.sleep(for: .milliseconds(text.hasSuffix("1") ? 100 : 10))
                inFlight.withLock { $0.now -= 1 }
                sent.withLock { $0.append(push.openID + ":" + text) }
            }
        }
        let notifier = SlowFirst()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine, notifier: notifier,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        for customer in ["o_a", "o_b", "o_c"] {
            for step in 1...3 {
                try await app.dependencies.queue.enqueue(
                    try PushJob(openID: customer, message: .text("step \(step)")).job(
                        key: "\(customer)-\(step)", now: app.clock.now))
            }
        }
        #expect(try await worker.runDueJobs() == 9)
        #expect(notifier.inFlight.withLock { $0.most } > 1, "the customers' lanes ran side by side")
        let sent = notifier.sent.withLock { $0 }
        for customer in ["o_a", "o_b", "o_c"] {
            #expect(
                sent.filter { $0.hasPrefix(customer) } == ["step 1", "step 2", "step 3"].map { "\(customer):\($0)" })
        }
        #expect(try await app.dependencies.queue.counts() == ["done": 9])
        await app.shutdown()
    }

    @Test func aJobWhosePayloadDoesNotDecodeIsDeadLetteredAtOnceWithTheReason() async throws {
        let app = try await TestApp.make()
        let notifier = RecordingNotifier()
        let worker = JobWorker(
            queue: app.dependencies.queue, engine: app.dependencies.engine, notifier: notifier,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        try await app.dependencies.queue.enqueue(
            NewJob(kind: PushJob.kind, payload: #"{"openID": 42}"#, idempotencyKey: "bad", runAt: app.clock.now))
        try await queuePush(app, text: "fine")
        #expect(try await worker.runDueJobs() == 2)
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.count == 1 && dead[0].attempts == 1, "dead after its first run: retrying cannot mend a payload")
        #expect(dead.first?.lastError?.hasPrefix("unreadable push job") == true)
        #expect(notifier.sent.withLock { $0.map(\.message) } == [.text("fine")], "the good job beside it still ran")
        await app.shutdown()
    }

    @Test func backoffGrowsExponentiallyWithJitterAndACap() {
        for attempt in 1...30 {
            let delay = JobWorker.backoff(attempt: attempt)
            let base = min(3600.0, 5.0 * pow(2.0, Double(attempt - 1)))
            #expect(Double(delay) >= (base * 0.8).rounded(.down) && Double(delay) <= base * 1.2)
        }
    }

    @Test func theSweepLetsIdleDraftsLapse() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        let chat = IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "msg:1", input: .text("2 份牛肉面"))
        _ = try await engine.handle(chat)
        #expect(try await engine.expireIdleDrafts() == 0)
        app.clock.advance(31 * 60)
        #expect(try await engine.expireIdleDrafts() == 1)
        #expect(try await engine.expireIdleDrafts() == 0, "a lapsed draft is not swept twice")
        let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind)
        #expect(pushes.count == 1)
        await app.shutdown()
    }
}

@Suite struct ConfigTests {
    @Test func everyProblemIsReportedAtOnceWithoutEchoingSecrets() {
        let environment = [
            "PORT": "99999", "WECHAT_TOKEN": "x", "WECHAT_ENCODING_AES_KEY": "short-secret-value",
            "JWT_SECRET": "tiny-secret", "WECHAT_TIMESTAMP_WINDOW": "ten", "PUBLIC_BASE_URL": "ftp://nope",
        ]
        #expect {
            _ = try AppConfig.load(environment: environment)
        } throws: { error in
            let text = "\(error)"
            return [
                "PORT", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY", "JWT_SECRET", "WECHAT_TIMESTAMP_WINDOW",
                "PUBLIC_BASE_URL",
            ].allSatisfy(text.contains)
                && !text.contains("short-secret-value") && !text.contains("tiny-secret")
        }
    }

    @Test func noConfigurationAtAllGeneratesDevSecretsOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-config-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AppConfig.load(environment: ["DROPMATE_DATA_DIR": directory])
        let second = try AppConfig.load(environment: ["DROPMATE_DATA_DIR": directory])
        #expect(first.wechatToken == second.wechatToken && first.wechatEncodingAESKey == second.wechatEncodingAESKey)
        #expect(first.usesGeneratedSecrets && first.devMode && first.port == 8080)
        let attributes = try FileManager.default.attributesOfItem(atPath: DevSecrets.path(in: directory))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

@Suite struct StateWritesTests {
    let base = ConversationState.new(at: 1_000)

    @Test func aBareActivityBumpUnderAMinuteIsNotRewritten() {
        var touched = base
        touched.lastActivityAt += 59
        #expect(!ConversationEngine.needsSaving(touched, comparedWith: base))
        touched.lastActivityAt += 1
        #expect(ConversationEngine.needsSaving(touched, comparedWith: base))
    }

    @Test func anyRealChangeIsWrittenAndAnOpenDraftsActivityAtLeastOnceAMinute() {
        var english = base
        english.language = .en
        #expect(ConversationEngine.needsSaving(english, comparedWith: base))
        var drafting = base
        drafting.draft = OrderDraft(merchantID: "lanzhou", lines: [])
        #expect(ConversationEngine.needsSaving(drafting, comparedWith: base), "a new draft is written at once")
        var later = drafting
        later.lastActivityAt += 5
        #expect(!ConversationEngine.needsSaving(later, comparedWith: drafting), "draft expiry does not need the second")
        later.lastActivityAt += 55
        #expect(
            ConversationEngine.needsSaving(later, comparedWith: drafting),
            "but the activity is never more than a minute behind")
        var pending = base
        pending.pendingOrderID = 1001
        #expect(ConversationEngine.needsSaving(pending, comparedWith: base))
    }

    @Test func answerOnlyRecordsAreWrittenBehindAndDurableAfterAFlush() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        let hello = IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "msg:1", input: .text("hi"))
        let reply = try await engine.handle(hello).reply
        #expect(try await engine.handle(hello).reply == reply, "a retry is answered from memory at once")
        await app.dependencies.store.flush()
        #expect(try await app.dependencies.store.handled(dedupeKey: "msg:1") == RecordedAnswer(reply: reply))
        await app.shutdown()
    }

    @Test func oldDedupeRecordsArePruned() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        _ = try await engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "msg:1", input: .text("hi")))
        await app.dependencies.store.flush()
        #expect(try await app.dependencies.store.handled(dedupeKey: "msg:1") != nil)
        app.clock.advance(8 * 86_400)
        try await engine.pruneHandledMessages()
        #expect(try await app.dependencies.store.handled(dedupeKey: "msg:1") == nil)
        await app.shutdown()
    }
}
