import Testing

@testable import DropMateWeChat

@Suite struct WeChatXMLTests {
    @Test func directChildrenBecomeFieldsFromTextAndCDATA() throws {
        let document = try WeChatXML.parseFields(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <xml><ToUserName><![CDATA[gh_123]]></ToUserName>
            <CreateTime>1348831860</CreateTime>
            <Content>a &amp; b &lt;c&gt; <![CDATA[<d>]]> &#x4F60;<!-- note --></Content>
            <Empty></Empty><SelfClosed/></xml>
            """)
        #expect(document["ToUserName"] == "gh_123")
        #expect(document["CreateTime"] == "1348831860")
        #expect(document["Content"] == "a & b <c> <d> 你")
        #expect(document["Empty"] == "")
        #expect(document["SelfClosed"] == "")
        #expect(document["Missing"] == nil)
        #expect(document.nested.isEmpty)
    }

    @Test func nestedArticlesAreKeptAsATree() throws {
        let document = try WeChatXML.parseFields(
            """
            <xml><Articles><item><Title><![CDATA[one]]></Title></item><item><Title>two</Title></item></Articles></xml>
            """)
        let items = try #require(document.nested["Articles"]).children(named: "item")
        #expect(items.map { $0["Title"] } == ["one", "two"])
    }

    @Test func theFirstOfDuplicateFieldsWins() throws {
        let document = try WeChatXML.parseFields("<xml><MsgType>text</MsgType><MsgType>event</MsgType></xml>")
        #expect(document["MsgType"] == "text")
    }

    @Test func markupInsideCDATAIsTextNotADeclaration() throws {
        let document = try WeChatXML.parseFields(
            """
            <xml><Content><![CDATA[<!DOCTYPE html><!ENTITY x "y">]]></Content></xml>
            """)
        #expect(document["Content"] == #"<!DOCTYPE html><!ENTITY x "y">"#)
    }

    @Test func parsingIsSafeFromManyTasksAtOnce() async throws {
        let body = Array(
            InboundMessage(
                toUserName: "gh_1", fromUserName: "o1", createTime: 1,
                kind: .text(content: "并发", msgID: "9")
            ).xml().utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { () throws in
                    for _ in 0..<500 {
                        let document = try WeChatXML.parseFields(body)
                        #expect(document["Content"] == "并发")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
