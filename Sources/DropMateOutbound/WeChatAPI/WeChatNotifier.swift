import DropMateEngine
import DropMateStorage
import Logging

/// Delivers pushes as WeChat customer-service messages (`/cgi-bin/message/custom/send`).
///
/// WeChat's answers decide what happens to the job:
/// - 40001 / 42001 / 40014 (token invalid or expired): a fresh token, one more try.
/// - -1 (busy), 45009 (daily quota), 45047 (send limit): the job fails and is retried with backoff; quota and
///   limit errors are logged as errors, for an alert.
/// - 45015 (the customer has not written in 48 hours): sent as a template message when
///   `WECHAT_TEMPLATE_FALLBACK_ID` is configured, else as an SMS when the customer's phone is known, else
///   dead-lettered with the reason.
/// - 43004 (unsubscribed): as an SMS when the phone is known, else dead-lettered with the reason (the record).
/// - 40003 (invalid OpenID): not retried; dead-lettered with the reason.
public struct WeChatNotifier: Notifier {
    /// WeChat's API, through the deployment's shared access_token.
    let tokens: AccessTokens
    /// Template for pushes outside the 48-hour window, and the field that carries the text (`thing` fields
    /// take at most 20 characters).
    let fallbackTemplate: (id: String, field: String)?
    /// For customers WeChat cannot reach.
    let sms: (any SMSProvider)?
    /// Template messages for order events (`WECHAT_TEMPLATES`).
    let orderTemplates: OrderTemplates
    /// Where each push's delivery is recorded.
    let deliveries: (any DeliveryLog)?
    let clock: @Sendable () -> Int64
    let logger: Logger

    public init(
        tokens: AccessTokens, fallbackTemplate: (id: String, field: String)?, sms: (any SMSProvider)? = nil,
        orderTemplates: OrderTemplates = .none, deliveries: (any DeliveryLog)? = nil,
        clock: @escaping @Sendable () -> Int64 = { 0 }, logger: Logger
    ) {
        self.tokens = tokens
        self.fallbackTemplate = fallbackTemplate
        self.sms = sms
        self.orderTemplates = orderTemplates
        self.deliveries = deliveries
        self.clock = clock
        self.logger = logger
    }

    /// Records how `push` went out. The push is out either way: a failure here is logged, not retried.
    private func record(_ push: PushJob, jobID: Int64, _ channel: Delivery.Channel, msgID: Int64? = nil) async {
        guard let deliveries else { return }
        do {
            try await deliveries.record(
                Delivery(jobID: jobID, openID: push.openID, channel: channel, msgID: msgID.map { String($0) }),
                now: clock())
        } catch {
            logger.warning(
                "could not record a delivery", metadata: ["dropmate.job_id": "\(jobID)", "dropmate.error": "\(error)"])
        }
    }

    public func send(_ push: PushJob, jobID: Int64) async throws {
        if let event = push.event, let template = orderTemplates.message(for: event, to: push.openID) {
            // An order event with its own template: a template message, which needs no 48-hour window.
            let answer = try await post("/cgi-bin/message/template/send", template)
            if answer.code == 0 { return await record(push, jobID: jobID, .template, msgID: answer.msgid) }
            if answer.code == 43004, try await sendBySMS(push, jobID: jobID) { return }
            throw Self.failure(answer, push: push, logger: logger)
        }
        let answer = try await post("/cgi-bin/message/custom/send", Self.customerServiceMessage(push))
        switch answer.code {
        case 0:
            await record(push, jobID: jobID, .customerService)
        case 45015:
            if let template = fallbackTemplate {
                let sent = try await post(
                    "/cgi-bin/message/template/send", Self.templateMessage(push, template: template))
                guard sent.code == 0 else { throw Self.failure(sent, push: push, logger: logger) }
                await record(push, jobID: jobID, .template, msgID: sent.msgid)
                logger.info(
                    "push sent as a template message (outside the 48-hour window)",
                    metadata: ["dropmate.job_id": "\(jobID)"])
            } else if try await sendBySMS(push, jobID: jobID) {
                return
            } else {
                throw PermanentFailure(
                    reason:
                        "outside the 48-hour customer-service window (45015), no WECHAT_TEMPLATE_FALLBACK_ID and no phone"
                )
            }
        case 43004:
            guard try await sendBySMS(push, jobID: jobID) else {
                throw Self.failure(answer, push: push, logger: logger)
            }
        default:
            throw Self.failure(answer, push: push, logger: logger)
        }
    }

    /// Sends the push's text as an SMS when a provider and the customer's phone are known.
    private func sendBySMS(_ push: PushJob, jobID: Int64) async throws -> Bool {
        guard let sms, let phone = push.phone else { return false }
        let text: String
        switch push.message {
        case .text(let body): text = body
        case .news(let title, _, _, let url): text = "\(title) \(url)"
        }
        try await sms.send(to: phone, text: text)
        await record(push, jobID: jobID, .sms)
        logger.info("push sent as an SMS (WeChat cannot reach the customer)", metadata: ["dropmate.job_id": "\(jobID)"])
        return true
    }

    private func post(_ path: String, _ json: JSONBody) async throws -> WeChatAPI.Answer {
        try await tokens.post(path, json: json)
    }

    static func failure(_ answer: WeChatAPI.Answer, push: PushJob, logger: Logger) -> any Error {
        let refused = WeChatAPIError.refused(code: answer.code, message: answer.errmsg ?? "")
        switch answer.code {
        case 43004: return PermanentFailure(reason: "the customer has unsubscribed (43004)")
        case 40003: return PermanentFailure(reason: "invalid OpenID (40003)")
        case 45009, 45047:
            logger.error(
                "WeChat send limit reached; pushes are backing off", metadata: ["dropmate.errcode": "\(answer.code)"])
            return refused
        default: return refused  // -1 and anything unknown: retried with backoff
        }
    }

    static func customerServiceMessage(_ push: PushJob) -> JSONBody {
        switch push.message {
        case .text(let text):
            return ["touser": .string(push.openID), "msgtype": "text", "text": ["content": .string(text)]]
        case .news(let title, let description, let pictureURL, let url):
            return [
                "touser": .string(push.openID), "msgtype": "news",
                "news": [
                    "articles": [
                        [
                            "title": .string(title), "description": .string(description), "url": .string(url),
                            "picurl": .string(pictureURL),
                        ]
                    ]
                ],
            ]
        }
    }

    static func templateMessage(_ push: PushJob, template: (id: String, field: String)) -> JSONBody {
        let text: String, url: String?
        switch push.message {
        case .text(let body): (text, url) = (body, nil)
        case .news(let title, _, _, let link): (text, url) = (title, link)
        }
        let short = text.count > 20 ? String(text.prefix(19)) + "…" : text
        var message: [JSONBody.Member] = [
            .init(key: "touser", value: .string(push.openID)), .init(key: "template_id", value: .string(template.id)),
        ]
        if let url { message.append(.init(key: "url", value: .string(url))) }
        message.append(
            .init(key: "data", value: .object([.init(key: template.field, value: ["value": .string(short)])])))
        return .object(message)
    }
}
