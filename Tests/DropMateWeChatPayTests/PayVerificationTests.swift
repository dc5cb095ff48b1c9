import DropMateWeChatPay
import Foundation
import Testing

@Suite struct PayVerificationTests {
    let verifier = PaySignatureVerifier(platformKey: TestKeys.platform, window: 300)
    let body = #"{"id":"EV-1"}"#

    func headers(
        timestamp: String = "1733400000", nonce: String = "CALLBACKNONCE", signature: String? = nil,
        serial: String? = TestKeys.keyID
    ) -> PaySignatureVerifier.Headers {
        .init(
            timestamp: timestamp, nonce: nonce, signature: signature ?? TestKeys.vectors.callback_signature,
            serial: serial)
    }

    @Test func aCallbackSignedByPythonVerifies() throws {
        #expect(
            PaySignatureVerifier.message(timestamp: "1733400000", nonce: "CALLBACKNONCE", body: body)
                == TestKeys.vectors.callback_message)
        try verifier.verify(headers: headers(), body: body, now: 1_733_400_100)
    }

    @Test func aChangedBodyNonceOrTimestampFails() {
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(headers: headers(), body: #"{"id":"EV-2"}"#, now: 1_733_400_000)
        }
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(headers: headers(nonce: "OTHER"), body: body, now: 1_733_400_000)
        }
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(headers: headers(timestamp: "1733400001"), body: body, now: 1_733_400_000)
        }
    }

    @Test func aSignatureFromAnotherKeyFails() {
        let forged = TestKeys.merchant.sign(TestKeys.vectors.callback_message)
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(headers: headers(signature: forged), body: body, now: 1_733_400_000)
        }
        #expect(throws: WeChatPayError.badSignature) {
            try verifier.verify(headers: headers(signature: "WECHATPAY/SIGNTEST/abc"), body: body, now: 1_733_400_000)
        }
    }

    @Test func onlyTheConfiguredPublicKeyIDIsAccepted() {
        #expect(throws: WeChatPayError.unknownSerial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")) {
            try verifier.verify(
                headers: headers(serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"), body: body, now: 1_733_400_000)
        }
    }

    @Test func timestampsMoreThanFiveMinutesAwayAreStale() throws {
        try verifier.verify(headers: headers(), body: body, now: 1_733_400_300)
        try verifier.verify(headers: headers(), body: body, now: 1_733_399_700)
        #expect(throws: WeChatPayError.staleTimestamp) {
            try verifier.verify(headers: headers(), body: body, now: 1_733_400_301)
        }
        #expect(throws: WeChatPayError.staleTimestamp) {
            try verifier.verify(headers: headers(), body: body, now: 1_733_399_699)
        }
        #expect(throws: WeChatPayError.staleTimestamp) {
            try verifier.verify(headers: headers(timestamp: "yesterday"), body: body, now: 1_733_400_000)
        }
    }

    @Test func everyHeaderIsRequired() {
        #expect(throws: WeChatPayError.missingHeader("Wechatpay-Serial")) {
            try verifier.verify(headers: headers(serial: nil), body: body, now: 1_733_400_000)
        }
        let noNonce = PaySignatureVerifier.Headers(
            timestamp: "1733400000", nonce: nil, signature: "x", serial: TestKeys.keyID)
        #expect(throws: WeChatPayError.missingHeader("Wechatpay-Nonce")) {
            try verifier.verify(headers: noNonce, body: body, now: 1_733_400_000)
        }
    }
}

@Suite struct PayResourceTests {
    let cipher = PayResourceCipher(key: try! APIv3Key(TestKeys.vectors.api_v3_key))

    @Test func aResourceEncryptedByPythonDecrypts() throws {
        let gcm = TestKeys.vectors.gcm
        let plain = try cipher.decrypt(
            .init(
                originalType: "transaction", ciphertext: gcm.ciphertext, associatedData: gcm.associated_data,
                nonce: gcm.nonce))
        #expect(String(decoding: plain, as: UTF8.self) == gcm.plaintext)
        let transaction = try JSONDecoder().decode(PayTransaction.self, from: plain)
        #expect(
            transaction.outTradeNo == "DM1001" && transaction.tradeState == "SUCCESS"
                && transaction.amount?.total == 2800)
    }

    @Test func ourEncryptionIsWhatPythonProduced() throws {
        let gcm = TestKeys.vectors.gcm
        #expect(
            try cipher.encrypt(Data(gcm.plaintext.utf8), nonce: gcm.nonce, associatedData: gcm.associated_data)
                == gcm.ciphertext)
    }

    @Test func tamperingWithAnyPartIsRefused() throws {
        let gcm = TestKeys.vectors.gcm
        #expect(throws: WeChatPayError.undecryptable) {
            try cipher.decrypt(ciphertext: gcm.ciphertext, nonce: gcm.nonce, associatedData: "refund")
        }
        #expect(throws: WeChatPayError.undecryptable) {
            try cipher.decrypt(ciphertext: gcm.ciphertext, nonce: "abcdefghijkm", associatedData: gcm.associated_data)
        }
        var bytes = try #require(Data(base64Encoded: gcm.ciphertext))
        bytes[3] ^= 1
        #expect(throws: WeChatPayError.undecryptable) {
            try cipher.decrypt(
                ciphertext: bytes.base64EncodedString(), nonce: gcm.nonce, associatedData: gcm.associated_data)
        }
        #expect(throws: WeChatPayError.undecryptable) {
            try cipher.decrypt(ciphertext: "not base64!", nonce: gcm.nonce, associatedData: "")
        }
        let other = PayResourceCipher(key: try APIv3Key("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"))
        #expect(throws: WeChatPayError.undecryptable) {
            try other.decrypt(ciphertext: gcm.ciphertext, nonce: gcm.nonce, associatedData: gcm.associated_data)
        }
        let wrongAlgorithm = PayNotification.Resource(
            originalType: "transaction", algorithm: "AEAD_CHACHA20", ciphertext: gcm.ciphertext,
            associatedData: gcm.associated_data, nonce: gcm.nonce)
        #expect(throws: WeChatPayError.unsupportedAlgorithm("AEAD_CHACHA20")) { try cipher.decrypt(wrongAlgorithm) }
    }

    @Test func aNotificationEnvelopeDecodesFromWeChatPaysFieldNames() throws {
        let json =
            #"{"id":"EV-2018","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"abc","associated_data":"transaction","nonce":"fdasflkja484w"}}"#
        let notification = try JSONDecoder().decode(PayNotification.self, from: Data(json.utf8))
        #expect(
            notification.eventType == "TRANSACTION.SUCCESS" && notification.resource.associatedData == "transaction"
                && notification.resource.nonce == "fdasflkja484w")
    }
}
