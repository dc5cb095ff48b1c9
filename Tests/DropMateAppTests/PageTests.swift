@testable import DropMateApp
import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct PageTests {
    @Test func signedLinksCannotBeForgedAndExpire() {
        let signer = LinkSigner(secret: Array("0123456789abcdef0123456789abcdef".utf8))
        let signature = signer.signature(purpose: "confirm", id: "1001", expires: 2000)
        #expect(signer.verify(purpose: "confirm", id: "1001", expires: 2000, signature: signature, now: 1999) == .valid)
        #expect(signer.verify(purpose: "confirm", id: "1001", expires: 2000, signature: signature, now: 2001) == .expired)
        #expect(signer.verify(purpose: "confirm", id: "1002", expires: 2000, signature: signature, now: 1999) == .forged)
        #expect(signer.verify(purpose: "confirm", id: "1001", expires: 9000, signature: signature, now: 1999) == .forged)
    }

    @Test func pagesAndHealthAnswer() async throws {
        let app = try await TestApp.make()
        try await app.live { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let ad = try await client.execute(uri: "/ads/beef-noodles", method: .get)
            #expect(ad.status == .ok && String(buffer: ad.body).contains("牛肉面") && String(buffer: ad.body).contains("¥18.00"))
            #expect(try await client.execute(uri: "/ads/nope", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/confirm/1001?exp=9999999999&sig=00", method: .get).status == .forbidden)
            #expect(try await client.execute(uri: "/confirm/1001", method: .get).status == .badRequest)
            let outbox = try await client.execute(uri: "/dev/outbox?openid=o_a", method: .get)
            #expect(outbox.status == .ok && String(buffer: outbox.body) == "[]")
        }
    }

    @Test func theTrackingLinkShowsStatusETAAndHowFarTheCourierIs() async throws {
        let app = try await TestApp.make()
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        try await app.dependencies.engine.updatePosition(courierID: courier.id, coordinate: Coordinate(latitude: 31.2300, longitude: 121.4805))
        let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }
        guard case .text(let text)? = pushes.first(where: { $0.event?.event == .dispatched })?.message,
              let range = text.range(of: #"/track/1001\?exp=[0-9]+&sig=[0-9a-f]+"#, options: .regularExpression) else {
            Issue.record("the dispatch push carries no tracking link")
            return
        }
        let path = String(text[range])
        let clock = app.clock
        try await app.live { client in
            let page = try await client.execute(uri: path, method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok && html.contains("骑手 王师傅 正在取餐") && html.contains("预计") && html.contains("距您约 0.6 公里"))
            #expect(!html.contains("13800138000") && !html.contains("<script"), "no full phone number, no JavaScript")
            #expect(try await client.execute(uri: path.replacingOccurrences(of: "/track/1001", with: "/track/1002"), method: .get).status == .forbidden)
            clock.advance(86_401)
            #expect(try await client.execute(uri: path, method: .get).status == .gone)
        }
    }

    @Test func theBoardPageShowsVisiblePostsEscaped() async throws {
        let app = try await TestApp.make()
        _ = try await app.dependencies.engine.handle(IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "1", input: .text("留言 <b>好吃</b>")))
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
        #expect(throws: AppConfig.Problems.self) { try AppConfig.load(environment: ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret, "REDIS_URL": "http://nope"]) }
    }
}
