extension InboundMessage {
    /// The message as WeChat's servers write it: strings in CDATA, numbers bare.
    public func xml() -> String {
        var xml = XMLWriter()
        xml.cdata("ToUserName", toUserName)
        xml.cdata("FromUserName", fromUserName)
        xml.plain("CreateTime", String(createTime))
        xml.cdata("MsgType", msgType)
        switch kind {
        case .text(let content, let msgID):
            xml.cdata("Content", content)
            xml.plain("MsgId", msgID)
        case .image(let picURL, let mediaID, let msgID):
            xml.cdata("PicUrl", picURL)
            xml.cdata("MediaId", mediaID)
            xml.plain("MsgId", msgID)
        case .voice(let mediaID, let format, let recognition, let msgID):
            xml.cdata("MediaId", mediaID)
            xml.cdata("Format", format)
            if let recognition { xml.cdata("Recognition", recognition) }
            xml.plain("MsgId", msgID)
        case .video(let mediaID, let thumbMediaID, let msgID), .shortVideo(let mediaID, let thumbMediaID, let msgID):
            xml.cdata("MediaId", mediaID)
            xml.cdata("ThumbMediaId", thumbMediaID)
            xml.plain("MsgId", msgID)
        case .location(let latitude, let longitude, let scale, let label, let msgID):
            xml.plain("Location_X", String(latitude))
            xml.plain("Location_Y", String(longitude))
            xml.plain("Scale", String(scale))
            xml.cdata("Label", label)
            xml.plain("MsgId", msgID)
        case .link(let title, let description, let url, let msgID):
            xml.cdata("Title", title)
            xml.cdata("Description", description)
            xml.cdata("Url", url)
            xml.plain("MsgId", msgID)
        case .event(let event):
            Self.write(event, to: &xml)
        case .unknown(_, let msgID):
            if let msgID { xml.plain("MsgId", msgID) }
        }
        return xml.finish()
    }

    private static func write(_ event: Event, to xml: inout XMLWriter) {
        xml.cdata("Event", event.name)
        switch event {
        case .subscribe(let eventKey, let ticket):
            if let eventKey { xml.cdata("EventKey", eventKey) }
            if let ticket { xml.cdata("Ticket", ticket) }
        case .unsubscribe:
            break
        case .scan(let eventKey, let ticket):
            xml.cdata("EventKey", eventKey)
            if let ticket { xml.cdata("Ticket", ticket) }
        case .location(let latitude, let longitude, let precision):
            xml.plain("Latitude", String(latitude))
            xml.plain("Longitude", String(longitude))
            xml.plain("Precision", String(precision))
        case .click(let key):
            xml.cdata("EventKey", key)
        case .view(let url):
            xml.cdata("EventKey", url)
        case .templateSendJobFinish(let msgID, let status):
            xml.plain("MsgID", msgID)
            xml.cdata("Status", status)
        case .unknown(_, let eventKey):
            if let eventKey { xml.cdata("EventKey", eventKey) }
        }
    }
}
