import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

/// WeChat's server API as a real HTTP server on loopback: hands out access_tokens, accepts customer-service and
/// template messages, and answers with whatever errcodes a test scripts.
final class FakeWeChatAPI: Sendable {
    struct Sent: Sendable, Equatable {
        var path: String
        var json: String
    }

    private struct State {
        var tokenFetches = 0
        var validToken: String?
        /// errcodes for the next customer-service sends, in order (then 0).
        var scripted: [Int] = []
        var sent: [Sent] = []
    }

    private let state = Mutex(State())
    let appID = "wxfake00000000001"
    let appSecret = "fakesecretfakesecretfakesecret12"

    var tokenFetches: Int { state.withLock { $0.tokenFetches } }
    var sent: [Sent] { state.withLock { $0.sent } }

    /// The next customer-service sends answer these errcodes.
    func script(_ codes: [Int]) { state.withLock { $0.scripted += codes } }

    /// WeChat forgets the current token (as when another party fetched a new one): it now gets 40001.
    func expireToken() { state.withLock { $0.validToken = nil } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.get("/cgi-bin/token") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard query.get("grant_type") == "client_credential", query.get("appid") == self.appID, query.get("secret") == self.appSecret else {
                return Self.json(#"{"errcode":40125,"errmsg":"invalid appsecret"}"#)
            }
            try await Task.sleep(for: .milliseconds(30))  // long enough for concurrent callers to pile up
            let token = self.state.withLock { state -> String in
                state.tokenFetches += 1
                state.validToken = "TOKEN-\(state.tokenFetches)-\(UUID().uuidString)"
                return state.validToken!
            }
            return Self.json(#"{"access_token":"\#(token)","expires_in":7200}"#)
        }
        for path in ["/cgi-bin/message/custom/send", "/cgi-bin/message/template/send"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let token: String? = request.uri.queryParameters.get("access_token").map { String($0) }
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                let code: Int = self.state.withLock { state in
                    guard token != nil, token == state.validToken else { return 40001 }
                    let code = path.hasSuffix("custom/send") && !state.scripted.isEmpty ? state.scripted.removeFirst() : 0
                    if code == 0 { state.sent.append(Sent(path: path, json: body)) }
                    return code
                }
                return Self.json(code == 0 ? #"{"errcode":0,"errmsg":"ok","msgid":1}"# : #"{"errcode":\#(code),"errmsg":"scripted"}"#)
            }
        }
        return router
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Serves the fake on a free loopback port while `body` runs; `body` gets the base URL.
    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}
