import DropMateCore
import Foundation
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// A customer asking for a person (or hurrying, or cancelling a confirmed order) reaches staff: the step queues one
/// `staff-notice` job, phone numbers masked, and the worker sends it to every active admin or dispatcher whose WeChat
/// is bound for notices, once even when the job runs again.
@Suite struct StaffNoticeTests {
    func say(_ app: TestApp, _ text: String, as customer: String = "o_cust", id: Int) async throws -> OutgoingMessage? {
        // A generous deadline: on a loaded machine the reply must not turn into a late push.
        try await app.dependencies.engine.handle(
            IncomingChat(
                customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):msg:\(id)", input: .text(text)),
            deadline: .seconds(60)
        ).reply
    }

    /// Runs `body` on a fresh app and shuts the app down however `body` ends.
    func withApp(extra: [String: String] = [:], _ body: (TestApp) async throws -> Void) async throws {
        let app = try await TestApp.make(extra: extra)
        do { try await body(app) } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }

    func staffMember(
        _ app: TestApp, _ name: String, _ role: StaffRole, openID: String?, active: Bool = true
    ) async throws {
        let staff = app.dependencies.staff, now = app.clock.now
        let account = try await staff.create(
            username: name, passwordHash: "x", role: role, courierID: nil, now: now, audit: nil)
        let audit = AuditEntry(
            actorID: nil, actor: "test", role: "admin", action: "staff.notifications", target: "staff:\(account.id)",
            at: now)
        if let openID {
            try await staff.setNotifications(
                staffID: account.id, wechatOpenID: openID, notifyReports: false, now: now, audit: audit)
        }
        if !active { _ = try await staff.setActive(false, staffID: account.id, now: now, audit: audit) }
    }

    @Test func askingForAPersonReachesEverySubscribedStaffMemberOnce() async throws {
        try await withApp { app in
            try await staffMember(app, "boss", .admin, openID: "o_boss")
            try await staffMember(app, "disp", .dispatcher, openID: "o_disp")
            try await staffMember(app, "quiet", .dispatcher, openID: nil)
            try await staffMember(app, "gone", .admin, openID: "o_gone", active: false)
            try await staffMember(app, "rider", .courier, openID: "o_rider")

            _ = try await say(app, "13800138000", id: 1)
            _ = try await say(app, "2份牛肉面", id: 2)
            let reply = try await say(app, "人工客服，我的另一个号码是13912345678", id: 3)
            guard case .text(let text)? = reply else { Issue.record("no reply"); return }
            #expect(text.contains("已为您转人工客服"))
            // The bot now keeps out of the way: one "请稍候", then nothing; the messages still go to staff.
            #expect(try await say(app, "在吗", id: 4) == .text("已转人工，请稍候。"))
            #expect(try await say(app, "还在吗", id: 5) == nil)

            let notices = try await app.dependencies.queue.jobs(kind: StaffNoticeJob.kind)
            #expect(notices.count == 3)
            let first = try StaffNoticeJob(payload: notices[0].payload)
            #expect(first.reason == "handoff" && first.customer == "o_cust")
            #expect(
                first.text.contains("139****5678") && !first.text.contains("13912345678"),
                "numbers in the customer's words are masked")
            #expect(first.text.contains("138****8000") && !first.text.contains("13800138000"))
            #expect(first.text.contains("牛肉面 ×2"), "staff see the draft")

            let notifier = RecordingNotifier()
            var worker = JobWorker(
                queue: app.dependencies.queue, engine: app.dependencies.engine, notifier: notifier,
                clock: { app.clock.now }, logger: app.dependencies.logger)
            let sender = StaffNoticeSender(
                staff: app.dependencies.staff, queue: app.dependencies.queue, clock: { app.clock.now })
            worker.register(StaffNoticeJob.self) { notice, context in
                try await sender.send(notice, jobID: context.jobID)
            }
            #expect(try await worker.runDueJobs() == 3, "the three notices")
            #expect(try await worker.runDueJobs() == 6, "two pushes each")
            let sent = notifier.sent.withLock { $0 }
            #expect(Set(sent.map(\.openID)) == ["o_boss", "o_disp"])
            #expect(sent.contains { $0.openID == "o_boss" && $0.message == .text(first.text) })
            // A notice that runs again (a retry after a crash) tells nobody twice.
            try await StaffNoticeSender(
                staff: app.dependencies.staff, queue: app.dependencies.queue, clock: { app.clock.now }
            ).send(first, jobID: notices[0].id)
            #expect(try await worker.runDueJobs() == 0)
        }
    }

    @Test func theHandoffLastsAsLongAsConfigured() async throws {
        try await withApp(extra: ["DROPMATE_HANDOFF_MINUTES": "5"]) { app in
            guard case .text(let text)? = try await say(app, "human", id: 1) else { Issue.record("no reply"); return }
            #expect(text.contains("next 5 minutes"))
            #expect(try await say(app, "hello?", id: 2) == .text("A person will reply soon; please wait."))
            app.clock.advance(6 * 60)
            guard case .text(let menu)? = try await say(app, "menu", id: 3) else {
                Issue.record("the bot stayed away"); return
            }
            #expect(menu.hasPrefix("Today's menu"))
        }
    }

    @Test func staffAnswerInTheChatAndTheHandoffCarriesOnUntilTheyEndIt() async throws {
        try await withApp { app in
            let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: nil)
            _ = try await say(app, "人工客服", id: 1)
            try await app.live { client in
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let pushesBefore = try await app.dependencies.queue.jobs(kind: PushJob.kind).count
                let answer = try await session.call(
                    .post, "/customers/o_cust/messages", as: .dispatcher, body: #"{"body": "您好，请问需要什么帮助？"}"#)
                #expect(answer.status == 201)
                let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind)
                #expect(pushes.count == pushesBefore + 1)
                #expect(try PushJob(payload: pushes.last!.payload).message == .text("客服：您好，请问需要什么帮助？"))
                // A person is talking: the bot stays quiet (no second "请稍候") and passes the customer's answer on.
                #expect(try await say(app, "能少放辣吗", id: 2) == nil)
                let ended = try await session.call(
                    .post, "/customers/o_cust/messages", as: .admin, body: #"{"body": "好的，已备注。", "end_handoff": true}"#)
                #expect(ended.status == 201)
                let last = try PushJob(payload: try await app.dependencies.queue.jobs(kind: PushJob.kind).last!.payload)
                #expect(last.message == .text("客服：好的，已备注。\n（人工服务已结束，有事可以直接跟我说。）"))
                guard case .text(let menu)? = try await say(app, "菜单", id: 3) else {
                    Issue.record("the bot did not come back"); return
                }
                #expect(menu.hasPrefix("今日菜单"))
                #expect(
                    try await session.call(.post, "/customers/o_cust/messages", as: .courier, body: #"{"body": "hi"}"#)
                        .status == 403)
                #expect(
                    try await session.call(.post, "/customers/o%20cust/messages", as: .admin, body: #"{"body": "hi"}"#)
                        .status == 400)
                #expect(
                    try await session.call(.post, "/customers/o_cust/messages", as: .admin, body: #"{"body": "  "}"#)
                        .status == 400)
            }
        }
    }

    @Test(arguments: ["0", "1441", "soon"])
    func aHandoffTimeOutsideItsRangeRefusesToStart(_ minutes: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-handoff-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try AppConfig.load(environment: ["DROPMATE_HANDOFF_MINUTES": minutes, "DROPMATE_DATA_DIR": directory])
            Issue.record("DROPMATE_HANDOFF_MINUTES=\(minutes) was accepted")
        } catch {
            #expect("\(error)".contains("DROPMATE_HANDOFF_MINUTES"))
        }
    }
}
