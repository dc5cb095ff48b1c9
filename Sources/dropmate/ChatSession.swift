import AsyncHTTPClient
import DropMatePercentEncoding
import DropMateWeChat
import Foundation

/// WeChat's side of one conversation: signs each message as WeChat would, POSTs it to the webhook,
/// opens the reply, and reads the dev outbox for pushes.
struct ChatSession: Sendable {
    let webhookURL: String
    let outboxURL: String
    let signer: WeChatClientSigner
    let mode: WeChatWebhook.Mode
    let accountID: String
    let client: HTTPClient

    /// What the webhook answered.
    enum Outcome {
        /// A passive reply the customer sees.
        case reply(OutboundReply)
        /// `success` or an empty body: acknowledged without a reply.
        case acknowledged
    }

    /// A failure worth one clear line, never a stack trace.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `kind` from `openID` and returns what the customer would see.
    func send(_ kind: InboundMessage.Kind, from openID: String) async throws(Failure) -> Outcome {
        let now = Int64(Date().timeIntervalSince1970)
        let message = InboundMessage(toUserName: accountID, fromUserName: openID, createTime: now, kind: kind)
        let (query, body) = signer.request(for: message, mode: mode, timestamp: now, nonce: Self.nonce())
        var request = HTTPClientRequest(url: webhookURL + (webhookURL.contains("?") ? "&" : "?") + query)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        request.body = .bytes(Array(body.utf8))
        let (status, bytes) = try await perform(request, url: webhookURL)
        switch status {
        case 200: break
        case 403:
            throw Failure(
                description: """
                    the server refused the message (403 \(Self.excerpt(bytes))): \
                    is --token (or WECHAT_TOKEN / --data-dir) the server's token, and are both clocks right? \
                    (A server in safe mode, WECHAT_MESSAGE_MODE=safe, takes only --aes.)
                    """)
        case 400 where mode != .plaintext:
            throw Failure(
                description: "the server refused the message (400 \(Self.excerpt(bytes))): check --aes-key and --app-id"
            )
        default:
            throw Failure(description: "the server answered HTTP \(status): \(Self.excerpt(bytes))")
        }
        do {
            guard let reply = try signer.openReply(bytes) else { return .acknowledged }
            return .reply(reply)
        } catch {
            throw Failure(description: "cannot read the server's reply: \(error)")
        }
    }

    /// Pushes for `openID` after `after`, page by page; nil when the server has no dev outbox (not dev mode, or
    /// not listening on loopback).
    func pushes(for openID: String, after: Int64) async throws(Failure) -> [ChatPush]? {
        var pushes: [ChatPush] = []
        var cursor: Int64? = after
        while let from = cursor {
            let query = "openid=" + PercentEncoding.queryValue(openID) + "&after=\(from)"
            let (status, bytes, next) = try await performPage(
                HTTPClientRequest(url: outboxURL + "?" + query), url: outboxURL)
            guard status == 200 else { return pushes.isEmpty ? nil : pushes }
            do { pushes += try JSONDecoder().decode([ChatPush].self, from: Data(bytes)) } catch {
                throw Failure(description: "cannot read \(outboxURL): \(error)")
            }
            // the server's X-Next-After, moving on
            cursor = next.flatMap { Int64($0) }.flatMap { $0 > from ? $0 : nil }
        }
        return pushes
    }

    private func perform(_ request: HTTPClientRequest, url: String) async throws(Failure) -> (UInt, [UInt8]) {
        let (status, bytes, _) = try await performPage(request, url: url)
        return (status, bytes)
    }

    /// The status, the body and the `X-Next-After` header.
    private func performPage(
        _ request: HTTPClientRequest, url: String
    ) async throws(Failure) -> (UInt, [UInt8], String?) {
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (response.status.code, Array(body.readableBytesView), response.headers.first(name: "X-Next-After"))
        } catch {
            let text = "\(error)"
            if text.localizedCaseInsensitiveContains("refused") {
                throw Failure(
                    description:
                        "cannot connect to \(url): connection refused. Is `dropmate serve` running there? (see --url / --port)"
                )
            }
            throw Failure(description: "request to \(url) failed: \(text)")
        }
    }

    /// A WeChat-like nonce: a random 9–10 digit number.
    static func nonce() -> String { String(UInt32.random(in: 100_000_000...UInt32.max)) }

    /// A fresh 19-digit MsgId, as WeChat's look.
    static func msgID() -> String { String(UInt64.random(in: 1_000_000_000_000_000_000...9_000_000_000_000_000_000)) }

    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "empty body" : text
    }
}

/// One entry of `/dev/outbox`: `message` is `OutgoingMessage`'s synthesized JSON
/// (`{"text":{"_0":"…"}}` or `{"news":{"title":…,"description":…,"pictureURL":…,"url":…}}`).
struct ChatPush: Decodable, Sendable {
    var id: Int64
    var openID: String
    var message: Message

    /// The pushed message, as far as the chat client shows it.
    struct Message: Decodable, Sendable {
        struct Text: Decodable, Sendable { var _0: String }
        struct News: Decodable, Sendable {
            var title: String; var description: String; var pictureURL: String?; var url: String
        }
        var text: Text?
        var news: News?
    }
}
