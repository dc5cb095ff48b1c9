import DropMateCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

@testable import DropMateApp

/// A shop owner's call to the staff API from a transcript: the rules, the pause switch and sold-out items.
///
/// - `@staff rules MERCHANT JSON`: `PUT /merchants/MERCHANT/rules` with that body
/// - `@staff pause MERCHANT [MINUTES]`: `POST /merchants/MERCHANT/pause` (until resumed, or for MINUTES)
/// - `@staff resume MERCHANT`: `POST /merchants/MERCHANT/resume`
/// - `@staff sold-out AD` / `@staff back AD`: `POST` / `DELETE /ads/AD/sold-out`
/// - `@staff board hold|publish`: `PUT /board/settings` (public posts wait for review, or show at once)
/// - `@staff approve POST` / `@staff reject POST REASON`: `POST /board/posts/POST/approve|reject`
///
/// A 2xx answer shows nothing; anything else shows as `< HTTP STATUS BODY`.
struct ShopCall: Equatable {
    static let verbs: Set<String> = ["rules", "pause", "resume", "sold-out", "back", "board", "approve", "reject"]

    var method: HTTPRequest.Method
    var path: String
    var body: String?
    /// `pause` for a number of minutes: the `until` time is worked out from the transcript's clock when it runs.
    var pauseMinutes: Int64?

    init(words: [String], text: String, fail: (String) -> Transcript.ParseError) throws {
        guard words.count >= 3 else { throw fail("@staff \(words[1]) ID …") }
        let id = words[2]
        switch words[1] {
        case "rules":
            guard let brace = text.firstIndex(of: "{") else { throw fail("@staff rules MERCHANT {json}") }
            method = .put; path = "/merchants/\(id)/rules"; body = String(text[brace...])
        case "pause":
            method = .post; path = "/merchants/\(id)/pause"
            if words.count > 3 {
                guard let minutes = Int64(words[3]) else { throw fail("@staff pause MERCHANT [MINUTES]") };
                pauseMinutes = minutes
            }
        case "resume": method = .post; path = "/merchants/\(id)/resume"
        case "sold-out": method = .post; path = "/ads/\(id)/sold-out"
        case "board":
            guard id == "hold" || id == "publish" else { throw fail("@staff board hold|publish") }
            method = .put; path = "/board/settings"; body = #"{"hold_posts": \#(id == "hold")}"#
        case "approve": method = .post; path = "/board/posts/\(id)/approve"
        case "reject":
            guard words.count >= 4 else { throw fail("@staff reject POST REASON") }
            method = .post; path = "/board/posts/\(id)/reject"
            body = String(
                data: try! JSONSerialization.data(withJSONObject: ["reason": words.dropFirst(3).joined(separator: " ")]
                ), encoding: .utf8)
        default: method = .delete; path = "/ads/\(id)/sold-out"
        }
    }
}

extension Session {
    /// Logs a shop owner (an admin account) in once, then makes the call over HTTP as staff would.
    mutating func callShopAPI(_ call: ShopCall) async throws -> [String]? {
        let token = try await ownerLogin()
        var body = call.body
        if let minutes = call.pauseMinutes {
            body = #"{"until": "\#(APIJSON.time(app.clock.now + minutes * 60, utcOffset: 8 * 3600) ?? "")"}"#
        }
        let response = try await client.execute(
            uri: "/api/v1" + call.path, method: call.method,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) })
        guard !(200..<300).contains(response.status.code) else { return nil }
        return ["HTTP \(response.status.code) \(String(buffer: response.body))"]
    }

    /// The stored order's money and distance, as the staff API's order JSON has them.
    mutating func orderMoney(_ id: Int64) async throws -> [String] {
        let token = try await ownerLogin()
        let response = try await client.execute(
            uri: "/api/v1/orders/\(id)", method: .get, headers: [.authorization: "Bearer \(token)"])
        struct Money: Decodable {
            var itemsTotalFen: Int; var deliveryFeeFen: Int; var totalFen: Int; var distanceMetres: Int?;
            var distanceUnknown: Bool; var scheduledFor: String?
        }
        struct Detail: Decodable { var order: Money }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard response.status.code == 200,
            let order = try? decoder.decode(Detail.self, from: Data(buffer: response.body)).order
        else {
            return ["HTTP \(response.status.code) \(String(buffer: response.body))"]
        }
        var text =
            "order #\(id): items \(order.itemsTotalFen) fen, delivery fee \(order.deliveryFeeFen) fen, total \(order.totalFen) fen, "
        text +=
            order.distanceMetres.map { "distance \($0) m" }
            ?? (order.distanceUnknown ? "distance unknown" : "no distance")
        if let later = order.scheduledFor { text += ", scheduled for \(later)" }
        return [text]
    }

    /// The owner's token; logged in again once the transcript's clock has moved past an hour (tokens expire).
    mutating func ownerLogin() async throws -> String {
        if let ownerToken, let at = ownerLoggedInAt, app.clock.now - at < 3600, app.clock.now >= at {
            return ownerToken
        }
        if ownerToken == nil {
            _ = try await app.dependencies.createStaff(
                username: "owner", password: StaffSession.password, role: .admin, courierID: nil)
        }
        let response = try await client.execute(
            uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"username": "owner", "password": "\#(StaffSession.password)"}"#))
        guard let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
            let token = json["token"] as? String
        else {
            throw StaffSession.LoginFailed(role: .admin, body: String(buffer: response.body))
        }
        ownerToken = token
        ownerLoggedInAt = app.clock.now
        return token
    }
}
