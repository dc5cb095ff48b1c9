import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

@Suite struct PageTests {
    @Test func signedLinksCannotBeForgedAndExpire() {
        let signer = LinkSigner(secret: Array("0123456789abcdef0123456789abcdef".utf8))
        let signature = signer.signature(purpose: "confirm", id: "1001", expires: 2000)
        #expect(signer.verify(purpose: "confirm", id: "1001", expires: 2000, signature: signature, now: 1999) == .valid)
        #expect(
            signer.verify(purpose: "confirm", id: "1001", expires: 2000, signature: signature, now: 2001) == .expired)
        #expect(
            signer.verify(purpose: "confirm", id: "1002", expires: 2000, signature: signature, now: 1999) == .forged)
        #expect(
            signer.verify(purpose: "confirm", id: "1001", expires: 9000, signature: signature, now: 1999) == .forged)
    }

    @Test func pagesAndHealthAnswer() async throws {
        let app = try await TestApp.make()
        try await app.live { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let ad = try await client.execute(uri: "/ads/beef-noodles", method: .get)
            #expect(
                ad.status == .ok && String(buffer: ad.body).contains("牛肉面")
                    && String(buffer: ad.body).contains("¥18.00"))
            #expect(try await client.execute(uri: "/ads/nope", method: .get).status == .notFound)
            #expect(
                try await client.execute(uri: "/confirm/1001?exp=9999999999&sig=00", method: .get).status == .forbidden)
            #expect(try await client.execute(uri: "/confirm/1001", method: .get).status == .badRequest)
            let outbox = try await client.execute(uri: "/dev/outbox?openid=o_a", method: .get)
            #expect(outbox.status == .ok && String(buffer: outbox.body) == "[]")
        }
    }

    @Test func theTrackingLinkShowsStatusETAAndHowFarTheCourierIs() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await app.dependencies.engine.updatePosition(
            courierID: courier.id, coordinate: Coordinate(latitude: 31.2300, longitude: 121.4805))
        let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }
        guard case .text(let text)? = pushes.first(where: { $0.event?.event == .dispatched })?.message,
            let range = text.range(of: #"/track/1001\?exp=[0-9]+&sig=[0-9a-f]+"#, options: .regularExpression)
        else {
            Issue.record("the dispatch push carries no tracking link")
            return
        }
        let path = String(text[range])
        let clock = app.clock
        try await app.live { client in
            let page = try await client.execute(uri: path, method: .get)
            let html = String(buffer: page.body)
            #expect(
                page.status == .ok && html.contains("骑手 王师傅 正在取餐") && html.contains("预计") && html.contains("距您约 0.6 公里")
            )
            #expect(!html.contains("13800138000") && !html.contains("<script"), "no full phone number, no JavaScript")
            #expect(
                try await client.execute(
                    uri: path.replacingOccurrences(of: "/track/1001", with: "/track/1002"), method: .get
                ).status == .forbidden)
            clock.advance(86_401)
            #expect(try await client.execute(uri: path, method: .get).status == .gone)
        }
    }

    @Test func aPageSpeaksTheOrdersLanguageAndSwitchesWithoutBreakingItsSignature() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        var reply = ""
        for (index, text) in ["order 1 beef noodles", "88 Huaihai Road", "13800138000"].enumerated() {
            if case .text(let said)? = try await engine.handle(
                IncomingChat(customer: "o_en", createTime: app.clock.now, dedupeKey: "e\(index)", input: .text(text))
            ).reply {
                reply = said
            }
        }
        let range = try #require(
            reply.range(of: #"/confirm/1001\?exp=[0-9]+&sig=[0-9a-f]+"#, options: .regularExpression))
        let path = String(reply[range])
        try await app.live { client in
            // The order is in English: the page is too, whatever the browser prefers, and says nothing in Chinese.
            let page = try await client.execute(uri: path, method: .get, headers: [.acceptLanguage: "zh-CN,zh;q=0.9"])
            let html = String(buffer: page.body)
            #expect(
                page.status == .ok && html.contains("<html lang=\"en\">") && html.contains("Order #1001")
                    && html.contains("beef noodles ×1"))
            #expect(html.contains("Free delivery") && html.contains("Total ¥18.00") && html.contains("Confirm order"))
            #expect(!html.contains("订单") && !html.contains("牛肉面") && !html.contains("合计") && !html.contains("确认下单"))
            // The switch link keeps the signed query and only sets `lang`; it still verifies.
            let link = try #require(PaymentFlowTests.attribute("href", in: html)).replacingOccurrences(
                of: "&amp;", with: "&")
            #expect(link.hasPrefix(path + "&lang=zh"))
            let chinese = try await client.execute(uri: link, method: .get)
            let zh = String(buffer: chinese.body)
            #expect(
                chinese.status == .ok && zh.contains("订单 #1001") && zh.contains("牛肉面 ×1") && zh.contains("确认下单")
                    && !zh.contains("Confirm order"))
            #expect(
                zh.contains(path.replacingOccurrences(of: "&", with: "&amp;") + "&amp;lang=en"),
                "and back, without piling up lang parameters")
            // `lang` is not signed in: it cannot make a forged or another order's link pass.
            #expect(
                try await client.execute(
                    uri: path.replacingOccurrences(of: "/confirm/1001", with: "/confirm/1002") + "&lang=en",
                    method: .get
                ).status == .forbidden)
            // Confirming from the Chinese page keeps Chinese.
            let confirmed = String(buffer: try await client.execute(uri: link, method: .post).body)
            #expect(confirmed.contains("已确认") && !confirmed.contains("Confirmed"))
            #expect(try await engine.order(id: 1001)?.status == .confirmed)
        }
    }

    @Test func pagesWithoutAnOrderFollowTheBrowsersLanguage() async throws {
        let app = try await TestApp.make()
        try await app.live { client in
            let english = String(
                buffer: try await client.execute(
                    uri: "/ads/beef-noodles", method: .get, headers: [.acceptLanguage: "en-US,en;q=0.9,zh-CN;q=0.8"]
                ).body)
            #expect(
                english.contains("<h1>beef noodles</h1>") && english.contains("order 1 beef noodles")
                    && english.contains("¥18.00"))
            #expect(!english.contains("牛肉面") && english.contains("/ads/beef-noodles?lang=zh"))
            let chinese = String(
                buffer: try await client.execute(
                    uri: "/ads/beef-noodles", method: .get, headers: [.acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8"]
                ).body)
            #expect(
                chinese.contains("<h1>牛肉面</h1>") && chinese.contains("1份牛肉面") && !chinese.contains("beef noodles")
                    && chinese.contains("/ads/beef-noodles?lang=en"))
            let switched = String(
                buffer: try await client.execute(
                    uri: "/ads/beef-noodles?lang=en", method: .get, headers: [.acceptLanguage: "zh-CN"]
                ).body)
            #expect(switched.contains("<h1>beef noodles</h1>"), "the switch wins over the browser")
            let forged = try await client.execute(
                uri: "/track/1001?exp=9999999999&sig=00", method: .get, headers: [.acceptLanguage: "en"])
            #expect(
                forged.status == .forbidden && String(buffer: forged.body).contains("This link is not valid.")
                    && !String(buffer: forged.body).contains("链接无效"))
        }
    }

    @Test func acceptLanguagePicksChineseOnlyForZh() {
        #expect(PageLanguage.accepted("zh-CN,zh;q=0.9,en;q=0.8") == .zh)
        #expect(PageLanguage.accepted("zh-TW") == .zh)
        #expect(PageLanguage.accepted("en-US,en;q=0.9,zh-CN;q=0.8") == .en)
        #expect(PageLanguage.accepted("en;q=0.5, zh-Hans;q=0.8") == .zh, "by quality, not by order")
        #expect(PageLanguage.accepted("fr-FR") == .en)
        #expect(PageLanguage.accepted("zh;q=0, en") == .en, "q=0 means not this one")
        #expect(
            PageLanguage.accepted(nil) == .zh && PageLanguage.accepted("") == .zh && PageLanguage.accepted("*") == .zh,
            "WeChat's default")
    }

    @Test func theTrackingPageOfTheLatestDeliveredOrderSaysHowToOrderItAgain() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        let dispatched = try #require(try await engine.order(id: 1001))
        let path = try #require(app.dependencies.renderer.trackingLink(dispatched)).replacingOccurrences(
            of: "https://dropmate.example", with: "")
        try await app.live { client in
            let onItsWay = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(!onItsWay.contains("再来一单"), "not before it arrived")
            _ = try await engine.deliver(orderID: 1001, asCourier: courier.id)
            let delivered = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(delivered.contains("<b class=\"phrase\">再来一单</b>") && delivered.contains("确认后才会下单"))
            #expect(
                delivered.contains("<form method=\"post\" action=\"/track/1001/reorder?exp=")
                    && !delivered.contains("<script"),
                "a button that puts the order in the chat as a draft; nothing is ordered until confirmed there")
            let english = String(buffer: try await client.execute(uri: path + "&lang=en", method: .get).body)
            #expect(english.contains("<b class=\"phrase\">order again</b>") && !english.contains("再来一单"))
            // What the hint says works in the chat, and then this page no longer offers it: "再来一单" repeats the latest order.
            guard
                case .text(let said)? = try await engine.handle(
                    IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "again", input: .text("再来一单"))
                ).reply
            else {
                Issue.record("no answer to 再来一单")
                return
            }
            #expect(said.contains("按订单 #1001 再来一单") && said.contains("订单 #1002"))
            #expect(!String(buffer: try await client.execute(uri: path, method: .get).body).contains("再来一单"))
        }
    }

    @Test func theBoardPageShowsVisiblePostsEscaped() async throws {
        let app = try await TestApp.make()
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "1", input: .text("留言 <b>好吃</b>")))
        try await app.live { client in
            let page = String(buffer: try await client.execute(uri: "/board", method: .get).body)
            #expect(page.contains("&lt;b&gt;好吃&lt;/b&gt;") && !page.contains("<b>好吃"))
        }
    }

    @Test func htmlIsEscaped() {
        let text = "<script>alert('x') & \"y\"</script>"
        let html: HTML = "\(text)"
        #expect(html.rendered == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
    }
}

@Suite struct SchemaTests {
    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL"))
    func aServerRefusesAnUnmigratedPostgresDatabase() async throws {
        let url = try await PostgresTestDatabase.createEmpty()
        await #expect(throws: Migrations.SchemaMismatch(found: 0, expected: Migrations.latest)) {
            _ = try await TestApp.make(extra: ["DATABASE_URL": url])
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.serverURL != nil, "DATABASE_URL names no PostgreSQL"))
    func aProductionServerKeepsServingOnANewerSchemaDuringARollingDeploy() async throws {
        let url = try await PostgresTestDatabase.create()
        let first = try await TestApp.make(extra: ["DATABASE_URL": url])
        try await first.dependencies.backend.transaction { db in
            try await db.raw("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)").run()
        }
        await first.shutdown()
        let app = try await TestApp.make(extra: ["DATABASE_URL": url])
        try await app.live { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }

    @Test func theEmbeddedDefaultMigratesItselfButRefusesANewerSchema() async throws {
        let app = try await TestApp.make()
        let directory = app.directory
        try await app.dependencies.backend.transaction { db in
            try await db.raw("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)").run()
        }
        await app.shutdown(keepingFiles: true)
        await #expect(throws: Migrations.SchemaMismatch(found: 999, expected: Migrations.latest)) {
            _ = try await TestApp.make(directory: directory)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct ReadinessTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REDIS_URL"] != nil, "REDIS_URL names no Redis"))
    func readyWhenRedisAnswers() async throws {
        let app = try await TestApp.make(extra: ["REDIS_URL": ProcessInfo.processInfo.environment["REDIS_URL"]!])
        try await app.live { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
        }
    }

    @Test func notReadyWhenRedisIsUnreachable() async throws {
        let app = try await TestApp.make(extra: ["REDIS_URL": "redis://127.0.0.1:1"])
        try await app.live { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable && String(buffer: response.body) == "redis unreachable")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok, "alive, just not ready")
        }
    }

    @Test func aMalformedRedisURLIsAConfigurationProblem() {
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: [
                "WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret, "REDIS_URL": "http://nope",
            ])
        }
    }
}
