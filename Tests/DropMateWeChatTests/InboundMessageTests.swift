import Testing

@testable import DropMateWeChat

@Suite struct InboundMessageTests {
    /// Builds a body the way WeChat's documentation shows it, header first.
    static func body(_ msgType: String, _ rest: String) -> String {
        """
        <xml><ToUserName><![CDATA[gh_account]]></ToUserName>
        <FromUserName><![CDATA[oCustomer]]></FromUserName>
        <CreateTime>1348831860</CreateTime>
        <MsgType><![CDATA[\(msgType)]]></MsgType>
        \(rest)
        </xml>
        """
    }

    static let cases: [(String, InboundMessage.Kind)] = [
        (
            body("text", "<Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId>"),
            .text(content: "this is a test", msgID: "1234567890123456")
        ),
        (
            body(
                "image", "<PicUrl><![CDATA[http://p/1.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>2</MsgId>"),
            .image(picURL: "http://p/1.jpg", mediaID: "m1", msgID: "2")
        ),
        (
            body("voice", "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>3</MsgId>"),
            .voice(mediaID: "m2", format: "amr", recognition: nil, msgID: "3")
        ),
        (
            body(
                "voice",
                "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[送到三号楼]]></Recognition><MsgId>4</MsgId>"
            ),
            .voice(mediaID: "m2", format: "amr", recognition: "送到三号楼", msgID: "4")
        ),
        (
            body(
                "video", "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId><MsgId>5</MsgId>"),
            .video(mediaID: "m3", thumbMediaID: "t3", msgID: "5")
        ),
        (
            body(
                "shortvideo",
                "<MediaId><![CDATA[m4]]></MediaId><ThumbMediaId><![CDATA[t4]]></ThumbMediaId><MsgId>6</MsgId>"),
            .shortVideo(mediaID: "m4", thumbMediaID: "t4", msgID: "6")
        ),
        (
            body(
                "location",
                "<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>7</MsgId>"
            ),
            .location(latitude: 23.134521, longitude: 113.358803, scale: 20, label: "位置信息", msgID: "7")
        ),
        (
            body(
                "link",
                "<Title><![CDATA[公众平台官网链接]]></Title><Description><![CDATA[描述]]></Description><Url><![CDATA[https://x/y?a=1&b=2]]></Url><MsgId>8</MsgId>"
            ),
            .link(title: "公众平台官网链接", description: "描述", url: "https://x/y?a=1&b=2", msgID: "8")
        ),
        (
            body("event", "<Event><![CDATA[subscribe]]></Event>"),
            .event(.subscribe(eventKey: nil, ticket: nil))
        ),
        (
            body("event", "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>"),
            .event(.subscribe(eventKey: nil, ticket: nil))
        ),
        (
            body(
                "event",
                "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>"
            ),
            .event(.subscribe(eventKey: "qrscene_123123", ticket: "TICKET"))
        ),
        (
            body("event", "<Event><![CDATA[unsubscribe]]></Event>"),
            .event(.unsubscribe)
        ),
        (
            body(
                "event",
                "<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[SCENE_VALUE]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>"
            ),
            .event(.scan(eventKey: "SCENE_VALUE", ticket: "TICKET"))
        ),
        (
            body(
                "event",
                "<Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>"
            ),
            .event(.location(latitude: 23.137466, longitude: 113.352425, precision: 119.38504))
        ),
        (
            body("event", "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[ORDER_NOW]]></EventKey>"),
            .event(.click(key: "ORDER_NOW"))
        ),
        (
            body("event", "<Event><![CDATA[VIEW]]></Event><EventKey><![CDATA[https://www.qq.com/]]></EventKey>"),
            .event(.view(url: "https://www.qq.com/"))
        ),
        (
            body(
                "event",
                "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"
            ),
            .event(.templateSendJobFinish(msgID: "200163836", status: "success"))
        ),
        (
            body("event", "<Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>1</MsgID>"),
            .event(.unknown(name: "MASSSENDJOBFINISH", eventKey: nil))
        ),
        (
            body("event", "<Event><![CDATA[scancode_push]]></Event><EventKey><![CDATA[k]]></EventKey>"),
            .event(.unknown(name: "scancode_push", eventKey: "k"))
        ),
        (
            body("miniprogrampage", "<Title><![CDATA[t]]></Title><MsgId>9</MsgId>"),
            .unknown(msgType: "miniprogrampage", msgID: "9")
        ),
        (
            body("file", "<Title><![CDATA[t]]></Title>"),
            .unknown(msgType: "file", msgID: nil)
        ),
    ]

    @Test(arguments: cases)
    func everyDocumentedTypeAndEventDecodes(body: String, kind: InboundMessage.Kind) throws {
        let message = try InboundMessage(fields: WeChatXML.parseFields(body))
        #expect(message.toUserName == "gh_account")
        #expect(message.fromUserName == "oCustomer")
        #expect(message.createTime == 1_348_831_860)
        #expect(message.kind == kind)
    }

    @Test(arguments: cases.map(\.1))
    func encodingAndDecodingRoundTripsEveryKind(kind: InboundMessage.Kind) throws {
        let message = InboundMessage(toUserName: "gh_account", fromUserName: "o]]>x", createTime: 42, kind: kind)
        #expect(try InboundMessage(fields: WeChatXML.parseFields(message.xml())) == message)
    }

    @Test func encodingLooksLikeWeChats() {
        let message = InboundMessage(
            toUserName: "gh_a", fromUserName: "o_b", createTime: 1_348_831_860,
            kind: .text(content: "hi", msgID: "77"))
        #expect(
            message.xml() == """
                <xml><ToUserName><![CDATA[gh_a]]></ToUserName>
                <FromUserName><![CDATA[o_b]]></FromUserName>
                <CreateTime>1348831860</CreateTime>
                <MsgType><![CDATA[text]]></MsgType>
                <Content><![CDATA[hi]]></Content>
                <MsgId>77</MsgId>
                </xml>
                """)
    }

    @Test(arguments: ["ToUserName", "FromUserName", "CreateTime", "MsgType"])
    func aMissingHeaderFieldIsAnError(field: String) throws {
        var document = try WeChatXML.parseFields(Self.body("text", "<Content>x</Content><MsgId>1</MsgId>"))
        document.fields[field] = nil
        #expect(throws: WeChatMessageError.missingField(field)) { try InboundMessage(fields: document) }
    }

    @Test func invalidOrMissingTypeFieldsAreErrorsNamingTheField() throws {
        let badTime = Self.body("text", "<Content>x</Content><MsgId>1</MsgId>").replacing("1348831860", with: "soon")
        #expect(throws: WeChatMessageError.invalidField("CreateTime")) {
            try InboundMessage(fields: WeChatXML.parseFields(badTime))
        }
        #expect(throws: WeChatMessageError.missingField("MsgId")) {
            try InboundMessage(fields: WeChatXML.parseFields(Self.body("text", "<Content>x</Content>")))
        }
        let badScale = Self.body(
            "location", "<Location_X>1</Location_X><Location_Y>2</Location_Y><Scale>big</Scale><Label/><MsgId>1</MsgId>"
        )
        #expect(throws: WeChatMessageError.invalidField("Scale")) {
            try InboundMessage(fields: WeChatXML.parseFields(badScale))
        }
    }

    @Test func anEmptyOrBlankFromUserNameIsMalformed() {
        for from in ["", "   "] {
            let body =
                "<xml><ToUserName>gh</ToUserName><FromUserName><![CDATA[\(from)]]></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>"
            #expect(throws: WeChatMessageError.invalidField("FromUserName")) {
                try InboundMessage(fields: WeChatXML.parseFields(body))
            }
        }
    }

    @Test func dedupeKeysUseMsgIdOrSenderTimeAndEvent() {
        func message(_ kind: InboundMessage.Kind) -> InboundMessage {
            InboundMessage(toUserName: "gh", fromUserName: "oX", createTime: 123, kind: kind)
        }
        #expect(message(.text(content: "a", msgID: "99")).dedupeKey == "msg:99:oX")
        // Scoped to the sender: the same MsgId from another customer is another message.
        #expect(
            InboundMessage(
                toUserName: "gh", fromUserName: "oY", createTime: 123, kind: .text(content: "a", msgID: "99")
            ).dedupeKey
                != message(.text(content: "a", msgID: "99")).dedupeKey)
        #expect(message(.event(.click(key: "K"))).dedupeKey == "evt:123:oX:CLICK:K")
        #expect(message(.event(.click(key: "MENU"))).dedupeKey != message(.event(.click(key: "HELP"))).dedupeKey)
        #expect(message(.event(.subscribe(eventKey: nil, ticket: nil))).dedupeKey == "evt:123:oX:subscribe")
        #expect(
            message(.event(.templateSendJobFinish(msgID: "5", status: "success"))).dedupeKey
                == "evt:123:oX:TEMPLATESENDJOBFINISH")
        #expect(message(.unknown(msgType: "file", msgID: nil)).dedupeKey == "evt:123:oX:file")
    }
}
