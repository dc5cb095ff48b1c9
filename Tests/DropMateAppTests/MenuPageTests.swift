import DropMateCore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The menu page: a signed link per customer, photos, prices and sold-out marks, and a cart form that becomes the
/// chat's draft once, checked against the link, its token, the catalog and the rules, never trusting a price.
@Suite struct MenuPageTests {
    /// The menu link the chat sends `customer` on "菜单", as a path.
    static func menuPath(_ app: TestApp, customer: String = "o_a", text: String = "菜单") async throws -> String {
        guard
            case .text(let said)? = try await app.dependencies.engine.handle(
                IncomingChat(
                    customer: customer, createTime: app.clock.now, dedupeKey: "\(customer)-\(text)-\(app.clock.now)",
                    input: .text(text))
            ).reply,
            let range = said.range(
                of: #"/menu\?c=[A-Za-z0-9_-]+&exp=[0-9]+&sig=[0-9a-f]+&lang=[a-z]+"#, options: .regularExpression)
        else {
            throw Missing(what: "a menu link in the reply to \(text)")
        }
        return String(said[range])
    }

    struct Missing: Error { var what: String }

    /// The hidden fields of `merchant`'s form on the page.
    static func form(_ html: String, merchant: String) throws -> (nonce: String, token: String) {
        guard let form = html.range(of: "name=\"m\" value=\"\(merchant)\"") else {
            throw Missing(what: "\(merchant)'s form")
        }
        func hidden(_ name: String) throws -> String {
            guard let start = html.range(of: "name=\"\(name)\" value=\"", range: form.upperBound..<html.endIndex) else {
                throw Missing(what: name)
            }
            return String(html[start.upperBound...].prefix { $0 != "\"" })
        }
        return (try hidden("nonce"), try hidden("token"))
    }

    static func post(
        _ client: some TestClientProtocol, _ path: String, _ body: String, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        fields.append(contentsOf: headers)
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    func pushes(_ app: TestApp) async throws -> [PushJob] {
        try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }
    }

    @Test func theChatSendsASignedMenuLinkThatShowsPhotosPricesAndSoldOutMarksInOneLanguage() async throws {
        let app = try await TestApp.make()
        try await AdPageTests().upload(
            app, key: "ads/beef-noodles-0a1b2c3d.png",
            pictureURL: "https://dropmate.example/media/ads/beef-noodles-0a1b2c3d.png")
        _ = try await app.dependencies.catalogStore.setSoldOut(
            true, adID: "tea-egg", now: app.clock.now, audit: AdPageTests().audit(app, "ad.sold_out"))
        try await app.dependencies.engine.reloadCatalog()
        let path = try await Self.menuPath(app)
        #expect(!path.contains("o_a"), "the OpenID is sealed, not shown")
        try await app.live { (client: any TestClientProtocol) async throws in
            let page = try await client.execute(uri: path, method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            PageSecurityTests.expectSecurityHeaders(page, "menu page")
            #expect(html.contains("<img class=\"photo\" src=\"/media/ads/beef-noodles-0a1b2c3d.png\" alt=\"牛肉面\""))
            #expect(
                html.contains("¥18.00") && html.contains("已卖完") && !html.contains("name=\"q.tea-egg\""),
                "sold out: marked, and no quantity to choose")
            #expect(html.contains("name=\"q.beef-noodles\"") && !html.contains("Sold out") && !html.contains("<script"))
            let english = String(
                buffer: try await client.execute(
                    uri: path.replacingOccurrences(of: "lang=zh", with: "lang=en"), method: .get
                ).body)
            #expect(english.contains("beef noodles") && english.contains("Sold out") && !english.contains("牛肉面"))
        }
    }

    @Test func aForgedExpiredOrAnotherCustomersLinkOpensNothing() async throws {
        let app = try await TestApp.make()
        let path = try await Self.menuPath(app)
        let links = MenuLinks(secret: app.dependencies.config.linkSecret, baseURL: "")
        try await app.live { (client: any TestClientProtocol) async throws in
            #expect(try await client.execute(uri: "/menu", method: .get).status == .badRequest)
            let forged = path.replacingOccurrences(
                of: #"sig=[0-9a-f]+"#, with: "sig=00000000000000000000000000000000", options: .regularExpression)
            #expect(try await client.execute(uri: forged, method: .get).status == .forbidden)
            // A sealed customer of someone else's making, signed correctly, still names nobody.
            let garbage = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            let signed =
                "/menu?c=\(garbage)&exp=\(app.clock.now + 60)&sig=\(links.signer.signature(purpose: MenuLinks.purpose, id: garbage, expires: app.clock.now + 60))"
            #expect(try await client.execute(uri: signed, method: .get).status == .forbidden)
            app.clock.advance(3 * 3600)
            #expect(try await client.execute(uri: path, method: .get).status == .gone)
        }
        #expect(
            links.customer(links.seal("o_a")) == "o_a" && links.seal("o_a") == links.seal("o_a")
                && links.seal("o_a") != links.seal("o_b"))
    }

    @Test func aCartBecomesTheDraftOnceAndTheChatAsksForWhatIsMissing() async throws {
        let app = try await TestApp.make()
        let path = try await Self.menuPath(app)
        try await app.live { (client: any TestClientProtocol) async throws in
            let html = String(buffer: try await client.execute(uri: path, method: .get).body)
            let (nonce, token) = try Self.form(html, merchant: "lanzhou")
            // A price in the form is not a field the page reads: the catalog's price stands.
            let body =
                "m=lanzhou&nonce=\(nonce)&token=\(token)&q.beef-noodles=2&q.milk-tea=1&q.tea-egg=0&price=1&total=0.01"
            let sent = try await Self.post(client, path, body)
            #expect(sent.status == .ok && String(buffer: sent.body).contains("已加入订单"))
            let state = try await app.dependencies.store.load(customer: "o_a", dedupeKey: nil).state
            #expect(state?.draft?.lines.map(\.quantity) == [2, 1] && state?.draft?.total == Money(fen: 4800))
            let chat = try await pushes(app).filter { $0.openID == "o_a" }
            #expect(chat.count == 1)
            guard case .text(let said)? = chat.first?.message else { Issue.record("no push into the chat"); return }
            #expect(said.contains("牛肉面 ×2") && said.contains("¥48.00") && said.contains("请发送送餐地址"))
            // The same form again (a double tap, a reload): one cart, one push.
            let again = try await Self.post(client, path, body)
            #expect(again.status == .ok && String(buffer: again.body).contains("没有重复下单"))
            #expect(try await pushes(app).filter { $0.openID == "o_a" }.count == 1)
            // The chat carries on from the draft.
            guard
                case .text(let reply)? = try await app.dependencies.engine.handle(
                    IncomingChat(
                        customer: "o_a", createTime: app.clock.now, dedupeKey: "addr", input: .text("黄浦区人民大道200号"))
                ).reply
            else {
                Issue.record("no reply"); return
            }
            #expect(reply.contains("手机号"))
        }
    }

    @Test func aFormFromAnotherSiteOrWithABadTokenOrBadItemsIsRefusedWithAClearError() async throws {
        let app = try await TestApp.make()
        let path = try await Self.menuPath(app)
        let otherPath = try await Self.menuPath(app, customer: "o_b")
        try await app.live { (client: any TestClientProtocol) async throws in
            let html = String(buffer: try await client.execute(uri: path, method: .get).body)
            let (nonce, token) = try Self.form(html, merchant: "lanzhou")
            let good = "m=lanzhou&nonce=\(nonce)&token=\(token)"
            let crossSite = try await Self.post(
                client, path, good + "&q.beef-noodles=1", headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            #expect(
                try await Self.post(
                    client, path, "m=lanzhou&nonce=\(nonce)&token=\(String(repeating: "0", count: 64))&q.beef-noodles=1"
                ).status == .forbidden)
            #expect(
                try await Self.post(client, otherPath, good + "&q.beef-noodles=1").status == .forbidden,
                "a token works only with the link it was made for")
            let refusals: [(String, HTTPResponse.Status, String)] = [
                (good + "&q.pork-dumplings=1", .badRequest, "不在这家店的菜单上"),
                (good + "&q.no-such-item=1", .badRequest, "不在这家店的菜单上"),
                (good + "&q.beef-noodles=21", .badRequest, "最多 20 份"),
                (good + "&q.beef-noodles=-1", .badRequest, "整数"),
                (good + "&q.beef-noodles=1.5", .badRequest, "整数"),
                (good + "&q.beef-noodles=0", .badRequest, "至少选一样"),
                (good + "&q.beef-noodles=1&q.beef-noodles=2", .badRequest, "无法读取"),
                ("m=nowhere&nonce=\(nonce)&token=\(token)&q.beef-noodles=1", .badRequest, "不在菜单上"),
            ]
            for (body, status, says) in refusals {
                let response = try await Self.post(client, path, body)
                #expect(response.status == status, "\(body)")
                #expect(String(buffer: response.body).contains(says), "\(body)")
            }
            let huge = try await Self.post(client, path, good + "&x=" + String(repeating: "a", count: 20_000))
            #expect(huge.status == .contentTooLarge)
            #expect(
                try await app.dependencies.store.load(customer: "o_a", dedupeKey: nil).state?.draft == nil,
                "nothing refused reached the chat")
            #expect(try await pushes(app).isEmpty)
        }
    }

    @Test func theRulesRefuseACartFromAPageOpenedBeforeTheShopPausedOrSoldOut() async throws {
        let app = try await TestApp.make()
        let path = try await Self.menuPath(app)
        try await app.live { (client: any TestClientProtocol) async throws in
            let html = String(buffer: try await client.execute(uri: path, method: .get).body)
            let (nonce, token) = try Self.form(html, merchant: "lanzhou")
            _ = try await app.dependencies.catalogStore.setSoldOut(
                true, adID: "tea-egg", now: app.clock.now, audit: AdPageTests().audit(app, "ad.sold_out"))
            try await app.dependencies.engine.reloadCatalog()
            let sold = try await Self.post(client, path, "m=lanzhou&nonce=\(nonce)&token=\(token)&q.tea-egg=1")
            #expect(sold.status == .conflict && String(buffer: sold.body).contains("茶叶蛋卖完了"))
            try await app.dependencies.catalogStore.setPause(
                .untilResumed, merchantID: "lanzhou", now: app.clock.now,
                audit: AdPageTests().audit(app, "merchant.pause"))
            try await app.dependencies.engine.reloadCatalog()
            let paused = try await Self.post(client, path, "m=lanzhou&nonce=\(nonce)&token=\(token)&q.beef-noodles=1")
            #expect(paused.status == .conflict && String(buffer: paused.body).contains("暂停接单"))
            let page = String(buffer: try await client.execute(uri: path, method: .get).body)
            #expect(!page.contains("name=\"m\" value=\"lanzhou\""), "a paused shop's items show without a form")
            #expect(try await pushes(app).isEmpty)
        }
    }

    @Test func reorderOnTheTrackingPagePutsTheOrderInTheChatOnceAndOnlyForItsCustomer() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        _ = try await engine.deliver(orderID: 1001, asCourier: courier.id)
        let delivered = try #require(try await engine.order(id: 1001))
        let path = try #require(app.dependencies.renderer.trackingLink(delivered)).replacingOccurrences(
            of: "https://dropmate.example", with: "")
        try await app.live { (client: any TestClientProtocol) async throws in
            let html = String(buffer: try await client.execute(uri: path, method: .get).body)
            guard let actionStart = html.range(of: "action=\"")?.upperBound else { Issue.record("no form"); return }
            let action = String(html[actionStart...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            func hidden(_ name: String) -> String {
                guard let start = html.range(of: "name=\"\(name)\" value=\"")?.upperBound else { return "" }
                return String(html[start...].prefix { $0 != "\"" })
            }
            let body = "nonce=\(hidden("nonce"))&token=\(hidden("token"))"
            let before = try await pushes(app).count
            #expect(
                try await Self.post(
                    client, action, "nonce=\(hidden("nonce"))&token=\(String(repeating: "0", count: 64))"
                ).status == .forbidden)
            #expect(
                try await Self.post(client, action.replacingOccurrences(of: "/track/1001/", with: "/track/1002/"), body)
                    .status == .forbidden,
                "the signature names order 1001 only")
            let tapped = try await Self.post(client, action, body)
            #expect(tapped.status == .ok && String(buffer: tapped.body).contains("按订单 #1001 再来一单"))
            let again = try await Self.post(client, action, body)
            #expect(again.status == .ok && String(buffer: again.body).contains("没有重复下单"))
            let chat = try await pushes(app).dropFirst(before).filter { $0.openID == delivered.customer }
            #expect(chat.count == 1, "one push into the chat for two taps")
            guard case .text(let said)? = chat.first?.message else { Issue.record("no push"); return }
            #expect(
                said.contains("按订单 #1001 再来一单") && said.contains("订单 #1002"),
                "the same items, address and phone: a new order to confirm")
            #expect(try await engine.order(id: 1002)?.status == .awaitingConfirmation)
        }
    }
}
