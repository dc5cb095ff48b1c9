import AsyncHTTPClient
import DropMatePercentEncoding
import DropMateTelemetry
import DropMateWeChat
import Foundation
import NIOCore
import NIOHTTP1

/// The WeChat server API (`WECHAT_API_BASE_URL`, default `https://api.weixin.qq.com`) over async-http-client.
///
/// Every call that carries the access_token puts it in the query string, so URLs are never logged.
public struct WeChatAPI: Sendable {
    let http: HTTPClient
    let baseURL: String
    let appID: String
    let appSecret: String
    let timeout: TimeAmount
    /// `dropmate_wechat_api_calls_total` and a client span per call.
    public var telemetry: Telemetry = .disabled

    /// `http`: the outbound client (`OutboundHTTP.makeClient()`), owned and shut down by whoever made it.
    public init(http: HTTPClient, baseURL: String, appID: String, appSecret: String, timeout: TimeAmount = .seconds(5))
    {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.appID = appID
        self.appSecret = appSecret
        self.timeout = timeout
    }

    /// What WeChat answered: `errcode` 0 (or absent) for success.
    public struct Answer: Sendable, Decodable {
        public var errcode: Int?
        public var errmsg: String?
        public var access_token: String?
        public var expires_in: Int64?
        public var msgid: Int64?

        public var code: Int { errcode ?? 0 }
    }

    /// A fresh access_token and its lifetime in seconds (`GET /cgi-bin/token`).
    func fetchToken() async throws -> (token: String, expiresIn: Int64) {
        let query =
            "grant_type=client_credential&appid=\(PercentEncoding.queryValue(appID))&secret=\(PercentEncoding.queryValue(appSecret))"
        let answer = try await call(HTTPClientRequest(url: "\(baseURL)/cgi-bin/token?\(query)"), api: "token")
        guard answer.code == 0, let token = answer.access_token, !token.isEmpty else {
            throw WeChatAPIError.refused(code: answer.code, message: answer.errmsg ?? "no access_token in the answer")
        }
        return (token, answer.expires_in ?? 7200)
    }

    /// POSTs JSON to `path` with the access_token.
    func post(_ path: String, token: String, json: JSONBody) async throws -> Answer {
        var request = HTTPClientRequest(url: "\(baseURL)\(path)?access_token=\(PercentEncoding.queryValue(token))")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: json.bytes))
        return try await call(
            request, api: path.hasPrefix("/cgi-bin/") ? String(path.dropFirst("/cgi-bin/".count)) : path)
    }

    /// One call; `api` names it in metrics and spans ("token", "message/custom/send"), never with the query.
    private func call(_ request: HTTPClientRequest, api: String) async throws -> Answer {
        do {
            let answer = try await telemetry.outbound("wechat \(api)", request) { request in try await exchange(request)
            }
            telemetry.metrics.wechatAPICall(api: api, errcode: String(answer.code))
            return answer
        } catch {
            telemetry.metrics.wechatAPICall(api: api, errcode: "unreachable")
            throw error
        }
    }

    private func exchange(_ request: HTTPClientRequest) async throws -> Answer {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            // the error may quote the URL, and with it the token
            throw WeChatAPIError.unreachable("\(type(of: error))")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw WeChatAPIError.unreachable("HTTP \(response.status.code)") }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(buffer: body))
        } catch {
            throw WeChatAPIError.unreachable("an answer that is not WeChat's JSON")
        }
    }
}

/// A failed WeChat API call. Never carries a token or secret.
public enum WeChatAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No usable answer (network, timeout, HTTP error, garbage).
    case unreachable(String)
    /// WeChat answered with an errcode.
    case refused(code: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let reason): "WeChat API unreachable: \(reason)"
        case .refused(let code, let message): "WeChat errcode \(code): \(message)"
        }
    }
}
