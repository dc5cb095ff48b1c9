import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Courier powers: they come from the courier record on every use, binding codes cannot be guessed, admins alone
/// hand them out and take them back, and whole phone numbers follow one rule (issue 15, items 1, 2, 11, 12).
@Suite struct CourierSecurityTests {
    static let wrongCode = "That binding code is wrong or has expired. Ask your manager for a new one."
    static let lockedOut = "Too many wrong binding codes. Try again in an hour, or ask your manager."

    /// Sends `text` as WeChat user `openID` and returns the reply's text ("" for none).
    @discardableResult
    static func say(_ text: String, as openID: String, in app: TestApp) async throws -> String {
        let reply = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: openID, createTime: app.clock.now, dedupeKey: "\(openID):\(UUID())", input: .text(text))
        ).reply
        guard case .text(let content)? = reply else { return "" }
        return content
    }

    /// Binds WeChat user `openID` to `courierID` with a fresh code.
    static func bind(_ openID: String, to courierID: Int64, in app: TestApp) async throws {
        let code = try await app.dependencies.couriers.issueBindingCode(courierID: courierID).code
        #expect(try await say("绑定 \(code)", as: openID, in: app).contains("绑定成功"))
    }

    // MARK: Item 1: a replaced courier keeps no courier powers

    @Test func aReplacedCourierCanNoLongerListDeliverMoveOrUnbindTheRealCourier() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await Self.bind("o_old", to: courier.id, in: app)
        #expect(
            try await Self.say("任务", as: "o_old", in: app).contains("13800138000"),
            "bound: the courier sees their delivery")
        // Staff re-issue the code (a lost phone) and the courier's new WeChat binds with it.
        try await Self.bind("o_new", to: courier.id, in: app)
        let store = app.dependencies.store
        let listed = try await Self.say("任务", as: "o_old", in: app)
        #expect(
            !listed.contains("13800138000") && !listed.contains("#1001"), "the old WeChat user lists nothing: \(listed)"
        )
        _ = try await Self.say("送达 #1001", as: "o_old", in: app)
        #expect(try await store.order(id: 1001)?.status == .dispatched, "the old WeChat user cannot mark it delivered")
        _ = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: "o_old", createTime: app.clock.now, dedupeKey: "loc-event",
                input: .reportedLocation(Coordinate(latitude: 31.3, longitude: 121.5))))
        #expect(
            try await store.courier(id: courier.id)?.position == nil, "a LOCATION event from the old user moves nobody")
        _ = try await Self.say("解绑", as: "o_old", in: app)
        #expect(
            try await store.courier(id: courier.id)?.openID == "o_new",
            "the old user's 解绑 leaves the real courier bound")
        #expect(try await Self.say("任务", as: "o_new", in: app).contains("13800138000"))
        await app.shutdown()
    }

    @Test func unbindingTouchesOnlyTheSendersOwnBinding() async throws {
        let app = try await TestApp.make()
        let courier = try await app.dependencies.couriers.create(name: "A", phone: nil).courier
        try await Self.bind("o_me", to: courier.id, in: app)
        #expect(try await Self.say("解绑", as: "o_me", in: app) == "已解除骑手绑定。")
        #expect(try await app.dependencies.store.courier(id: courier.id)?.openID == nil)
        // A store-level unbinding by someone who is not the binding changes nothing.
        try await Self.bind("o_me", to: courier.id, in: app)
        var unit = UnitOfWork(customer: "o_other", now: app.clock.now)
        unit.couriers = [.unbinding(courierID: courier.id, openID: "o_other")]
        try await app.dependencies.store.commit(unit)
        #expect(try await app.dependencies.store.courier(id: courier.id)?.openID == "o_me")
        await app.shutdown()
    }

    // MARK: Item 2: binding codes cannot be guessed

    @Test func wrongCodesFromManyWeChatUsersKillEveryOutstandingCode() async throws {
        let app = try await TestApp.make()
        let roster = app.dependencies.couriers, store = app.dependencies.store
        let a = try await roster.create(name: "A", phone: nil).courier
        let b = try await roster.create(name: "B", phone: nil).courier
        let codeA = try await roster.issueBindingCode(courierID: a.id).code
        // Nine wrong guesses, each from a new WeChat user (a fresh rate-limit budget each): the code still works.
        for guess in 0..<9 {
            #expect(try await Self.say("bind ZZZZ\(2222 + guess)", as: "o_guess\(guess)", in: app) == Self.wrongCode)
        }
        #expect(try await Self.say("绑定 \(codeA)", as: "o_a", in: app).contains("绑定成功"), "a right code is no failure")
        let codeB = try await roster.issueBindingCode(courierID: b.id).code
        for guess in 0..<10 {
            #expect(try await Self.say("bind YYYY\(2222 + guess)", as: "o_more\(guess)", in: app) == Self.wrongCode)
        }
        #expect(
            try await Self.say("绑定 \(codeB)", as: "o_b", in: app) == "绑定码无效或已过期，请向管理员索取新的绑定码。",
            "ten failures from anyone while it was outstanding: the right code is dead too")
        #expect(try await store.courier(id: b.id)?.openID == nil)
        // Staff issue a new one, which starts afresh.
        let again = try await roster.issueBindingCode(courierID: b.id).code
        #expect(try await Self.say("绑定 \(again)", as: "o_b", in: app).contains("绑定成功"))
        await app.shutdown()
    }

    @Test func oneWeChatUserIsLockedOutAfterFiveWrongCodesForAnHour() async throws {
        let app = try await TestApp.make()
        let roster = app.dependencies.couriers
        let courier = try await roster.create(name: "A", phone: nil).courier
        let code = try await roster.issueBindingCode(courierID: courier.id).code
        for guess in 0..<5 {
            #expect(try await Self.say("绑定 QQQQ\(2222 + guess)", as: "o_x", in: app) == "绑定码无效或已过期，请向管理员索取新的绑定码。")
        }
        #expect(
            try await Self.say("bind \(code)", as: "o_x", in: app) == Self.lockedOut,
            "the right code is not even looked at")
        #expect(try await app.dependencies.store.courier(id: courier.id)?.openID == nil)
        app.clock.advance(3_600)
        let fresh = try await roster.issueBindingCode(courierID: courier.id).code
        #expect(
            try await Self.say("bind \(fresh)", as: "o_x", in: app).contains("You're bound as courier A"),
            "the lockout lapses after its hour")
        await app.shutdown()
    }

    @Test func bindingFailuresAreForgottenWithOldAnswers() async throws {
        let app = try await TestApp.make()
        _ = try await Self.say("bind QQQQ2222", as: "o_x", in: app)
        let rows = {
            try await app.dependencies.backend.reader.raw("SELECT openid FROM courier_binding_attempts").all().count
        }
        #expect(try await rows() == 1)
        app.clock.advance(8 * 86_400)
        try await app.dependencies.engine.pruneHandledMessages()
        #expect(try await rows() == 0)
        await app.shutdown()
    }

    /// Counters live in the database: guesses spread over two replicas (and sent in parallel) add up.
    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL server"))
    func guessesSpreadOverReplicasAndSentInParallelStillKillTheCode() async throws {
        let clock = TestClock(TestAccount.start)
        let environment = ["DATABASE_URL": try await PostgresTestDatabase.create()]
        // 24 guesses queue on the outstanding codes' rows: on a loaded 2-core machine the last ones may take
        // longer than WeChat's 4.5 s, which is not what this test is about.
        let patient: (inout AppConfig) -> Void = { $0.replyDeadline = .seconds(60) }
        let one = try await TestApp.make(clock: clock, extra: environment, configure: patient)
        let two = try await TestApp.make(clock: clock, extra: environment, configure: patient)
        let courier = try await one.dependencies.couriers.create(name: "A", phone: nil).courier
        let code = try await one.dependencies.couriers.issueBindingCode(courierID: courier.id).code
        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for guess in 0..<24 {
                group.addTask {
                    try await Self.say("bind WWWW\(2222 + guess)", as: "o_p\(guess)", in: guess % 2 == 0 ? one : two)
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0 == Self.wrongCode })
        #expect(try await Self.say("bind \(code)", as: "o_real", in: two) == Self.wrongCode)
        #expect(try await one.dependencies.store.courier(id: courier.id)?.openID == nil)
        await one.shutdown()
        await two.shutdown()
    }

    // MARK: Item 12: deactivate, reactivate, revoke and reissue, effective at once

    @Test func aDeactivatedCourierChatsAsACustomerAndTheirCredentialsStopAtOnce() async throws {
        let app = try await TestApp.make()
        let (courier, token) = try await CourierFlowTests.dispatchedOrder(app)
        try await Self.bind("o_wang", to: courier.id, in: app)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let position = #"{"latitude": 31.3, "longitude": 121.5}"#
            #expect(try await session.call(.post, "/courier/position", token: token, body: position).status == 202)
            #expect(try await session.call(.post, "/couriers/\(courier.id)/deactivate", as: .dispatcher).status == 403)
            let off = try await session.call(.post, "/couriers/\(courier.id)/deactivate", as: .admin)
            #expect(
                off.status == 200 && off.json["active"] as? Bool == false && off.json["wechat_bound"] as? Bool == false)
            #expect(
                try await session.call(.post, "/courier/position", token: token, body: position).status == 401,
                "the app token stops at once")
            #expect(
                try await session.call(.get, "/courier/deliveries", as: .courier).status == 403,
                "so does a courier account of theirs")
            #expect(try await session.call(.post, "/orders/1001/deliver", as: .courier).status == 403)
            let chat = try await Self.say("任务", as: "o_wang", in: app)
            #expect(!chat.contains("13800138000") && !chat.contains("配送中的订单"), "their chat is a customer's: \(chat)")
            #expect(
                try await session.call(
                    .post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": \#(courier.id)}"#
                ).errorCode == "not_allowed")
            let on = try await session.call(.post, "/couriers/\(courier.id)/reactivate", as: .admin)
            #expect(on.status == 200 && on.json["active"] as? Bool == true)
            #expect(
                try await session.call(.post, "/courier/position", token: token, body: position).status == 202,
                "the app token works again")
            #expect(
                !(try await Self.say("任务", as: "o_wang", in: app)).contains("13800138000"),
                "WeChat needs a new binding code")
            let audit = try await session.call(.get, "/audit?per_page=100", as: .admin)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("courier.deactivate") && actions.contains("courier.reactivate"))
            #expect(try await session.call(.post, "/couriers/99/deactivate", as: .admin).status == 404)
        }
    }

    @Test func onlyAdminsReissueOrRevokeACouriersAppTokenAndTheOldOneStopsAtOnce() async throws {
        let app = try await TestApp.make()
        let (courier, old) = try await CourierFlowTests.dispatchedOrder(app)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(try await session.call(.post, "/couriers/\(courier.id)/api-token", as: .dispatcher).status == 403)
            let issued = try await session.call(.post, "/couriers/\(courier.id)/api-token", as: .admin)
            let new = try #require(issued.json["api_token"] as? String)
            #expect(issued.status == 201 && new.hasPrefix("dmc_") && new != old)
            #expect(try await session.call(.get, "/courier/deliveries", token: old).status == 401)
            #expect(try await session.call(.get, "/courier/deliveries", token: new).status == 200)
            #expect(try await session.call(.delete, "/couriers/\(courier.id)/api-token", as: .dispatcher).status == 403)
            #expect(try await session.call(.delete, "/couriers/\(courier.id)/api-token", as: .admin).status == 204)
            #expect(try await session.call(.get, "/courier/deliveries", token: new).status == 401)
            let audit = try await session.call(.get, "/audit?per_page=100", as: .admin)
            #expect(!audit.text.contains(new), "no token in the audit log")
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("courier.token_reissue") && actions.contains("courier.token_revoke"))
        }
    }

    // MARK: Item 11: one rule for whole phone numbers

    @Test func aDispatcherCannotMintCourierCredentialsToReadWholeNumbers() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(
                    .post, "/couriers", as: .dispatcher, body: #"{"name": "Me", "phone": "13700137000"}"#
                ).status == 403)
            #expect(
                try await session.call(.post, "/couriers/\(courier.id)/binding-code", as: .dispatcher).status == 403)
            #expect(try await session.call(.get, "/orders/1001", as: .dispatcher).text.contains("138****8000"))
            #expect(
                try await session.call(.get, "/customers?order_id=1001", as: .dispatcher).json["phone"] as? String
                    == "138****8000")
            let admin = try await session.call(.post, "/couriers", as: .admin, body: #"{"name": "Li"}"#)
            #expect(admin.status == 201 && (admin.json["api_token"] as? String)?.hasPrefix("dmc_") == true)
            #expect((admin.json["binding_code"] as? String)?.count == 8)
        }
    }

    /// The masked number shows all but four digits: 10,000 searches by number would tell a dispatcher the rest.
    @Test func aDispatcherCannotLearnAWholeNumberBySearchingForIt() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            for middle in 0..<StaffAPI.phoneSearchesPerHour {
                let guess = "138\(String(format: "%04d", 1000 + middle))8000"
                #expect(try await session.call(.get, "/orders?phone=\(guess)", as: .dispatcher).status == 200)
            }
            let blocked = try await session.call(.get, "/orders?phone=13800138000", as: .dispatcher)
            #expect(blocked.status == 429 && blocked.errorCode == "too_many_phone_searches")
            #expect(
                try await session.call(.get, "/orders?status=dispatched", as: .dispatcher).status == 200,
                "other searches go on")
            #expect(
                try await session.call(.get, "/orders?phone=13800138000", as: .admin).json["total"] as? Int == 1,
                "admins see numbers anyway")
            let audit = try await session.call(.get, "/audit?per_page=100", as: .admin)
            let searches = (audit.json["items"] as? [[String: Any]] ?? []).filter {
                $0["action"] as? String == "order.phone_search"
            }
            #expect(
                searches.count == StaffAPI.phoneSearchesPerHour && !audit.text.contains("138100"),
                "audited, without the numbers")
            app.clock.advance(3_601)
            let login = try await session.call(
                .post, "/auth/login", body: #"{"username": "dispatcher1", "password": "\#(StaffSession.password)"}"#)
            let token = try #require(login.json["token"] as? String)
            #expect(
                try await session.call(.get, "/orders?phone=13800138000", token: token).status == 200, "an hour later")
        }
    }

    @Test func aCourierSeesAWholeNumberOnlyWhileTheOrderIsDispatchedToThem() async throws {
        let app = try await TestApp.make()
        let (courier, token) = try await CourierFlowTests.dispatchedOrder(app)
        let other = try await app.dependencies.couriers.create(name: "B", phone: nil)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let mine = try await session.call(.get, "/courier/deliveries", token: token)
            #expect(mine.text.contains("13800138000"))
            #expect(try await session.call(.get, "/courier/deliveries", token: other.apiToken).text == #"{"items":[]}"#)
            #expect(
                try await session.call(.post, "/orders/1001/deliver", token: other.apiToken).errorCode
                    == "not_your_delivery")
            let delivered = try await session.call(.post, "/orders/1001/deliver", token: token)
            #expect(
                delivered.json["status"] as? String == "delivered"
                    && delivered.json["phone"] as? String == "138****8000",
                "delivered: no longer theirs to call")
            #expect(try await session.call(.get, "/orders/1001", as: .admin).text.contains("13800138000"))
        }
    }

    // MARK: Suspected: the courier's deliver checks ownership outside the customer's lock

    /// Staff hand the order to another courier between the endpoint's first look and the customer's lock: the
    /// check made under the lock sees the new courier and refuses. (The REST endpoint used to check only before.)
    @Test func aDeliveryHandedToAnotherCourierMeanwhileIsRefusedUnderTheLock() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        let other = try await app.dependencies.couriers.create(name: "B", phone: nil).courier
        let base = app.dependencies.store
        let handOver: @Sendable () async throws -> Void = {
            var order = try #require(try await base.order(id: 1001))
            order = try order.applying(.assign(courierID: other.id, courierName: other.name), at: app.clock.now).order
            try await base.commit(
                UnitOfWork(
                    customer: order.customer, now: app.clock.now, orders: [OrderWrite(order: order, isNew: false)]))
        }
        let engine = ConversationEngine(
            store: HandOverStore(base: base, handOver: handOver), catalog: app.dependencies.engine.catalog,
            renderer: app.dependencies.renderer, clock: app.dependencies.clock, logger: app.dependencies.logger)
        await #expect(throws: EngineError.notTheCourier(orderID: 1001, courierID: courier.id)) {
            try await engine.deliver(orderID: 1001, asCourier: courier.id)
        }
        let order = try #require(try await base.order(id: 1001))
        #expect(order.status == .dispatched && order.courierID == other.id)
        await app.shutdown()
    }
}

/// The real store, where staff hand order #1001 to another courier right after the first time it is read.
struct HandOverStore: ForwardingConversationStore {
    let base: any ConversationStore
    let handOver: @Sendable () async throws -> Void
    let handed = Once()

    final class Once: Sendable {
        private let done = Mutex(false)
        /// True the first time only.
        func first() -> Bool {
            done.withLock {
                let first = !$0; $0 = true; return first
            }
        }
    }

    func order(id: Int64) async throws -> Order? {
        let order = try await base.order(id: id)
        if handed.first() { try await handOver() }
        return order
    }
}
