import DropMateCore
import DropMateFakes
import DropMateStorage
import DropMateWeChatPay
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// WeChat Pay end to end against the fake on loopback: pay link, pay page, signed callbacks (twice, forged, wrong
/// amount), the query when no callback comes, the timeout, refunds; and nothing of it when payment is off.
@Suite struct PaymentFlowTests {
    /// Runs `body` with a served fake and an embedded app paying through it.
    static func withPayingApp(
        mode: String? = nil, _ body: @escaping @Sendable (TestApp, FakeWeChatPay) async throws -> Void
    ) async throws {
        let clock = TestClock(TestAccount.start)
        let fake = try PayTestKeys.fake(clock: clock)
        try await fake.serve { baseURL in
            let app = try await TestApp.make(
                clock: clock, extra: try PayTestKeys.environment(fake, baseURL: baseURL, mode: mode))
            try await body(app, fake)
        }
    }

    /// Orders one beef noodles (¥18.00) as o_a and confirms; returns the confirmation reply's text.
    static func confirmedOrder(_ app: TestApp, customer: String = "o_a") async throws -> String {
        var reply = ""
        for (index, text) in ["1 份牛肉面", "13800138000", "确认"].enumerated() {
            let message = try await app.dependencies.engine.handle(
                IncomingChat(
                    customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):\(index)", input: .text(text)
                )
            ).reply
            if index == 0 {
                _ = try await app.dependencies.engine.handle(
                    IncomingChat(
                        customer: customer, createTime: app.clock.now, dedupeKey: "\(customer):loc",
                        input: .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场")))
            }
            if case .text(let text)? = message { reply = text }
        }
        return reply
    }

    static func payLink(in reply: String) throws -> String {
        let start = try #require(reply.range(of: "https://dropmate.example/pay/"))
        let link = reply[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "（" }
        return String(link.dropFirst("https://dropmate.example".count))
    }

    static func paidPushes(_ app: TestApp) async throws -> Int {
        try await app.dependencies.queue.jobs(kind: PushJob.kind).filter { $0.payload.contains("已收到付款") }.count
    }

    @Test func aCustomerPaysOnceThroughThePageAndTheCallbackHoweverOftenItComes() async throws {
        try await Self.withPayingApp { app, fake in
            let reply = try await Self.confirmedOrder(app)
            #expect(reply.contains("请在 15 分钟内用微信支付 ¥18.00"))
            let link = try Self.payLink(in: reply)
            let unpaid = try await app.dependencies.engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:where0", input: .text("到哪了"))
            ).reply
            guard case .text(let unpaidText)? = unpaid else { Issue.record("no status answer"); return }
            #expect(unpaidText.contains("付款：#1001 未付款 https://dropmate.example/pay/1001?"), "\(unpaidText)")
            let order = try #require(try await app.dependencies.engine.order(id: 1001))
            #expect(order.status == .confirmed && order.total == Money(fen: 1800))
            // Required payment: staff cannot send it out yet.
            let courier = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000"))
            await #expect(throws: EngineError.unpaid(1001)) {
                try await app.dependencies.engine.assign(orderID: 1001, courierID: courier.courier.id)
            }

            try await app.live { client in
                let page = try await client.execute(uri: link, method: .get)
                let html = String(buffer: page.body)
                #expect(page.status == .ok)
                #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(
                    html.contains(#"<script src="/pay.js"></script>"#) && html.contains("¥18.00")
                        && html.contains("牛肉面"))
                let transaction = try #require(fake.transaction("DM1001"))
                #expect(transaction.request.amount.total == 1800 && transaction.request.payer.openid == "o_a")
                #expect(transaction.request.notifyURL == "https://dropmate.example/wechat/pay/notify")
                #expect(html.contains(#"data-package="prepay_id=\#(transaction.prepayID)""#))
                // The sheet's paySign verifies with the merchant's public key over the four lines.
                let sign = try #require(Self.attribute("data-pay-sign", in: html)),
                    stamp = try #require(Self.attribute("data-time-stamp", in: html))
                let nonce = try #require(Self.attribute("data-nonce-str", in: html))
                let merchant = try PlatformPublicKey(keyID: "merchant", publicKeyPEM: PayTestKeys.merchantPublicKey)
                #expect(
                    merchant.isValidSignature(
                        sign,
                        for: JSAPIPaySheet.message(
                            appID: TestAccount.appID, timeStamp: stamp, nonceStr: nonce,
                            package: "prepay_id=\(transaction.prepayID)")))
                // Opening the page again reuses the transaction.
                _ = try await client.execute(uri: link, method: .get)
                #expect(fake.requests.filter { $0 == "POST /v3/pay/transactions/jsapi" }.count == 1)
                // The order's language (Chinese here) unless the customer switches: the signed query still verifies.
                #expect(!html.contains("Total") && html.contains("合计 ¥18.00") && html.contains("lang=en"))
                let english = try await client.execute(uri: link + "&lang=en", method: .get)
                let englishHTML = String(buffer: english.body)
                #expect(
                    english.status == .ok
                        && english.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(
                    englishHTML.contains("Pay with WeChat ¥18.00") && englishHTML.contains("beef noodles")
                        && englishHTML.contains("Total ¥18.00"))
                #expect(
                    !englishHTML.contains("牛肉面") && !englishHTML.contains("合计")
                        && englishHTML.contains("<html lang=\"en\">"))
                let script = try await client.execute(uri: "/pay.js", method: .get)
                #expect(String(buffer: script.body).contains("getBrandWCPayRequest"))

                let notify = "http://127.0.0.1:\(client.port!)/wechat/pay/notify"
                let callback = try fake.pay("DM1001")
                async let first = fake.deliver(callback, to: notify)
                async let second = fake.deliver(callback, to: notify)
                async let third = fake.deliver(callback, to: notify)
                #expect(try await [first, second, third] == [204, 204, 204])
                let payment = try #require(
                    try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment)
                #expect(payment.status == .paid && payment.transactionID == fake.transaction("DM1001")?.transactionID)
                #expect(try await Self.paidPushes(app) == 1)
                // "到哪了" says it is paid.
                let status = try await app.dependencies.engine.handle(
                    IncomingChat(
                        customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:where", input: .text("到哪了"))
                ).reply
                guard case .text(let statusText)? = status else { Issue.record("no status answer"); return }
                #expect(statusText.contains("付款：#1001 已付款 ¥18.00"), "\(statusText)")
                // Paid: the page says so, and staff may dispatch.
                #expect(String(buffer: try await client.execute(uri: link, method: .get).body).contains("已付款 ¥18.00"))
                try await app.dependencies.engine.assign(orderID: 1001, courierID: courier.courier.id)
                let dispatched = try #require(try await app.dependencies.engine.order(id: 1001))
                #expect(dispatched.status == .dispatched)
                let track = try #require(app.dependencies.renderer.trackingLink(dispatched)).replacingOccurrences(
                    of: "https://dropmate.example", with: "")
                #expect(
                    String(buffer: try await client.execute(uri: track, method: .get).body).contains("付款：已付款 ¥18.00"))
            }
        }
    }

    static func attribute(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "\(name)=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test func forgedStaleAndWrongAmountCallbacksAreRefusedAndChangeNothing() async throws {
        try await Self.withPayingApp { app, fake in
            let link = try Self.payLink(in: try await Self.confirmedOrder(app))
            try await app.live { client in
                _ = try await client.execute(uri: link, method: .get)
                let notify = "http://127.0.0.1:\(client.port!)/wechat/pay/notify"
                // The amount does not match the order's total: refused, nothing paid.
                let wrongAmount = try fake.pay("DM1001", amountFen: 1)
                #expect(try await fake.deliver(wrongAmount, to: notify) == 400)
                // A body changed after signing.
                var tampered = try fake.pay("DM1001")
                tampered.body = tampered.body.replacingOccurrences(
                    of: "TRANSACTION.SUCCESS", with: "TRANSACTION.SUCCESS ")
                #expect(try await fake.deliver(tampered, to: notify) == 401)
                // Replayed long after it was signed.
                let stale = try fake.pay("DM1001")
                app.clock.advance(301)
                #expect(try await fake.deliver(stale, to: notify) == 401)
                // Signed with a key that is not the configured id's.
                var otherSerial = try fake.pay("DM1001")
                otherSerial.headers = otherSerial.headers.map {
                    $0.0 == "Wechatpay-Serial" ? ($0.0, "PUB_KEY_ID_SOMEONE_ELSE") : $0
                }
                #expect(try await fake.deliver(otherSerial, to: notify) == 401)
                let response = try await client.execute(
                    uri: "/wechat/pay/notify", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: "{}"))
                #expect(response.status == .unauthorized && String(buffer: response.body).contains(#""code":"FAIL""#))
                #expect(try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment.status == .unpaid)
                #expect(try await Self.paidPushes(app) == 0)
            }
        }
    }

    @Test func aLostCallbackIsMadeUpByTheQueryAndALateOneChangesNothing() async throws {
        try await Self.withPayingApp { app, fake in
            let link = try Self.payLink(in: try await Self.confirmedOrder(app))
            try await app.live(runWorker: false) { client in
                _ = try await client.execute(uri: link, method: .get)
                let callback = try fake.pay("DM1001")  // paid, but the callback is lost for now
                app.clock.advance(PaymentJob.checkDelay(attempt: 1))
                _ = try await app.dependencies.worker.runDueJobs()
                #expect(try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment.status == .paid)
                #expect(fake.requests.contains("GET /v3/pay/transactions/out-trade-no/DM1001"))
                #expect(
                    try await fake.deliver(callback, to: "http://127.0.0.1:\(client.port!)/wechat/pay/notify") == 204)
                #expect(try await Self.paidPushes(app) == 1)
                // Past the timeout nothing is cancelled: it was paid.
                app.clock.advance(15 * 60)
                _ = try await app.dependencies.worker.runDueJobs()
                #expect(try await app.dependencies.engine.order(id: 1001)?.status == .confirmed)
            }
        }
    }

    @Test func anOrderUnpaidPastTheTimeoutIsClosedAndCancelledWithAPush() async throws {
        try await Self.withPayingApp { app, fake in
            let link = try Self.payLink(in: try await Self.confirmedOrder(app))
            try await app.live { client in
                _ = try await client.execute(uri: link, method: .get)
                app.clock.advance(15 * 60)
                for _ in 0..<3 { _ = try await app.dependencies.worker.runDueJobs() }
                #expect(fake.transaction("DM1001")?.state == "CLOSED")
                #expect(try await app.dependencies.engine.order(id: 1001)?.status == .cancelled)
                #expect(try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment.status == .closed)
                let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map(\.payload)
                #expect(pushes.contains { $0.contains("15 分钟内没有付款") })
                // The page says it was not paid and is closed; past the link's expiry it is gone.
                #expect(String(buffer: try await client.execute(uri: link, method: .get).body).contains("未付款（已关闭）"))
                app.clock.advance(1)
                #expect(try await client.execute(uri: link, method: .get).status == .gone)
            }
        }
    }

    @Test func cancellingAPaidOrderRefundsItInFullAndStaffCanRefundPart() async throws {
        try await Self.withPayingApp { app, fake in
            let link = try Self.payLink(in: try await Self.confirmedOrder(app))
            _ = try await Self.confirmedOrder(app, customer: "o_b")
            try await app.live { client in
                let notify = "http://127.0.0.1:\(client.port!)/wechat/pay/notify"
                _ = try await client.execute(uri: link, method: .get)
                #expect(try await fake.deliver(try fake.pay("DM1001"), to: notify) == 204)
                try await app.dependencies.engine.apply(.cancel(reason: "shop closed"), toOrder: 1001)
                for _ in 0..<3 { _ = try await app.dependencies.worker.runDueJobs() }
                let refund = try #require(fake.refund("DM1001R1"))
                #expect(
                    refund.request.amount.refund == 1800 && refund.request.amount.total == 1800
                        && refund.status == "PROCESSING")
                #expect(
                    try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment.status == .refunding)
                // The job running again sends the same refund number: WeChat Pay keeps one refund.
                try await app.dependencies.payments?.sendRefund(orderID: 1001, refundNo: "DM1001R1")
                #expect(fake.refunds.count == 1)
                #expect(try await fake.deliver(try fake.finishRefund("DM1001R1"), to: notify) == 204)
                let payment = try #require(
                    try await app.dependencies.payments?.payments.payment(orderID: 1001)?.payment)
                #expect(payment.status == .refunded && payment.refundedFen == 1800)
                let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map(\.payload)
                #expect(pushes.contains { $0.contains("已退款 ¥18.00") }, "\(pushes)")

                // Staff refund part of order #1002 once it is paid: through the API, audited.
                let courier = try await app.dependencies.couriers.create(name: "李师傅", phone: PhoneNumber("13900139001"))
                let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
                let unpaid = try await session.call(
                    .post, "/orders/1002/refund", as: .admin, body: #"{"amount_fen": 500, "reason": "少了一份"}"#)
                #expect(unpaid.status == 409 && unpaid.errorCode == "not_paid")
                _ = try await app.dependencies.payments?.page(
                    for: try #require(try await app.dependencies.engine.order(id: 1002)))
                #expect(try await fake.deliver(try fake.pay("DM1002"), to: notify) == 204)
                let tooMuch = try await session.call(
                    .post, "/orders/1002/refund", as: .admin, body: #"{"amount_fen": 1801, "reason": "x"}"#)
                #expect(tooMuch.status == 409 && tooMuch.errorCode == "refund_refused")
                #expect(
                    try await session.call(
                        .post, "/orders/1002/refund", as: .dispatcher, body: #"{"amount_fen": 500, "reason": "x"}"#
                    ).status == 403)
                let partial = try await session.call(
                    .post, "/orders/1002/refund", as: .admin, body: #"{"amount_fen": 500, "reason": "少了一份"}"#)
                #expect(
                    partial.status == 200 && partial.text.contains(#""status":"refunding""#)
                        && partial.text.contains(#""amount_fen":500"#))
                for _ in 0..<2 { _ = try await app.dependencies.worker.runDueJobs() }
                #expect(try await fake.deliver(try fake.finishRefund("DM1002R1"), to: notify) == 204)
                let detail = try await session.call(.get, "/orders/1002", as: .dispatcher)
                #expect(detail.text.contains(#""status":"partially_refunded""#))
                let audit = try await app.dependencies.staff.audit(limit: 20, beforeID: nil).map(\.entry.action)
                #expect(audit.contains("order.refund"))
            }
        }
    }

    @Test func confirmingOnTheLinkPageOffersThePayLinkThere() async throws {
        try await Self.withPayingApp { app, _ in
            var summary = ""
            for (index, text) in ["1 份牛肉面", "13800138000"].enumerated() {
                let message = try await app.dependencies.engine.handle(
                    IncomingChat(
                        customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:\(index)", input: .text(text))
                ).reply
                if index == 0 {
                    _ = try await app.dependencies.engine.handle(
                        IncomingChat(
                            customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:loc",
                            input: .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场")))
                }
                if case .text(let text)? = message { summary = text }
            }
            let start = try #require(summary.range(of: "https://dropmate.example/confirm/"))
            let confirm = String(
                summary[start.lowerBound...].prefix { !$0.isWhitespace }.dropFirst("https://dropmate.example".count))
            try await app.live { client in
                #expect(
                    !String(buffer: try await client.execute(uri: confirm, method: .get).body).contains("/pay/1001"),
                    "not before confirming")
                let page = String(buffer: try await client.execute(uri: confirm, method: .post).body)
                #expect(
                    page.contains("已确认") && page.contains("https://dropmate.example/pay/1001?exp=")
                        && page.contains("微信支付 ¥18.00"))
            }
        }
    }

    @Test func anAnswerWhoseSignatureDoesNotVerifyIsNotBelieved() async throws {
        try await Self.withPayingApp { app, fake in
            let link = try Self.payLink(in: try await Self.confirmedOrder(app))
            fake.forgeAnswers(true)
            try await app.live { client in
                let page = try await client.execute(uri: link, method: .get)
                #expect(page.status == .serviceUnavailable && String(buffer: page.body).contains("稍后"))
                #expect(
                    try await app.dependencies.payments?.payments.payment(orderID: 1001)?.prepayID == nil,
                    "a prepay id from an unverified answer is not kept")
                fake.forgeAnswers(false)
                #expect(try await client.execute(uri: link, method: .get).status == .ok)
                #expect(fake.refusedAuthorizations == 0, "every request we sent carried a valid Authorization")
            }
        }
    }

    @Test func withPaymentOffNothingChanges() async throws {
        let app = try await TestApp.make()
        #expect(app.dependencies.payments == nil && app.dependencies.config.payment == nil)
        let reply = try await Self.confirmedOrder(app)
        #expect(!reply.contains("/pay/") && !reply.contains("微信支付"))
        #expect(try await app.dependencies.queue.jobs(kind: PaymentJob.kind).isEmpty)
        try await app.live { client in
            #expect(
                try await client.execute(uri: "/wechat/pay/notify", method: .post, body: ByteBuffer(string: "{}"))
                    .status == .notFound)
            let courier = try await app.dependencies.couriers.create(name: "李师傅", phone: PhoneNumber("13900139001"))
            let session = try await StaffSession.start(app, client: client, courierID: courier.courier.id)
            let detail = try await session.call(.get, "/orders/1001", as: .admin)
            #expect(detail.status == 200 && !detail.text.contains("\"payment\""))
            let refund = try await session.call(
                .post, "/orders/1001/refund", as: .admin, body: #"{"amount_fen": 500, "reason": "x"}"#)
            #expect(refund.status == 409 && refund.errorCode == "payment_off")
        }
    }
}
