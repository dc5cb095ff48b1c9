import Foundation
import Hummingbird
import Synchronization

/// WeChat's server API as a real HTTP server on loopback, for tests and the push benchmark: hands out
/// access_tokens, accepts customer-service and template messages, and answers whatever errcodes it is told to.
public final class FakeWeChatAPI: Sendable {
    public struct Sent: Sendable, Equatable {
        public var path: String
        public var json: String
    }

    private struct State {
        var tokenFetches = 0
        var validToken: String?
        /// errcodes for the next customer-service sends, in order (then 0).
        var scripted: [Int] = []
        var sent: [Sent] = []
        var sentCount = 0
        /// Sends (of any outcome) that arrived, counted before `sendDelay`.
        var received = 0
        var sendDelay: Duration = .zero
    }

    private let state = Mutex(State())
    public let appID: String
    public let appSecret: String
    /// Keep the messages sent (tests); a benchmark only counts them.
    private let keepsMessages: Bool

    public init(
        appID: String = "wxfake00000000001", appSecret: String = "fakesecretfakesecretfakesecret12",
        keepsMessages: Bool = true
    ) {
        self.appID = appID
        self.appSecret = appSecret
        self.keepsMessages = keepsMessages
    }

    public var tokenFetches: Int { state.withLock { $0.tokenFetches } }
    public var sent: [Sent] { state.withLock { $0.sent } }
    public var sentCount: Int { state.withLock { $0.sentCount } }
    /// Message sends that arrived, answered yet or not.
    public var received: Int { state.withLock { $0.received } }

    /// Every message send waits this long before it is answered (a slow WeChat, a job in hand).
    public func delaySends(by delay: Duration) { state.withLock { $0.sendDelay = delay } }

    /// The next customer-service sends answer these errcodes.
    public func script(_ codes: [Int]) { state.withLock { $0.scripted += codes } }

    /// WeChat forgets the current token (as when another party fetched a new one): it now gets 40001.
    public func expireToken() { state.withLock { $0.validToken = nil } }

    public var router: Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router)
        return router
    }

    /// WeChat's server API routes (and `/stats`), on `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/stats") { _, _ -> Response in
            let (fetches, sent) = self.state.withLock { ($0.tokenFetches, $0.sentCount) }
            return Self.json(#"{"token_fetches":\#(fetches),"sent":\#(sent)}"#)
        }
        router.get("/cgi-bin/token") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard query.get("grant_type") == "client_credential", query.get("appid") == self.appID,
                query.get("secret") == self.appSecret
            else {
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
        for path in ["/cgi-bin/message/custom/send", "/cgi-bin/message/template/send", "/cgi-bin/menu/create"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let token: String? = request.uri.queryParameters.get("access_token").map { String($0) }
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                let delay = self.state.withLock { state in
                    state.received += 1
                    return state.sendDelay
                }
                if delay > .zero { try await Task.sleep(for: delay) }
                let code: Int = self.state.withLock { state in
                    guard token != nil, token == state.validToken else { return 40001 }
                    let code =
                        path.hasSuffix("custom/send") && !state.scripted.isEmpty ? state.scripted.removeFirst() : 0
                    if code == 0 {
                        state.sentCount += 1
                        if self.keepsMessages { state.sent.append(Sent(path: path, json: body)) }
                    }
                    return code
                }
                return Self.json(
                    code == 0 ? #"{"errcode":0,"errmsg":"ok","msgid":1}"# : #"{"errcode":\#(code),"errmsg":"scripted"}"#
                )
            }
        }
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
