import DropMateCore
import DropMateStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The staff REST API: roles, audit, idempotency, tokens, PII, ad images, the OpenAPI document.
@Suite struct StaffAPITests {
    /// An app with order #1001 (o_a) dispatched to courier #1, and a board post about it.
    static func app(logger: Logger? = nil, extra: [String: String] = [:]) async throws -> (TestApp, Courier) {
        let app = try await TestApp.make(extra: extra, logger: logger)
        let (courier, _) = try await CourierFlowTests.dispatchedOrder(app)
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "post", input: .text("留言 面很好吃")))
        return (app, courier)
    }

    static func concrete(_ endpoint: APIEndpoint) -> String {
        let id =
            endpoint.path.hasPrefix("/merchants")
            ? "lanzhou"
            : endpoint.path.hasPrefix("/ads") ? "beef-noodles" : endpoint.path.hasPrefix("/staff") ? "1" : "1001"
        return endpoint.path.replacingOccurrences(of: ":id", with: id)
    }

    @Test func everyEndpointAdmitsExactlyItsRolesAndNobodyWithoutCredentials() async throws {
        let (app, courier) = try await Self.app()
        let endpoints = app.dependencies.staffAPI.add(to: Router())
        #expect(endpoints.count >= 30)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            for endpoint in endpoints where !endpoint.roles.isEmpty {
                let method = HTTPRequest.Method(endpoint.method)!
                let path = Self.concrete(endpoint)
                let anonymous = try await session.call(method, path, body: "{}")
                #expect(anonymous.status == 401, "\(endpoint.method) \(path) without credentials")
                for role in [StaffRole.courier, .dispatcher, .admin] {
                    let answer = try await session.call(method, path, as: role, body: "{}")
                    if endpoint.roles.contains(role) {
                        #expect(
                            answer.errorCode != "forbidden" && answer.status != 401 && answer.status < 500,
                            "\(role) may \(endpoint.method) \(path): got \(answer.status) \(answer.text)")
                    } else {
                        #expect(
                            answer.status == 403 && answer.errorCode == "forbidden",
                            "\(role) must not \(endpoint.method) \(path): got \(answer.status)")
                    }
                }
            }
        }
    }

    @Test func everyWriteIsAuditedWithWhoAndWhat() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(
                    .post, "/merchants", as: .dispatcher,
                    body:
                        #"{"id": "tea-house", "name_zh": "茶馆", "name_en": "Tea House", "latitude": 31.2, "longitude": 121.4, "preparation_minutes": 5}"#
                ).status == 201)
            #expect(
                try await session.call(
                    .post, "/ads", as: .dispatcher,
                    body:
                        #"{"id": "green-tea", "merchant_id": "tea-house", "name_zh": "绿茶", "name_en": "green tea", "price_fen": 800}"#
                ).status == 201)
            #expect(
                try await session.call(
                    .put, "/ads/green-tea", as: .dispatcher,
                    body:
                        #"{"id": "green-tea", "merchant_id": "tea-house", "name_zh": "绿茶", "name_en": "green tea", "price_fen": 900}"#
                ).status == 200)
            #expect(try await session.call(.post, "/couriers", as: .admin, body: #"{"name": "Li"}"#).status == 201)
            #expect(
                try await session.call(
                    .post, "/orders/1001/cancel", as: .dispatcher, body: #"{"reason": "shop closed"}"#
                ).status == 200)
            #expect(
                try await session.call(.post, "/board/posts/1/hide", as: .dispatcher, body: #"{"reason": "spam"}"#)
                    .status == 200)
            #expect(
                try await session.call(.post, "/board/posts/1/replies", as: .dispatcher, body: #"{"body": "谢谢！"}"#)
                    .status == 201)
            #expect(try await session.call(.delete, "/ads/green-tea", as: .admin).status == 204)
            let audit = try await session.call(.get, "/audit?per_page=100", as: .admin)
            let entries = try #require(audit.json["items"] as? [[String: Any]])
            let actions = Set(entries.compactMap { $0["action"] as? String })
            for action in [
                "merchant.create", "ad.create", "ad.update", "courier.create", "order.cancel", "board.hide",
                "board.reply", "ad.delete", "staff.create",
            ] {
                #expect(actions.contains(action), "no audit entry for \(action)")
            }
            let cancel = try #require(entries.first { $0["action"] as? String == "order.cancel" })
            #expect(cancel["actor"] as? String == "dispatcher1" && cancel["target"] as? String == "order:1001")
            #expect(
                cancel["before"] as? String == "dispatched, courier 1"
                    && cancel["after"] as? String == "cancelled: shop closed")
            #expect(!audit.text.contains("13800138000"), "no phone numbers in the audit log")
            #expect(try await session.call(.get, "/audit", as: .dispatcher).status == 403)
        }
    }

    @Test func theAuditLogRefusesUpdatesAndDeletes() async throws {
        let app = try await TestApp.make()
        try await app.dependencies.staff.append(
            AuditEntry(actorID: nil, actor: "t", role: "admin", action: "x", target: "y", at: 1))
        let backend = app.dependencies.backend
        await #expect(throws: (any Error).self) {
            try await backend.transaction { db in try await db.raw("UPDATE audit_log SET actor = 'mallory'").run() }
        }
        await #expect(throws: (any Error).self) {
            try await backend.transaction { db in try await db.raw("DELETE FROM audit_log").run() }
        }
        #expect(try await app.dependencies.staff.audit(limit: 10, beforeID: nil).first?.entry.actor == "t")
        await app.shutdown()
    }

    @Test func aRepeatedIdempotencyKeyReplaysTheFirstAnswerAndADifferentRequestIsRefused() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let key: HTTPFields = [.idempotencyKey: "add-li-1"]
            // With a phone number: a courier nothing can reach would be refused the dispatch below.
            let first = try await session.call(
                .post, "/couriers", as: .admin, body: #"{"name": "Li", "phone": "13700137000"}"#, headers: key)
            let again = try await session.call(
                .post, "/couriers", as: .admin, body: #"{"name": "Li", "phone": "13700137000"}"#, headers: key)
            #expect(first.status == 201 && again.status == 201 && again.text == first.text)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(
                try await app.dependencies.couriers.all().count == 2,
                "one courier from the fixture, one from the two calls")
            let other = try await session.call(.post, "/couriers", as: .admin, body: #"{"name": "Wang"}"#, headers: key)
            #expect(other.status == 422 && other.errorCode == "idempotency_key_reused")
            // Another staff member's key is theirs alone.
            let merchant =
                #"{"id": "tea-house", "name_zh": "茶馆", "name_en": "Tea House", "latitude": 31.2, "longitude": 121.4, "preparation_minutes": 5}"#
            #expect(
                try await session.call(.post, "/merchants", as: .dispatcher, body: merchant, headers: key).status == 201
            )
            // A dispatch repeated with its key changes nothing and answers the same.
            let dispatch: HTTPFields = [.idempotencyKey: "dispatch-1001"]
            let sent = try await session.call(
                .post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": 2}"#, headers: dispatch)
            let replay = try await session.call(
                .post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": 2}"#, headers: dispatch)
            #expect(sent.status == 200 && replay.text == sent.text)
        }
    }

    @Test func accessTokensExpireRefreshTokensWorkOnceAndGuessingIsSlowedDown() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            var session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let login = try await session.call(
                .post, "/auth/login", body: #"{"username": "admin1", "password": "\#(StaffSession.password)"}"#)
            let refresh = try #require(login.json["refresh_token"] as? String)
            #expect(login.json["expires_in"] as? Int == 900)
            #expect(try await session.call(.get, "/auth/me", as: .admin).json["username"] as? String == "admin1")
            app.clock.advance(16 * 60)
            #expect(try await session.call(.get, "/auth/me", as: .admin).status == 401, "a 15-minute token has expired")
            let renewed = try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
            session.tokens[.admin] = try #require(renewed.json["token"] as? String)
            #expect(try await session.call(.get, "/auth/me", as: .admin).status == 200)
            #expect(
                try await session.call(.post, "/auth/refresh", body: #"{"refresh_token": "\#(refresh)"}"#).status
                    == 401, "a refresh token works once")
            #expect(
                try await session.call(.get, "/auth/me", token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.").status == 401,
                "alg none is refused")
            for _ in 0..<10 {
                #expect(
                    try await session.call(.post, "/auth/login", body: #"{"username": "admin1", "password": "wrong"}"#)
                        .errorCode == "invalid_credentials")
            }
            #expect(
                try await session.call(
                    .post, "/auth/login", body: #"{"username": "admin1", "password": "\#(StaffSession.password)"}"#
                ).status == 429)
            #expect(
                try await session.call(.post, "/auth/login", body: #"{"username": "nobody", "password": "x"}"#).status
                    == 401)
        }
    }

    @Test func apiTokensLetAutomationIn() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let issued = try await session.call(
                .post, "/staff/2/api-tokens", as: .admin, body: #"{"name": "dispatch robot"}"#)
            let token = try #require(issued.json["token"] as? String)
            #expect(token.hasPrefix("dms_"))
            #expect(try await session.call(.get, "/orders", token: token).status == 200)
            #expect(
                try await session.call(.get, "/staff", token: token).status == 403,
                "the token has its account's role (dispatcher)")
        }
    }

    @Test func ordersAreFilteredPagedAndMaskedByRole() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let dispatched = try await session.call(.get, "/orders?status=dispatched&per_page=5", as: .dispatcher)
            let items = try #require(dispatched.json["items"] as? [[String: Any]])
            #expect(
                items.count == 1 && dispatched.json["total"] as? Int == 1
                    && items[0]["phone"] as? String == "138****8000")
            #expect(
                try await session.call(.get, "/orders?status=delivered", as: .dispatcher).json["total"] as? Int == 0)
            let admin = try await session.call(.get, "/orders/1001", as: .admin)
            #expect((admin.json["order"] as? [String: Any])?["phone"] as? String == "13800138000")
            #expect(
                ((admin.json["history"] as? [[String: Any]])?.compactMap { $0["status"] as? String }) == [
                    "awaiting_confirmation", "confirmed", "dispatched",
                ])
            #expect(try await session.call(.get, "/orders?status=lost", as: .dispatcher).errorCode == "invalid_request")
            #expect(try await session.call(.get, "/orders?from=2026-11-26", as: .dispatcher).json["total"] as? Int == 0)
            #expect(
                try await session.call(.get, "/orders?from=2026-11-25&to=2026-11-26", as: .dispatcher).json["total"]
                    as? Int == 1)
            #expect(try await session.call(.get, "/orders?per_page=1000", as: .dispatcher).status == 400)
            #expect(
                try await session.call(.get, "/customers?order_id=1001", as: .dispatcher).json["phone"] as? String
                    == "138****8000")
            // The courier sees their own delivery whole and can mark it delivered; nobody else's.
            let mine = try await session.call(.get, "/courier/deliveries", as: .courier)
            #expect(((mine.json["items"] as? [[String: Any]])?.first?["phone"] as? String) == "13800138000")
            #expect(
                try await session.call(.post, "/orders/1001/deliver", as: .courier).json["status"] as? String
                    == "delivered")
            let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind).map {
                try PushJob(payload: $0.payload)
            }
            #expect(pushes.contains { $0.event?.event == .delivered }, "the customer is told")
        }
    }

    @Test func aBoardReplyIsPushedToTheCustomerAndHiddenPostsLeaveThePublicBoard() async throws {
        let (app, courier) = try await Self.app()
        _ = try await app.dependencies.engine.handle(
            IncomingChat(customer: "o_b", createTime: app.clock.now, dedupeKey: "public", input: .text("留言 大家好")))
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let posts = try await session.call(.get, "/board/posts?state=visible", as: .dispatcher)
            #expect((posts.json["items"] as? [[String: Any]])?.count == 2)
            #expect(
                try await session.call(.post, "/board/posts/2/replies", as: .dispatcher, body: #"{"body": "欢迎！"}"#)
                    .status == 201)
            let push = try #require(
                try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }.last)
            #expect(push.openID == "o_b" && push.message == .text("客服回复您的留言：欢迎！"), "in the customer's language only")
            // A customer who writes in English is answered in English only.
            _ = try await app.dependencies.engine.handle(
                IncomingChat(
                    customer: "o_c", createTime: app.clock.now, dedupeKey: "english",
                    input: .text("post hello everyone")))
            #expect(
                try await session.call(.post, "/board/posts/3/replies", as: .dispatcher, body: #"{"body": "Welcome!"}"#)
                    .status == 201)
            let english = try #require(
                try await app.dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload) }.last)
            #expect(english.openID == "o_c" && english.message == .text("Staff replied to your post: Welcome!"))
            #expect(
                try await session.call(.post, "/board/posts/3/remove", as: .dispatcher, body: #"{"reason": "test"}"#)
                    .status == 200)
            #expect(try await app.dependencies.store.publicBoard(limit: 5).map(\.id) == [2])
            #expect(
                try await session.call(
                    .post, "/board/posts/2/remove", as: .dispatcher, body: #"{"reason": "duplicate"}"#
                ).json["state"] as? String == "removed")
            #expect(try await app.dependencies.store.publicBoard(limit: 5).isEmpty)
            #expect(
                try await session.call(.post, "/board/posts/99/hide", as: .dispatcher, body: #"{"reason": "x"}"#).status
                    == 404)
            #expect(
                try await session.call(.post, "/board/posts/2/hide", as: .dispatcher, body: #"{"reason": ""}"#).status
                    == 400)
        }
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 200)

    @Test func adImagesAreCheckedStoredAndServedAndAdsFollowTheirWindow() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let uploaded = try await session.call(
                .put, "/ads/beef-noodles/image", as: .dispatcher, headers: [.contentType: "image/png"], bytes: Self.png)
            let url = try #require(uploaded.json["image_url"] as? String)
            #expect(url.hasPrefix("https://dropmate.example/media/ads/beef-noodles-") && url.hasSuffix(".png"))
            let served = try await client.execute(
                uri: String(url.dropFirst("https://dropmate.example".count)), method: .get)
            #expect(
                served.status == .ok && Array(served.body.readableBytesView) == Self.png
                    && served.headers[.contentType] == "image/png")
            #expect(
                app.dependencies.engine.catalog.item(id: "beef-noodles")?.pictureURL == url,
                "the featured news article shows it")
            let lying = try await session.call(
                .put, "/ads/beef-noodles/image", as: .dispatcher, headers: [.contentType: "image/jpeg"], bytes: Self.png
            )
            #expect(lying.status == 415)
            let gif = try await session.call(
                .put, "/ads/beef-noodles/image", as: .dispatcher, headers: [.contentType: "image/gif"],
                bytes: Array("GIF89a....".utf8))
            #expect(gif.status == 415)
            let huge = try await session.call(
                .put, "/ads/beef-noodles/image", as: .dispatcher, headers: [.contentType: "image/png"],
                bytes: Self.png + Array(repeating: 0, count: 2 * 1024 * 1024))
            #expect(huge.status == 413)
            #expect(
                try await client.execute(uri: "/media/ads/..%2F..%2Fdropmate.sqlite", method: .get).status == .notFound)
            #expect(
                try await session.call(
                    .post, "/ads", as: .dispatcher,
                    body: #"{"id": "x", "merchant_id": "nowhere", "name_zh": "x", "name_en": "x", "price_fen": 1}"#
                ).errorCode == "unknown_merchant")
            #expect(
                try await session.call(
                    .post, "/ads", as: .dispatcher,
                    body: #"{"id": "Bad Id", "merchant_id": "lanzhou", "name_zh": "x", "name_en": "x", "price_fen": 1}"#
                ).status == 400)
            #expect(
                try await session.call(.delete, "/merchants/lanzhou", as: .dispatcher).errorCode == "merchant_has_ads")
            // An ad whose window has not opened is not offered in chat.
            let later = try await session.call(
                .post, "/ads", as: .dispatcher,
                body:
                    #"{"id": "mooncake", "merchant_id": "lanzhou", "name_zh": "月饼", "name_en": "mooncake", "price_fen": 1500, "starts_at": "2026-12-01"}"#
            )
            #expect(later.status == 201)
            #expect(app.dependencies.engine.catalog.item(id: "mooncake") == nil)
            app.clock.set(TestAccount.start + 7 * 86_400)
            try await app.dependencies.engine.reloadCatalog()
            #expect(app.dependencies.engine.catalog.item(id: "mooncake") != nil)
        }
    }

    /// The same upload against a real S3-compatible server (moto, started by scripts/s3/with-moto).
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["S3_TEST_ENDPOINT"] != nil,
            "S3_TEST_ENDPOINT names no S3-compatible server"))
    func adImagesGoToS3CompatibleStorage() async throws {
        let env = ProcessInfo.processInfo.environment
        let (app, courier) = try await Self.app(extra: [
            "STORAGE_BACKEND": "s3", "STORAGE_ENDPOINT": env["S3_TEST_ENDPOINT"]!,
            "STORAGE_REGION": env["S3_TEST_REGION"] ?? "us-east-1",
            "STORAGE_BUCKET": env["S3_TEST_BUCKET"]!, "STORAGE_ACCESS_KEY_ID": env["S3_TEST_ACCESS_KEY_ID"]!,
            "STORAGE_SECRET_ACCESS_KEY": env["S3_TEST_SECRET_ACCESS_KEY"]!, "STORAGE_PATH_STYLE": "true",
        ])
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let uploaded = try await session.call(
                .put, "/ads/milk-tea/image", as: .dispatcher, headers: [.contentType: "image/png"], bytes: Self.png)
            let url = try #require(uploaded.json["image_url"] as? String)
            let key = String(url.dropFirst("https://dropmate.example/media/".count))
            #expect(try await app.dependencies.objects.get(key: key) == Self.png, "the object is in the bucket")
            let served = try await client.execute(uri: "/media/" + key, method: .get)
            #expect(served.status == .ok && Array(served.body.readableBytesView) == Self.png)
        }
    }

    @Test func requestsThatAreNotJSONOrTooLargeGetClearErrors() async throws {
        let (app, courier) = try await Self.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            #expect(
                try await session.call(.post, "/couriers", as: .admin, body: "name=Li").errorCode == "invalid_request")
            #expect(
                try await session.call(.post, "/couriers", as: .admin, body: #"{"name": 5}"#).errorMessage
                    == #"wrong type for "name""#)
            #expect(
                try await session.call(.post, "/couriers", as: .admin, body: #"{"nom": "Li"}"#).errorMessage
                    == #"missing field "name""#)
            #expect(
                try await session.call(.post, "/couriers", as: .admin, body: String(repeating: "a", count: 10_000))
                    .status == 413)
            let unknown = try await session.call(.get, "/nothing-here", as: .admin)
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
            #expect(
                try await session.call(.post, "/orders/1001/dispatch", as: .dispatcher, body: #"{"courier_id": 77}"#)
                    .errorCode == "unknown_courier")
        }
    }

    @Test func theOpenAPIDocumentListsEveryEndpointWithItsRoles() async throws {
        let app = try await TestApp.make()
        let endpoints = app.dependencies.staffAPI.add(to: Router())
        let registered = Set(endpoints.map { "\($0.method) \($0.openAPIPath) \($0.roles.map(\.rawValue).sorted())" })
        try await app.live { client in
            // The served document, read as any client would: every registered endpoint with its roles, nothing else.
            let served = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(served.status == .ok)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(buffer: served.body)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for (method, operation) in operations {
                    let roles = (operation["x-roles"] as? [String] ?? ["missing"]).sorted()
                    documented.insert("\(method.uppercased()) \(path) \(roles)")
                }
            }
            #expect(
                documented == registered,
                "only in the code: \(registered.subtracting(documented)); only in the document: \(documented.subtracting(registered))"
            )
            let yaml = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get)
            #expect(yaml.status == .ok && yaml.headers[.contentType] == "application/yaml; charset=utf-8")
            #expect(String(buffer: yaml.body) == OpenAPIDocument.document(for: endpoints).yaml)
        }
    }
}
