/// A message or event WeChat pushes to the webhook (WECHAT.md §3).
public struct InboundMessage: Sendable, Equatable {
    /// Our Official Account's id (`gh_…`).
    public var toUserName: String
    /// The customer's OpenID.
    public var fromUserName: String
    /// When WeChat received the message, Unix seconds.
    public var createTime: Int64
    /// What was sent.
    public var kind: Kind

    /// Builds a message by hand (tests, the chat client, the load generator).
    public init(toUserName: String, fromUserName: String, createTime: Int64, kind: Kind) {
        self.toUserName = toUserName
        self.fromUserName = fromUserName
        self.createTime = createTime
        self.kind = kind
    }

    /// The message types of §3; anything else is `.unknown`, never an error.
    public enum Kind: Sendable, Equatable {
        /// A text message.
        case text(content: String, msgID: String)
        /// A picture.
        case image(picURL: String, mediaID: String, msgID: String)
        /// A voice message, with WeChat's speech recognition when enabled.
        case voice(mediaID: String, format: String, recognition: String?, msgID: String)
        /// A video.
        case video(mediaID: String, thumbMediaID: String, msgID: String)
        /// A short video.
        case shortVideo(mediaID: String, thumbMediaID: String, msgID: String)
        /// A location the customer chose to send.
        case location(latitude: Double, longitude: Double, scale: Int, label: String, msgID: String)
        /// A shared link.
        case link(title: String, description: String, url: String, msgID: String)
        /// An event (subscription, menu click, …).
        case event(Event)
        /// A message type this package does not know.
        case unknown(msgType: String, msgID: String?)
    }

    /// The events of §3; anything else is `.unknown`, never an error.
    public enum Event: Sendable, Equatable {
        /// The customer followed us, possibly by scanning a parametric QR code (`qrscene_…`).
        case subscribe(eventKey: String?, ticket: String?)
        /// The customer unfollowed us.
        case unsubscribe
        /// A follower scanned a parametric QR code.
        case scan(eventKey: String, ticket: String?)
        /// Periodic location report (when the customer allowed it).
        case location(latitude: Double, longitude: Double, precision: Double)
        /// A `click` menu button.
        case click(key: String)
        /// A `view` menu button opened `url`.
        case view(url: String)
        /// A template message's delivery outcome.
        case templateSendJobFinish(msgID: String, status: String)
        /// An event this package does not know.
        case unknown(name: String, eventKey: String?)

        /// The `Event` value as WeChat writes it.
        public var name: String {
            switch self {
            case .subscribe: "subscribe"
            case .unsubscribe: "unsubscribe"
            case .scan: "SCAN"
            case .location: "LOCATION"
            case .click: "CLICK"
            case .view: "VIEW"
            case .templateSendJobFinish: "TEMPLATESENDJOBFINISH"
            case .unknown(let name, _): name
            }
        }
    }

    /// The `MsgType` value as WeChat writes it.
    public var msgType: String {
        switch kind {
        case .text: "text"
        case .image: "image"
        case .voice: "voice"
        case .video: "video"
        case .shortVideo: "shortvideo"
        case .location: "location"
        case .link: "link"
        case .event: "event"
        case .unknown(let msgType, _): msgType
        }
    }

    /// The `MsgId` of a customer message; nil for events.
    public var msgID: String? {
        switch kind {
        case .text(_, let id), .image(_, _, let id), .voice(_, _, _, let id), .video(_, _, let id),
            .shortVideo(_, _, let id), .location(_, _, _, _, let id), .link(_, _, _, let id):
            id
        case .unknown(_, let id): id
        case .event: nil
        }
    }

    /// Identifies WeChat's retries of this message: `msg:<MsgId>:<FromUserName>`, or for events (and messages
    /// without an id) `evt:<CreateTime>:<FromUserName>:<Event or MsgType>`. Always scoped to the sender: a
    /// MsgId is only WeChat's word, and another customer's MsgId must not reach that customer's answer.
    ///
    /// The part that grows with time comes first: every message adds one key to the store's index, and keys that
    /// start with the sender land on a random page of it, so each commit rewrote about three pages per message
    /// instead of appending to the last one (measured: 1.7 vs 0.6 WAL pages per message, BENCHMARKS.md).
    public var dedupeKey: String {
        if let id = msgID, !id.isEmpty { return "msg:\(id):\(fromUserName)" }
        guard case .event(let event) = kind else { return "evt:\(createTime):\(fromUserName):\(msgType)" }
        // The event key tells apart two different buttons tapped within the same second; a retry repeats it.
        let key: String? =
            switch event {
            case .click(let key): key
            case .view(let url): url
            case .scan(let key, _): key
            case .subscribe(let key, _): key
            default: nil
            }
        return "evt:\(createTime):\(fromUserName):\(event.name)" + (key.map { ":\($0)" } ?? "")
    }
}
