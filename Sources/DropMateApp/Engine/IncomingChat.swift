import DropMateCore
import DropMateWeChat

/// A WeChat message as the engine sees it: who, when, its dedupe key and its conversation input.
public struct IncomingChat: Sendable {
    public var customer: String
    public var createTime: Int64
    /// Identifies WeChat's retries of this message; it names the sender (`InboundMessage.dedupeKey`), so memory,
    /// Redis and the store's dedupe records never hand one customer's answer to another.
    public var dedupeKey: String
    /// nil for messages that only need acknowledging (unknown types, VIEW, SCAN, delivery reports).
    public var input: ConversationInput?
    /// The signed request that carried it (nil for messages that did not come through the webhook): across
    /// replicas, its (timestamp, nonce) may carry this body only (`RedisCoordinator`).
    public var request: SignedRequest?

    public init(customer: String, createTime: Int64, dedupeKey: String, input: ConversationInput?) {
        self.customer = customer
        self.createTime = createTime
        self.dedupeKey = dedupeKey
        self.input = input
    }

    /// Maps every WeChat message type and event onto the conversation's inputs.
    public init(_ message: InboundMessage) {
        let input: ConversationInput?
        switch message.kind {
        case .text(let content, _): input = .text(content)
        case .voice(_, _, let recognition, _):
            if let recognition, !recognition.isEmpty { input = .text(recognition) } else { input = .unsupported(kind: "voice") }
        case .location(let latitude, let longitude, _, let label, _):
            input = .location(Coordinate(latitude: latitude, longitude: longitude), label: label)
        case .image: input = .unsupported(kind: "image")
        case .video, .shortVideo: input = .unsupported(kind: "video")
        case .link: input = .unsupported(kind: "link")
        case .event(let event):
            switch event {
            case .subscribe: input = .subscribed
            case .unsubscribe: input = .unsubscribed
            case .click(let key): input = .click(key: key)
            case .location(let latitude, let longitude, _): input = .reportedLocation(Coordinate(latitude: latitude, longitude: longitude))
            case .scan, .view, .templateSendJobFinish, .unknown: input = nil
            }
        case .unknown: input = nil
        }
        self.init(customer: message.fromUserName, createTime: message.createTime, dedupeKey: message.dedupeKey, input: input)
    }
}
