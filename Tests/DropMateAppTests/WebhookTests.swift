import DropMateCore
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp

/// The webhook against WeChat's published vectors and the rules of WECHAT.md §1–§4.
@Suite struct WebhookTests {
    @Test func urlVerificationEchoesOnlyForAValidSignature() async throws {
        // WECHAT.md §7 plain signature vector.
        let app = try await TestApp.make(clock: TestClock(1_411_443_780))
        try await app.live { client in
            let valid =
                "/wechat?signature=97f44b51ccbee5533bf61e753557d165ea0f4566&timestamp=1411443780&nonce=437374425&echostr=hello123"
            let ok = try await client.execute(uri: valid, method: .get)
            #expect(ok.status == .ok && String(buffer: ok.body) == "hello123")
            let tampered = try await client.execute(
                uri: valid.replacingOccurrences(of: "437374425", with: "437374424"), method: .get)
            #expect(tampered.status == .forbidden && !String(buffer: tampered.body).contains("hello123"))
        }
    }

    @Test func thePublishedSafeModeMessageIsOpenedAndAnsweredEncrypted() async throws {
        // WECHAT.md §7 decrypt vector: FromUserName messense, Content "test".
        let app = try await TestApp.make(clock: TestClock(1_411_525_903))
        let encrypted =
            "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
        let body =
            "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>"
        let plainSignature = WeChatSignature.sign([TestAccount.token, "1411525903", "461056294"])
        let uri =
            "/wechat?signature=\(plainSignature)&timestamp=1411525903&nonce=461056294&openid=messense&encrypt_type=aes&msg_signature=74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
        try await app.live { client in
            let response = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains("<Encrypt>") && text.contains("<MsgSignature>") && !text.contains("Sorry"))
            let signer = try WeChatClientSigner(
                token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: TestAccount.encodingAESKey)
            let reply = try #require(try signer.openReply(Array(response.body.readableBytesView)))
            #expect(reply.toUserName == "messense")
            #expect(
                reply.content
                    == .text(
                        "Sorry, I didn't get that. Send \"menu\" to see what's on offer, or \"help\" for what I can do."
                    ))
            let forged = try await client.execute(
                uri: uri.replacingOccurrences(of: "74d92dfe", with: "00000000"), method: .post,
                body: ByteBuffer(string: body))
            #expect(forged.status == .forbidden)
        }
    }

    @Test func staleAndUnsignedRequestsAreRefused() async throws {
        let app = try await TestApp.make()
        let signer = try WeChatClientSigner(token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: nil)
        let message = InboundMessage(
            toUserName: TestAccount.accountID, fromUserName: "o_a", createTime: app.clock.now,
            kind: .text(content: "hi", msgID: "1"))
        try await app.live { client in
            let stale = signer.request(for: message, mode: .plaintext, timestamp: app.clock.now - 3600, nonce: "1")
            #expect(
                try await client.execute(
                    uri: "/wechat?\(stale.query)", method: .post, body: ByteBuffer(string: stale.body)
                ).status == .forbidden)
            let missing = try await client.execute(uri: "/wechat", method: .post, body: ByteBuffer(string: stale.body))
            #expect(missing.status == .badRequest || missing.status == .forbidden)
            let wrongToken = try WeChatClientSigner(token: "wrongtoken", appID: TestAccount.appID, encodingAESKey: nil)
                .request(for: message, mode: .plaintext, timestamp: app.clock.now, nonce: "2")
            #expect(
                try await client.execute(
                    uri: "/wechat?\(wrongToken.query)", method: .post, body: ByteBuffer(string: wrongToken.body)
                ).status == .forbidden)
        }
    }

    @Test func unknownMessageTypesAreAcknowledgedWithSuccess() async throws {
        let app = try await TestApp.make()
        let signer = try WeChatClientSigner(token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: nil)
        try await app.live { client in
            let (query, _) = signer.request(
                for: InboundMessage(
                    toUserName: "gh", fromUserName: "o_a", createTime: app.clock.now,
                    kind: .text(content: "x", msgID: "9")),
                mode: .plaintext, timestamp: app.clock.now, nonce: "5")
            let body =
                "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o_a]]></FromUserName><CreateTime>\(app.clock.now)</CreateTime><MsgType><![CDATA[hologram]]></MsgType><MsgId>77</MsgId></xml>"
            let response = try await client.execute(
                uri: "/wechat?\(query)", method: .post, body: ByteBuffer(string: body))
            #expect(response.status == .ok && String(buffer: response.body) == "success")
        }
    }
}

@Suite struct WebhookQueryTests {
    static func request(_ target: String) -> Request {
        Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "dm.example", path: target),
            body: RequestBody(buffer: ByteBuffer()))
    }

    @Test func wechatsQueryIsSplitIntoItsParametersWithTheFirstOfARepeatWinning() {
        let query = WeChatRoutes.query(
            Self.request(
                "/wechat?signature=abc123&timestamp=1700000000&nonce=42&openid=o_A-b_c&encrypt_type=aes&msg_signature=ff&nonce=99&flag&=x"
            ))
        #expect(
            query == [
                "signature": "abc123", "timestamp": "1700000000", "nonce": "42", "openid": "o_A-b_c",
                "encrypt_type": "aes", "msg_signature": "ff", "flag": "",
            ])
        #expect(WeChatRoutes.query(Self.request("/wechat")).isEmpty)
    }

    @Test func percentEncodedValuesAreDecodedAsTheGeneralParserDoes() {
        let query = WeChatRoutes.query(Self.request("/wechat?echostr=a%2Bb%3D&nonce=1"))
        #expect(query["echostr"] == "a+b=")
        #expect(query["nonce"] == "1")
    }
}
