import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Hostile and malformed bodies over real HTTP: refused fast with a 4xx, nothing leaked, and the server keeps serving.
@Suite struct HostileInputTests {
    static let entityFile =
        "<!DOCTYPE xml [<!ENTITY leak SYSTEM \"file:///etc/passwd\">]><xml><ToUserName>gh</ToUserName><FromUserName>o_a</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&leak;</Content><MsgId>1</MsgId></xml>"
    static let billionLaughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]><xml><Content>&lol4;</Content></xml>"
    static var quadraticBlowup: String {
        let big = String(repeating: "A", count: 20_000)
        return "<!DOCTYPE x [<!ENTITY a \"\(big)\">]><xml><Content>" + String(repeating: "&a;", count: 2_000)
            + "</Content></xml>"
    }

    static let bodies: [(name: String, bytes: [UInt8], status: HTTPResponse.Status)] = [
        ("external entity", Array(entityFile.utf8), .badRequest),
        ("billion laughs", Array(billionLaughs.utf8), .badRequest),
        ("quadratic blowup", Array(quadraticBlowup.utf8), .badRequest),
        ("10 MB body", Array(repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024), .contentTooLarge),
        ("truncated", Array("<xml><ToUserName>gh</ToUserName><FromUserName>o_a</Fro".utf8), .badRequest),
        (
            "not UTF-8", [0x3C, 0x78, 0x6D, 0x6C, 0x3E, 0xFF, 0xFE, 0xC3, 0x28, 0x3C, 0x2F, 0x78, 0x6D, 0x6C, 0x3E],
            .badRequest
        ),
        ("empty", [], .badRequest),
        ("wrong root", Array("<html><body>hi</body></html>".utf8), .badRequest),
        (
            "deep nesting",
            Array((String(repeating: "<a>", count: 5_000) + String(repeating: "</a>", count: 5_000)).utf8), .badRequest
        ),
        (
            "text without MsgId",
            Array(
                "<xml><ToUserName>gh</ToUserName><FromUserName>o_a</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>"
                    .utf8), .badRequest
        ),
    ]

    @Test func hostileBodiesAreRefusedAndTheServerKeepsServing() async throws {
        let app = try await TestApp.make()
        let signer = try WeChatClientSigner(token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: nil)
        let clock = app.clock
        try await app.live { client in
            let (query, _) = signer.request(
                for: InboundMessage(
                    toUserName: "gh", fromUserName: "o_a", createTime: clock.now, kind: .text(content: "x", msgID: "1")),
                mode: .plaintext, timestamp: clock.now, nonce: "7")
            for body in Self.bodies {
                let started = ContinuousClock.now
                let response = try await client.execute(
                    uri: "/wechat?\(query)", method: .post, body: ByteBuffer(bytes: body.bytes))
                let elapsed = ContinuousClock.now - started
                #expect(response.status == body.status, "\(body.name): \(response.status)")
                let text = String(buffer: response.body)
                #expect(
                    !text.contains("root:") && !text.contains("lollol") && text.utf8.count < 200,
                    "\(body.name) leaked: \(text.prefix(80))")
                // A stall detector, not a speed target: an expanded entity or a stuck parser takes minutes,
                // while the whole parallel suite can slow one 10 MB upload past a second or two.
                #expect(elapsed < .seconds(10), "\(body.name) took \(elapsed)")
            }
            let message = InboundMessage(
                toUserName: "gh", fromUserName: "o_a", createTime: clock.now, kind: .text(content: "菜单", msgID: "2"))
            let good = signer.request(for: message, mode: .plaintext, timestamp: clock.now, nonce: "8")
            let response = try await client.execute(
                uri: "/wechat?\(good.query)", method: .post, body: ByteBuffer(string: good.body))
            #expect(response.status == .ok && String(buffer: response.body).contains("今日菜单"))
        }
    }

    @Test func aCorruptedCiphertextIsRefused() async throws {
        let app = try await TestApp.make()
        let signer = try WeChatClientSigner(
            token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: TestAccount.encodingAESKey)
        let otherApp = try WeChatClientSigner(
            token: TestAccount.token, appID: "wxsomeoneelse00001", encodingAESKey: TestAccount.encodingAESKey)
        let clock = app.clock
        try await app.live { client in
            let message = InboundMessage(
                toUserName: "gh", fromUserName: "o_a", createTime: clock.now, kind: .text(content: "hi", msgID: "3"))
            let foreign = otherApp.request(for: message, mode: .safe, timestamp: clock.now, nonce: "9")
            #expect(
                try await client.execute(
                    uri: "/wechat?\(foreign.query)", method: .post, body: ByteBuffer(string: foreign.body)
                ).status == .badRequest)
            let (query, _) = signer.request(for: message, mode: .safe, timestamp: clock.now, nonce: "10")
            let garbage =
                "<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[bm90IGEgcmVhbCBjaXBoZXJ0ZXh0]]></Encrypt></xml>"
            let response = try await client.execute(
                uri: "/wechat?\(query)", method: .post, body: ByteBuffer(string: garbage))
            #expect(response.status == .forbidden || response.status == .badRequest)
        }
    }
}
