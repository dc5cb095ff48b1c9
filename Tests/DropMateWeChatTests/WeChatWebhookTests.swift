import Foundation
import Testing

@testable import DropMateWeChat

@Suite struct WeChatWebhookTests {
    static let now: Int64 = 1_411_525_903
    let webhook: WeChatWebhook
    let signer: WeChatClientSigner
    let message = InboundMessage(
        toUserName: "gh_account", fromUserName: "oCustomer", createTime: now,
        kind: .text(content: "我要一份外卖 ]]> & <b>", msgID: "4363689963896700987"))

    init() throws {
        webhook = try WeChatWebhook(token: Vectors.token, appID: Vectors.appID, encodingAESKey: Vectors.encodingAESKey)
        signer = try WeChatClientSigner(
            token: Vectors.token, appID: Vectors.appID, encodingAESKey: Vectors.encodingAESKey)
    }

    /// Splits `a=1&b=2` the way the HTTP layer hands queries over (percent-decoded).
    static func parse(query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            result[String(parts[0])] = String(parts[1]).removingPercentEncoding ?? ""
        }
        return result
    }

    @Test(arguments: WeChatWebhook.Mode.allCases)
    func aSignedRequestRoundTripsThroughOpenSealAndOpenReply(mode: WeChatWebhook.Mode) throws {
        let request = signer.request(for: message, mode: mode, timestamp: Self.now, nonce: "n 1&2")
        let query = Self.parse(query: request.query)
        let opened = try webhook.open(query: query, body: Array(request.body.utf8), now: Self.now + 10)
        #expect(opened == WeChatWebhook.OpenedMessage(message: message, mode: mode))

        let reply = OutboundReply(
            toUserName: message.fromUserName, fromUserName: message.toUserName,
            createTime: Self.now, content: .text("好的 ]]> 马上到"))
        let sealed = webhook.seal(
            reply: reply.xml(), mode: mode, timestamp: query["timestamp"]!, nonce: query["nonce"]!)
        #expect(sealed.contains("<Encrypt>") == (mode != .plaintext))
        #expect(try signer.openReply(Array(sealed.utf8)) == reply)
    }

    @Test func theQueryCarriesEveryParameterWeChatSends() {
        let plain = Self.parse(
            query: signer.request(for: message, mode: .plaintext, timestamp: Self.now, nonce: "n").query)
        #expect(Set(plain.keys) == ["signature", "timestamp", "nonce", "openid"])
        #expect(plain["openid"] == "oCustomer")
        let safe = Self.parse(query: signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n").query)
        #expect(Set(safe.keys) == ["signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"])
        #expect(safe["encrypt_type"] == "aes")
    }

    @Test func safeModeBodiesCarryOnlyTheRecipientAndTheCiphertext() throws {
        let body = signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n").body
        #expect(Set(try WeChatXML.parseFields(body).fields.keys) == ["ToUserName", "Encrypt"])
        let compatible = signer.request(for: message, mode: .compatible, timestamp: Self.now, nonce: "n").body
        #expect(try WeChatXML.parseFields(compatible)["MsgType"] == "text")
        #expect(try WeChatXML.parseFields(compatible)["Encrypt"] != nil)
    }

    @Test func thePublishedSafeModeVectorOpens() throws {
        let query = [
            "signature": WeChatSignature.sign([Vectors.token, Vectors.timestamp, Vectors.nonce]),
            "timestamp": Vectors.timestamp, "nonce": Vectors.nonce,
            "encrypt_type": "aes", "msg_signature": Vectors.decryptMsgSignature,
        ]
        let body =
            "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName><Encrypt><![CDATA[\(Vectors.decryptEncrypt)]]></Encrypt></xml>"
        let opened = try webhook.open(query: query, body: Array(body.utf8), now: Self.now)
        #expect(opened.mode == .safe)
        #expect(opened.message.fromUserName == "messense")
        #expect(opened.message.kind == .text(content: "test", msgID: "4363689963896700987"))
    }

    @Test func sealingThePublishedReplyGivesThePublishedEnvelope() throws {
        let sealed = try webhook.seal(
            reply: Vectors.encryptReply, mode: .safe, timestamp: Vectors.timestamp,
            nonce: Vectors.nonce, random: Vectors.encryptRandom)
        #expect(
            sealed == """
                <xml><Encrypt><![CDATA[\(Vectors.encryptEncrypt)]]></Encrypt>
                <MsgSignature><![CDATA[\(Vectors.encryptMsgSignature)]]></MsgSignature>
                <TimeStamp>\(Vectors.timestamp)</TimeStamp>
                <Nonce><![CDATA[\(Vectors.nonce)]]></Nonce>
                </xml>
                """)
    }

    @Test(arguments: WeChatWebhook.Mode.allCases)
    func acknowledgementsAreNeverEncrypted(mode: WeChatWebhook.Mode) throws {
        #expect(webhook.seal(reply: "success", mode: mode, timestamp: "1", nonce: "n") == "success")
        #expect(webhook.seal(reply: "", mode: mode, timestamp: "1", nonce: "n") == "")
        #expect(try signer.openReply(Array("success".utf8)) == nil)
        #expect(try signer.openReply([]) == nil)
    }

    @Test func urlVerificationEchoesOnlyForAValidFreshSignature() {
        var query = [
            "signature": Vectors.plainSignature, "timestamp": Vectors.plainTimestamp,
            "nonce": Vectors.plainNonce, "echostr": "5837397520665436492",
        ]
        let now = Int64(Vectors.plainTimestamp)!
        #expect(webhook.verifyURL(query: query, now: now) == "5837397520665436492")
        #expect(webhook.verifyURL(query: query, now: now + 3600) == nil)
        query["nonce"] = "437374424"
        #expect(webhook.verifyURL(query: query, now: now) == nil)
        query["nonce"] = nil
        #expect(webhook.verifyURL(query: query, now: now) == nil)
    }

    @Test(arguments: WeChatWebhook.Mode.allCases)
    func staleAndFutureTimestampsAreRefused(mode: WeChatWebhook.Mode) {
        let request = signer.request(for: message, mode: mode, timestamp: Self.now, nonce: "n")
        let query = Self.parse(query: request.query)
        for now in [Self.now + 301, Self.now - 301, .max, .min] {
            #expect(throws: WeChatWebhookError.staleTimestamp) {
                try webhook.open(query: query, body: Array(request.body.utf8), now: now)
            }
        }
        #expect(throws: Never.self) {
            try webhook.open(query: query, body: Array(request.body.utf8), now: Self.now + 300)
        }
    }

    @Test(arguments: WeChatWebhook.Mode.allCases)
    func badSignaturesAreRefused(mode: WeChatWebhook.Mode) {
        let request = signer.request(for: message, mode: mode, timestamp: Self.now, nonce: "n")
        var query = Self.parse(query: request.query)
        query["nonce"] = "m"
        #expect(throws: WeChatWebhookError.badSignature) {
            try webhook.open(query: query, body: Array(request.body.utf8), now: Self.now)
        }
        let other = try! WeChatWebhook(token: "another", appID: Vectors.appID, encodingAESKey: Vectors.encodingAESKey)
        #expect(throws: WeChatWebhookError.badSignature) {
            try other.open(query: Self.parse(query: request.query), body: Array(request.body.utf8), now: Self.now)
        }
    }

    @Test func aTamperedCiphertextFailsTheMsgSignature() throws {
        let request = signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n")
        let tampered = request.body.replacing("<![CDATA[", with: "<![CDATA[AAAA", maxReplacements: 2)
        #expect(throws: WeChatWebhookError.badSignature) {
            try webhook.open(query: Self.parse(query: request.query), body: Array(tampered.utf8), now: Self.now)
        }
    }

    @Test func aCorrectlySignedButUndecryptablePayloadIsDecryptionFailed() throws {
        let other = try WeChatClientSigner(
            token: Vectors.token, appID: "wx_other_app", encodingAESKey: Vectors.encodingAESKey)
        let request = other.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n")
        #expect(throws: WeChatWebhookError.decryptionFailed(.appIDMismatch)) {
            try webhook.open(query: Self.parse(query: request.query), body: Array(request.body.utf8), now: Self.now)
        }
    }

    @Test func encryptedRequestsNeedAConfiguredKey() throws {
        let plainOnly = try WeChatWebhook(token: Vectors.token, appID: Vectors.appID, encodingAESKey: nil)
        let request = signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n")
        #expect(throws: WeChatWebhookError.encryptionNotConfigured) {
            try plainOnly.open(query: Self.parse(query: request.query), body: Array(request.body.utf8), now: Self.now)
        }
        #expect(plainOnly.seal(reply: "<xml/>", mode: .safe, timestamp: "1", nonce: "n") == "<xml/>")
    }

    @Test func safeModeRefusesPlaintextRequestsAndTheDefaultModeFollowsTheKey() throws {
        #expect(webhook.messageMode == .compatible)
        #expect(
            try WeChatWebhook(token: Vectors.token, appID: Vectors.appID, encodingAESKey: nil).messageMode == .plaintext
        )
        #expect(throws: WeChatCryptoError.missingEncodingAESKey) {
            try WeChatWebhook(token: Vectors.token, appID: Vectors.appID, encodingAESKey: nil, messageMode: .safe)
        }
        let safe = try WeChatWebhook(
            token: Vectors.token, appID: Vectors.appID, encodingAESKey: Vectors.encodingAESKey, messageMode: .safe)
        let plain = signer.request(for: message, mode: .plaintext, timestamp: Self.now, nonce: "p")
        #expect(throws: WeChatWebhookError.plaintextRefused) {
            try safe.open(query: Self.parse(query: plain.query), body: Array(plain.body.utf8), now: Self.now)
        }
        for mode in [WeChatWebhook.Mode.safe, .compatible] {
            let encrypted = signer.request(for: message, mode: mode, timestamp: Self.now, nonce: "e")
            #expect(
                try safe.open(
                    query: Self.parse(query: encrypted.query), body: Array(encrypted.body.utf8), now: Self.now
                ).message == message)
        }
        // Plaintext mode with a key still opens encrypted requests: their msg_signature covers the body.
        let plaintextMode = try WeChatWebhook(
            token: Vectors.token, appID: Vectors.appID, encodingAESKey: Vectors.encodingAESKey, messageMode: .plaintext)
        let encrypted = signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "e")
        #expect(
            try plaintextMode.open(
                query: Self.parse(query: encrypted.query), body: Array(encrypted.body.utf8), now: Self.now
            ).message == message)
        #expect(
            try plaintextMode.open(query: Self.parse(query: plain.query), body: Array(plain.body.utf8), now: Self.now)
                .message == message)
    }

    @Test func keysAreValidatedAtConfigurationAndAnEmptyKeyMeansPlaintextOnly() throws {
        #expect(throws: WeChatCryptoError.invalidEncodingAESKey) {
            try WeChatWebhook(token: "t", appID: "a", encodingAESKey: "too short")
        }
        let plainOnly = try WeChatClientSigner(token: Vectors.token, appID: Vectors.appID, encodingAESKey: "")
        #expect(throws: WeChatCryptoError.missingEncodingAESKey) {
            try plainOnly.request(
                for: message, mode: .safe, timestamp: Self.now, nonce: "n", random: Vectors.encryptRandom)
        }
        let request = try plainOnly.request(
            for: message, mode: .plaintext, timestamp: Self.now, nonce: "n",
            random: Vectors.encryptRandom)
        #expect(
            try webhook.open(
                query: Self.parse(query: request.query), body: Array(request.body.utf8),
                now: Self.now
            ).mode == .plaintext)
    }

    @Test(arguments: ["signature", "timestamp", "nonce", "msg_signature"])
    func missingQueryParametersAreNamed(name: String) {
        let request = signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n")
        var query = Self.parse(query: request.query)
        query[name] = nil
        #expect(throws: WeChatWebhookError.missingQuery(name)) {
            try webhook.open(query: query, body: Array(request.body.utf8), now: Self.now)
        }
    }

    @Test func hostileAndInvalidBodiesMapToSpecificErrors() {
        let request = signer.request(for: message, mode: .plaintext, timestamp: Self.now, nonce: "n")
        let query = Self.parse(query: request.query)
        #expect(throws: WeChatWebhookError.badXML(.forbiddenDeclaration)) {
            try webhook.open(query: query, body: Array(HostileXMLTests.externalEntity.utf8), now: Self.now)
        }
        #expect(throws: WeChatWebhookError.badXML(.empty)) { try webhook.open(query: query, body: [], now: Self.now) }
        #expect(throws: WeChatWebhookError.badMessage(.missingField("MsgType"))) {
            try webhook.open(
                query: query,
                body: Array(
                    "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime></xml>".utf8
                ), now: Self.now)
        }
        var aes = Self.parse(query: signer.request(for: message, mode: .safe, timestamp: Self.now, nonce: "n").query)
        aes["msg_signature"] = "x"
        #expect(throws: WeChatWebhookError.badMessage(.missingField("Encrypt"))) {
            try webhook.open(query: aes, body: Array(request.body.utf8), now: Self.now)
        }
    }

    @Test func aForgedReplyEnvelopeIsRefusedByTheClient() throws {
        let sealed = webhook.seal(reply: "<xml/>", mode: .safe, timestamp: "1", nonce: "n")
        let forged = sealed.replacing("<TimeStamp>1</TimeStamp>", with: "<TimeStamp>2</TimeStamp>")
        #expect(throws: WeChatWebhookError.badSignature) { try signer.openReply(Array(forged.utf8)) }
    }
}
