import DropMateCore
import DropMateRedis
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The web console and the courier web app: sessions, CSRF, roles, escaping, and the feed behind the live board.
/// (The whole flow in a real browser: scripts/console-e2e.)
@Suite struct ConsoleTests {
    /// A browser: the cookies it was given, sent back on every request.
    final class Browser: @unchecked Sendable {
        let client: any TestClientProtocol
        var cookies: [String: String] = [:]
        init(_ client: any TestClientProtocol) { self.client = client }

        struct Page { var status: Int; var text: String; var headers: HTTPFields }

        func request(
            _ uri: String, method: HTTPRequest.Method = .get, headers extra: HTTPFields = [:], body: String? = nil
        ) async throws -> Page {
            var headers = extra
            if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
            let response = try await client.execute(
                uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if header.contains("Max-Age=0") {
                    cookies[pair[0]] = nil
                } else {
                    cookies[pair[0]] = pair.count == 2 ? pair[1] : ""
                }
            }
            return Page(
                status: Int(response.status.code), text: String(buffer: response.body), headers: response.headers)
        }

        /// Signs in through the form, with the form's own CSRF token.
        func signIn(_ username: String, _ password: String) async throws -> Page {
            let form = try await request("/console/signin")
            let csrf = try #require(Self.value(named: "csrf", in: form.text))
            return try await request(
                "/console/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: "csrf=\(csrf)&username=\(username)&password=\(password.replacingOccurrences(of: " ", with: "+"))")
        }

        /// The CSRF token a signed-in page gives its scripts.
        func csrf(from page: Page) -> String? {
            guard let range = page.text.range(of: "<meta name=\"csrf-token\" content=\"") else { return nil }
            return String(page.text[range.upperBound...].prefix { $0 != "\"" })
        }

        static func value(named name: String, in html: String) -> String? {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func app() async throws -> (TestApp, Courier, String) {
        let app = try await TestApp.make()
        let (courier, token) = try await CourierFlowTests.dispatchedOrder(app)
        for role in StaffRole.allCases {
            _ = try await app.dependencies.createStaff(
                username: "\(role.rawValue)1", password: StaffSession.password, role: role,
                courierID: role == .courier ? courier.id : nil)
        }
        return (app, courier, token)
    }

    @Test func signingInSetsAStrictHttpOnlySecureCookieAndOpensTheBoard() async throws {
        let (app, _, _) = try await Self.app()
        try await app.live { client in
            let browser = Browser(client)
            let anonymous = try await browser.request("/console")
            #expect(anonymous.status == 303 && anonymous.headers[.location] == "/console/signin")
            let form = try await browser.request("/console/signin")
            #expect(
                form.text.contains("<input id=\"username\" name=\"username\"")
                    && form.text.contains("name=\"password\"") && form.text.contains("登录 Sign in"))
            // Session fixation: a token planted in the browser beforehand is never adopted.
            let planted = "dmw_" + String(repeating: "ab", count: 32)
            browser.cookies = ["__Host-dm_console": planted]
            let signedIn = try await browser.signIn("dispatcher1", StaffSession.password)
            #expect(browser.cookies["__Host-dm_console"] != planted)
            let attacker = Browser(client)
            attacker.cookies["__Host-dm_console"] = planted
            #expect(try await attacker.request("/console").status == 303)
            #expect(signedIn.status == 303 && signedIn.headers[.location] == "/console")
            let cookie = try #require(
                signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Host-dm_console=dmw_") })
            #expect(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure")
                    && cookie.contains("Path=/"))
            let board = try await browser.request("/console")
            #expect(
                board.status == 200 && board.text.contains("id=\"order-1001\"")
                    && board.text.contains("data-column=\"dispatched\""))
            #expect(board.headers[.contentSecurityPolicy] == ConsolePage.contentSecurityPolicy)
            #expect(
                board.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true
                    && board.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
            #expect(
                !board.text.contains("<script>") && board.text.contains("<script src=\"/console/assets/console.js\""))
            // Only the token's hash is stored.
            let token = try #require(browser.cookies["__Host-dm_console"])
            let rows = try await app.dependencies.backend.reader.raw("SELECT token_hash FROM console_sessions").all()
            let stored = try rows.map { try $0.decode(column: "token_hash", as: String.self) }
            #expect(stored == [SecretToken.hash(token)])
        }
    }

    @Test func aWrongPasswordOrAFormWithoutItsTokenSignsNobodyIn() async throws {
        let (app, _, _) = try await Self.app()
        try await app.live { client in
            let browser = Browser(client)
            let wrong = try await browser.signIn("dispatcher1", "not the password")
            #expect(
                wrong.status == 401 && wrong.text.contains("Wrong username or password")
                    && browser.cookies["__Host-dm_console"] == nil)
            // Another site posting the form has no matching token cookie (login CSRF).
            let forged = try await Browser(client).request(
                "/console/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: "csrf=abc&username=dispatcher1&password=correct+horse+battery")
            #expect(
                forged.status == 403
                    && forged.headers[values: .setCookie].allSatisfy { !$0.contains("dm_console=dmw_") })
        }
    }

    @Test func theConsoleCallsTheAPIWithItsCookieOnlyTogetherWithTheCSRFToken() async throws {
        let (app, _, _) = try await Self.app()
        try await app.live { client in
            let browser = Browser(client)
            _ = try await browser.signIn("admin1", StaffSession.password)
            let page = try await browser.request("/console/orders/1001")
            let csrf = try #require(browser.csrf(from: page))
            #expect(
                page.text.contains("派单 Dispatch") && page.text.contains("取消 Cancel")
                    && page.text.contains("显示号码 Show number"))
            let json: HTTPFields = [.contentType: "application/json"]
            let bare = try await browser.request(
                "/api/v1/orders/1001/cancel", method: .post, headers: json, body: #"{"reason": "no token"}"#)
            #expect(bare.status == 401)
            var wrong = json
            wrong[.csrfToken] = String(repeating: "0", count: 64)
            #expect(
                try await browser.request(
                    "/api/v1/orders/1001/cancel", method: .post, headers: wrong, body: #"{"reason": "wrong"}"#
                ).status == 401)
            #expect(try await browser.request("/console/orders/1001/phone", method: .post).status == 403)
            #expect(
                try await browser.request(
                    "/console/signout", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: "csrf=x"
                ).status == 403)
            #expect(try await app.dependencies.store.order(id: 1001)?.status == .dispatched)
            var good = json
            good[.csrfToken] = csrf
            good[.idempotencyKey] = "console-cancel-1"
            let cancelled = try await browser.request(
                "/api/v1/orders/1001/cancel", method: .post, headers: good, body: #"{"reason": "shop closed"}"#)
            #expect(cancelled.status == 200)
            // The same handler: audited as this admin, and the key replays.
            let replay = try await browser.request(
                "/api/v1/orders/1001/cancel", method: .post, headers: good, body: #"{"reason": "shop closed"}"#)
            #expect(replay.headers[.idempotentReplayed] == "true")
            let audit = try await app.dependencies.staff.audit(limit: 10, beforeID: nil).map(\.entry)
            #expect(audit.contains { $0.action == "order.cancel" && $0.actor == "admin1" })
            var reveal: HTTPFields = [:]
            reveal[.csrfToken] = csrf
            let phone = try await browser.request("/console/orders/1001/phone", method: .post, headers: reveal)
            #expect(phone.status == 200 && phone.text.contains("13800138000"))
            #expect(
                try await app.dependencies.staff.audit(limit: 10, beforeID: nil).contains {
                    $0.entry.action == "order.phone_reveal"
                })
            let staffPage = try await browser.request("/console/staff")
            #expect(
                staffPage.status == 200 && staffPage.text.contains("dispatcher1")
                    && staffPage.text.contains("data-api=\"/api/v1/staff\""))
            let admin = try #require(try await app.dependencies.staff.account(username: "admin1")?.account.id)
            let dispatcher = try #require(try await app.dependencies.staff.account(username: "dispatcher1")?.account.id)
            #expect(!staffPage.text.contains("/api/v1/staff/\(admin)/deactivate"), "no button to deactivate oneself")
            #expect(staffPage.text.contains("/api/v1/staff/\(dispatcher)/deactivate"))
            let auditPage = try await browser.request("/console/audit")
            #expect(
                auditPage.status == 200 && auditPage.text.contains("order.phone_reveal")
                    && auditPage.text.contains("order.cancel") && !auditPage.text.contains("13800138000"))
            // Sign-out ends the session on the server, not only in this browser.
            let token = try #require(browser.cookies["__Host-dm_console"])
            #expect(
                try await browser.request(
                    "/console/signout", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: "csrf=\(csrf)"
                ).status == 303)
            let stolen = Browser(client)
            stolen.cookies["__Host-dm_console"] = token
            #expect(try await stolen.request("/console").status == 303)
        }
    }

    @Test func aDispatcherCannotRevealAWholeNumber() async throws {
        let (app, _, _) = try await Self.app()
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "post", input: .text("留言 面很好吃")))
        try await app.live { client in
            let browser = Browser(client)
            _ = try await browser.signIn("dispatcher1", StaffSession.password)
            let page = try await browser.request("/console/orders/1001")
            #expect(
                page.text.contains("138****8000") && !page.text.contains("13800138000")
                    && !page.text.contains("data-reveal"))
            var headers: HTTPFields = [:]
            let csrf: String = try #require(browser.csrf(from: page))
            headers[.csrfToken] = csrf
            #expect(
                try await browser.request("/console/orders/1001/phone", method: .post, headers: headers).status == 403)
            // Couriers' credentials are admins' alone: a dispatcher sees the roster, not the buttons.
            let couriers = try await browser.request("/console/couriers")
            #expect(
                couriers.status == 200 && couriers.text.contains("王师傅") && couriers.text.contains("#1001")
                    && !couriers.text.contains("binding-code"))
            // The board's moderation and dead jobs are the office's; the audit log is admins' alone.
            let board = try await browser.request("/console/board")
            #expect(
                board.status == 200 && board.text.contains("面很好吃") && board.text.contains("/api/v1/board/posts/1/hide"))
            #expect(try await browser.request("/console/jobs").status == 200)
            let merchants = try await browser.request("/console/merchants")
            #expect(
                merchants.status == 200 && merchants.text.contains("暂停接单 Pause")
                    && merchants.text.contains("估清 Sold out"))
            let reports = try await browser.request("/console/reports")
            #expect(reports.status == 200 && reports.text.contains("data-api=\"/api/v1/reports\""))
            #expect(try await browser.request("/console/audit").status == 403)
            #expect(try await browser.request("/console/staff").status == 403)
            #expect(!board.text.contains("/console/audit"))
        }
    }

    @Test func aCourierSessionCannotOpenTheBoardOrItsStream() async throws {
        let (app, courier, token) = try await Self.app()
        try await app.live { client in
            let browser = Browser(client)
            let login = try await browser.request("/courier/login?token=\(token)")
            #expect(login.status == 200 && login.text.contains("url=/courier"))
            let session = try #require(browser.cookies["__Host-dm_console"])
            #expect(session.hasPrefix("dmw_") && session != token)
            let tasks = try await browser.request("/courier")
            #expect(
                tasks.status == 200 && tasks.text.contains("#1001") && tasks.text.contains("tel:13800138000")
                    && tasks.text.contains("取件 Picked up"))
            #expect(try await browser.request("/console").status == 403)
            #expect(try await browser.request("/console/events").status == 403)
            #expect(try await browser.request("/console/board/cards/1001").status == 403)
            #expect(try await browser.request("/console/orders/1001").status == 403)
            #expect(try await browser.request("/console/couriers").status == 403)
            #expect(try await browser.request("/console/reports").status == 403)
            #expect(try await browser.request("/console/merchants").status == 403)
            let csrf = try #require(browser.csrf(from: tasks))
            #expect(try await browser.request("/courier/orders/1001/pickup", method: .post).status == 403)
            var headers: HTTPFields = [:]
            headers[.csrfToken] = csrf
            #expect(
                try await browser.request("/courier/orders/1001/pickup", method: .post, headers: headers).status == 204)
            #expect(try await app.dependencies.store.order(id: 1001)?.pickedUpAt != nil)
            headers[.contentType] = "application/json"
            #expect(
                try await browser.request("/api/v1/orders/1001/deliver", method: .post, headers: headers, body: "{}")
                    .status == 200)
            #expect(try await app.dependencies.store.order(id: 1001)?.status == .delivered)
            // A deactivated courier's session stops at once.
            _ = try await app.dependencies.couriers.setActive(courierID: courier.id, false)
            #expect(try await browser.request("/courier").status == 401)
            #expect(try await Browser(client).request("/courier/login?token=dmc_forged").status == 401)
        }
    }

    @Test func customerTypedMarkupIsTextOnTheBoardTheOrderPageAndTheCourierPage() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        var id = 0
        for text in [
            "I want 1 beef noodles", "<script>alert(2)</script> 88 Huaihai Road", "13800138000", "yes",
            "留言 <img src=x onerror=alert(3)>",
        ] {
            id += 1
            _ = try await engine.handle(
                IncomingChat(customer: "o_x", createTime: app.clock.now, dedupeKey: "x:\(id)", input: .text(text)))
        }
        // The chat's parser keeps markup out of notes; whatever a store holds is escaped all the same.
        var order = try #require(try await app.dependencies.store.order(id: 1001))
        order.note = "<img src=x onerror=alert(1)>"
        order.lines[0].note = "\"><svg onload=alert(4)>"
        try await app.dependencies.store.commit(
            UnitOfWork(customer: "o_x", now: app.clock.now, orders: [OrderWrite(order: order, isNew: false)]))
        _ = try await app.dependencies.createStaff(
            username: "admin1", password: StaffSession.password, role: .admin, courierID: nil)
        let created = try await app.dependencies.couriers.create(name: "<b>Li</b>", phone: PhoneNumber("13900139000"))
        try await engine.assign(orderID: 1001, courierID: created.courier.id)
        try await app.live { client in
            let browser = Browser(client)
            _ = try await browser.signIn("admin1", StaffSession.password)
            let courier = Browser(client)
            _ = try await courier.request("/courier/login?token=\(created.apiToken)")
            for (who, path) in [
                (browser, "/console"), (browser, "/console/orders/1001"), (browser, "/console/board/cards/1001"),
                (courier, "/courier"),
            ] {
                let page = try await who.request(path)
                #expect(page.status == 200, "\(path)")
                for markup in ["<img", "<script>alert", "<svg", "<b>Li"] {
                    #expect(!page.text.contains(markup), "\(path) carries customer markup \(markup)")
                }
                #expect(page.text.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), "\(path) lost the address")
                #expect(page.text.contains("&lt;svg onload=alert(4)&gt;"), "\(path) lost the item note")
            }
            #expect(
                try await browser.request("/console/orders/1001").text.contains("&lt;img src=x onerror=alert(3)&gt;"),
                "the board post")
        }
    }

    @Test func aCommittedOrderChangeReachesTheFeedAndReconnectsCatchUp() async throws {
        let (app, courier, _) = try await Self.app()
        let feed = app.dependencies.engine.orderFeed
        let (events, start) = feed.subscribe()
        _ = try await app.dependencies.engine.apply(
            .pickUp, toOrder: 1001, check: ConversationEngine.assigned(to: courier.id, orderID: 1001))
        var iterator = events.makeAsyncIterator()
        let event = try #require(await iterator.next())
        #expect(event.orderID == 1001 && event.sequence == start + 1)
        #expect(feed.events(after: feed.id(start), until: feed.sequence) == .events([event]))
        #expect(feed.events(after: feed.id(feed.sequence), until: feed.sequence) == .events([]))
        #expect(feed.events(after: "otherprocess-\(start)", until: feed.sequence) == .reload)
        await app.shutdown()
    }

    @Test func theFeedKeepsABoundedWindowAndDropsSubscribersThatLeave() async throws {
        let feed = OrderFeed(capacity: 4, epoch: "e")
        feed.publish(1...3)
        #expect(
            feed.events(after: "e-1", until: 3)
                == .events([.init(sequence: 2, orderID: 2), .init(sequence: 3, orderID: 3)]))
        feed.publish(4...10)
        #expect(feed.events(after: "e-5", until: 10) == .reload, "events 6 and 7 were overwritten")
        #expect(feed.events(after: "e-7", until: 10) == .events((8...10).map { .init(sequence: $0, orderID: $0) }))
        do {
            let (events, _) = feed.subscribe()
            #expect(feed.subscriberCount == 1)
            _ = events
        }
        #expect(feed.subscriberCount == 0)
    }

    @Test(.enabled(if: TestRedis.url != nil)) func aChangeOnOneReplicaReachesABoardOpenOnAnother() async throws {
        let prefix = "test-\(UUID().uuidString.prefix(8)):"
        let logger = Logger(label: "relay-test")
        let redis = RedisClient(configuration: try RedisConfiguration(url: try #require(TestRedis.url)), logger: logger)
        defer { redis.shutdown() }
        let here = OrderFeed(epoch: "here"), there = OrderFeed(epoch: "there")
        let relays = [
            OrderFeedRelay(feed: here, redis: redis, keyPrefix: prefix, checkEvery: .milliseconds(50), logger: logger),
            OrderFeedRelay(feed: there, redis: redis, keyPrefix: prefix, checkEvery: .milliseconds(50), logger: logger),
        ]
        let running = relays.map { relay in Task { try await relay.run() } }
        defer { running.forEach { $0.cancel() } }
        let (events, _) = there.subscribe()
        // Published until it arrives: the first changes may come before "there" is known to listen.
        let publisher = Task {
            while !Task.isCancelled {
                here.publish([1001])
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { publisher.cancel() }
        var iterator = events.makeAsyncIterator()
        let event = try #require(await iterator.next())
        #expect(event.orderID == 1001)
        // What a replica relays is not sent back round again.
        #expect(here.sequence >= 1)
    }

    @Test func theRelayReadsXREADRepliesAndSkipsMalformedOnes() {
        let reply = RedisValue.array([
            .array([
                .bulk(Array("p:console:orders".utf8)),
                .array([
                    .array([
                        .bulk(Array("1-0".utf8)),
                        .array([
                            .bulk(Array("origin".utf8)), .bulk(Array("abc".utf8)), .bulk(Array("orders".utf8)),
                            .bulk(Array("1001,1002".utf8)),
                        ]),
                    ]),
                    .array([.bulk(Array("2-0".utf8))]),
                ]),
            ])
        ])
        #expect(OrderFeedRelay.entries(reply) == [.init(id: "1-0", origin: "abc", orders: [1001, 1002])])
        #expect(OrderFeedRelay.entries(.null).isEmpty)
    }
}
