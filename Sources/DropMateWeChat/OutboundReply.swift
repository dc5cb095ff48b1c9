/// A passive reply: the HTTP response body WeChat shows the customer (WECHAT.md §4).
public struct OutboundReply: Sendable, Equatable {
    /// The customer's OpenID.
    public var toUserName: String
    /// Our Official Account's id (`gh_…`).
    public var fromUserName: String
    /// Unix seconds.
    public var createTime: Int64
    /// What to show.
    public var content: Content

    /// Builds a reply.
    public init(toUserName: String, fromUserName: String, createTime: Int64, content: Content) {
        self.toUserName = toUserName
        self.fromUserName = fromUserName
        self.createTime = createTime
        self.content = content
    }

    /// The reply types DropMate sends.
    public enum Content: Sendable, Equatable {
        /// A text reply.
        case text(String)
        /// A one-article news card.
        case news(Article)
    }

    /// One news article (WeChat shows one per passive reply).
    public struct Article: Sendable, Equatable {
        /// The card's title.
        public var title: String
        /// The card's summary.
        public var description: String
        /// The card's picture.
        public var picURL: String
        /// Where tapping the card leads.
        public var url: String

        /// Builds an article.
        public init(title: String, description: String, picURL: String, url: String) {
            self.title = title
            self.description = description
            self.picURL = picURL
            self.url = url
        }
    }

    /// The reply XML WeChat expects.
    public func xml() -> String {
        var xml = XMLWriter()
        xml.cdata("ToUserName", toUserName)
        xml.cdata("FromUserName", fromUserName)
        xml.plain("CreateTime", String(createTime))
        switch content {
        case .text(let text):
            xml.cdata("MsgType", "text")
            xml.cdata("Content", text)
        case .news(let article):
            xml.cdata("MsgType", "news")
            xml.plain("ArticleCount", "1")
            xml.open("Articles")
            xml.open("item")
            xml.cdata("Title", article.title)
            xml.cdata("Description", article.description)
            xml.cdata("PicUrl", article.picURL)
            xml.cdata("Url", article.url)
            xml.close("item")
            xml.close("Articles")
        }
        return xml.finish()
    }

    /// Reads a reply (what the chat client and tests receive); only `text` and `news` are supported,
    /// and a news reply yields its first article.
    public init(fields document: WeChatXMLDocument) throws(WeChatMessageError) {
        let fields = FieldReader(document.fields)
        let header = try fields.header()
        (toUserName, fromUserName, createTime) = (header.toUserName, header.fromUserName, header.createTime)
        let msgType = header.msgType
        switch msgType.lowercased() {
        case "text":
            content = .text(try fields.required("Content"))
        case "news":
            guard let item = document.nested["Articles"]?.children(named: "item").first else {
                throw .missingField("Articles")
            }
            content = .news(
                Article(
                    title: item["Title"] ?? "", description: item["Description"] ?? "",
                    picURL: item["PicUrl"] ?? "", url: item["Url"] ?? ""))
        default:
            throw .unsupportedReplyType(msgType)
        }
    }
}
