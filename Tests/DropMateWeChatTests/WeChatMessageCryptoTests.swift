import Crypto
import CryptoExtras
import Foundation
import Testing

@testable import DropMateWeChat

@Suite struct WeChatMessageCryptoTests {
    let crypto: WeChatMessageCrypto

    init() throws {
        crypto = try WeChatMessageCrypto(encodingAESKey: Vectors.encodingAESKey, appID: Vectors.appID)
    }

    @Test func publishedCiphertextDecryptsToTheMessengersTextMessage() throws {
        let xml = try crypto.decrypt(Vectors.decryptEncrypt)
        let message = try InboundMessage(fields: WeChatXML.parseFields(xml))
        #expect(message.fromUserName == "messense")
        #expect(message.toUserName == Vectors.appID)
        #expect(message.createTime == 1_411_525_903)
        #expect(message.kind == .text(content: "test", msgID: "4363689963896700987"))
    }

    @Test func publishedReplyEncryptsToTheExactCiphertext() throws {
        let encrypted = try crypto.encrypt(Array(Vectors.encryptReply.utf8), random: Vectors.encryptRandom)
        #expect(encrypted == Vectors.encryptEncrypt)
        #expect(
            WeChatSignature.sign([Vectors.token, Vectors.timestamp, Vectors.nonce, encrypted])
                == Vectors.encryptMsgSignature)
    }

    @Test func randomEncryptionRoundTrips() throws {
        let message = "<xml><Content><![CDATA[你好 ]]]]><![CDATA[>]]></Content></xml>"
        let first = crypto.encrypt(message), second = crypto.encrypt(message)
        #expect(first != second)
        #expect(try crypto.decrypt(first) == Array(message.utf8))
        #expect(try crypto.decrypt(crypto.encrypt("")) == [])
    }

    @Test(arguments: [
        "", "short", String(repeating: "a", count: 42), String(repeating: "a", count: 44),
        "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1a!",
    ])
    func malformedEncodingAESKeysAreRefused(key: String) {
        #expect(throws: WeChatCryptoError.invalidEncodingAESKey) {
            try WeChatMessageCrypto(encodingAESKey: key, appID: Vectors.appID)
        }
    }

    @Test func aDifferentAppIDIsRefused() throws {
        let other = try WeChatMessageCrypto(encodingAESKey: Vectors.encodingAESKey, appID: "wx0000000000000000")
        #expect(throws: WeChatCryptoError.appIDMismatch) { try other.decrypt(Vectors.decryptEncrypt) }
    }

    @Test func truncatedOrNonBase64CiphertextIsRefused() {
        let truncated = String(Vectors.decryptEncrypt.prefix(100))
        #expect(throws: WeChatCryptoError.invalidCiphertext) { try crypto.decrypt(truncated) }
        #expect(throws: WeChatCryptoError.invalidCiphertext) { try crypto.decrypt("") }
        #expect(throws: WeChatCryptoError.invalidCiphertext) { try crypto.decrypt("not base64!") }
        // Whole blocks, but the last block is gone: the padding no longer checks out.
        let bytes = Data(base64Encoded: Vectors.decryptEncrypt)!
        let shortened = bytes.prefix(bytes.count - 32).base64EncodedString()
        #expect(throws: WeChatCryptoError.self) { try crypto.decrypt(shortened) }
    }

    @Test(arguments: [0, 33, 255])
    func padValuesOutsideOneToThirtyTwoAreRefused(pad: Int) throws {
        var plain = [UInt8](repeating: 0, count: 64)
        plain[plain.count - 1] = UInt8(pad)
        #expect(throws: WeChatCryptoError.invalidPadding) { try crypto.decrypt(rawEncrypt(plain)) }
    }

    @Test func inconsistentPadBytesAreRefused() throws {
        var plain = [UInt8](repeating: 4, count: 64)
        plain[61] = 3
        #expect(throws: WeChatCryptoError.invalidPadding) { try crypto.decrypt(rawEncrypt(plain)) }
    }

    @Test func aLengthRunningPastTheBufferIsRefused() throws {
        var plain = [UInt8](repeating: 0, count: 16) + [0, 0, 0x10, 0] + Array("abc".utf8)
        plain += [UInt8](repeating: 9, count: 9)
        #expect(throws: WeChatCryptoError.invalidLength) { try crypto.decrypt(rawEncrypt(plain)) }
        let tooShort = [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 16, count: 16)
        #expect(throws: WeChatCryptoError.invalidLength) { try crypto.decrypt(rawEncrypt(tooShort)) }
    }

    @Test func encryptionNeedsSixteenRandomBytes() {
        #expect(throws: WeChatCryptoError.invalidRandomLength(3)) { try crypto.encrypt([1], random: [1, 2, 3]) }
    }

    @Test func errorDescriptionsNeverContainTheKey() {
        let errors: [WeChatCryptoError] = [
            .invalidEncodingAESKey, .invalidCiphertext, .invalidPadding,
            .invalidLength, .appIDMismatch, .cipherFailure, .invalidRandomLength(1),
        ]
        for error in errors { #expect(!error.description.contains(Vectors.encodingAESKey)) }
    }

    /// Encrypts `plain` (a whole number of blocks) with the vector key, bypassing our framing.
    private func rawEncrypt(_ plain: [UInt8]) throws -> String {
        let key = Data(base64Encoded: Vectors.encodingAESKey + "=")!
        let iv = try AES._CBC.IV(ivBytes: key.prefix(16))
        return try AES._CBC.encrypt(plain, using: SymmetricKey(data: key), iv: iv, noPadding: true)
            .base64EncodedString()
    }
}
