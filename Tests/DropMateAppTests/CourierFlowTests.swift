import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Couriers outside the chat: their app's position endpoint, and the worker's ETA refreshes.
@Suite struct CourierFlowTests {
    /// A confirmed order #1001 for o_a at People's Square, dispatched to a new courier; returns the courier and their token.
    static func dispatchedOrder(_ app: TestApp) async throws -> (courier: Courier, token: String) {
        let engine = app.dependencies.engine
        var id = 0
        for text in ["1 份牛肉面", "13800138000", "确认"] {
            id += 1
            _ = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "msg:\(id)", input: .text(text)))
            if id == 1 {
                _ = try await engine.handle(
                    IncomingChat(
                        customer: "o_a", createTime: app.clock.now, dedupeKey: "loc",
                        input: .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场")))
            }
        }
        let created = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000"))
        try await engine.assign(orderID: 1001, courierID: created.courier.id)
        return (created.courier, created.apiToken)
    }

    static func post(
        _ client: some TestClientProtocol, token: String?, body: String
    ) async throws -> (status: Int, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(
            uri: "/api/v1/courier/position", method: .post, headers: headers, body: ByteBuffer(string: body))
        return (Int(response.status.code), String(buffer: response.body))
    }

    @Test func theCourierAppPostsPositionsWithItsTokenAndBadRequestsGetClearErrors() async throws {
        let app = try await TestApp.make()
        let (courier, token) = try await Self.dispatchedOrder(app)
        let store = app.dependencies.store
        try await app.live { client in
            let missing = try await Self.post(client, token: nil, body: #"{"latitude": 31.2, "longitude": 121.4}"#)
            #expect(missing.status == 401 && missing.body.contains(#""code":"unauthorized""#))
            #expect(
                try await Self.post(client, token: "dmc_forged", body: #"{"latitude": 31.2, "longitude": 121.4}"#)
                    .status == 401)
            let notJSON = try await Self.post(client, token: token, body: "lat=31")
            #expect(notJSON.status == 400 && notJSON.body.contains("not valid JSON"))
            let missingField = try await Self.post(client, token: token, body: #"{"latitude": 31.2}"#)
            #expect(missingField.status == 400 && missingField.body.contains("longitude"))
            let offTheMap = try await Self.post(client, token: token, body: #"{"latitude": 231.2, "longitude": 121.4}"#)
            #expect(offTheMap.status == 400 && offTheMap.body.contains("invalid_position"))
            #expect(
                try await Self.post(client, token: token, body: String(repeating: " ", count: 5000) + "{}").status
                    == 413)
            let accepted = try await Self.post(client, token: token, body: #"{"latitude": 31.3, "longitude": 121.5}"#)
            #expect(accepted.status == 202 && accepted.body == #"{"courier_id":\#(courier.id),"deliveries":1}"#)
            let stored = try await store.courier(id: courier.id)?.position
            #expect(stored?.coordinate == Coordinate(latitude: 31.3, longitude: 121.5) && stored?.at == app.clock.now)
        }
    }

    @Test func anETARefreshJobThatRunsTwicePushesOnce() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await Self.dispatchedOrder(app)
        let queue = app.dependencies.queue
        let pushesBefore = try await queue.jobs(kind: PushJob.kind).count
        app.clock.advance(11 * 60)
        try await app.dependencies.engine.updatePosition(
            courierID: courier.id, coordinate: Coordinate(latitude: 31.32, longitude: 121.52))
        let worker = JobWorker(
            queue: queue, engine: app.dependencies.engine, notifier: RecordingNotifier(), clock: { app.clock.now },
            logger: app.dependencies.logger)
        #expect(try await worker.runDueJobs() >= 1)
        let refresh = try #require(try await queue.jobs(kind: ETARefreshJob.kind).first)
        // the same job again
        try await app.dependencies.engine.refreshETA(orderID: try ETARefreshJob(payload: refresh.payload).orderID)
        let pushes = try await queue.jobs(kind: PushJob.kind).dropFirst(pushesBefore)
        #expect(pushes.count == 1)
        let push = try PushJob(payload: try #require(pushes.first).payload)
        #expect(push.event?.event == .etaChanged && push.event?.orderID == 1001)
        let order = try #require(try await app.dependencies.engine.order(id: 1001))
        #expect(order.latestETA != nil && order.notifiedETA == order.latestETA && order.notifiedAt == app.clock.now)
        await app.shutdown()
    }

    @Test func theMapServiceMeasuresTheCouriersRoadToTheShop() async throws {
        let seen = SMSTests.Received()
        let answer = #"{"status":"1","info":"OK","route":{"paths":[{"distance":"12000","duration":"1800"}]}}"#
        try await SMSTests.serve(RouteTests.fake(path: "/v3/direction/driving", answer: answer, seen: seen)) { url in
            let app = try await TestApp.make(extra: [
                "MAPS_PROVIDER": "amap", "MAPS_API_KEY": "k", "MAPS_API_BASE_URL": url,
            ])
            let (courier, _) = try await Self.dispatchedOrder(app)
            // next door to the shop: 12 km by road only on the map
            let courierAt = Coordinate(latitude: 31.2305, longitude: 121.4740)
            try await app.dependencies.engine.updatePosition(courierID: courier.id, coordinate: courierAt)
            try await app.dependencies.engine.refreshETA(orderID: 1001)
            let order = try #require(try await app.dependencies.engine.order(id: 1001))
            let merchant = try #require(app.dependencies.engine.catalog.merchant(id: order.merchantID))
            let expected = ETAEstimator().arrival(
                of: order, merchant: merchant,
                route: RemainingRoute(toMerchantMetres: 12_000, toCustomerMetres: 12_000), now: app.clock.now)
            #expect(order.routeMetres == 12_000 && order.latestETA == expected)
            #expect(
                seen.requests.withLock { $0.last?.headers["query"] }?.contains("origin=121.474000,31.230500") == true,
                "from the courier")
            await app.shutdown()
        }
    }

    @Test func aCourierWithoutWeChatHearsOfANewDeliveryBySMS() async throws {
        let app = try await TestApp.make()
        _ = try await Self.dispatchedOrder(app)
        let texts = try await app.dependencies.queue.jobs(kind: SMSJob.kind).map { try SMSJob(payload: $0.payload) }
        #expect(texts.count == 1)
        #expect(texts.first?.phone == "+8613900139000" && texts.first?.text.contains("#1001") == true)
        await app.shutdown()
    }

    @Test func aCourierIsNeverAssignedTheirOwnOrder() async throws {
        let app = try await TestApp.make()
        _ = try await Self.dispatchedOrder(app)
        let other = try await app.dependencies.couriers.create(name: "Self", phone: nil)
        let code = try await app.dependencies.couriers.issueBindingCode(courierID: other.courier.id).code
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "bind", input: .text("绑定 \(code)")))
        await #expect(throws: EngineError.ownOrder(orderID: 1001, courierID: other.courier.id)) {
            try await app.dependencies.engine.assign(orderID: 1001, courierID: other.courier.id)
        }
        await app.shutdown()
    }

    @Test func aBindingCodeIsEightUnambiguousCharactersWorksOnceInAnyCaseAndLapsesAfterHalfAnHour() async throws {
        let app = try await TestApp.make()
        let roster = app.dependencies.couriers, engine = app.dependencies.engine
        let courier = try await roster.create(name: "A", phone: nil).courier
        let issued = try await roster.issueBindingCode(courierID: courier.id)
        #expect(issued.code.count == 8 && issued.code.allSatisfy(BindingCodePolicy.alphabet.contains))
        #expect(issued.expiresAt == app.clock.now + 30 * 60, "valid 30 minutes, not a day")
        app.clock.advance(30 * 60 + 1)
        let late = try await engine.handle(
            IncomingChat(
                customer: "o_b", createTime: app.clock.now, dedupeKey: "1", input: .text("bind \(issued.code)"))
        ).reply
        #expect(late == .text("That binding code is wrong or has expired. Ask your manager for a new one."))
        let fresh = try await roster.issueBindingCode(courierID: courier.id).code
        _ = try await engine.handle(
            IncomingChat(
                customer: "o_b", createTime: app.clock.now, dedupeKey: "2", input: .text("bind \(fresh.lowercased())")))
        #expect(try await app.dependencies.store.courier(id: courier.id)?.openID == "o_b")
        let reused = try await engine.handle(
            IncomingChat(customer: "o_c", createTime: app.clock.now, dedupeKey: "3", input: .text("bind \(fresh)"))
        ).reply
        #expect(reused == .text("That binding code is wrong or has expired. Ask your manager for a new one."))
        await app.shutdown()
    }
}
