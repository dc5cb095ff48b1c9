import AsyncHTTPClient
import DropMateCore
import DropMateFakes
import DropMateRedis
import DropMateStorage
import DropMateWeChat
import Foundation
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound

/// Pushes through WeChat's API (a fake on loopback): one token for everyone, and each errcode's path.
@Suite struct WeChatPushTests {
    static let logger = Logger(label: "test")

    static func notifier(
        _ fake: FakeWeChatAPI, baseURL: String, store: any AccessTokenStore = MemoryAccessTokenStore(),
        fallback: (id: String, field: String)? = nil, sms: (any SMSProvider)? = nil,
        templates: OrderTemplates = .none
    ) -> WeChatNotifier {
        let api = WeChatAPI(http: .shared, baseURL: baseURL, appID: fake.appID, appSecret: fake.appSecret)
        let tokens = AccessTokens(
            api: api, store: store, clock: { Int64(Date().timeIntervalSince1970) }, logger: logger)
        return WeChatNotifier(
            tokens: tokens, fallbackTemplate: fallback, sms: sms, orderTemplates: templates, logger: logger)
    }

    static let push = PushJob(openID: "o_a", message: .text("订单 #1001 已送达，祝您用餐愉快！"))

    @Test func manyConcurrentPushesFetchOneToken() async throws {
        let fake = FakeWeChatAPI()
        try await fake.serve { url in
            let notifier = Self.notifier(fake, baseURL: url)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        try await notifier.send(
                            PushJob(openID: "o_\(index)", message: .text("hi")), jobID: Int64(index))
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(fake.tokenFetches == 1)
        #expect(fake.sent.count == 100)
        #expect(
            fake.sent.allSatisfy { $0.path == "/cgi-bin/message/custom/send" && $0.json.contains(#""msgtype":"text""#) }
        )
    }

    @Test func requestBodiesAreJSONThatSurvivesAnyCustomerText() throws {
        let text = "订单 #1001 \"加辣\" \\ 备注:\n第二行\t\u{01}🍜 </script> https://dm.example/track/1?sig=a/b"
        let body = WeChatNotifier.customerServiceMessage(PushJob(openID: "o_a", message: .text(text)))
        #expect(
            body.text.hasPrefix(#"{"touser":"o_a","msgtype":"text","text":{"content":"#), "keys in the order written")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.bytes)) as? [String: Any])
        #expect((parsed["text"] as? [String: String])?["content"] == text)
        let news = WeChatNotifier.customerServiceMessage(
            PushJob(
                openID: "o_b",
                message: .news(
                    title: "今日特价", description: "牛肉面 ¥18", pictureURL: "https://dm.example/a.png",
                    url: "https://dm.example/ad/1")))
        let article = try #require(
            ((try JSONSerialization.jsonObject(with: Data(news.bytes)) as? [String: Any])?["news"] as? [String: Any])?[
                "articles"] as? [[String: String]])
        #expect(
            article == [
                [
                    "title": "今日特价", "description": "牛肉面 ¥18", "url": "https://dm.example/ad/1",
                    "picurl": "https://dm.example/a.png",
                ]
            ])
        let counted: JSONBody = ["n": .int(-45_015), "list": [.int(1), "two"], "empty": .object([])]
        #expect(counted.text == #"{"n":-45015,"list":[1,"two"],"empty":{}}"#)
    }

    @Test func aRejectedTokenIsReplacedAndTheSendTriedOnceMore() async throws {
        let fake = FakeWeChatAPI()
        try await fake.serve { url in
            let notifier = Self.notifier(fake, baseURL: url)
            try await notifier.send(Self.push, jobID: 1)
            fake.expireToken()
            try await notifier.send(Self.push, jobID: 2)
        }
        #expect(fake.tokenFetches == 2)
        #expect(fake.sent.count == 2)
    }

    @Test func busyAndLimitsFailTheAttemptSoTheJobIsRetriedLater() async throws {
        let fake = FakeWeChatAPI()
        fake.script([-1, 45047])
        try await fake.serve { url in
            let notifier = Self.notifier(fake, baseURL: url)
            await #expect(throws: WeChatAPIError.refused(code: -1, message: "scripted")) {
                try await notifier.send(Self.push, jobID: 1)
            }
            await #expect(throws: WeChatAPIError.refused(code: 45047, message: "scripted")) {
                try await notifier.send(Self.push, jobID: 1)
            }
            try await notifier.send(Self.push, jobID: 1)
        }
        #expect(fake.sent.count == 1)
    }

    @Test func outsideThe48HourWindowAPushBecomesATemplateMessage() async throws {
        let fake = FakeWeChatAPI()
        fake.script([45015])
        try await fake.serve { url in
            try await Self.notifier(fake, baseURL: url, fallback: ("TPL_ORDER", "thing1")).send(Self.push, jobID: 1)
        }
        let sent = try #require(fake.sent.first)
        #expect(sent.path == "/cgi-bin/message/template/send")
        #expect(sent.json.contains(#""template_id":"TPL_ORDER""#) && sent.json.contains("订单 #1001 已送达"))
    }

    @Test(arguments: [45015, 43004])
    func customersWeChatCannotReachGetAnSMSWhenTheirPhoneIsKnown(code: Int) async throws {
        let fake = FakeWeChatAPI()
        fake.script([code])
        let sms = SMSTests.Recording()
        let push = PushJob(openID: "o_a", message: .text("订单 #1001 骑手已出发"), phone: "+8613800138000")
        try await fake.serve { url in try await Self.notifier(fake, baseURL: url, sms: sms).send(push, jobID: 1) }
        #expect(sms.sent.withLock { $0 } == ["+8613800138000 订单 #1001 骑手已出发"])
        #expect(fake.sent.isEmpty)
    }

    static let templatesJSON =
        #"{"dispatched": {"id": "TPL_DISPATCHED", "fields": {"character_string1": "order_id", "thing2": "items", "time3": "eta"}}}"#

    @Test func orderEventsWithATemplateGoOutAsTemplateMessagesWithTheirFieldsFilled() async throws {
        let fake = FakeWeChatAPI()
        let templates = try OrderTemplates(json: Self.templatesJSON)
        let dispatched = PushJob(
            openID: "o_a", message: .text("订单 #1001 骑手已出发"),
            event: OrderEventNotice(
                event: .dispatched, orderID: 1001,
                values: ["order_id": "1001", "items": "牛肉面 ×2、红烧牛肉面加大份加蛋加肠 ×1", "eta": "12:35"]))
        let delivered = PushJob(
            openID: "o_a", message: .text("订单 #1001 已送达"),
            event: OrderEventNotice(event: .delivered, orderID: 1001, values: [:]))
        try await fake.serve { url in
            let notifier = Self.notifier(fake, baseURL: url, templates: templates)
            try await notifier.send(dispatched, jobID: 1)
            try await notifier.send(delivered, jobID: 2)
        }
        #expect(
            fake.sent.map(\.path) == ["/cgi-bin/message/template/send", "/cgi-bin/message/custom/send"],
            "delivered has no template: a customer-service message")
        let json =
            try JSONSerialization.jsonObject(with: Data(try #require(fake.sent.first).json.utf8)) as? [String: Any]
        #expect(json?["template_id"] as? String == "TPL_DISPATCHED")
        let data = json?["data"] as? [String: [String: String]]
        #expect(data?["character_string1"]?["value"] == "1001" && data?["time3"]?["value"] == "12:35")
        #expect(data?["thing2"]?["value"]?.count == 20, "thing fields are cut to WeChat's 20 characters")
    }

    @Test func deliveriesAreRecordedAndTemplateOutcomesUpdateThem() async throws {
        let fake = FakeWeChatAPI()
        let app = try await TestApp.make()
        let deliveries = app.dependencies.deliveries
        let templates = try OrderTemplates(json: Self.templatesJSON)
        let dispatched = PushJob(
            openID: "o_a", message: .text("订单 #1001 骑手已出发"),
            event: OrderEventNotice(event: .dispatched, orderID: 1001, values: ["order_id": "1001"]))
        try await fake.serve { url in
            let api = WeChatAPI(http: .shared, baseURL: url, appID: fake.appID, appSecret: fake.appSecret)
            let tokens = AccessTokens(
                api: api, store: MemoryAccessTokenStore(), clock: { app.clock.now }, logger: Self.logger)
            let notifier = WeChatNotifier(
                tokens: tokens, fallbackTemplate: nil, orderTemplates: templates, deliveries: deliveries,
                clock: { app.clock.now }, logger: Self.logger)
            try await notifier.send(dispatched, jobID: 7)
            try await notifier.send(Self.push, jobID: 8)
        }
        #expect(
            try await deliveries.delivery(jobID: 7)
                == Delivery(jobID: 7, openID: "o_a", channel: .template, msgID: "1", status: "sent"))
        #expect(try await deliveries.delivery(jobID: 8)?.channel == .customerService)
        // WeChat reports the template message's outcome through the webhook.
        let finished = InboundMessage(
            toUserName: TestAccount.accountID, fromUserName: "o_a", createTime: app.clock.now,
            kind: .event(.templateSendJobFinish(msgID: "1", status: "failed:user block")))
        let now = app.clock.now
        let reply = try await buildApplication(app.dependencies, runWorker: false).test(.live) { client in
            try await ExactlyOnceTests.send(finished, to: client, at: now, nonce: "1")
        }
        #expect(reply == "")
        #expect(try await deliveries.delivery(jobID: 7)?.status == "failed:user block")
        await app.shutdown()
    }

    @Test func templateConfigurationNamesWhatIsWrong() throws {
        let base = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]
        #expect(
            try AppConfig.load(environment: base.merging(["WECHAT_TEMPLATES": Self.templatesJSON]) { $1 })
                .orderTemplates.templates[.dispatched]?.id == "TPL_DISPATCHED")
        for (json, complaint) in [
            (#"{"shipped": {"id": "T", "fields": {"thing1": "items"}}}"#, "unknown event 'shipped'"),
            (#"{"delivered": {"id": "T", "fields": {"thing1": "colour"}}}"#, "unknown value 'colour'"),
            ("not json", "JSON object"),
        ] {
            do {
                _ = try AppConfig.load(environment: base.merging(["WECHAT_TEMPLATES": json]) { $1 })
                Issue.record("\(json) was accepted")
            } catch let problems as AppConfig.Problems {
                #expect(
                    problems.problems.first?.variable == "WECHAT_TEMPLATES"
                        && problems.problems.first?.message.contains(complaint) == true, "\(problems)")
            }
        }
    }

    @Test func pushesCarryThePhoneTheCustomerGave() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        var id = 0
        for text in ["2 份牛肉面", "黄浦区人民大道200号", "13800138000", "确认"] {
            id += 1
            _ = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "m\(id)", input: .text(text)))
        }
        try await engine.apply(.dispatch, toOrder: 1001)
        let push = try PushJob(
            payload: try #require(try await app.dependencies.queue.jobs(kind: PushJob.kind).last).payload)
        #expect(push.phone == "+8613800138000")
        #expect(push.event?.event == .dispatched && push.event?.orderID == 1001, "and the order event, for a template")
        #expect(push.event?.values["items"] == "牛肉面 ×2" && push.event?.values["order_id"] == "1001")
        await app.shutdown()
    }

    @Test(arguments: [(45015, "48-hour"), (43004, "unsubscribed"), (40003, "invalid OpenID")])
    func pushesThatCanNeverSucceedAreDeadLetteredAtOnceWithTheReason(code: Int, reason: String) async throws {
        let fake = FakeWeChatAPI()
        fake.script([code])
        let app = try await TestApp.make()
        try await fake.serve { url in
            let worker = JobWorker(
                queue: app.dependencies.queue, engine: app.dependencies.engine,
                notifier: Self.notifier(fake, baseURL: url),
                clock: { app.clock.now }, logger: Self.logger)
            try await app.dependencies.queue.enqueue(try Self.push.job(key: "k", now: app.clock.now))
            #expect(try await worker.runDueJobs() == 1)
        }
        let dead = try await app.dependencies.queue.deadJobs(limit: 5)
        #expect(dead.count == 1 && dead[0].attempts == 1, "not retried")
        #expect(dead.first?.lastError?.contains(reason) == true, "\(dead.first?.lastError ?? "")")
        await app.shutdown()
    }

    @Test(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
    func processesSharingRedisShareOneToken() async throws {
        let fake = FakeWeChatAPI()
        let redis = RedisClient(configuration: try RedisConfiguration(url: TestRedis.url!), logger: Self.logger)
        let prefix = "test-\(UUID().uuidString.prefix(8))"
        try await fake.serve { url in
            let processes = (0..<3).map { _ in
                Self.notifier(fake, baseURL: url, store: RedisAccessTokenStore(redis: redis, keyPrefix: prefix))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask { try await processes[index % 3].send(Self.push, jobID: Int64(index)) }
                }
                try await group.waitForAll()
            }
        }
        #expect(fake.tokenFetches == 1, "one process fetched; the others waited for its token")
        #expect(fake.sent.count == 60)
        redis.shutdown()
    }

    @Test func theMenuIsInstalledWithEveryClickKeyTheChatUnderstands() async throws {
        let fake = FakeWeChatAPI()
        try await fake.serve { url in
            let api = WeChatAPI(http: .shared, baseURL: url, appID: fake.appID, appSecret: fake.appSecret)
            let tokens = AccessTokens(
                api: api, store: MemoryAccessTokenStore(), clock: { Int64(Date().timeIntervalSince1970) },
                logger: Self.logger)
            try await OfficialAccountMenu.install(tokens: tokens)
        }
        let sent = try #require(fake.sent.first)
        #expect(sent.path == "/cgi-bin/menu/create")
        for key in ClickKey.allCases {
            #expect(sent.json.contains(#""key":"\#(key.rawValue)""#), "\(key) has a button")
        }
        #expect(sent.json.contains("我的订单"))
    }

    @Test func anAppSecretSwitchesPushesFromTheLogToWeChat() throws {
        let base = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]
        let dev = try AppConfig.load(environment: base)
        #expect(
            dev.devMode
                && makeNotifier(config: dev, http: .shared, redis: nil, clock: { 0 }, logger: Self.logger)
                    is LogNotifier
        )
        let live = try AppConfig.load(
            environment: base.merging(["WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef"]) { $1 })
        #expect(
            !live.devMode
                && makeNotifier(config: live, http: .shared, redis: nil, clock: { 0 }, logger: Self.logger)
                    is WeChatNotifier
        )
        for printed in ["\(live)", String(reflecting: live)] {
            #expect(
                !printed.contains("0123456789abcdef") && !printed.contains(TestAccount.jwtSecret)
                    && printed.contains("wechatAppSecret: (set)"),
                "secrets are never printed: \(printed)")
        }
    }
}
