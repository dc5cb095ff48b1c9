import DropMateCore
import Foundation
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound
@testable import DropMateTelemetry

/// Jobs an older release queued (in the `jobs` table or on the Redis stream) still run after an upgrade, and what
/// this release writes, an older worker still reads: every kind's payload keeps the JSON shape it always had.
@Suite struct JobPayloadCompatibilityTests {
    /// One stored payload per shape older releases wrote, with the value it must decode to.
    struct OldRow: Sendable {
        var kind: String
        var json: String
        /// Whether this release writes exactly this JSON for the value (false for shapes it no longer writes).
        var writtenAlike: Bool
        /// Whether a decoded payload is the row's value.
        let isExpected: @Sendable (any JobPayload) -> Bool
        /// Decodes the row as its kind.
        let decode: @Sendable () throws -> any JobPayload

        init<Payload: JobPayload & Hashable>(_ json: String, as value: Payload, writtenAlike: Bool = true) {
            kind = Payload.kind
            self.json = json
            self.writtenAlike = writtenAlike
            isExpected = { ($0 as? Payload) == value }
            decode = { try Payload(payload: json) }
        }
    }

    final class Seen: Sendable {
        let payloads = Mutex<[any JobPayload]>([])
    }

    static let rows: [OldRow] = [
        OldRow(
            #"{"openID":"o_old","message":{"text":{"_0":"订单 #1001 已送达"}}}"#,
            as: PushJob(openID: "o_old", message: .text("订单 #1001 已送达"))),
        OldRow(
            #"{"openID":"o_old","message":{"text":{"_0":"on its way"}},"phone":"+8613800138000","event":{"event":"dispatched","orderID":1001,"values":{"order_id":"1001","status":"dispatched"}}}"#,
            as: PushJob(
                openID: "o_old", message: .text("on its way"), phone: "+8613800138000",
                event: OrderEventNotice(
                    event: .dispatched, orderID: 1001, values: ["order_id": "1001", "status": "dispatched"]))),
        OldRow(
            #"{"openID":"o_old","message":{"news":{"title":"菜单","description":"今天","pictureURL":"https://p.example/1.png","url":"https://dropmate.example/menu"}}}"#,
            as: PushJob(
                openID: "o_old",
                message: .news(
                    title: "菜单", description: "今天", pictureURL: "https://p.example/1.png",
                    url: "https://dropmate.example/menu"))),
        OldRow(#"{"orderID":1001}"#, as: ETARefreshJob(orderID: 1001)),
        OldRow(#"{"phone":"+8613800138000","text":"您的订单已送达"}"#, as: SMSJob(phone: "+8613800138000", text: "您的订单已送达")),
        // Before staff notices had an audience.
        OldRow(
            #"{"text":"顾客 o_old 要人工","reason":"human","customer":"o_old"}"#,
            as: StaffNoticeJob(text: "顾客 o_old 要人工", reason: "human", customer: "o_old")),
        OldRow(
            #"{"text":"新订单 #1001","reason":"new_order","customer":"o_old","audience":"orders"}"#,
            as: StaffNoticeJob(text: "新订单 #1001", reason: "new_order", customer: "o_old", audience: "orders")),
        OldRow(#"{"date":"2026-12-04","force":false}"#, as: DailyReportJob(date: "2026-12-04")),
        // What `dropmate enqueue daily-report --payload` and the first reports release wrote: no `force`.
        OldRow(#"{"date":"2026-12-03"}"#, as: DailyReportJob(date: "2026-12-03"), writtenAlike: false),
        OldRow(#"{"date":"2026-12-02","force":true}"#, as: DailyReportJob(date: "2026-12-02", force: true)),
        OldRow(
            #"{"action":"check","orderID":1001,"attempt":2}"#, as: PaymentJob(action: .check, orderID: 1001, attempt: 2)
        ),
        OldRow(
            #"{"action":"refund","orderID":1002,"attempt":1,"refundNo":"R1002-1"}"#,
            as: PaymentJob(action: .refund, orderID: 1002, attempt: 1, refundNo: "R1002-1")),
        OldRow(
            #"{"action":"settleCancelled","orderID":1003,"attempt":1}"#,
            as: PaymentJob(action: .settleCancelled, orderID: 1003)),
    ]

    /// A worker whose handlers record what they were handed, for every kind this release runs.
    static func recordingWorker(_ app: TestApp, queue: (any JobQueue)? = nil, into seen: Seen) -> JobWorker {
        var worker = JobWorker(
            queue: queue ?? app.dependencies.queue, clock: { app.clock.now },
            leaseSeconds: app.dependencies.config.jobLeaseSeconds,
            logger: app.dependencies.logger)
        func record<Payload: JobPayload>(_ type: Payload.Type) {
            worker.register(type) { payload, _ in seen.payloads.withLock { $0.append(payload) } }
        }
        record(PushJob.self)
        record(ETARefreshJob.self)
        record(SMSJob.self)
        record(StaffNoticeJob.self)
        record(DailyReportJob.self)
        record(PaymentJob.self)
        return worker
    }

    @Test func everyKindCoversTheKindsTheAppRegisters() async throws {
        let app = try await TestApp.make()
        let kinds = Set(Self.rows.map(\.kind))
        #expect(kinds == ["push", "eta", "sms", "staff-notice", "daily-report", "payment"])
        #expect(
            app.dependencies.worker.kinds == kinds.subtracting(["payment"]),
            "payment registers only when WeChat Pay is on")
        await app.shutdown()
    }

    @Test func rowsInTheOldShapeDecodeToTheSameJobs() throws {
        for row in Self.rows {
            let registry = Self.registryOfAllKinds()
            #expect(registry.refusal(kind: row.kind, payload: row.json) == nil, "\(row.kind): \(row.json)")
            #expect(row.isExpected(try row.decode()), "\(row.json)")
        }
    }

    @Test func thisReleaseWritesTheShapeOlderWorkersRead() throws {
        for row in Self.rows where row.writtenAlike {
            let written = try row.decode().encodedPayload()
            let old = try JSONSerialization.jsonObject(with: Data(row.json.utf8)) as? NSDictionary
            let new = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? NSDictionary
            #expect(old != nil && old == new, "\(row.kind): wrote \(written), older releases read \(row.json)")
        }
    }

    @Test func oldRowsInTheJobsTableRunThroughTheirRegisteredHandlers() async throws {
        let app = try await TestApp.make()
        let seen = Seen()
        let worker = Self.recordingWorker(app, into: seen)
        for (index, row) in Self.rows.enumerated() {
            // As an older release queued it: its kind and JSON, sealed at rest like every payload.
            try await app.dependencies.queue.enqueue(
                NewJob(kind: row.kind, payload: row.json, idempotencyKey: "old-\(index)", runAt: app.clock.now))
        }
        #expect(try await worker.runDueJobs() == Self.rows.count)
        let payloads = seen.payloads.withLock { $0 }
        #expect(payloads.count == Self.rows.count)
        for row in Self.rows {
            #expect(
                payloads.filter(row.isExpected).count == 1,
                "\(row.kind) \(row.json) reached its handler once, as written")
        }
        #expect(try await app.dependencies.queue.counts() == ["done": Self.rows.count], "none retried, none dead")
        await app.shutdown()
    }

    @Test func oldRowsRunThroughTheAppsOwnWorker() async throws {
        let app = try await TestApp.make()
        let rows = Self.rows.filter {
            $0.kind != PaymentJob.kind && !($0.kind == DailyReportJob.kind && $0.json.contains("true"))
        }
        for (index, row) in rows.enumerated() {
            try await app.dependencies.queue.enqueue(
                NewJob(kind: row.kind, payload: row.json, idempotencyKey: "old-\(index)", runAt: app.clock.now))
        }
        var ran = 0
        for _ in 0..<5 { ran += try await app.dependencies.worker.runDueJobs() }
        #expect(ran >= rows.count)
        #expect(try await app.dependencies.queue.deadJobs(limit: 10).isEmpty)
        #expect(
            try await app.dependencies.reportStore.report(date: "2026-12-04") != nil,
            "the old daily-report row built its report")
        #expect(try await app.dependencies.reportStore.report(date: "2026-12-03") != nil, "and the one without `force`")
        await app.shutdown()
    }

    static func registryOfAllKinds() -> JobRegistry {
        var registry = JobRegistry()
        registry.register(PushJob.self) { _, _ in }
        registry.register(ETARefreshJob.self) { _, _ in }
        registry.register(SMSJob.self) { _, _ in }
        registry.register(StaffNoticeJob.self) { _, _ in }
        registry.register(DailyReportJob.self) { _, _ in }
        registry.register(PaymentJob.self) { _, _ in }
        return registry
    }
}

/// Production's queue relays job ids onto a Redis stream; the payload stays in the `jobs` table. Rows an older
/// release left there still run when a worker of this release claims them from the stream.
@Suite(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
struct JobPayloadStreamCompatibilityTests {
    @Test func oldRowsRelayedOverTheRedisStreamRunThroughTheirHandlers() async throws {
        let app = try await TestApp.make(extra: TestRedis.environment())
        #expect(app.dependencies.jobQueue is RedisStreamJobQueue)
        let rows = JobPayloadCompatibilityTests.rows
        for (index, row) in rows.enumerated() {
            try await app.dependencies.queue.enqueue(
                NewJob(kind: row.kind, payload: row.json, idempotencyKey: "old-\(index)", runAt: app.clock.now))
        }
        let seen = JobPayloadCompatibilityTests.Seen()
        let worker = JobPayloadCompatibilityTests.recordingWorker(app, queue: app.dependencies.jobQueue, into: seen)
        var ran = 0
        for _ in 0..<5 where ran < rows.count { ran += try await worker.runDueJobs() }
        #expect(ran == rows.count)
        let payloads = seen.payloads.withLock { $0 }
        for row in rows {
            #expect(payloads.filter(row.isExpected).count == 1, "\(row.kind) \(row.json)")
        }
        #expect(try await app.dependencies.queue.counts() == ["done": rows.count])
        await app.shutdown()
    }
}
