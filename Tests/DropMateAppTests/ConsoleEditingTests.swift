import DropMateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The console's editing screens (ads with their image, a shop's rules, a staff member's WeChat notices) and the
/// board's ring: pages render what the API stored, labelled and escaped, behind the same policy; the live browser
/// flow (typing, uploading, the sound switch) runs in scripts/console-e2e.
@Suite struct ConsoleEditingTests {
    typealias Browser = ConsoleTests.Browser

    func signedIn(_ client: any TestClientProtocol, as username: String) async throws -> (Browser, String) {
        let browser = Browser(client)
        #expect(try await browser.signIn(username, StaffSession.password).status == 303)
        let board = try await browser.request("/console")
        return (browser, try #require(browser.csrf(from: board)))
    }

    /// API tokens for the accounts `ConsoleTests.app()` made.
    func apiSession(_ client: any TestClientProtocol) async throws -> StaffSession {
        var session = StaffSession(client: client)
        for role in [StaffRole.admin, .dispatcher] {
            let login = try await session.call(
                .post, "/auth/login",
                body: #"{"username": "\#(role.rawValue)1", "password": "\#(StaffSession.password)"}"#)
            session.tokens[role] = try #require(login.json["token"] as? String)
        }
        return session
    }

    @Test func adsArePagesOfLabelledFieldsWithTheStoredValuesEscaped() async throws {
        let (app, _, _) = try await ConsoleTests.app()
        try await app.live { client in
            let session = try await apiSession(client)
            let saved = try await session.call(
                .put, "/ads/beef-noodles", as: .dispatcher,
                body: """
                    {"id": "beef-noodles", "merchant_id": "lanzhou", "name_zh": "牛肉面", "name_en": "<b>beef</b> noodles", "price_fen": 1950,
                     "description_zh": "<script>x()</script>手工拉面", "aliases": ["拉面"], "position": 3, "featured": true, "starts_at": "2026-11-25T10:00:00+08:00"}
                    """)
            #expect(saved.status == 200, "\(saved.text)")
            let (browser, _) = try await signedIn(client, as: "dispatcher1")
            let list = try await browser.request("/console/ads")
            #expect(
                list.status == 200 && list.text.contains("href=\"/console/ads/beef-noodles\"")
                    && list.text.contains("¥19.50"))
            #expect(list.text.contains("&lt;b&gt;beef&lt;/b&gt;") && !list.text.contains("<b>beef</b>"))
            let page = try await browser.request("/console/ads/beef-noodles")
            #expect(page.status == 200 && page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            for label in [
                "for=\"ad-price\"", "for=\"ad-name-zh\"", "for=\"ad-name-en\"", "for=\"ad-aliases\"",
                "for=\"ad-starts\"", "for=\"ad-image\"",
            ] {
                #expect(page.text.contains(label), "labelled: \(label)")
            }
            #expect(
                page.text.contains("value=\"19.50\"") && page.text.contains("value=\"拉面\"")
                    && page.text.contains("value=\"2026-11-25T10:00\""))
            #expect(page.text.contains("&lt;script&gt;x()&lt;/script&gt;手工拉面") && !page.text.contains("<script>x()"))
            #expect(
                page.text.contains("data-json-api=\"/api/v1/ads/beef-noodles\" data-method=\"PUT\"")
                    && page.text.contains("data-offset=\"+08:00\""))
            #expect(page.text.contains("data-upload=\"/api/v1/ads/beef-noodles/image\""))
            #expect(
                try await browser.request("/console/ads/new").text.contains(
                    "data-json-api=\"/api/v1/ads\" data-method=\"POST\""))
            #expect(try await browser.request("/console/ads/no-such-ad").status == 404)
            let script = try await browser.request("/console/assets/console-forms.js")
            #expect(
                script.status == 200 && script.headers[.contentType]?.hasPrefix("text/javascript") == true
                    && script.text.contains("data-rules-api"))
        }
    }

    @Test func aShopsRulesPageShowsWhatTheAPIStored() async throws {
        let (app, _, _) = try await ConsoleTests.app()
        try await app.live { client in
            let session = try await apiSession(client)
            let rules = try await session.call(
                .put, "/merchants/lanzhou/rules", as: .dispatcher,
                body: """
                    {"hours": {"mon": [{"opens": "10:00", "closes": "14:00"}, {"opens": "17:00", "closes": "21:30"}], "sat": [{"opens": "22:00", "closes": "02:00"}]},
                     "delivery_radius_metres": 3000, "minimum_order_fen": 2000, "delivery_fee": {"bands": [{"up_to_metres": 2000, "fee_fen": 300}, {"fee_fen": 600}]},
                     "preparation_minutes": 25, "accepts_orders_for_later": true}
                    """)
            #expect(rules.status == 200, "\(rules.text)")
            let (browser, _) = try await signedIn(client, as: "dispatcher1")
            let list = try await browser.request("/console/merchants")
            #expect(list.text.contains("href=\"/console/merchants/lanzhou\"") && list.text.contains("半径 radius 3000 m"))
            let page = try await browser.request("/console/merchants/lanzhou")
            #expect(page.status == 200)
            #expect(page.text.contains("id=\"hours-mon\" data-day=\"mon\" value=\"10:00-14:00, 17:00-21:30\""))
            #expect(
                page.text.contains("id=\"hours-sat\" data-day=\"sat\" value=\"22:00-02:00\"")
                    && page.text.contains("id=\"hours-tue\" data-day=\"tue\" value=\"\""))
            #expect(
                page.text.contains("id=\"radius\" name=\"delivery_radius_metres\" inputmode=\"numeric\" value=\"3000\"")
            )
            #expect(page.text.contains("value=\"20.00\"") && page.text.contains("value=\"25\""))
            #expect(
                page.text.contains("id=\"fee-bands\" value=\"bands\" checked")
                    && page.text.contains("id=\"band-up-0\" data-band-up=\"0\" inputmode=\"numeric\" value=\"2000\""))
            #expect(
                page.text.contains("id=\"band-fee-1\" data-band-fee=\"1\" inputmode=\"decimal\" value=\"6.00\"")
                    && page.text.contains("id=\"later\" name=\"accepts_orders_for_later\" checked"))
            #expect(!page.text.contains("data-always-open checked"), "hours are set")
            #expect(page.text.contains("<label for=\"hours-mon\">") && page.text.contains("<label for=\"radius\">"))
            #expect(try await browser.request("/console/merchants/nowhere").status == 404)
        }
    }

    @Test func theMePageOffersACodeAndTheSubscriptionsAndTheBoardMarksCardsThatRing() async throws {
        let (app, _, _) = try await ConsoleTests.app()
        try await app.live { client in
            let (browser, csrf) = try await signedIn(client, as: "dispatcher1")
            let me = try #require(try await app.dependencies.staff.account(username: "dispatcher1")?.account)
            let page = try await browser.request("/console/me")
            #expect(
                page.text.contains("data-api=\"/api/v1/staff/\(me.id)/binding-code\" data-show=\"code\"")
                    && page.text.contains("未绑定 Not bound"))
            #expect(
                page.text.contains("data-json-api=\"/api/v1/staff/\(me.id)/subscriptions\"")
                    && page.text.contains("id=\"notify-orders\" name=\"notify_orders\" data-kind=\"bool\">"))
            // The page's own calls: a code with the cookie and CSRF token; the subscriptions switched on.
            let code = try await browser.request(
                "/api/v1/staff/\(me.id)/binding-code", method: .post,
                headers: [.csrfToken: csrf, .contentType: "application/json"], body: "{}")
            #expect(code.status == 201 && code.text.contains("\"code\""))
            let put = try await browser.request(
                "/api/v1/staff/\(me.id)/subscriptions", method: .put,
                headers: [.csrfToken: csrf, .contentType: "application/json"],
                body: #"{"notify_orders": true, "notify_reports": false}"#)
            #expect(put.status == 200)
            #expect(
                try await browser.request("/console/me").text.contains(
                    "id=\"notify-orders\" name=\"notify_orders\" data-kind=\"bool\" checked>"))
            let noToken = try await browser.request(
                "/api/v1/staff/\(me.id)/subscriptions", method: .put, headers: [.contentType: "application/json"],
                body: #"{"notify_orders": false, "notify_reports": false}"#)
            #expect(noToken.status == 401 || noToken.status == 403)

            // Order #1001 is dispatched (no ring); a new confirmed order's card rings, an unconfirmed one does not.
            let board = try await browser.request("/console")
            #expect(board.text.contains("id=\"sound-toggle\"") && board.text.contains("data-ring=\"0\""))
            for (index, text) in ["1 份奶茶", "13900001111", "确认"].enumerated() {
                _ = try await app.dependencies.engine.handle(
                    IncomingChat(
                        customer: "o_new", createTime: app.clock.now, dedupeKey: "n\(index)", input: .text(text)))
                if index == 0 {
                    _ = try await app.dependencies.engine.handle(
                        IncomingChat(
                            customer: "o_new", createTime: app.clock.now, dedupeKey: "nloc",
                            input: .location(Coordinate(latitude: 31.2243, longitude: 121.4805), label: "人民广场")))
                }
                guard index > 0 else { continue }  // the order exists from its summary on
                let card = try await browser.request("/console/board/cards/1002")
                #expect(
                    card.text.contains(index == 2 ? "data-ring=\"1\"" : "data-ring=\"0\""),
                    "step \(index): \(card.text.prefix(300))")
            }
        }
    }
}
