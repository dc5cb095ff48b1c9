import Testing

@testable import DropMateWeChat

@Suite struct OutboundReplyTests {
    @Test func aTextReplyIsWrittenAsWeChatDocumentsIt() {
        let reply = OutboundReply(
            toUserName: "oCustomer", fromUserName: "gh_account", createTime: 12_345_678,
            content: .text("你好"))
        #expect(
            reply.xml() == """
                <xml><ToUserName><![CDATA[oCustomer]]></ToUserName>
                <FromUserName><![CDATA[gh_account]]></FromUserName>
                <CreateTime>12345678</CreateTime>
                <MsgType><![CDATA[text]]></MsgType>
                <Content><![CDATA[你好]]></Content>
                </xml>
                """)
    }

    @Test func aNewsReplyCarriesExactlyOneArticle() throws {
        let article = OutboundReply.Article(
            title: "订单 #12", description: "已送达", picURL: "https://p/x.png",
            url: "https://h5/orders/12?a=1&b=2")
        let reply = OutboundReply(toUserName: "o", fromUserName: "gh", createTime: 1, content: .news(article))
        let xml = reply.xml()
        #expect(
            xml.contains("<MsgType><![CDATA[news]]></MsgType>\n<ArticleCount>1</ArticleCount>\n<Articles>\n<item>\n"))
        #expect(xml.contains("<Url><![CDATA[https://h5/orders/12?a=1&b=2]]></Url>\n</item>\n</Articles>\n</xml>"))
        #expect(try OutboundReply(fields: WeChatXML.parseFields(xml)) == reply)
    }

    @Test func cdataTerminatorsInTextAreSplitSafely() throws {
        let text = "a]]>b]]]]>c<![CDATA[d"
        let reply = OutboundReply(toUserName: "o", fromUserName: "gh", createTime: 1, content: .text(text))
        #expect(reply.xml().contains("<Content><![CDATA[a]]]]><![CDATA[>b]]]]]]><![CDATA[>c<![CDATA[d]]></Content>"))
        #expect(try OutboundReply(fields: WeChatXML.parseFields(reply.xml())) == reply)
    }

    @Test func charactersXMLForbidsAreDroppedSoTheReplyStaysWellFormed() throws {
        let reply = OutboundReply(
            toUserName: "o", fromUserName: "gh", createTime: 1,
            content: .text("a\u{0}b\u{1B}c\td\u{FFFE}\u{FFFF}\u{FFFD}e]]\u{1}>f"))
        let parsed = try OutboundReply(fields: WeChatXML.parseFields(reply.xml()))
        #expect(parsed.content == .text("abc\td\u{FFFD}e]]>f"))
    }

    @Test func unsupportedReplyTypesAreNamedInTheError() {
        let body =
            "<xml><ToUserName>o</ToUserName><FromUserName>g</FromUserName><CreateTime>1</CreateTime><MsgType>music</MsgType></xml>"
        #expect(throws: WeChatMessageError.unsupportedReplyType("music")) {
            try OutboundReply(fields: WeChatXML.parseFields(body))
        }
    }
}
