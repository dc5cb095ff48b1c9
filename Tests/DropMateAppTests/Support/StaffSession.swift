import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting

@testable import DropMateApp

/// Staff calling the API over HTTP in tests: one logged-in account per role.
struct StaffSession {
    static let password = "correct horse battery"
    let client: any TestClientProtocol
    var tokens: [StaffRole: String] = [:]

    /// Creates an admin, a dispatcher and a courier account (linked to `courierID`) and logs each in.
    static func start(_ app: TestApp, client: any TestClientProtocol, courierID: Int64) async throws -> StaffSession {
        var session = StaffSession(client: client)
        for role in StaffRole.allCases {
            _ = try await app.dependencies.createStaff(
                username: "\(role.rawValue)1", password: password, role: role,
                courierID: role == .courier ? courierID : nil)
            let response = try await session.call(
                .post, "/auth/login", body: #"{"username": "\#(role.rawValue)1", "password": "\#(password)"}"#)
            guard response.status == 200, let token = response.json["token"] as? String else {
                throw LoginFailed(role: role, body: response.text)
            }
            session.tokens[role] = token
        }
        return session
    }

    struct LoginFailed: Error { var role: StaffRole; var body: String }

    struct Answer {
        var status: Int
        var text: String
        var headers: HTTPFields
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    }

    func call(
        _ method: HTTPRequest.Method, _ path: String, as role: StaffRole? = nil, token: String? = nil,
        body: String? = nil,
        headers extra: HTTPFields = [:], bytes: [UInt8]? = nil
    ) async throws -> Answer {
        var headers = extra
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let bearer = token ?? role.flatMap({ tokens[$0] }) { headers[.authorization] = "Bearer \(bearer)" }
        let buffer = bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) }
        let response = try await client.execute(uri: "/api/v1" + path, method: method, headers: headers, body: buffer)
        return Answer(status: Int(response.status.code), text: String(buffer: response.body), headers: response.headers)
    }
}
