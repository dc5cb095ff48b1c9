import DropMateCore
import DropMateEngine
import DropMateStorage
import DropMateTelemetry
import DropMateWeChat
import Hummingbird
import Logging

/// `/wechat`: URL verification (GET) and message pushes (POST) in plaintext, compatible and safe modes.
struct WeChatRoutes: Sendable {
    let webhook: WeChatWebhook
    let engine: ConversationEngine
    let deliveries: SQLDeliveryLog
    let accountID: String
    let replyDeadline: Duration
    let clock: @Sendable () -> Int64
    /// The (timestamp, nonce) pairs seen in this process, with their bodies' digests.
    let requests: SignedRequestMemory
    var telemetry: Telemetry = .disabled

    /// Where WeChat delivers messages (the URL configured in the Official Account's server settings).
    static let path = "/wechat"

    func add(to router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in
            guard let echo = webhook.verifyURL(query: Self.query(request), now: clock()) else {
                return Self.plain("invalid signature", status: .forbidden)
            }
            return Self.plain(echo)
        }
        router.post(RouterPath(Self.path)) { request, context in try await receive(request, context: context) }
    }

    func receive(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (response, type, outcome, answer) = try await respond(request, context: context)
        telemetry.metrics.record(webhook: type, outcome: outcome, answer: answer)
        return response
    }

    /// The response, the message's type, what the route made of it and the engine's answer (nil when the request
    /// never reached the engine).
    func respond(
        _ request: Request, context: BasicRequestContext
    ) async throws -> (Response, String, AppMetrics.WebhookOutcome, WebhookAnswer?) {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: WeChatXML.maxBodyBytes) } catch {
            return (Self.plain("request body too large", status: .contentTooLarge), "unknown", .rejected, nil)
        }
        let query = Self.query(request)
        let bytes = Array(body.readableBytesView)
        let opened: WeChatWebhook.OpenedMessage
        do {
            opened = try open(query: query, body: bytes)
        } catch {
            context.logger.notice("refused WeChat push", metadata: ["dropmate.reason": "\(error)"])
            return (Self.refusal(error), "unknown", .rejected, nil)
        }
        let message = opened.message
        // The signature checked the timestamp and nonce: they are present and the timestamp is a number.
        let signed = SignedRequest(
            timestamp: Int64(query["timestamp"] ?? "") ?? 0, nonce: query["nonce"] ?? "", body: bytes)
        guard requests.admit(signed, now: clock()) != .conflict else { return refuseReplay(context) }
        var chat = IncomingChat(message)
        chat.request = signed
        let answer: WebhookAnswer
        do {
            answer = try await engine.handle(chat, deadline: replyDeadline)
        } catch is RequestReplayed {
            requests.forget(signed)  // another replica saw this (timestamp, nonce) with another body
            return refuseReplay(context)
        }
        await recordTemplateOutcome(of: message, context: context)
        if answer.outcome == .late {
            context.logger.warning(
                "reply missed the 5-second window; it will be pushed",
                metadata: ["dropmate.msg_key": "\(chat.dedupeKey)"])
            return (Self.plain("success"), Self.typeLabel(message), .late, answer)
        }
        guard let reply = answer.reply else {
            return (Self.plain("success"), Self.typeLabel(message), .success, answer)
        }
        let response = await telemetry.withSpan("reply") { seal(reply, to: message, mode: opened.mode, query: query) }
        return (response, Self.typeLabel(message), .replied, answer)
    }

    /// A template message's outcome (retries update it again, to the same value); recorded once the message
    /// passed the replay checks.
    func recordTemplateOutcome(of message: InboundMessage, context: BasicRequestContext) async {
        guard case .event(.templateSendJobFinish(let msgID, let status)) = message.kind else { return }
        do { try await deliveries.templateFinished(msgID: msgID, status: status, now: clock()) } catch {
            context.logger.warning(
                "could not record a template message's outcome", metadata: ["dropmate.error": "\(error)"])
        }
    }

    /// A forged body under a seen (timestamp, nonce): 403, like a bad signature.
    func refuseReplay(_ context: BasicRequestContext) -> (Response, String, AppMetrics.WebhookOutcome, WebhookAnswer?) {
        context.logger.notice("refused WeChat push", metadata: ["dropmate.reason": "\(RequestReplayed())"])
        return (Self.plain("request replayed with another body", status: .forbidden), "unknown", .rejected, nil)
    }

    /// The passive reply as WeChat expects it: reply XML, encrypted in safe and compatible modes.
    func seal(
        _ reply: OutgoingMessage, to message: InboundMessage, mode: WeChatWebhook.Mode, query: [String: String]
    ) -> Response {
        let content: OutboundReply.Content
        switch reply {
        case .text(let text): content = .text(text)
        case .news(let title, let description, let pictureURL, let url):
            content = .news(OutboundReply.Article(title: title, description: description, picURL: pictureURL, url: url))
        }
        let from = message.toUserName.isEmpty ? accountID : message.toUserName
        let xml = OutboundReply(
            toUserName: message.fromUserName, fromUserName: from, createTime: clock(), content: content
        ).xml()
        let sealed = webhook.seal(
            reply: xml, mode: mode, timestamp: query["timestamp"] ?? "\(clock())", nonce: query["nonce"] ?? "")
        return Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: sealed)))
    }

    static func refusal(_ error: WeChatWebhookError) -> Response {
        switch error {
        case .badSignature: plain("invalid signature", status: .forbidden)
        case .staleTimestamp: plain("stale timestamp", status: .forbidden)
        case .badXML(.tooLarge): plain("request body too large", status: .contentTooLarge)
        case .badXML(let xml): plain("bad XML: \(xml)", status: .badRequest)
        case .badMessage(let message): plain("bad message: \(message)", status: .badRequest)
        case .decryptionFailed: plain("cannot decrypt message", status: .badRequest)
        case .missingQuery(let name): plain("missing query parameter \(name)", status: .badRequest)
        case .encryptionNotConfigured: plain("encrypted mode is not configured", status: .badRequest)
        case .plaintextRefused: plain("safe mode: plaintext messages are refused", status: .forbidden)
        }
    }

    /// The query's parameters (the first of repeated ones). WeChat's (signature, timestamp, nonce, openid,
    /// encrypt_type, msg_signature) need no decoding, and are then split straight from the text: this runs for
    /// every message, and the general parser's percent-decoding dictionary cost more than the split.
    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        query.reserveCapacity(8)
        guard let text = request.uri.query, !text.isEmpty else { return query }
        if text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            for (key, value) in request.uri.queryParameters where query[String(key)] == nil {
                query[String(key)] = String(value)
            }
            return query
        }
        for pair in text.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let key = String(Substring(pair[..<equals]))
            guard !key.isEmpty, query[key] == nil else { continue }
            query[key] = equals == pair.endIndex ? "" : String(Substring(pair[pair.index(after: equals)...]))
        }
        return query
    }

    static func plain(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
