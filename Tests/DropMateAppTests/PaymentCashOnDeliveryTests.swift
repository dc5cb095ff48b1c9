import DropMateCore
import DropMateFakes
import DropMateReports
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// 货到付款 with `DROPMATE_PAYMENT=optional` (in chat and on the pay page), what `required` answers instead, and an
/// order whose pay link is never opened under `required` (still cancelled at the timeout, its payment `closed`).
@Suite struct PaymentCashOnDeliveryTests {
    static func say(_ app: TestApp, _ text: String, customer: String = "o_a", key: String) async throws -> String {
        let reply = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):\(key)", input: .text(text))
        ).reply
        guard case .text(let text)? = reply else { return "" }
        return text
    }

    static func payment(_ app: TestApp, _ id: Int64) async throws -> SQLPaymentStore.Row? {
        try await app.dependencies.payments?.payments.payment(orderID: id)
    }

    @Test func theCustomerChoosesCashOnDeliveryInChatAndTheOrderGoesOutUnpaid() async throws {
        try await PaymentFlowTests.withPayingApp(mode: "optional") { app, fake in
            let confirmation = try await PaymentFlowTests.confirmedOrder(app)
            #expect(confirmation.contains("可以现在用微信支付 ¥18.00：https://dropmate.example/pay/1001?"), "\(confirmation)")
            #expect(confirmation.contains("或回复“货到付款”，送达时再付。"))
            #expect(try await Self.say(app, "货到付款", key: "cod1") == "好的，订单 #1001 货到付款，送达时请付 ¥18.00。想改用微信支付，打开付款链接即可。")
            let row = try #require(try await Self.payment(app, 1001))
            #expect(
                row.payment.status == .notRequired && row.payment.method == .cashOnDelivery
                    && row.payment.amount == Money(fen: 1800))
            // Saying it again (or in English) answers the same and changes nothing.
            #expect(try await Self.say(app, "cash", key: "cod2").contains("订单 #1001 货到付款"))
            #expect(try await Self.payment(app, 1001)?.version == row.version)
            #expect(fake.requests.isEmpty, "choosing cash never calls WeChat Pay")
            let status = try await Self.say(app, "到哪了", key: "where")
            #expect(status.contains("付款：#1001 货到付款 ¥18.00") && !status.contains("/pay/"), "\(status)")
            try await app.live { client in
                let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000"))
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let detail = try await session.call(.get, "/orders/1001", as: .admin)
                #expect(
                    detail.status == 200 && detail.text.contains(#""status":"not_required""#)
                        && detail.text.contains(#""method":"cash_on_delivery""#), "\(detail.text)")
                // Unpaid, yet dispatchable: the courier collects at the door.
                try await app.dependencies.engine.assign(orderID: 1001, courierID: courier.courier.id)
                #expect(try await app.dependencies.engine.order(id: 1001)?.status == .dispatched)
            }
        }
    }

    @Test func aCashOnDeliveryCustomerWhoPaysOnlineAfterAllIsRecordedAsPaid() async throws {
        try await PaymentFlowTests.withPayingApp(mode: "optional") { app, fake in
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(app))
            _ = try await Self.say(app, "货到付款", key: "cod")
            try await app.live { client in
                let page = String(buffer: try await client.execute(uri: link, method: .get).body)
                #expect(
                    page.contains("您已选择货到付款") && page.contains(#"<script src="/pay.js"></script>"#)
                        && !page.contains("/cash?"))
                #expect(
                    try await fake.deliver(
                        try fake.pay("DM1001"), to: "http://127.0.0.1:\(client.port!)/wechat/pay/notify") == 204)
                let payment = try #require(try await Self.payment(app, 1001)?.payment)
                #expect(payment.status == .paid && payment.method == .wechatPay)
                #expect(try await Self.say(app, "货到付款", key: "cod-again") == "订单 #1001 已经用微信支付付过款了，送达时不用再付。")
            }
        }
    }

    @Test func withSeveralOrdersWaitingTheCustomerIsAskedWhichNeverGuessedFor() async throws {
        try await PaymentFlowTests.withPayingApp(mode: "optional") { app, _ in
            _ = try await PaymentFlowTests.confirmedOrder(app)
            for (index, text) in ["2 份牛肉面", "同上", "确认"].enumerated() {
                _ = try await Self.say(app, text, key: "second\(index)")
            }
            #expect(try await app.dependencies.engine.order(id: 1002)?.status == .confirmed)
            #expect(try await Self.say(app, "cash", key: "which") == "您有几个待付款的订单（#1002、#1001），请带上订单号回复，例如“货到付款 #1002”。")
            #expect(try await Self.payment(app, 1001) == nil)
            #expect(try await Self.payment(app, 1002) == nil)
            #expect(try await Self.say(app, "货到付款 #1002", key: "chose").hasPrefix("好的，订单 #1002 货到付款"))
            #expect(try await Self.payment(app, 1002)?.payment.isCashOnDelivery == true)
            #expect(try await Self.payment(app, 1001) == nil, "the other order is still to be paid")
            #expect(try await Self.say(app, "货到付款 #9999", key: "unknown") == "没有找到您待付款的订单 #9999。")
            await app.shutdown()
        }
    }

    @Test func withPaymentRequiredCashOnDeliveryIsRefusedWithThePayLink() async throws {
        try await PaymentFlowTests.withPayingApp { app, _ in
            _ = try await PaymentFlowTests.confirmedOrder(app)
            let answer = try await Self.say(app, "货到付款", key: "cod")
            #expect(answer.hasPrefix("本店需要先用微信支付再配送，不支持货到付款。付款链接：https://dropmate.example/pay/1001?"), "\(answer)")
            #expect(try await Self.payment(app, 1001) == nil)
            await app.shutdown()
        }
    }

    @Test func cashOnDeliveryOnThePayPageIsASignedPost() async throws {
        try await PaymentFlowTests.withPayingApp(mode: "optional") { app, _ in
            let link = try PaymentFlowTests.payLink(in: try await PaymentFlowTests.confirmedOrder(app))
            try await app.live { client in
                let page = String(buffer: try await client.execute(uri: link, method: .get).body)
                let action = try #require(PaymentFlowTests.attribute("action", in: page)).replacingOccurrences(
                    of: "&amp;", with: "&")
                #expect(
                    action.hasPrefix("/pay/1001/cash?exp=") && action.hasSuffix("&lang=zh")
                        && page.contains(">货到付款</button>"))
                // A forged or altered link is refused and chooses nothing.
                #expect(
                    try await client.execute(uri: action.replacingOccurrences(of: "sig=", with: "sig=0"), method: .post)
                        .status == .forbidden)
                #expect(
                    try await client.execute(uri: "/pay/1002/cash" + action.drop { $0 != "?" }, method: .post).status
                        == .forbidden)
                #expect(try await Self.payment(app, 1001)?.payment.isCashOnDelivery == false)
                let chosen = try await client.execute(uri: action, method: .post)
                #expect(chosen.status == .ok && String(buffer: chosen.body).contains("好的，货到付款：送达时请付 ¥18.00。"))
                #expect(try await Self.payment(app, 1001)?.payment.isCashOnDelivery == true)
                // Its language switch is a GET of the same address: the pay page, with the choice noted, nothing changed.
                let english = try await client.execute(
                    uri: action.replacingOccurrences(of: "lang=zh", with: "lang=en"), method: .get)
                #expect(english.status == .ok && String(buffer: english.body).contains("You chose cash on delivery"))
                // Past the link's expiry the page no longer takes it.
                app.clock.advance(15 * 60 + 1)
                #expect(try await client.execute(uri: action, method: .post).status == .gone)
            }
        }
    }

    @Test func anOrderWhosePayLinkIsNeverOpenedIsCancelledAtTheTimeoutAndItsPaymentReadsClosed() async throws {
        try await PaymentFlowTests.withPayingApp { app, fake in
            _ = try await PaymentFlowTests.confirmedOrder(app)
            // The expiry was queued with the confirmation, not with the page.
            let queued = try await app.dependencies.queue.jobs(kind: PaymentJob.kind).map {
                try PaymentJob(payload: $0.payload)
            }
            #expect(queued.contains(PaymentJob(action: .expire, orderID: 1001)))
            app.clock.advance(14 * 60)
            for _ in 0..<3 { _ = try await app.dependencies.worker.runDueJobs() }
            #expect(try await app.dependencies.engine.order(id: 1001)?.status == .confirmed, "still in time")
            app.clock.advance(60)
            for _ in 0..<3 { _ = try await app.dependencies.worker.runDueJobs() }
            #expect(try await app.dependencies.engine.order(id: 1001)?.status == .cancelled)
            #expect(!fake.requests.contains("POST /v3/pay/transactions/jsapi"), "the customer never opened the page")
            let payment = try #require(try await Self.payment(app, 1001)?.payment)
            #expect(payment.status == .closed && payment.transactionID == nil)
            let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map(\.payload)
            #expect(pushes.filter { $0.contains("15 分钟内没有付款") }.count == 1)
            // The report lists it as closed, and flags nothing: cancelled, never paid.
            let day = try await app.dependencies.reportStore.payments(
                ofOrdersPlacedFrom: TestAccount.start - 3600, to: app.clock.now + 1)
            let listed = try #require(day.first { $0.orderID == 1001 })
            let line = DailyReportRunner.reportPayment(listed, merchants: [:])
            #expect(line.status == "closed" && line.order == .cancelled && line.flag(mode: .required) == nil)
            try await app.live { client in
                let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000"))
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let detail = try await session.call(.get, "/orders/1001", as: .admin)
                #expect(detail.text.contains(#""status":"closed""#), "\(detail.text)")
            }
        }
    }
}
