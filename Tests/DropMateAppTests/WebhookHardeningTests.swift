import DropMateCore
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Issue 15's webhook holes: forged plaintext bodies under a seen query, another customer's MsgId, an empty sender,
/// safe mode, and the dev outbox. Each test failed before its fix.
@Suite struct WebhookHardeningTests {
    typealias Send = ExactlyOnceTests

    static let plain = try! WeChatClientSigner(token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: nil)

    /// POSTs `body` under the signed query for (`timestamp`, `nonce`); returns the status and the reply's text.
    static func post(
        _ body: String, timestamp: Int64, nonce: String, to client: some TestClientProtocol
    ) async throws -> (HTTPResponse.Status, String) {
        let query =
            "signature=\(WeChatSignature.sign([TestAccount.token, "\(timestamp)", nonce]))&timestamp=\(timestamp)&nonce=\(nonce)"
        let response = try await client.execute(uri: "/wechat?\(query)", method: .post, body: ByteBuffer(string: body))
        if let reply = (try? plain.openReply(Array(response.body.readableBytesView))) ?? nil,
            case .text(let text) = reply.content
        {
            return (response.status, text)
        }
        return (response.status, String(buffer: response.body))
    }

    static func body(_ text: String, from: String, id: String, at time: Int64) -> String {
        Send.message(text, id: id, at: time, from: from).xml()
    }

    @Test func aSeenQueryCarriesOnlyItsOwnBodyAndItsRetries() async throws {
        let app = try await TestApp.make()
        let now = app.clock.now
        try await app.live { client in
            let original = Self.body("2 份牛肉面", from: "o_victim", id: "501", at: now)
            let (first, reply) = try await Self.post(original, timestamp: now, nonce: "seen", to: client)
            #expect(first == .ok && reply.contains("牛肉面"))
            // WeChat's retry: the same body under the same query gets the same answer.
            let (again, retried) = try await Self.post(original, timestamp: now, nonce: "seen", to: client)
            #expect(again == .ok && retried == reply)
            // Anyone who saw the query string: another body, another customer, another MsgId.
            for (from, id) in [("o_attacker", "502"), ("o_victim", "503"), ("o_victim", "501")] {
                let forged = Self.body("3 份牛肉面", from: from, id: id, at: now)
                let (status, text) = try await Self.post(forged, timestamp: now, nonce: "seen", to: client)
                #expect(status == .forbidden, "\(from) \(id): \(text)")
            }
            // A fresh nonce is a fresh request.
            #expect(
                try await Self.post(
                    Self.body("菜单", from: "o_attacker", id: "504", at: now), timestamp: now, nonce: "fresh", to: client
                ).0 == .ok)
        }
    }

    @Test func theMemoryForgetsPairsOnlyOnceTheyAreStale() {
        let memory = SignedRequestMemory(window: 300)
        let one = SignedRequest(timestamp: 1000, nonce: "n", body: Array("a".utf8))
        let other = SignedRequest(timestamp: 1000, nonce: "n", body: Array("b".utf8))
        #expect(memory.admit(one, now: 1000) == .first)
        #expect(memory.admit(one, now: 1100) == .repeated)
        #expect(memory.admit(other, now: 1299) == .conflict)
        #expect(memory.admit(SignedRequest(timestamp: 1000, nonce: "m", body: Array("b".utf8)), now: 1299) == .first)
        _ = memory.admit(SignedRequest(timestamp: 1400, nonce: "x", body: []), now: 1400)
        #expect(memory.count == 1, "second 1000 is past the window at 1400: its pairs are gone")
        #expect(one.digestHex.count == 32 && one.digestHex != other.digestHex)
    }

    @Test func anotherCustomersMsgIdDoesNotReachTheirAnswer() async throws {
        let app = try await TestApp.make()
        let now = app.clock.now
        try await app.live { client in
            _ = try await Send.send(
                Send.message("2 份牛肉面", id: "7001", at: now, from: "o_alice"), to: client, at: now, nonce: "a1")
            _ = try await Send.send(
                Send.message("黄浦区人民大道200号", id: "7002", at: now, from: "o_alice"), to: client, at: now, nonce: "a2")
            let summary = try await Send.send(
                Send.message("13800138000", id: "7003", at: now, from: "o_alice"), to: client, at: now, nonce: "a3")
            #expect(summary.contains("订单 #1001"))
            // Mallory reuses Alice's MsgId: she gets her own answer, never Alice's order summary.
            let stolen = try await Send.send(
                Send.message("你好", id: "7003", at: now, from: "o_mallory"), to: client, at: now, nonce: "m1")
            #expect(!stolen.isEmpty && stolen != summary && !stolen.contains("1001") && !stolen.contains("138"))
            // Alice's own retry still gets hers.
            #expect(
                try await Send.send(
                    Send.message("13800138000", id: "7003", at: now, from: "o_alice"), to: client, at: now, nonce: "a3b"
                ) == summary)
            // The store's dedupe records carry the sender too.
            await app.dependencies.store.flush()
            #expect(try await app.dependencies.store.handled(dedupeKey: "msg:7003:o_alice") != nil)
            #expect(try await app.dependencies.store.handled(dedupeKey: "msg:7003") == nil)
        }
    }

    @Test func anEmptyFromUserNameIsRefusedAsMalformed() async throws {
        let app = try await TestApp.make()
        let now = app.clock.now
        try await app.live { client in
            for from in ["", " "] {
                let body =
                    "<xml><ToUserName><![CDATA[\(TestAccount.accountID)]]></ToUserName><FromUserName><![CDATA[\(from)]]></FromUserName><CreateTime>\(now)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[菜单]]></Content><MsgId>9\(from.count)</MsgId></xml>"
                let (status, text) = try await Self.post(body, timestamp: now, nonce: "empty\(from.count)", to: client)
                #expect(status == .badRequest, "\(text)")
                #expect(!text.contains("<ToUserName><![CDATA[]]>"))
            }
        }
    }

    @Test func safeModeRefusesPlaintextRequestsAndOpensEncryptedOnes() async throws {
        let app = try await TestApp.make(extra: ["WECHAT_MESSAGE_MODE": "safe"])
        let now = app.clock.now
        let aes = try WeChatClientSigner(
            token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: TestAccount.encodingAESKey)
        let message = Send.message("菜单", id: "801", at: now)
        try await app.live { client in
            let plain = Self.plain.request(for: message, mode: .plaintext, timestamp: now, nonce: "p")
            #expect(
                try await client.execute(
                    uri: "/wechat?\(plain.query)", method: .post, body: ByteBuffer(string: plain.body)
                ).status == .forbidden)
            for (mode, nonce) in [(WeChatWebhook.Mode.safe, "s"), (.compatible, "c")] {
                let encrypted = aes.request(
                    for: Send.message("菜单", id: "80\(nonce)", at: now), mode: mode, timestamp: now, nonce: nonce)
                let response = try await client.execute(
                    uri: "/wechat?\(encrypted.query)", method: .post, body: ByteBuffer(string: encrypted.body))
                #expect(response.status == .ok && String(buffer: response.body).contains("<Encrypt>"))
            }
        }
    }

    @Test func theMessageModeIsValidatedAndDefaultsFromTheKey() throws {
        let base = [
            "WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret,
            "DROPMATE_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("dm-mode-\(UUID())")
                .path,
        ]
        #expect(try AppConfig.load(environment: base).wechatMessageMode == .plaintext)
        #expect(
            try AppConfig.load(
                environment: base.merging(["WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey]) { $1 }
            ).wechatMessageMode == .compatible)
        for (mode, key) in [("safe", nil), ("secure", TestAccount.encodingAESKey)] as [(String, String?)] {
            var env = base.merging(["WECHAT_MESSAGE_MODE": mode]) { $1 }
            env["WECHAT_ENCODING_AES_KEY"] = key
            let error = #expect(throws: AppConfig.Problems.self) { try AppConfig.load(environment: env) }
            #expect(error?.problems.contains { $0.variable == "WECHAT_MESSAGE_MODE" } == true)
        }
    }

    @Test func theDevOutboxExistsOnlyOnLoopbackWithoutAnAppSecretAndIsPaged() async throws {
        let app = try await TestApp.make()
        for index in 0..<5 {
            try await app.dependencies.queue.enqueue(
                try PushJob(openID: index < 3 ? "o_a" : "o_b", message: .text("push \(index)")).job(
                    key: "p\(index)", now: app.clock.now))
        }
        #expect(app.dependencies.config.servesDevOutbox)
        try await buildApplication(app.dependencies, runWorker: false).test(.router) { client in
            let first = try await client.execute(uri: "/dev/outbox?limit=2", method: .get)
            #expect(first.status == .ok)
            let page = try JSONDecoder().decode([OpsRoutes.OutboxEntry].self, from: Data(first.body.readableBytesView))
            #expect(page.count == 2)
            let next = try #require(first.headers[OpsRoutes.nextAfter])
            let rest = try await client.execute(uri: "/dev/outbox?after=\(next)&limit=1000", method: .get)
            let tail = try JSONDecoder().decode([OpsRoutes.OutboxEntry].self, from: Data(rest.body.readableBytesView))
            #expect(tail.count == 3 && rest.headers[OpsRoutes.nextAfter] == nil)
            let mine = try await client.execute(uri: "/dev/outbox?openid=o_b", method: .get)
            #expect(
                try JSONDecoder().decode([OpsRoutes.OutboxEntry].self, from: Data(mine.body.readableBytesView)).map(
                    \.openID) == ["o_b", "o_b"])
        }
        await app.shutdown()
        for host in ["0.0.0.0", "::", "192.0.2.10"] {
            let exposed = try await TestApp.make(extra: ["HOST": host])
            #expect(!exposed.dependencies.config.servesDevOutbox)
            try await buildApplication(exposed.dependencies, runWorker: false).test(.router) { client throws in
                let status = try await client.execute(uri: "/dev/outbox", method: .get).status
                #expect(status == .notFound)
            }
            await exposed.shutdown()
        }
        let live = try await TestApp.make(extra: ["WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef"])
        #expect(!live.dependencies.config.servesDevOutbox)
        await live.shutdown()
    }

    @Test func metricsAreNotOnTheServingPortWithoutTheirToken() async throws {
        let app = try await TestApp.make()
        try await buildApplication(app.dependencies, runWorker: false).test(.router) { client throws in
            let status = try await client.execute(uri: "/metrics", method: .get).status
            #expect(status == .notFound)
        }
        await app.shutdown()
        let token = "m3tr1cs-T0ken-for-the-test-9qZ"
        let guarded = try await TestApp.make(extra: ["METRICS_TOKEN": token])
        try await buildApplication(guarded.dependencies, runWorker: false).test(.router) { client throws in
            let missing = try await client.execute(uri: "/metrics", method: .get).status
            let wrong = try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer wrong"]
            ).status
            let right = try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"]
            ).status
            #expect(missing == .unauthorized && wrong == .unauthorized && right == .ok)
        }
        await guarded.shutdown()
    }
}

/// Placeholders and weak secrets refuse to start, naming the variable and never printing the value.
@Suite struct SecretStrengthTests {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dm-secrets-\(UUID())").path

    static func problems(_ extra: [String: String]) -> [AppConfig.Problem] {
        let env = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret, "DROPMATE_DATA_DIR": directory].merging(
            extra
        ) { $1 }
        do { _ = try AppConfig.load(environment: env); return [] } catch {
            return (error as? AppConfig.Problems)?.problems ?? []
        }
    }

    @Test(arguments: [
        ("JWT_SECRET", "change-me-to-at-least-32-random-characters"),
        ("JWT_SECRET", "REPLACE_ME_WITH_AT_LEAST_32_RANDOM_CHARACTERS"),
        ("JWT_SECRET", String(repeating: "a", count: 40)),
        ("JWT_SECRET", String(repeating: "ab", count: 20)),
        ("JWT_SECRET", "your-jwt-secret-goes-here-0123456789"),
        ("JWT_SECRET", "abcdefabcdefabcdefabcdefabcdefabcdef"),
        ("WECHAT_TOKEN", "changeme"),
        ("WECHAT_TOKEN", "aaaa"),
        ("WECHAT_APP_SECRET", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("WECHAT_APP_SECRET", "your_app_secret_0123456789abcdef"),
        ("WECHAT_ENCODING_AES_KEY", String(repeating: "A", count: 43)),
        ("DROPMATE_PII_KEYS", "mp1:" + String(repeating: "B", count: 43) + "="),
        ("DROPMATE_PII_KEYS", "k1:REPLACE_WITH_openssl_rand_base64_32"),
        ("SMS_PROVIDER_KEY", "EXAMPLE-KEY-123"),
        ("STORAGE_SECRET_ACCESS_KEY", "your-secret-access-key"),
        ("METRICS_TOKEN", "REPLACE-with-a-metrics-token"),
        ("DATABASE_URL", "postgres://dropmate:change-me@db:5432/dropmate"),
    ])
    func aPlaceholderSecretIsRefusedByName(variable: String, value: String) {
        let found = Self.problems([variable: value])
        #expect(found.contains { $0.variable == variable }, "\(variable) accepted")
        #expect(!found.contains { $0.description.contains(value) }, "the value was printed")
    }

    @Test func realSecretsAndTheGeneratedDevSecretsStart() throws {
        #expect(
            Self.problems([
                "WECHAT_TOKEN": "Rk29dLq0Zt", "WECHAT_APP_SECRET": "4f1c9e2ab7d35e80c6a1f94b2d7e03c5",
                "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey,
                "DROPMATE_PII_KEYS": TestAccount.piiKeys, "METRICS_TOKEN": "9c41d07e6ab25f3e81d4",
                "SMS_PROVIDER_KEY": "tK8s0q2LwZ",
            ]).isEmpty)
        // `openssl rand -base64 32` output holds three x's now and then: that is chance, not a placeholder.
        #expect(
            Self.problems([
                "JWT_SECRET": "q7XxXr2Lk9Vb0Zt4Wm8Yp3Hc6Nd1Fg5Js+Ua/Oe=", "WECHAT_APP_SECRET": "7e0axxx3c9d41f26b85e",
            ]).isEmpty)
        // No configuration at all: the embedded default generates its own, and starts.
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("dm-fresh-\(UUID())").path
        #expect(try AppConfig.load(environment: ["DROPMATE_DATA_DIR": fresh]).usesGeneratedSecrets)
        try? FileManager.default.removeItem(atPath: fresh)
    }
}

/// Across replicas, Redis remembers which body a (timestamp, nonce) carried, in the turn's own script call.
@Suite(
    .enabled(
        if: PostgresTestDatabase.serverURL != nil && TestRedis.url != nil, "DATABASE_URL and REDIS_URL name no servers")
)
struct ReplicaReplayTests {
    @Test func aForgedBodySentToAnotherReplicaIsRefusedAndTheRetryIsAnswered() async throws {
        let (a, b) = try await ReplicaTests.replicas()
        let now = a.clock.now
        try await a.live { one in
            try await b.live { two in
                let original = WebhookHardeningTests.body("2 份牛肉面", from: "o_victim", id: "601", at: now)
                let (status, reply) = try await WebhookHardeningTests.post(
                    original, timestamp: now, nonce: "shared", to: one)
                #expect(status == .ok && reply.contains("牛肉面"))
                // Replica b never saw this query: only Redis can tell.
                let forged = WebhookHardeningTests.body("3 份牛肉面", from: "o_attacker", id: "602", at: now)
                #expect(
                    try await WebhookHardeningTests.post(forged, timestamp: now, nonce: "shared", to: two).0
                        == .forbidden)
                let sameCustomer = WebhookHardeningTests.body("取消", from: "o_victim", id: "601", at: now)
                #expect(
                    try await WebhookHardeningTests.post(sameCustomer, timestamp: now, nonce: "shared", to: two).0
                        == .forbidden)
                // WeChat's retry of the real message, on the other replica: the first answer.
                let (retried, again) = try await WebhookHardeningTests.post(
                    original, timestamp: now, nonce: "shared", to: two)
                #expect(retried == .ok && again == reply)
                // Dedupe across replicas is per sender too.
                let other = WebhookHardeningTests.body("你好", from: "o_other", id: "601", at: now)
                let (_, otherReply) = try await WebhookHardeningTests.post(
                    other, timestamp: now, nonce: "other", to: two)
                #expect(otherReply != reply && !otherReply.contains("牛肉面 ×2"))
            }
        }
    }
}
