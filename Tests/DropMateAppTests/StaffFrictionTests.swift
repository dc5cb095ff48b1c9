import DropMateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The staff frictions of issue 20: expired tokens say so, times carry the business offset, PATCH changes only what
/// it names (and the audit shows only that), and board posts can wait for review.
@Suite struct StaffFrictionTests {
    // MARK: Expired tokens, sliding console sessions

    @Test func anExpiredAccessTokenSaysItExpiredAndAForgedOneDoesNot() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let token = try #require(session.tokens[.dispatcher])
            #expect(try await session.call(.get, "/auth/me", token: token).status == 200)
            app.clock.advance(15 * 60)  // the token's 900 seconds are up
            let expired = try await session.call(.get, "/orders", token: token)
            #expect(expired.status == 401 && expired.errorCode == "token_expired")
            #expect(expired.errorMessage?.contains("expired") == true)
            #expect(
                expired.headers[.wwwAuthenticate]
                    == #"Bearer realm="dropmate", error="invalid_token", error_description="the access token expired""#)
            // A token with a broken signature, or none at all, is not "expired": nothing tells an attacker it was nearly right.
            var parts = token.split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            let forged = try await session.call(.get, "/orders", token: parts.joined(separator: "."))
            #expect(
                forged.status == 401 && forged.errorCode == "unauthorized"
                    && forged.headers[.wwwAuthenticate] == #"Bearer realm="dropmate""#)
            let none = try await session.call(.get, "/orders")
            #expect(none.status == 401 && none.errorCode == "unauthorized")
        }
    }

    @Test func consoleSessionsRenewWhileInUseAndEndAfterTwoIdleHours() async throws {
        let (app, _, _) = try await ConsoleTests.app()
        try await app.live { client in
            let browser = ConsoleTests.Browser(client)
            #expect(try await browser.signIn("dispatcher1", StaffSession.password).status == 303)
            // Used every 110 minutes, the session outlives the two-hour idle limit several times over.
            for _ in 0..<3 {
                app.clock.advance(110 * 60)
                #expect(try await browser.request("/console").status == 200)
            }
            let page = try await browser.request("/console/board")
            let csrf = try #require(browser.csrf(from: page))
            app.clock.advance(2 * 3600 + 60)
            #expect(try await browser.request("/console").status == 303, "two idle hours end it")
            let api = try await browser.request("/api/v1/orders", headers: [.csrfToken: csrf])
            #expect(api.status == 401)
        }
    }

    // MARK: Times with the business offset

    @Test func apiTimesMatchFoundationInTheBusinessTimeZone() throws {
        let formatter = ISO8601DateFormatter()
        for offset in [8 * 3600, 0, -5 * 3600, 5 * 3600 + 1800, 14 * 3600] {
            formatter.timeZone = TimeZone(secondsFromGMT: offset)
            for unix in [Int64(0), 951_782_400, 1_796_430_882, 4_107_542_399, -86_401, 1_709_164_800] {
                let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
                let ours = try #require(APIJSON.time(unix, utcOffset: offset))
                // Foundation writes "Z" for zero and "+05:30" otherwise, as we do.
                #expect(ours == expected, "\(unix) at \(offset)")
                #expect(APIJSON.parseTime(ours, utcOffset: offset) == unix, "round trip of \(ours)")
            }
        }
        #expect(APIJSON.time(TestAccount.start, utcOffset: 8 * 3600) == "2026-11-25T12:00:00+08:00")
        #expect(APIJSON.parseTime("2026-11-25T04:00:00Z", utcOffset: 8 * 3600) == TestAccount.start)
        #expect(APIJSON.parseTime("2026-11-25T12:00:00+08:00", utcOffset: 8 * 3600) == TestAccount.start)
        #expect(APIJSON.parseTime("2026-11-25T04:00:00.250Z", utcOffset: 8 * 3600) == TestAccount.start)
        #expect(APIJSON.parseTime("2026-11-25", utcOffset: 8 * 3600) == TestAccount.start - 12 * 3600)
        #expect(APIJSON.parseTime("2026-11-25 12:00", utcOffset: 8 * 3600) == nil)
    }

    @Test func everyTimeTheAPIShowsCarriesTheOffsetAndEitherFormIsAccepted() async throws {
        let (app, courier) = try await StaffAPITests.app()
        _ = try await app.dependencies.engine.updatePosition(
            courierID: courier.id, coordinate: Coordinate(latitude: 31.23, longitude: 121.47))
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let order = try await session.call(.get, "/orders/1001", as: .admin)
            let detail = try #require(order.json["order"] as? [String: Any])
            #expect(detail["created_at"] as? String == "2026-11-25T12:00:00+08:00")
            let ad = try await session.call(
                .post, "/ads", as: .dispatcher,
                body: """
                    {"id": "winter-soup", "merchant_id": "lanzhou", "name_zh": "冬汤", "name_en": "winter soup", "price_fen": 900,
                     "starts_at": "2026-11-26T01:00:00Z", "ends_at": "2026-11-27T21:30:00+08:00"}
                    """)
            #expect(ad.status == 201)
            #expect(
                ad.json["starts_at"] as? String == "2026-11-26T09:00:00+08:00"
                    && ad.json["ends_at"] as? String == "2026-11-27T21:30:00+08:00")
            for path in [
                "/orders", "/orders/1001", "/couriers", "/audit?per_page=100", "/board/posts", "/ads",
                "/merchants/lanzhou/rules", "/staff/1/api-tokens",
            ] {
                let answer = try await session.call(.get, path, as: .admin)
                #expect(answer.status == 200, "\(path)")
                // No UTC "Z" time anywhere, and every time field has the offset.
                #expect(
                    answer.text.firstMatch(of: /\d\d:\d\d:\d\dZ/) == nil,
                    "\(path) shows a UTC time: \(answer.text.prefix(300))")
                for match in answer.text.matches(of: /"(\w+)":"(\d{4}-[^"]*)"/) {
                    #expect(
                        match.output.2.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00/) != nil,
                        "\(path): \(match.output.1) is \(match.output.2)")
                }
            }
            let couriers = try await session.call(.get, "/couriers", as: .admin)
            #expect(couriers.text.contains(#""position_at":"2026-11-25T12:00:00+08:00""#))
        }
    }

    // MARK: PATCH

    static let soup = """
        {"id": "lamb-soup", "merchant_id": "lanzhou", "name_zh": "羊肉汤", "name_en": "lamb soup", "price_fen": 2800,
         "description_zh": "慢炖四小时", "description_en": "slow-cooked for four hours", "aliases": ["羊汤", "lamb"], "position": 7, "featured": true}
        """

    static func audit(_ session: StaffSession, action: String) async throws -> [[String: Any]] {
        let entries = try #require(
            try await session.call(.get, "/audit?per_page=100", as: .admin).json["items"] as? [[String: Any]])
        return entries.filter { $0["action"] as? String == action }
    }

    @Test func patchingAnAdSoldOutKeepsEverythingElseAndTheAuditShowsOnlyTheChange() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(try await session.call(.post, "/ads", as: .dispatcher, body: Self.soup).status == 201)
            let soldOut = try await session.call(
                .patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"sold_out": true}"#,
                headers: [.contentType: "application/merge-patch+json"])
            #expect(soldOut.status == 200, "\(soldOut.text)")
            let stored = try #require(try await app.dependencies.catalogStore.ad(id: "lamb-soup"))
            #expect(
                stored.item.isSoldOut && stored.item.description.zh == "慢炖四小时" && stored.item.aliases == ["羊汤", "lamb"])
            #expect(stored.item.position == 7 && stored.item.isFeatured && stored.item.price.fen == 2800)
            #expect(
                soldOut.json["description_en"] as? String == "slow-cooked for four hours"
                    && soldOut.json["sold_out"] as? Bool == true)
            let entry = try #require(try await Self.audit(session, action: "ad.update").first)
            #expect(
                entry["before"] as? String == #"{"sold_out":false}"#
                    && entry["after"] as? String == #"{"sold_out":true}"#)

            // null clears what may be empty; a price changes alone.
            let cleared = try await session.call(
                .patch, "/ads/lamb-soup", as: .dispatcher,
                body: #"{"description_zh": null, "aliases": null, "price_fen": 3000}"#)
            #expect(cleared.status == 200)
            let after = try #require(try await app.dependencies.catalogStore.ad(id: "lamb-soup"))
            #expect(after.item.description.zh == "" && after.item.aliases.isEmpty && after.item.price.fen == 3000)
            #expect(
                after.item.description.en == "slow-cooked for four hours" && after.item.isSoldOut
                    && after.item.position == 7)
            let second = try #require(try await Self.audit(session, action: "ad.update").first)
            #expect(
                second["before"] as? String == #"{"aliases":["羊汤","lamb"],"description_zh":"慢炖四小时","price_fen":2800}"#)
            #expect(second["after"] as? String == #"{"aliases":[],"description_zh":"","price_fen":3000}"#)

            // What may not be cleared or changed here is refused, naming it, and nothing changes.
            let required = try await session.call(
                .patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"name_zh": null}"#)
            #expect(required.status == 400 && required.errorMessage == #"missing field "name_zh""#)
            let id = try await session.call(.patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"id": "other"}"#)
            #expect(id.status == 400 && id.errorCode == "read_only")
            #expect(
                try await session.call(
                    .patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"image_url": "https://evil.example/x.png"}"#
                ).errorCode == "read_only")
            #expect(
                try await session.call(.patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"price_fen": 0}"#).status
                    == 400)
            #expect(
                try await session.call(.patch, "/ads/lamb-soup", as: .dispatcher, body: #"{"sold_out": "yes"}"#).status
                    == 400)
            #expect(try await session.call(.patch, "/ads/lamb-soup", as: .dispatcher, body: "[1, 2]").status == 400)
            #expect(
                try await session.call(
                    .patch, "/ads/lamb-soup", as: .dispatcher, body: "{}", headers: [.contentType: "text/plain"]
                ).status == 415)
            #expect(try await session.call(.patch, "/ads/no-such-ad", as: .dispatcher, body: "{}").status == 404)
            #expect(try await session.call(.patch, "/ads/lamb-soup", as: .courier, body: "{}").status == 403)
            #expect(try await app.dependencies.catalogStore.ad(id: "lamb-soup") == after)
            // Changing nothing says so once, not the same text twice.
            #expect(try await session.call(.patch, "/ads/lamb-soup", as: .dispatcher, body: "{}").status == 200)
            let unchanged = try #require(try await Self.audit(session, action: "ad.update").first)
            #expect(unchanged["before"] == nil && unchanged["after"] as? String == "no change")
            // A full PUT is audited the same way: only what differs.
            var put = try #require(try JSONSerialization.jsonObject(with: Data(Self.soup.utf8)) as? [String: Any])
            put["price_fen"] = 3200
            let putBody = String(decoding: try JSONSerialization.data(withJSONObject: put), as: UTF8.self)
            #expect(try await session.call(.put, "/ads/lamb-soup", as: .dispatcher, body: putBody).status == 200)
            let replaced = try #require(try await Self.audit(session, action: "ad.update").first)
            #expect(replaced["before"] as? String == #"{"aliases":[],"description_zh":"","price_fen":3000}"#)
            #expect(
                replaced["after"] as? String == #"{"aliases":["羊汤","lamb"],"description_zh":"慢炖四小时","price_fen":3200}"#)
            #expect(
                try await app.dependencies.catalogStore.ad(id: "lamb-soup")?.item.isSoldOut == true,
                "a PUT keeps the sold-out mark")
        }
    }

    @Test func merchantsRulesAndCouriersChangeInPartWithMaskedPhonesInTheAudit() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let before = try #require(try await app.dependencies.catalogStore.merchant(id: "lanzhou"))
            let merchant = try await session.call(
                .patch, "/merchants/lanzhou", as: .dispatcher, body: #"{"preparation_minutes": 25}"#)
            #expect(merchant.status == 200 && merchant.json["preparation_minutes"] as? Int == 25)
            let after = try #require(try await app.dependencies.catalogStore.merchant(id: "lanzhou"))
            #expect(
                after.merchant.name == before.merchant.name && after.merchant.location == before.merchant.location
                    && after.active == before.active)
            let merchantAudit = try #require(try await Self.audit(session, action: "merchant.update").first)
            #expect(
                merchantAudit["before"] as? String == #"{"preparation_minutes":\#(before.merchant.preparationMinutes)}"#
            )
            #expect(merchantAudit["after"] as? String == #"{"preparation_minutes":25}"#)
            #expect(
                try await session.call(.patch, "/merchants/lanzhou", as: .dispatcher, body: #"{"latitude": null}"#)
                    .status == 400)

            #expect(
                try await session.call(
                    .put, "/merchants/lanzhou/rules", as: .dispatcher,
                    body:
                        #"{"delivery_radius_metres": 3000, "hours": {"mon": [{"opens": "10:00", "closes": "21:00"}], "sun": [{"opens": "10:00", "closes": "14:00"}]}}"#
                ).status == 200)
            let rules = try await session.call(
                .patch, "/merchants/lanzhou/rules", as: .dispatcher,
                body: #"{"minimum_order_fen": 2000, "hours": {"sun": null}}"#)
            #expect(rules.status == 200, "\(rules.text)")
            let stored = try #require(try await app.dependencies.catalogStore.rules(merchantID: "lanzhou"))
            #expect(stored.deliveryRadiusMetres == 3000 && stored.minimumOrder.fen == 2000)
            #expect(stored.hours?[.monday].isEmpty == false && stored.hours?[.sunday].isEmpty == true)
            let rulesAudit = try #require(try await Self.audit(session, action: "merchant.rules").first)
            #expect(
                rulesAudit["before"] as? String
                    == #"{"hours":{"mon":[{"closes":"21:00","opens":"10:00"}],"sun":[{"closes":"14:00","opens":"10:00"}]},"minimum_order_fen":0}"#
            )
            #expect(
                rulesAudit["after"] as? String
                    == #"{"hours":{"mon":[{"closes":"21:00","opens":"10:00"}]},"minimum_order_fen":2000}"#)
            #expect(
                try await session.call(.patch, "/merchants/lanzhou/rules", as: .dispatcher, body: #"{"paused": true}"#)
                    .errorCode == "read_only")

            let renamed = try await session.call(
                .patch, "/couriers/\(courier.id)", as: .admin, body: #"{"name": "王师傅 (早班)", "phone": "13700137000"}"#)
            #expect(
                renamed.status == 200 && renamed.json["name"] as? String == "王师傅 (早班)"
                    && renamed.json["phone"] as? String == "13700137000")
            #expect(try await app.dependencies.couriers.courier(id: courier.id)?.phone == PhoneNumber("13700137000"))
            let courierAudit = try #require(try await Self.audit(session, action: "courier.update").first)
            #expect(courierAudit["before"] as? String == #"{"name":"王师傅","phone":"139****9000"}"#)
            #expect(courierAudit["after"] as? String == #"{"name":"王师傅 (早班)","phone":"137****7000"}"#)
            let audits = try await session.call(.get, "/audit?per_page=100", as: .admin)
            #expect(!audits.text.contains("13700137000") && !audits.text.contains("13900139000"))
            let cleared = try await session.call(
                .patch, "/couriers/\(courier.id)", as: .admin, body: #"{"phone": null}"#)
            #expect(cleared.status == 200 && cleared.json["phone"] == nil)
            #expect(try await app.dependencies.couriers.courier(id: courier.id)?.phone == nil)
            #expect(
                try await session.call(.patch, "/couriers/\(courier.id)", as: .admin, body: #"{"active": false}"#)
                    .errorCode == "read_only")
            #expect(
                try await session.call(.patch, "/couriers/\(courier.id)", as: .admin, body: #"{"phone": "12345"}"#)
                    .status == 400)
            #expect(
                try await session.call(.patch, "/couriers/\(courier.id)", as: .dispatcher, body: #"{"name": "x"}"#)
                    .status == 403)
            #expect(try await session.call(.patch, "/couriers/999", as: .admin, body: #"{"name": "x"}"#).status == 404)
        }
    }

    // MARK: Board moderation

    static func text(_ message: OutgoingMessage?) -> String {
        guard case .text(let text)? = message else { return "" }
        return text
    }

    @Test func heldPostsWaitForReviewAndTheCustomerIsToldSo() async throws {
        let (app, courier) = try await StaffAPITests.app()
        let engine = app.dependencies.engine
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(.get, "/board/settings", as: .dispatcher).json["hold_posts"] as? Bool == false)
            let on = try await session.call(.put, "/board/settings", as: .dispatcher, body: #"{"hold_posts": true}"#)
            #expect(on.status == 200 && on.json["hold_posts"] as? Bool == true)
            let reply = try await engine.handle(
                IncomingChat(
                    customer: "o_rita", createTime: app.clock.now, dedupeKey: "rita-1", input: .text("留言 周末有优惠吗？"))
            ).reply
            #expect(Self.text(reply) == "留言已收到，工作人员审核通过后会显示在留言板上，谢谢！")
            #expect(try await app.dependencies.store.publicBoard(limit: 10).isEmpty, "held: not public")
            let publicPage = try await client.execute(uri: "/board", method: .get)
            #expect(!String(buffer: publicPage.body).contains("周末有优惠吗"))
            let held = try await session.call(.get, "/board/posts?state=held", as: .dispatcher)
            let items = try #require(held.json["items"] as? [[String: Any]])
            let post = try #require(items.first)
            let id = try #require(post["id"] as? Int)
            #expect(items.count == 1 && post["state"] as? String == "held" && post["body"] as? String == "周末有优惠吗？")
            // A post about an order goes to staff only, as before: never held.
            _ = try await engine.handle(
                IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "a-post", input: .text("留言 请放门口")))
            #expect(
                try await app.dependencies.reads.boardPosts(state: "held", orderID: nil, limit: 10, offset: 0).count
                    == 1)

            let approved = try await session.call(.post, "/board/posts/\(id)/approve", as: .dispatcher, body: "{}")
            #expect(approved.status == 200 && approved.json["state"] as? String == "visible")
            #expect(
                try await session.call(.post, "/board/posts/\(id)/approve", as: .dispatcher, body: "{}").errorCode
                    == "not_held")
            #expect(try await app.dependencies.store.publicBoard(limit: 10).map(\.body) == ["周末有优惠吗？"])
            let page = String(buffer: try await client.execute(uri: "/board", method: .get).body)
            #expect(
                page.contains("<time>2026-11-25 12:00</time>") && page.contains("周末有优惠吗？"), "the board shows the date")

            _ = try await engine.handle(
                IncomingChat(
                    customer: "o_sam", createTime: app.clock.now, dedupeKey: "sam-1",
                    input: .text("post buy cheap watches")))
            let spam = try #require(
                try await app.dependencies.reads.boardPosts(state: "held", orderID: nil, limit: 10, offset: 0).first)
            #expect(
                try await session.call(.post, "/board/posts/\(spam.post.id)/reject", as: .dispatcher, body: "{}").status
                    == 400)
            let rejected = try await session.call(
                .post, "/board/posts/\(spam.post.id)/reject", as: .dispatcher, body: #"{"reason": "advertising"}"#)
            #expect(
                rejected.status == 200 && rejected.json["state"] as? String == "rejected"
                    && rejected.json["reason"] as? String == "advertising")
            #expect(try await app.dependencies.store.publicBoard(limit: 10).map(\.body) == ["周末有优惠吗？"])

            let off = try await session.call(
                .patch, "/board/settings", as: .dispatcher, body: #"{"hold_posts": false}"#)
            #expect(off.status == 200 && off.json["hold_posts"] as? Bool == false)
            let direct = try await engine.handle(
                IncomingChat(customer: "o_tom", createTime: app.clock.now, dedupeKey: "tom-1", input: .text("留言 好吃"))
            ).reply
            #expect(Self.text(direct) == "留言已发布到留言板，谢谢！")
            #expect(try await app.dependencies.store.publicBoard(limit: 10).count == 2)
            let settingsAudit = try await Self.audit(session, action: "board.settings")
            #expect(settingsAudit.count == 2 && settingsAudit.last?["after"] as? String == #"{"hold_posts":true}"#)
            #expect(try await Self.audit(session, action: "board.approve").count == 1)
            #expect(try await Self.audit(session, action: "board.reject").count == 1)
        }
    }

    @Test func theStoreHoldsAPublicPostWheneverTheSettingIsOnWhateverTheReplyAssumed() async throws {
        let app = try await TestApp.make()
        let store = app.dependencies.store
        try await store.setBoardHoldsPosts(
            true, now: app.clock.now,
            audit: AuditEntry(actorID: nil, actor: "t", role: "admin", action: "board.settings", target: "board", at: 1)
        )
        try await store.commit(
            UnitOfWork(
                customer: "o_x", now: app.clock.now,
                posts: [NewBoardPost(customer: "o_x", orderID: nil, body: "hi", createdAt: app.clock.now)]))
        await store.flush()
        #expect(try await app.dependencies.reads.publicBoard(limit: 5).isEmpty)
        #expect(
            try await app.dependencies.reads.boardPosts(state: "held", orderID: nil, limit: 5, offset: 0).map(
                \.post.body) == ["hi"])
        await app.shutdown()
    }

    @Test func theConsoleBoardTogglesReviewAndOffersApproveAndReject() async throws {
        let (app, _, _) = try await ConsoleTests.app()
        try await app.dependencies.store.setBoardHoldsPosts(
            true, now: app.clock.now,
            audit: AuditEntry(actorID: nil, actor: "t", role: "admin", action: "board.settings", target: "board", at: 1)
        )
        _ = try await app.dependencies.engine.handle(
            IncomingChat(
                customer: "o_rita", createTime: app.clock.now, dedupeKey: "r",
                input: .text("留言 <img src=x onerror=alert(1)>")))
        try await app.live { client in
            let browser = ConsoleTests.Browser(client)
            _ = try await browser.signIn("dispatcher1", StaffSession.password)
            let page = try await browser.request("/console/board")
            #expect(page.status == 200)
            #expect(
                page.text.contains("data-api=\"/api/v1/board/settings\" data-method=\"PUT\"")
                    && page.text.contains("name=\"hold_posts\" value=\"false\" data-bool"))
            #expect(
                page.text.contains("待审核 Awaiting review") && page.text.contains("/approve\"")
                    && page.text.contains("/reject\""))
            #expect(page.text.contains("<time>2026-11-25 12:00</time>"))
            #expect(!page.text.contains("<img src=x") && page.text.contains("&lt;img src=x"))
        }
    }
}
