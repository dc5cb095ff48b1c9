import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Staff bind their own WeChat with a one-time code (the courier codes' rules), choose what they hear there, and a
/// new order ready to dispatch reaches those who subscribed; a dispatch nothing would tell the courier about is refused.
@Suite struct StaffWeChatTests {
    /// Eight characters from the unambiguous alphabet.
    static func isCode(_ text: String) -> Bool {
        text.count == 8 && text.allSatisfy(BindingCodePolicy.alphabet.contains)
    }

    func say(_ app: TestApp, _ text: String, as customer: String, id: String) async throws -> String {
        let reply = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):\(id)", input: .text(text)),
            deadline: .seconds(60)
        ).reply
        guard case .text(let text)? = reply else { return "" }
        return text
    }

    /// An order up to its summary (not yet confirmed).
    func draftOrder(_ app: TestApp, as customer: String) async throws {
        _ = try await say(app, "2 份牛肉面，不要香菜", as: customer, id: "1")
        _ = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):loc",
                input: .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场")))
        _ = try await say(app, "13800138000", as: customer, id: "2")
    }

    func placeOrder(_ app: TestApp, as customer: String) async throws -> String {
        try await draftOrder(app, as: customer)
        return try await say(app, "确认", as: customer, id: "3")
    }

    func account(_ app: TestApp, _ username: String) async throws -> StaffAccount {
        try #require(try await app.dependencies.staff.account(username: username)?.account)
    }

    @Test func staffBindTheirOwnWeChatWithAOneTimeCodeAndOnlyTheirOwn() async throws {
        let app = try await TestApp.make()
        let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000")).courier
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let admin = try await account(app, "admin1"), dispatcher = try await account(app, "dispatcher1"),
                courierAccount = try await account(app, "courier1")

            let issued = try await session.call(.post, "/staff/\(dispatcher.id)/binding-code", as: .dispatcher)
            #expect(issued.status == 201)
            let code = try #require(issued.json["code"] as? String)
            #expect(Self.isCode(code), "eight characters from the unambiguous alphabet: \(code)")
            #expect(issued.json["expires_at"] != nil)
            // A dispatcher manages only their own WeChat; couriers none; couriers' accounts bind as couriers.
            #expect(try await session.call(.post, "/staff/\(admin.id)/binding-code", as: .dispatcher).status == 403)
            #expect(
                try await session.call(
                    .put, "/staff/\(admin.id)/subscriptions", as: .dispatcher,
                    body: #"{"notify_orders": false, "notify_reports": false}"#
                ).status == 403)
            #expect(try await session.call(.delete, "/staff/\(admin.id)/wechat", as: .dispatcher).status == 403)
            #expect(try await session.call(.post, "/staff/\(dispatcher.id)/binding-code", as: .courier).status == 403)
            #expect(try await session.call(.post, "/staff/\(courierAccount.id)/binding-code", as: .admin).status == 404)
            #expect(
                try await session.call(.post, "/staff/\(admin.id)/binding-code", as: .admin).status == 201,
                "admins for anyone, themselves included")

            // Sent in chat: this WeChat user becomes the dispatcher's notice address; the chat stays a customer's.
            let bound = try await say(app, "绑定 \(code)", as: "o_disp", id: "bind")
            #expect(bound.contains("绑定成功") && bound.contains("dispatcher1"), "\(bound)")
            #expect(try await account(app, "dispatcher1").wechatOpenID == "o_disp")
            #expect(
                try await say(app, "菜单", as: "o_disp", id: "menu").contains("牛肉面"),
                "a staff binding does not make the chat a courier's")
            // Used up: the same code does nothing for anyone else.
            #expect(try await say(app, "绑定 \(code)", as: "o_other", id: "again").contains("绑定码无效或已过期"))
            #expect(try await account(app, "dispatcher1").wechatOpenID == "o_disp")
            let audit = try await app.dependencies.staff.audit(limit: 50, beforeID: nil).map(\.entry)
            #expect(
                audit.contains {
                    $0.action == "staff.binding_code" && $0.actor == "dispatcher1"
                        && $0.target == "staff:\(dispatcher.id)"
                })
            #expect(audit.contains { $0.action == "staff.wechat_bind" && $0.actor == "dispatcher1" })
            #expect(
                !audit.contains { ($0.after ?? "").contains(code) || ($0.after ?? "").contains("o_disp") },
                "neither the code nor the OpenID is written to the audit log")

            // Unbinding drops the address.
            let unbound = try await session.call(.delete, "/staff/\(dispatcher.id)/wechat", as: .dispatcher)
            #expect(unbound.status == 200 && unbound.json["wechat_bound"] as? Bool == false)
        }
    }

    @Test func wrongCodesLockAGuesserOutAndCodesExpireAfterThirtyMinutes() async throws {
        let app = try await TestApp.make()
        let staff = try await app.dependencies.createStaff(
            username: "night", password: StaffSession.password, role: .dispatcher, courierID: nil)
        let audit = AuditEntry(
            actorID: nil, actor: "test", role: "admin", action: "staff.binding_code", target: "staff:\(staff.id)",
            at: app.clock.now)
        let issued = try #require(try await app.dependencies.staffWeChat.issue(staffID: staff.id, audit: audit))
        #expect(issued.expiresAt == app.clock.now + 30 * 60)
        for (index, guess) in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"].enumerated() {
            #expect(try await say(app, "绑定 \(guess)", as: "o_guess", id: "g\(index)").contains("绑定码无效"))
        }
        #expect(
            try await say(app, "绑定 \(issued.code)", as: "o_guess", id: "right").contains("错误次数过多"),
            "locked out: the right code does not help")
        #expect(try await account(app, "night").wechatOpenID == nil)
        app.clock.advance(31 * 60)
        #expect(try await say(app, "绑定 \(issued.code)", as: "o_night", id: "late").contains("绑定码无效或已过期"))
        // `dropmate staff bind-code` issues a fresh one, which works.
        let fresh = try await app.dependencies.staffBindingCode(username: "night")
        #expect(fresh.code != issued.code && Self.isCode(fresh.code))
        #expect(try await say(app, "绑定 \(fresh.code)", as: "o_night", id: "fresh").contains("绑定成功"))
        await #expect(throws: StaffCreationError.self) {
            try await app.dependencies.staffBindingCode(username: "nobody")
        }
        await app.shutdown()
    }

    @Test func aNewOrderReachesTheStaffWhoSubscribedOnceItIsConfirmed() async throws {
        let app = try await TestApp.make()
        let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000")).courier
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let admin = try await account(app, "admin1"), dispatcher = try await account(app, "dispatcher1")
            for (role, openID, id) in [(StaffRole.dispatcher, "o_disp", dispatcher.id), (.admin, "o_boss", admin.id)] {
                let code = try #require(
                    try await session.call(.post, "/staff/\(id)/binding-code", as: role).json["code"] as? String)
                #expect(try await say(app, "绑定 \(code)", as: openID, id: "bind").contains("绑定成功"))
            }
            // The dispatcher hears of new orders; the admin only of reports.
            let orders = try await session.call(
                .put, "/staff/\(dispatcher.id)/subscriptions", as: .dispatcher,
                body: #"{"notify_orders": true, "notify_reports": false}"#)
            #expect(
                orders.status == 200 && orders.json["notify_orders"] as? Bool == true
                    && orders.json["wechat_bound"] as? Bool == true)
            #expect(
                try await session.call(
                    .put, "/staff/\(admin.id)/subscriptions", as: .admin,
                    body: #"{"notify_orders": false, "notify_reports": true}"#
                ).status == 200)
            #expect(
                try await session.call(
                    .put, "/staff/\(admin.id)/subscriptions", as: .admin, body: #"{"notify_orders": "yes"}"#
                ).status == 400)

            let queue = app.dependencies.queue
            try await draftOrder(app, as: "o_cust")
            #expect(try await queue.jobs(kind: StaffNoticeJob.kind).isEmpty, "nothing before the order is confirmed")
            #expect(try await say(app, "确认", as: "o_cust", id: "3").contains("已确认"))
            let notices = try await queue.jobs(kind: StaffNoticeJob.kind).map {
                try StaffNoticeJob(payload: $0.payload)
            }
            #expect(notices.count == 1)
            let notice = try #require(notices.first)
            #expect(notice.reason == "new_order" && notice.audience == "orders")
            #expect(
                notice.text.contains("#1001") && notice.text.contains("牛肉面 ×2") && notice.text.contains("不要香菜")
                    && notice.text.contains("¥36.00"))
            #expect(
                !notice.text.contains("13800138000") && !notice.text.contains("138****8000")
                    && !notice.text.contains("人民广场"),
                "no phone and no address in a push to a personal WeChat")

            let notifier = RecordingNotifier()
            var worker = JobWorker(
                queue: queue, engine: app.dependencies.engine, notifier: notifier, clock: { app.clock.now },
                logger: app.dependencies.logger)
            let sender = StaffNoticeSender(staff: app.dependencies.staff, queue: queue, clock: { app.clock.now })
            worker.register(StaffNoticeJob.self) { notice, context in
                try await sender.send(notice, jobID: context.jobID)
            }
            _ = try await worker.runDueJobs()
            _ = try await worker.runDueJobs()
            let toStaff = notifier.sent.withLock { $0 }.filter { $0.openID == "o_disp" || $0.openID == "o_boss" }
            #expect(toStaff.map(\.openID) == ["o_disp"], "only the subscriber, once")
            // Daily reports go to the same binding (no OpenID in any configuration).
            #expect(try await app.dependencies.staff.reportSubscribers().map(\.username) == ["admin1"])
            #expect(try await app.dependencies.staff.orderSubscribers().map(\.username) == ["dispatcher1"])
        }
    }

    @Test func aDispatchNothingWouldTellTheCourierAboutIsRefusedWithTheReason() async throws {
        let app = try await TestApp.make()
        _ = try await placeOrder(app, as: "o_cust")
        let nobody = try await app.dependencies.couriers.create(name: "无联系", phone: nil).courier
        let phoned = try await app.dependencies.couriers.create(name: "有电话", phone: PhoneNumber("13900139000")).courier
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: phoned.id)
            let refused = try await session.call(
                .post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": \#(nobody.id)}"#)
            #expect(refused.status == 409 && refused.errorCode == "courier_unreachable")
            #expect(
                refused.errorMessage?.contains("WeChat is not bound") == true
                    && refused.errorMessage?.contains("no phone number") == true, "\(refused.text)")
            #expect(
                try await app.dependencies.store.order(id: 1001)?.status == .confirmed,
                "nothing changed, the customer was told nothing")
            // A phone number reaches them by SMS (dev mode: the log provider stands in for one).
            #expect(
                try await session.call(
                    .post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": \#(phoned.id)}"#
                ).status == 200)
        }
    }

    @Test func withoutAnSMSProviderOnlyABoundWeChatReachesACourier() async throws {
        let app = try await TestApp.make(extra: ["WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef"])
        let engine = app.dependencies.engine
        #expect(engine.courierSMS == false, "a production setup on the log SMS provider sends no SMS")
        _ = try await placeOrder(app, as: "o_cust")
        let roster = app.dependencies.couriers
        let courier = try await roster.create(name: "王师傅", phone: PhoneNumber("13900139000")).courier
        await #expect(
            throws: EngineError.courierUnreachable(
                courierID: courier.id, name: "王师傅",
                reason: "their WeChat is not bound and no SMS provider is configured (SMS_PROVIDER)")
        ) {
            try await engine.assign(orderID: 1001, courierID: courier.id)
        }
        let code = try await roster.issueBindingCode(courierID: courier.id).code
        #expect(try await say(app, "绑定 \(code)", as: "o_wang", id: "bind").contains("绑定成功"))
        #expect(try await engine.assign(orderID: 1001, courierID: courier.id).status == .dispatched)
        await app.shutdown()

        let twilio = try await TestApp.make(extra: [
            "SMS_PROVIDER": "twilio", "SMS_PROVIDER_ID": "AC1", "SMS_PROVIDER_KEY": "k-very-secret-key",
            "SMS_SENDER": "+15005550006",
            "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef",
        ])
        #expect(twilio.dependencies.engine.courierSMS)
        await twilio.shutdown()
    }

    @Test func withPaymentRequiredStaffHearOfAnOrderAndTheBoardRingsOnceItIsPaid() async throws {
        try await PaymentFlowTests.withPayingApp { app, fake in
            _ = try await app.dependencies.createStaff(
                username: "dispatcher1", password: StaffSession.password, role: .dispatcher, courierID: nil)
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(app))
            #expect(
                try await app.dependencies.queue.jobs(kind: StaffNoticeJob.kind).isEmpty,
                "confirmed but unpaid: not staff's to dispatch yet")
            try await app.live { client in
                let browser = ConsoleTests.Browser(client)
                _ = try await browser.signIn("dispatcher1", StaffSession.password)
                let unpaid = try await browser.request("/console/board/cards/1001")
                #expect(unpaid.text.contains("data-ring=\"0\"") && unpaid.text.contains("待付款 Awaiting payment"))
                #expect(
                    try await client.execute(uri: link, method: .get).status == .ok, "the customer opens the pay page")
                let feed = app.dependencies.engine.orderFeed, before = feed.sequence
                let notify = "http://127.0.0.1:\(client.port!)/wechat/pay/notify"
                let callback = try fake.pay("DM1001")
                #expect(try await fake.deliver(callback, to: notify) == 204)
                #expect(try await fake.deliver(callback, to: notify) == 204, "WeChat Pay calls back again")
                #expect(feed.sequence == before + 1, "open boards hear of the payment once")
                let paid = try await browser.request("/console/board/cards/1001")
                #expect(paid.text.contains("data-ring=\"1\"") && !paid.text.contains("待付款"))
                let notices = try await app.dependencies.queue.jobs(kind: StaffNoticeJob.kind).map {
                    try StaffNoticeJob(payload: $0.payload)
                }
                #expect(
                    notices.count == 1 && notices.first?.reason == "new_order"
                        && notices.first?.text.contains("【新订单·已付款】#1001") == true)
            }
        }
    }
}
