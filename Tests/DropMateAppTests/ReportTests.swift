import DropMateCore
import DropMateObjectStore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Daily reports through the real job path: orders in SQL → files in object storage → recorded → staff notified.
@Suite struct ReportTests {
    /// The report day of these tests, and an hour after the embedded default would have built it.
    static let date = "2026-11-24"
    static let morningAfter = Calendar.epoch(year: 2026, month: 11, day: 25, hour: 1, minute: 0, utcOffsetHours: 8)

    static func local(_ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
        Calendar.epoch(year: 2026, month: 11, day: day, hour: hour, minute: minute, second: second, utcOffsetHours: 8)
    }

    /// An order placed at `placed`, delivered 30 min after confirmation unless cancelled.
    static func order(
        _ id: Int64, placed: Int64, item: String = "牛肉面🍜", quantity: Int = 2, priceFen: Int = 1800,
        address: String = "上海市浦东新区张江路88号", cancelled: Bool = false
    ) -> Order {
        var order = Order(
            id: id, customer: "o_\(id)", merchantID: "lanzhou",
            lines: [
                OrderLine(
                    itemID: "beef-noodles", name: LocalizedText(zh: item, en: "noodles"), quantity: quantity,
                    unitPrice: Money(fen: priceFen))
            ],
            address: DeliveryAddress(text: address), phone: PhoneNumber("13812348000")!, language: .zh,
            createdAt: placed)
        order.status = .confirmed
        order.confirmedAt = placed + 60
        order.promisedAt = placed + 40 * 60
        if cancelled {
            order.status = .cancelled
            order.cancelledAt = placed + 120
            order.cancelReason = "=cmd|' /C calc'!A0"
        } else {
            order.status = .delivered
            order.dispatchedAt = placed + 300
            order.courierName = "李师傅 🛵"
            order.deliveredAt = placed + 60 + 30 * 60
            order.routeMetres = 2_345
        }
        return order
    }

    static func seed(_ app: TestApp, _ orders: [Order]) async throws {
        for order in orders {
            try await app.dependencies.store.commit(
                UnitOfWork(
                    customer: order.customer, now: order.createdAt, orders: [OrderWrite(order: order, isNew: true)]))
        }
    }

    /// Runs due jobs until none is left (bounded).
    static func drain(_ app: TestApp) async throws {
        for _ in 0..<20 where try await app.dependencies.worker.runDueJobs() > 0 {}
    }

    static func subscribe(
        _ app: TestApp, username: String = "boss", openID: String = "o_staff_boss"
    ) async throws -> StaffAccount {
        let account = try await app.dependencies.createStaff(
            username: username, password: "correct horse battery", role: .admin, courierID: nil)
        try await app.dependencies.staff.setNotifications(
            staffID: account.id, wechatOpenID: openID, notifyReports: true, now: app.clock.now,
            audit: AuditEntry(
                actorID: nil, actor: "test", role: "admin", action: "staff.notify", target: "staff:\(account.id)",
                at: app.clock.now))
        return account
    }

    static func reportNotices(_ app: TestApp) async throws -> [PushJob] {
        try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }
            .filter { if case .text(let text) = $0.message { text.contains("/reports/") } else { false } }
    }

    static func text(_ app: TestApp, _ key: String) async throws -> String {
        String(decoding: try await app.dependencies.objects.get(key: key), as: UTF8.self)
    }

    static func enqueue(_ app: TestApp, date: String = date, force: Bool = false) async throws {
        try await app.dependencies.queue.enqueue(try DailyReportJob(date: date, force: force).job(now: app.clock.now))
    }

    // MARK: What goes into a report

    @Test func ordersAtLocalMidnightCountOnTheirOwnBusinessDay() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        try await Self.seed(
            app,
            [
                Self.order(2001, placed: Self.local(23, 23, 59, 59)), Self.order(2002, placed: Self.local(24, 0, 0, 0)),
                Self.order(2003, placed: Self.local(24, 23, 59, 59)), Self.order(2004, placed: Self.local(25, 0, 0, 0)),
            ])
        try await Self.enqueue(app)
        try await Self.drain(app)
        let record = try #require(try await app.dependencies.reportStore.report(date: Self.date))
        let summary = try JSONColumn.decode(ReportSummary.self, from: record.summary)
        #expect(summary.placed == 2)
        let orders = try await Self.text(app, "reports/\(Self.date)/orders.csv")
        #expect(
            orders.contains("2002") && orders.contains("2003") && !orders.contains("2001") && !orders.contains("2004"))
        #expect(
            orders.contains("2026-11-24 00:00:00") && orders.contains("2026-11-24 23:59:59"),
            "times are local wall-clock times")
        await app.shutdown()
    }

    @Test func anEmptyDayGivesAValidReportOfZeros() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        try await Self.enqueue(app)
        try await Self.drain(app)
        let record = try #require(try await app.dependencies.reportStore.report(date: Self.date))
        #expect(try JSONColumn.decode(ReportSummary.self, from: record.summary) == ReportSummary())
        let xlsx = try await app.dependencies.objects.get(key: "reports/\(Self.date)/report.xlsx")
        #expect(xlsx.starts(with: Array("PK".utf8)))
        for name in ["summary", "orders", "couriers", "merchants", "items", "by_hour", "payments"] {
            let csv = try await Self.text(app, "reports/\(Self.date)/\(name).csv")
            #expect(csv.hasPrefix("\u{FEFF}"), "\(name).csv starts with a BOM")
        }
        #expect(try await Self.text(app, "reports/\(Self.date)/chart.svg").contains("<svg"))
        #expect(try await app.dependencies.queue.counts()["dead", default: 0] == 0)
        await app.shutdown()
    }

    @Test func oneOrderWithFormulasCJKAndEmojiSurvivesEndToEndMaskedAndNeutralised() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        try await Self.seed(
            app,
            [
                Self.order(3001, placed: Self.local(24, 12, 5), item: "=HYPERLINK(\"http://evil\")"),
                Self.order(3002, placed: Self.local(24, 18, 30), item: "牛肉面🍜", cancelled: true),
            ])
        try await Self.enqueue(app)
        try await Self.drain(app)
        let summary = try JSONColumn.decode(
            ReportSummary.self,
            from: try #require(try await app.dependencies.reportStore.report(date: Self.date)).summary)
        #expect(summary.placed == 2 && summary.delivered == 1 && summary.cancelled == 1 && summary.revenueFen == 3600)
        #expect(summary.onTimeRate == 1)
        let orders = try await Self.text(app, "reports/\(Self.date)/orders.csv")
        #expect(orders.contains("138****8000") && !orders.contains("13812348000"), "phones are masked")
        #expect(orders.contains("上海市浦东新区") && !orders.contains("张江路"), "addresses stop at the district")
        #expect(orders.contains("李师傅 🛵") && orders.contains("牛肉面🍜") && orders.contains("兰州牛肉面馆"))
        for line in orders.split(separator: "\r\n") {
            for cell in line.split(separator: ",") {
                let text = cell.hasPrefix("\"") ? cell.dropFirst() : cell
                #expect(
                    !["=", "+", "@"].contains(text.first.map(String.init) ?? ""), "no cell starts a formula: \(cell)")
            }
        }
        #expect(orders.contains("'=HYPERLINK"))
        let summaryCSV = try await Self.text(app, "reports/\(Self.date)/summary.csv")
        #expect(summaryCSV.contains("Cancelled: =cmd"), "a cancel reason only ever follows a label")
        let workbook = try await app.dependencies.objects.get(key: "reports/\(Self.date)/report.xlsx")
        #expect(workbook.count > 1000)
        await app.shutdown()
    }

    // MARK: Exactly once

    @Test func theSameDateQueuedTwiceBuildsOnceAndNotifiesOnce() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        _ = try await Self.subscribe(app)
        try await Self.seed(app, [Self.order(4001, placed: Self.local(24, 9, 0))])
        try await Self.enqueue(app)
        try await Self.enqueue(app)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 1)
        try await Self.drain(app)
        let notices = try await Self.reportNotices(app)
        #expect(notices.count == 1 && notices.first?.openID == "o_staff_boss")
        // The job run again (as after a crash before its completion was recorded) notifies nobody twice.
        let job = try #require(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).first)
        try await app.dependencies.reportRunner.run(DailyReportJob(date: Self.date), jobID: job.id)
        #expect(try await Self.reportNotices(app).count == 1)
        // A forced rebuild is a new job: it builds again and says so.
        try await Self.enqueue(app, force: true)
        try await Self.drain(app)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 2)
        #expect(try await Self.reportNotices(app).count == 2)
        await app.shutdown()
    }

    @Test func aWorkerKilledMidBuildIsRetriedAndThePublishedReportIsWhole() async throws {
        var app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        _ = try await Self.subscribe(app)
        try await Self.seed(
            app, [Self.order(5001, placed: Self.local(24, 11, 0)), Self.order(5002, placed: Self.local(24, 19, 0))])
        // First attempt: the worker claims the job and dies (no completion, no failure recorded).
        try await Self.enqueue(app)
        let claimed = try await app.dependencies.jobQueue.claim(
            limit: 10, now: app.clock.now, leaseSeconds: app.dependencies.config.jobLeaseSeconds)
        #expect(claimed.count == 1)
        // Second attempt, after the lease ran out: storage breaks after two files (a crash mid-upload).
        let real = app.dependencies.objects
        app.dependencies.objects = FlakyObjectStore(wrapping: real, failingAfter: 2, failures: 1)
        app.clock.advance(app.dependencies.config.jobLeaseSeconds + 1)
        try await Self.drain(app)
        #expect(
            try await app.dependencies.reportStore.report(date: Self.date) == nil,
            "nothing is recorded before every file is stored")
        #expect(try await Self.reportNotices(app).isEmpty)
        // Third attempt, after the backoff: published once, announced once.
        app.clock.advance(3600)
        try await Self.drain(app)
        let record = try #require(try await app.dependencies.reportStore.report(date: Self.date))
        #expect(try JSONColumn.decode(ReportSummary.self, from: record.summary).placed == 2)
        #expect(try await Self.reportNotices(app).count == 1)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 1)
        #expect(try await app.dependencies.queue.counts()["dead", default: 0] == 0)
        await app.shutdown()
    }

    @Test func aStorageFailureIsRetriedWithBackoffThenDeadLetteredWithTheReason() async throws {
        var app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        _ = try await Self.subscribe(app)
        app.dependencies.objects = FlakyObjectStore(wrapping: app.dependencies.objects, failingAfter: 0, failures: .max)
        try await Self.enqueue(app)
        var attempts = 0
        while try await app.dependencies.queue.counts()["dead", default: 0] == 0, attempts < 20 {
            attempts += try await app.dependencies.worker.runDueJobs()
            app.clock.advance(4000)
        }
        let dead = try #require(try await app.dependencies.queue.deadJobs(limit: 10).first)
        #expect(dead.kind == DailyReportJob.kind && attempts == dead.maxAttempts)
        #expect(dead.lastError?.contains("object storage unreachable") == true, "\(dead.lastError ?? "")")
        #expect(try await app.dependencies.reportStore.report(date: Self.date) == nil)
        #expect(try await Self.reportNotices(app).isEmpty)
        await app.shutdown()
    }

    @Test func aBadDateIsDeadAtOnceWithTheReason() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        try await app.dependencies.queue.enqueue(
            NewJob(kind: DailyReportJob.kind, payload: #"{"date": "2026-02-30"}"#, runAt: app.clock.now))
        try await Self.drain(app)
        #expect(
            try await app.dependencies.queue.deadJobs(limit: 1).first?.lastError?.contains("not a report date") == true)
        await app.shutdown()
    }

    // MARK: Scheduling

    @Test func theEmbeddedDefaultQueuesYesterdaysReportOnceTheReportTimeHasPassed() async throws {
        let app = try await TestApp.make(
            clock: TestClock(Self.local(25, 0, 10)), extra: ["DROPMATE_REPORT_AT": "00:30"])
        let scheduler = ReportScheduler(
            queue: app.dependencies.queue, reports: app.dependencies.reportStore,
            settings: app.dependencies.config.reports,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        var queued = try await scheduler.tick(alreadyQueued: nil)
        let early = try await app.dependencies.queue.jobs(kind: DailyReportJob.kind)
        #expect(queued == nil && early.isEmpty, "not before 00:30")
        app.clock.set(Self.local(25, 0, 31))
        queued = try await scheduler.tick(alreadyQueued: queued)
        queued = try await scheduler.tick(alreadyQueued: queued)
        #expect(queued == Self.date)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 1)
        try await Self.drain(app)
        // A restart later that day finds the report recorded: nothing more to build.
        app.clock.set(Self.local(25, 15, 0))
        #expect(try await scheduler.tick(alreadyQueued: nil) == Self.date)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 1)
        await app.shutdown()
    }

    @Test func aServerDownAtReportTimeBuildsTheMissedDayOnStart() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.local(25, 9, 0)))
        let scheduler = ReportScheduler(
            queue: app.dependencies.queue, reports: app.dependencies.reportStore,
            settings: app.dependencies.config.reports,
            clock: { app.clock.now }, logger: app.dependencies.logger)
        #expect(try await scheduler.tick(alreadyQueued: nil) == Self.date)
        try await Self.drain(app)
        #expect(try await app.dependencies.reportStore.report(date: Self.date) != nil)
        await app.shutdown()
    }

    @Test func aProductionWorkerQueuesReportsOnlyWhenToldAndTwoSchedulersMakeOneJob() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.local(25, 9, 0)))
        #expect(!app.dependencies.workerServices(schedulesReports: false).contains { $0 is ReportScheduler })
        let scheduling = app.dependencies.workerServices(schedulesReports: true).compactMap { $0 as? ReportScheduler }
        #expect(scheduling.count == 1)
        // Two replicas ticking at the same moment: the report's idempotency key keeps it one job.
        let replica = try #require(scheduling.first)
        async let first = replica.tick(alreadyQueued: nil)
        async let second = replica.tick(alreadyQueued: nil)
        _ = try await (first, second)
        #expect(try await app.dependencies.queue.jobs(kind: DailyReportJob.kind).count == 1)
        let existing = try await app.dependencies.queue.existingJob(key: "daily-report:\(Self.date)")
        #expect(existing?.state == "ready")
        #expect(try await app.dependencies.queue.existingJob(key: "daily-report:1999-01-01") == nil)
        await app.shutdown()
    }

    @Test func reportSettingsAreValidatedWithTheRest() throws {
        let base = [
            "WECHAT_TOKEN": TestAccount.token, "JWT_SECRET": TestAccount.jwtSecret,
            "DROPMATE_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent(
                "dm-cfg-\(UUID().uuidString)"
            ).path,
        ]
        let config = try AppConfig.load(environment: base)
        #expect(config.reports.timeZone.identifier == "Asia/Shanghai" && config.reports.minuteOfDay == 30)
        let custom = try AppConfig.load(
            environment: base.merging(["DROPMATE_TIMEZONE": "Europe/Berlin", "DROPMATE_REPORT_AT": "06:05"]) { $1 })
        #expect(custom.reports.timeZone.identifier == "Europe/Berlin" && custom.reports.minuteOfDay == 365)
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: base.merging(["DROPMATE_TIMEZONE": "Mars/Olympus"]) { $1 })
        }
        do {
            _ = try AppConfig.load(
                environment: base.merging(["DROPMATE_TIMEZONE": "Nowhere", "DROPMATE_REPORT_AT": "24:00"]) { $1 })
            Issue.record("accepted a bad configuration")
        } catch let error as AppConfig.Problems {
            #expect(Set(error.problems.map(\.variable)) == ["DROPMATE_TIMEZONE", "DROPMATE_REPORT_AT"])
        }
    }

    // MARK: REST and the H5 page

    @Test func reportEndpointsAdmitTheOfficeAndHandOutSignedDownloadLinks() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await Self.seed(app, [Self.order(6001, placed: Self.local(24, 12, 0))])
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(.post, "/reports", as: .courier, body: #"{"date": "2026-11-24"}"#).status == 403)
            #expect(try await session.call(.get, "/reports", as: .courier).status == 403)
            #expect(try await session.call(.get, "/reports/2026-11-24", as: .courier).status == 403)
            #expect(
                try await session.call(.post, "/reports", as: .dispatcher, body: #"{"date": "2026-13-01"}"#).status
                    == 400)
            let queued = try await session.call(.post, "/reports", as: .dispatcher, body: #"{"date": "2026-11-24"}"#)
            #expect(queued.status == 202 && queued.json["date"] as? String == Self.date)
            #expect(try await session.call(.get, "/reports/2026-11-24", as: .admin).status == 404, "not built yet")
            try await Self.drain(app)
            let list = try await session.call(.get, "/reports?from=2026-11-01&to=2026-11-30", as: .admin)
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["date"] as? String == Self.date)
            #expect(
                try #require(
                    try await session.call(.get, "/reports?from=2026-11-25", as: .admin).json["items"] as? [Any]
                ).isEmpty)
            let report = try await session.call(.get, "/reports/2026-11-24", as: .dispatcher)
            #expect(report.status == 200)
            let files = try #require(report.json["files"] as? [String: Any])
            let xlsxLink = try #require(files["xlsx"] as? String)
            let xlsx = try #require(URL(string: xlsxLink))
            #expect(xlsx.path.hasSuffix("reports/2026-11-24/report.xlsx") && xlsx.query?.contains("sig=") == true)
            let download = try await client.execute(uri: xlsx.path + "?" + xlsx.query!, method: .get)
            #expect(download.status == .ok && Array(download.body.readableBytesView.prefix(2)) == Array("PK".utf8))
            let forged = try await client.execute(
                uri: xlsx.path + "?" + xlsx.query!.replacingOccurrences(of: "sig=", with: "sig=0"), method: .get)
            #expect(forged.status == .forbidden)
            let csv = try #require(files["csv"] as? [String: String])
            #expect(Set(csv.keys) == ["summary", "orders", "couriers", "merchants", "items", "by_hour", "payments"])
            #expect(
                (report.json["page_url"] as? String)?.hasPrefix("https://dropmate.example/reports/2026-11-24?exp=")
                    == true)
        }
    }

    @Test func theReportPageOpensOnlyFromASignedUnexpiredLink() async throws {
        let app = try await TestApp.make(clock: TestClock(Self.morningAfter))
        _ = try await Self.subscribe(app)
        try await Self.seed(app, [Self.order(7001, placed: Self.local(24, 12, 0), item: "<script>alert(1)</script>")])
        try await Self.enqueue(app)
        try await Self.drain(app)
        guard case .text(let text) = try #require(try await Self.reportNotices(app).first).message else {
            Issue.record("no text notice"); return
        }
        let link = try #require(text.split(separator: "\n").last.map(String.init))
        let url = try #require(URL(string: link))
        let path = url.path + "?" + url.query!
        try await app.live { client in
            let page = try await client.execute(uri: path, method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(
                html.contains("src=\"data:image/svg+xml;base64,") && html.contains("下单")
                    && html.contains("report.xlsx?") && html.contains("orders.csv?"))
            #expect(!html.contains("<script"), "no JavaScript, and customer text never reaches the page unescaped")
            #expect(
                try await client.execute(uri: path.replacingOccurrences(of: "sig=", with: "sig=f"), method: .get).status
                    == .forbidden)
            #expect(
                try await client.execute(
                    uri: path.replacingOccurrences(of: "2026-11-24", with: "2026-11-23"), method: .get
                ).status == .forbidden)
            #expect(try await client.execute(uri: "/reports/2026-11-24", method: .get).status == .badRequest)
            app.clock.advance(app.dependencies.config.reports.linkTTL + 1)
            #expect(try await client.execute(uri: path, method: .get).status == .gone)
        }
    }

    // MARK: PostgreSQL

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil))
    func theSameReportIsBuiltOnPostgreSQL() async throws {
        let app = try await TestApp.make(
            clock: TestClock(Self.morningAfter), extra: ["DATABASE_URL": try await PostgresTestDatabase.create()])
        _ = try await Self.subscribe(app)
        try await Self.seed(
            app,
            [
                Self.order(8001, placed: Self.local(23, 23, 59, 59)), Self.order(8002, placed: Self.local(24, 0, 0, 0)),
                Self.order(8003, placed: Self.local(24, 23, 59, 59), cancelled: true),
                Self.order(8004, placed: Self.local(25, 0, 0, 0)),
            ])
        try await Self.enqueue(app)
        try await Self.enqueue(app)
        try await Self.drain(app)
        let summary = try JSONColumn.decode(
            ReportSummary.self,
            from: try #require(try await app.dependencies.reportStore.report(date: Self.date)).summary)
        #expect(summary.placed == 2 && summary.cancelled == 1 && summary.delivered == 1)
        #expect(try await Self.reportNotices(app).count == 1)
        await app.shutdown()
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil))
    func ordersStoredBeforeSealingAreResealedThenReportedOnPostgreSQL() async throws {
        let app = try await TestApp.make(
            clock: TestClock(Self.morningAfter), extra: ["DATABASE_URL": try await PostgresTestDatabase.create()])
        let order = Self.order(9001, placed: Self.local(24, 12, 0))
        let plain = try JSONColumn.encode(order)
        try await app.dependencies.backend.transaction { db in
            try await db.raw(
                """
                INSERT INTO orders (id, customer, merchant_id, status, total_fen, created_at, data, updated_at)
                VALUES (\(bind: order.id), \(bind: order.customer), \(bind: order.merchantID), \(bind: order.status.rawValue), \(bind: order.total.fen),
                        \(bind: order.createdAt), \(bind: plain), \(bind: order.createdAt))
                """
            ).run()
        }
        let rotation = try await app.dependencies.store.rotatePersonalData()
        #expect(rotation.orders == 1)
        let stored = try await app.dependencies.backend.reader.raw("SELECT data FROM orders WHERE id = 9001").first()?
            .decode(column: "data", as: String.self)
        #expect(stored?.hasPrefix("v2.") == true, "sealed at rest after rotate-key")
        try await Self.enqueue(app)
        try await Self.drain(app)
        let summary = try JSONColumn.decode(
            ReportSummary.self,
            from: try #require(try await app.dependencies.reportStore.report(date: Self.date)).summary)
        #expect(summary.placed == 1 && summary.delivered == 1)
        await app.shutdown()
    }
}

/// Object storage that stops working: after `failingAfter` successful writes, the next `failures` operations fail
/// as an unreachable service would.
final class FlakyObjectStore: ObjectStore {
    let wrapped: any ObjectStore
    private let state: Mutex<(writes: Int, failures: Int)>
    let failingAfter: Int

    init(wrapping wrapped: any ObjectStore, failingAfter: Int, failures: Int) {
        self.wrapped = wrapped
        self.failingAfter = failingAfter
        state = Mutex((0, failures))
    }

    private func check() throws {
        let fail = state.withLock { state -> Bool in
            if state.writes >= failingAfter, state.failures > 0 {
                state.failures -= 1
                if state.failures == 0 { state.writes = Int.min / 2 }  // healthy again
                return true
            }
            state.writes += 1
            return false
        }
        if fail { throw ObjectStoreError.transport(reason: "connection refused (test)") }
    }

    func put(key: String, body: ObjectBody, contentType: String) async throws {
        try check()
        try await wrapped.put(key: key, body: body, contentType: contentType)
    }
    func get(key: String) async throws -> [UInt8] { try await wrapped.get(key: key) }
    func delete(key: String) async throws { try await wrapped.delete(key: key) }
    func exists(key: String) async throws -> Bool { try await wrapped.exists(key: key) }
    func downloadURL(key: String, expiresIn: Duration) async throws -> URL {
        try await wrapped.downloadURL(key: key, expiresIn: expiresIn)
    }
}
