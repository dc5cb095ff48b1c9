import Testing

@testable import DropMateWeChat

@Suite struct WeChatSignatureTests {
    @Test func publishedPlainSignatureVerifies() {
        #expect(
            WeChatSignature.sign([Vectors.token, Vectors.plainTimestamp, Vectors.plainNonce]) == Vectors.plainSignature)
        #expect(
            WeChatSignature.isValid(
                signature: Vectors.plainSignature, token: Vectors.token,
                timestamp: Vectors.plainTimestamp, nonce: Vectors.plainNonce))
    }

    @Test func aChangedNonceFailsThePlainSignature() {
        #expect(
            !WeChatSignature.isValid(
                signature: Vectors.plainSignature, token: Vectors.token,
                timestamp: Vectors.plainTimestamp, nonce: "437374424"))
    }

    @Test func publishedMsgSignaturesVerify() {
        #expect(
            WeChatSignature.isValid(
                msgSignature: Vectors.decryptMsgSignature, token: Vectors.token,
                timestamp: Vectors.timestamp, nonce: Vectors.nonce,
                encrypted: Vectors.decryptEncrypt))
        #expect(
            WeChatSignature.isValid(
                msgSignature: Vectors.encryptMsgSignature, token: Vectors.token,
                timestamp: Vectors.timestamp, nonce: Vectors.nonce,
                encrypted: Vectors.encryptEncrypt))
    }

    @Test func partsAreSortedInByteOrderWhateverTheirInputOrder() {
        let expected = WeChatSignature.sign(["B", "a", "é", "_"])
        #expect(WeChatSignature.sign(["é", "_", "a", "B"]) == expected)
        // Byte order: "B" (0x42) < "_" (0x5F) < "a" (0x61) < "é" (0xC3 0xA9).
        #expect(expected == WeChatSignature.sign(["B_aé"]))
    }

    @Test func constantTimeEqualityComparesWholeStrings() {
        #expect(WeChatSignature.constantTimeEquals("abc", "abc"))
        #expect(!WeChatSignature.constantTimeEquals("abc", "abd"))
        #expect(!WeChatSignature.constantTimeEquals("abc", "abcd"))
        #expect(WeChatSignature.constantTimeEquals("", ""))
    }
}
