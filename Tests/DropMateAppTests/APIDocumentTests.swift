import DropMateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp

/// The staff API's OpenAPI document is generated from the registered endpoints (issue 16): each operation carries
/// what its registration enforces, every reference resolves, and the docs page reads it under the console's policy.
/// `scripts/api-fuzz.sh` also validates the served document with openapi-spec-validator.
@Suite struct APIDocumentTests {
    static func served(_ client: some TestClientProtocol) async throws -> [String: Any] {
        let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
        #expect(response.status == .ok && response.headers[.contentType] == "application/json; charset=utf-8")
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func everyOperationSaysWhatItsRegistrationEnforces() async throws {
        let app = try await TestApp.make()
        let endpoints = app.dependencies.staffAPI.add(to: Router())
        try await app.live { client in
            let document = try await Self.served(client)
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            #expect(paths.values.map(\.count).reduce(0, +) == endpoints.count)
            for endpoint in endpoints {
                let name = "\(endpoint.method) \(endpoint.openAPIPath)"
                let operation = try #require(
                    paths[endpoint.openAPIPath]?[endpoint.method.lowercased()], "\(name) is not documented")
                let responses = try #require(operation["responses"] as? [String: Any], "\(name)")
                let parameters = (operation["parameters"] as? [[String: Any]]) ?? []
                let summary = operation["summary"] as? String ?? ""
                #expect(!summary.isEmpty, "\(name) has no summary")
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(name) has no success answer")
                if endpoint.roles.isEmpty {
                    #expect((operation["security"] as? [Any])?.isEmpty == true, "\(name) is public: no security")
                } else {
                    #expect(operation["security"] == nil && responses["401"] != nil, "\(name) needs credentials: 401")
                    // 403 when some role is refused, or when the endpoint refuses some callers itself (couriers: their own orders only).
                    #expect(
                        (responses["403"] != nil)
                            == (endpoint.roles != Set(StaffRole.allCases)
                                || endpoint.doc.errors.contains { $0.status == 403 }),
                        "\(name): 403 exactly when some caller is refused")
                }
                #expect((operation["x-idempotent"] as? Bool ?? false) == endpoint.idempotent, "\(name)")
                let headerKey = parameters.contains {
                    $0["$ref"] as? String == "#/components/parameters/IdempotencyKey"
                }
                #expect(headerKey == endpoint.idempotent, "\(name): the Idempotency-Key header exactly when idempotent")
                if endpoint.idempotent {
                    #expect(responses["409"] != nil && responses["422"] != nil, "\(name): a key in flight or reused")
                }
                // Every path parameter is declared (by reference or in place), and nothing else is in the path.
                let declared = Set(
                    parameters.compactMap { parameter -> String? in
                        if let name = parameter["name"] as? String, parameter["in"] as? String == "path" { return name }
                        return (parameter["$ref"] as? String).flatMap {
                            [
                                "#/components/parameters/Id": "id", "#/components/parameters/Slug": "id",
                                "#/components/parameters/OpenID": "openid",
                            ][$0]
                        }
                    })
                #expect(declared == Set(endpoint.pathParameters), "\(name): path parameters \(declared)")
                if let body = operation["requestBody"] as? [String: Any] {
                    #expect(responses["400"] != nil && responses["413"] != nil, "\(name) takes a body: 400 and 413")
                    let content = try #require(body["content"] as? [String: Any])
                    if content["application/merge-patch+json"] != nil {
                        #expect(responses["415"] != nil, "\(name) is a merge patch: 415")
                    }
                }
            }
        }
    }

    @Test func everyReferenceResolvesAndEveryNamedSchemaExists() async throws {
        let app = try await TestApp.make()
        try await app.live { client in
            let document = try await Self.served(client)
            var references: [String] = []
            func walk(_ node: Any) {
                if let map = node as? [String: Any] {
                    if let ref = map["$ref"] as? String { references.append(ref) }
                    map.values.forEach(walk)
                } else if let list = node as? [Any] {
                    list.forEach(walk)
                }
            }
            walk(document)
            #expect(references.count > 300)
            for ref in Set(references) {
                #expect(ref.hasPrefix("#/components/"), "\(ref) is not local")
                var target: Any? = document
                for part in ref.dropFirst(2).split(separator: "/") {
                    target = (target as? [String: Any])?[String(part)]
                }
                #expect(target is [String: Any], "\(ref) resolves to nothing")
            }
            // The schemas the endpoints name, and the answers they share, are the ones in the document.
            let components = try #require(document["components"] as? [String: [String: Any]])
            #expect(Set(components["responses"]?.keys ?? [:].keys) == ["Error", "NoContent", "Busy"])
            for name in ["Order", "ShopRules", "Staff", "Tokens", "Error", "Report"] {
                #expect(components["schemas"]?[name] != nil, "no schema \(name)")
            }
        }
    }

    @Test func anOperationKeepsWhatTheHandWrittenDocumentSaid() async throws {
        // Spot checks against the document as it was written by hand before it was generated (issue 16).
        let app = try await TestApp.make()
        try await app.live { client in
            let paths = try #require(try await Self.served(client)["paths"] as? [String: [String: [String: Any]]])
            let dispatch = try #require(paths["/orders/{id}/dispatch"]?["post"])
            #expect((dispatch["summary"] as? String)?.hasPrefix("Dispatch the order to a courier") == true)
            #expect(dispatch["x-roles"] as? [String] == ["admin", "dispatcher"])
            let body = try #require(
                ((dispatch["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                    as? [String: Any])
            #expect((body["schema"] as? [String: String])?["$ref"] == "#/components/schemas/Dispatch")
            #expect(
                Set((dispatch["responses"] as? [String: Any])?.keys ?? [:].keys) == [
                    "200", "400", "401", "403", "404", "409", "413", "422",
                ])
            let login = try #require(paths["/auth/login"]?["post"])
            let answers = try #require(login["responses"] as? [String: [String: Any]])
            #expect(
                answers["503"]?["$ref"] as? String == "#/components/responses/Busy" && answers["429"] != nil
                    && answers["401"] != nil)
            let orders = try #require(paths["/orders"]?["get"]?["parameters"] as? [[String: Any]])
            #expect(
                orders.compactMap { $0["name"] as? String } == ["status", "from", "to", "merchant", "courier", "phone"])
            let image = try #require(
                (paths["/ads/{id}/image"]?["put"]?["requestBody"] as? [String: Any])?["content"] as? [String: Any])
            #expect(Set(image.keys) == ["image/png", "image/jpeg", "image/webp"])
        }
    }

    @Test func theDocsPageRunsOurOwnScriptUnderTheConsolePolicy() async throws {
        let app = try await TestApp.make()
        try await app.live { client in
            let page = try await client.execute(uri: "/api/v1/docs", method: .get)
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy] == ConsolePage.contentSecurityPolicy)
            #expect(page.headers[values: .contentSecurityPolicy].count == 1)
            let html = String(buffer: page.body)
            #expect(
                html.contains(#"<script src="/api/v1/docs.js" defer></script>"#)
                    && html.contains(#"<link rel="stylesheet" href="/api/v1/docs.css">"#))
            #expect(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere")
            #expect(
                html.components(separatedBy: "<script").count == 2 && !html.contains("<style"),
                "no inline script or style")
            let script = try await client.execute(uri: "/api/v1/docs.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            let source = String(buffer: script.body)
            #expect(
                source.contains(#"fetch("/api/v1/openapi.json""#) && !source.contains("innerHTML"),
                "document values go in as text only")
            #expect(try await client.execute(uri: "/api/v1/docs.css", method: .get).status == .ok)
        }
    }

    @Test func publicEndpointsIgnoreAStaleTokenAndTheRestStillSayItExpired() async throws {
        let (app, courier) = try await StaffAPITests.app()
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let login = try await session.call(
                .post, "/auth/login", body: #"{"username": "dispatcher1", "password": "\#(StaffSession.password)"}"#)
            let token = try #require(login.json["token"] as? String),
                refresh = try #require(login.json["refresh_token"] as? String)
            app.clock.advance(16 * 60)
            // A client that sends its expired token along to the refresh still gets new tokens: no authenticator runs there.
            let renewed = try await session.call(
                .post, "/auth/refresh", token: token, body: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(renewed.status == 200 && renewed.json["token"] is String)
            #expect(try await session.call(.get, "/openapi.json", token: token).status == 200)
            let expired = try await session.call(.get, "/auth/me", token: token)
            #expect(
                expired.status == 401 && expired.errorCode == "token_expired"
                    && expired.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            // An unknown path under /api/v1 is a JSON 404 whoever asks, as before.
            #expect(try await session.call(.get, "/nowhere", token: token).errorCode == "not_found")
        }
    }

    @Test func aRefusedRoleIsLoggedWithWhoTriedWhat() async throws {
        let logs = CapturedLogs()
        let (app, courier) = try await StaffAPITests.app(logger: logs.logger)
        try await app.live { client in
            let session = try await StaffSession.start(app, client: client, courierID: courier.id)
            let refused = try await session.call(.get, "/audit", as: .dispatcher)
            #expect(refused.status == 403 && refused.errorCode == "forbidden")
            let line = try #require(logs.all.first { $0.contains("staff API call denied") })
            #expect(
                line.contains("dropmate.staff=dispatcher1") && line.contains("dropmate.role=dispatcher")
                    && line.contains("dropmate.route=/api/v1/audit"))
            #expect(line.contains("dropmate.method=GET"))
        }
    }
}
