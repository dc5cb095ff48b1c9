extension InboundMessage {
    /// Reads a message from a parsed body. Missing header or type-specific fields are errors;
    /// unknown message types and events decode as `.unknown`.
    public init(fields document: WeChatXMLDocument) throws(WeChatMessageError) {
        let fields = FieldReader(document.fields)
        let header = try fields.header()
        // Every answer, lock and dedupe record is the sender's: a message from nobody is malformed.
        guard !header.fromUserName.trimmingWhitespace().isEmpty else { throw .invalidField("FromUserName") }
        (toUserName, fromUserName, createTime) = (header.toUserName, header.fromUserName, header.createTime)
        let msgType = header.msgType
        kind = try Self.kind(msgType: msgType, fields)
    }

    private static func kind(msgType: String, _ fields: FieldReader) throws(WeChatMessageError) -> Kind {
        switch msgType.lowercased() {
        case "text":
            return .text(content: try fields.required("Content"), msgID: try fields.required("MsgId"))
        case "image":
            return .image(
                picURL: try fields.required("PicUrl"), mediaID: try fields.required("MediaId"),
                msgID: try fields.required("MsgId"))
        case "voice":
            return .voice(
                mediaID: try fields.required("MediaId"), format: try fields.required("Format"),
                recognition: fields.optional("Recognition"), msgID: try fields.required("MsgId"))
        case "video":
            return .video(
                mediaID: try fields.required("MediaId"), thumbMediaID: try fields.required("ThumbMediaId"),
                msgID: try fields.required("MsgId"))
        case "shortvideo":
            return .shortVideo(
                mediaID: try fields.required("MediaId"),
                thumbMediaID: try fields.required("ThumbMediaId"), msgID: try fields.required("MsgId"))
        case "location":
            return .location(
                latitude: try fields.double("Location_X"), longitude: try fields.double("Location_Y"),
                scale: try fields.int("Scale"), label: try fields.required("Label"),
                msgID: try fields.required("MsgId"))
        case "link":
            return .link(
                title: try fields.required("Title"), description: try fields.required("Description"),
                url: try fields.required("Url"), msgID: try fields.required("MsgId"))
        case "event":
            return .event(try event(fields))
        default:
            return .unknown(msgType: msgType, msgID: fields.optional("MsgId"))
        }
    }

    private static func event(_ fields: FieldReader) throws(WeChatMessageError) -> Event {
        let name = try fields.required("Event")
        switch name.lowercased() {
        case "subscribe":
            return .subscribe(eventKey: fields.optional("EventKey"), ticket: fields.optional("Ticket"))
        case "unsubscribe":
            return .unsubscribe
        case "scan":
            return .scan(eventKey: try fields.required("EventKey"), ticket: fields.optional("Ticket"))
        case "location":
            return .location(
                latitude: try fields.double("Latitude"), longitude: try fields.double("Longitude"),
                precision: try fields.double("Precision"))
        case "click":
            return .click(key: try fields.required("EventKey"))
        case "view":
            return .view(url: try fields.required("EventKey"))
        case "templatesendjobfinish":
            return .templateSendJobFinish(msgID: try fields.required("MsgID"), status: try fields.required("Status"))
        default:
            return .unknown(name: name, eventKey: fields.optional("EventKey"))
        }
    }
}

/// Typed access to a document's fields, with errors naming the field.
struct FieldReader {
    /// The four fields every message and reply starts with.
    func header() throws(WeChatMessageError) -> (
        toUserName: String, fromUserName: String, createTime: Int64, msgType: String
    ) {
        (try required("ToUserName"), try required("FromUserName"), try int64("CreateTime"), try required("MsgType"))
    }

    let fields: [String: String]

    init(_ fields: [String: String]) { self.fields = fields }

    func required(_ name: String) throws(WeChatMessageError) -> String {
        guard let value = fields[name] else { throw .missingField(name) }
        return value
    }

    /// The value, or nil when absent or empty (WeChat sends `<EventKey><![CDATA[]]></EventKey>`).
    func optional(_ name: String) -> String? {
        guard let value = fields[name], !value.isEmpty else { return nil }
        return value
    }

    func int64(_ name: String) throws(WeChatMessageError) -> Int64 {
        guard let value = Int64(try trimmed(name)) else { throw .invalidField(name) }
        return value
    }

    func int(_ name: String) throws(WeChatMessageError) -> Int {
        guard let value = Int(try trimmed(name)) else { throw .invalidField(name) }
        return value
    }

    func double(_ name: String) throws(WeChatMessageError) -> Double {
        guard let value = Double(try trimmed(name)), value.isFinite else { throw .invalidField(name) }
        return value
    }

    private func trimmed(_ name: String) throws(WeChatMessageError) -> Substring {
        try required(name).trimmingWhitespace()
    }
}

extension String {
    /// The string without leading and trailing whitespace (no Foundation needed).
    func trimmingWhitespace() -> Substring {
        guard let start = firstIndex(where: { !$0.isWhitespace }),
            let end = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return self[start...end]
    }
}
