import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The shop's rules on the pages: the confirmation page shows the delivery fee and the total, and offers no button
/// once the shop paused; the tracking page shows fee and total; the order as stored charges the fee in `total_fen`.
@Suite struct RulesPageTests {
    func audit(_ app: TestApp) -> AuditEntry {
        AuditEntry(
            actorID: nil, actor: "test", role: "admin", action: "merchant.rules", target: "merchant:lanzhou",
            at: app.clock.now)
    }

    @Test func theConfirmationPageShowsTheFeeAndOffersNoButtonWhileTheShopIsPaused() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        try await app.dependencies.catalogStore.saveRules(
            ShopRules(deliveryRadiusMetres: 10_000, deliveryFee: .flat(Money(fen: 500))), preparationMinutes: 12,
            merchantID: "lanzhou", now: app.clock.now, audit: audit(app))
        try await engine.reloadCatalog()
        var reply = ""
        for (index, text) in ["2 份牛肉面", "上海市黄浦区人民大道200号", "13800138000"].enumerated() {
            if case .text(let said)? = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "m\(index)", input: .text(text))
            ).reply {
                reply = said
            }
        }
        #expect(reply.contains("配送费：¥5.00\n合计：¥41.00"))
        let order = try #require(try await engine.order(id: 1001))
        #expect(order.deliveryFee == Money(fen: 500) && order.total == Money(fen: 4100) && order.distanceMetres == nil)
        let stored = try await app.dependencies.backend.reader.raw("SELECT total_fen FROM orders WHERE id = 1001")
            .first()?.decode(column: "total_fen", as: Int.self)
        #expect(stored == 4100, "total_fen holds the total with the fee")
        let range = try #require(
            reply.range(of: #"/confirm/1001\?exp=[0-9]+&sig=[0-9a-f]+"#, options: .regularExpression))
        let path = String(reply[range])
        let catalogStore = app.dependencies.catalogStore, now = app.clock.now, entry = audit(app)
        try await app.live { client in
            let open = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(open.contains("配送费 ¥5.00") && open.contains("合计 ¥41.00") && open.contains("<button"))
            try await catalogStore.setPause(.untilResumed, merchantID: "lanzhou", now: now, audit: entry)
            try await engine.reloadCatalog()
            let paused = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(paused.contains("店铺暂停接单") && !paused.contains("<button"))
            let confirmed = String(buffer: try await client.execute(uri: path, method: .post).body)
            #expect(confirmed.contains("订单已取消") && confirmed.contains("shop paused"))
            #expect(try await engine.order(id: 1001)?.status == .cancelled)
        }
    }

    @Test func theTrackingPageShowsTheFeeAndTheTotal() async throws {
        let app = try await TestApp.make()
        _ = try await CourierFlowTests.dispatchedOrder(app)
        let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }
        let text = pushes.compactMap { push -> String? in if case .text(let text) = push.message { text } else { nil } }
            .joined(separator: "\n")
        let range = try #require(text.range(of: #"/track/1001\?exp=[0-9]+&sig=[0-9a-f]+"#, options: .regularExpression))
        let path = String(text[range])
        try await app.live { client in
            let html = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(html.contains("免配送费") && html.contains("合计 ¥18.00"))
        }
    }
}
