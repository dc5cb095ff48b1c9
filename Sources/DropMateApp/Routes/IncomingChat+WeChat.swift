import DropMateCore
import DropMateEngine
import DropMateWeChat

extension IncomingChat {
    /// Maps every WeChat message type and event onto the conversation's inputs.
    public init(_ message: InboundMessage) {
        let input: ConversationInput?
        switch message.kind {
        case .text(let content, _): input = .text(content)
        case .voice(_, _, let recognition, _):
            if let recognition, !recognition.isEmpty {
                input = .text(recognition)
            } else {
                input = .unsupported(kind: "voice")
            }
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
            case .location(let latitude, let longitude, _):
                input = .reportedLocation(Coordinate(latitude: latitude, longitude: longitude))
            case .scan, .view, .templateSendJobFinish, .unknown: input = nil
            }
        case .unknown: input = nil
        }
        self.init(
            customer: message.fromUserName, createTime: message.createTime, dedupeKey: message.dedupeKey, input: input)
    }
}
