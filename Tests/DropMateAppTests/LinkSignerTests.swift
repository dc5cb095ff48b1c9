import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Signed links compare signatures with their own constant-time comparison (not WeChat's).
@Suite struct LinkSignerTests {
    @Test func theComparisonLooksAtWholeStrings() {
        #expect(LinkSigner.constantTimeEquals("3f9a", "3f9a"))
        #expect(LinkSigner.constantTimeEquals("", ""))
        #expect(!LinkSigner.constantTimeEquals("3f9a", "3f9b"), "the last byte counts")
        #expect(!LinkSigner.constantTimeEquals("3f9a", "af9a"), "the first byte counts")
        #expect(!LinkSigner.constantTimeEquals("3f9a", "3f9"), "a prefix is not equal")
        #expect(!LinkSigner.constantTimeEquals("3f9", "3f9a"))
        #expect(!LinkSigner.constantTimeEquals("é", "e\u{301}"), "bytes, not canonical equivalence")
    }

    @Test func anyChangedTruncatedOrEmptySignatureIsForged() {
        let signer = LinkSigner(secret: Array("0123456789abcdef0123456789abcdef".utf8))
        let signature = signer.signature(purpose: "track", id: "1001", expires: 2000)
        #expect(signature.count == 32)
        #expect(signer.verify(purpose: "track", id: "1001", expires: 2000, signature: signature, now: 1000) == .valid)
        for index in signature.indices {
            var changed = signature
            changed.replaceSubrange(index...index, with: signature[index] == "0" ? "1" : "0")
            #expect(
                signer.verify(purpose: "track", id: "1001", expires: 2000, signature: changed, now: 1000) == .forged)
        }
        #expect(
            signer.verify(
                purpose: "track", id: "1001", expires: 2000, signature: String(signature.dropLast()), now: 1000)
                == .forged)
        #expect(signer.verify(purpose: "track", id: "1001", expires: 2000, signature: "", now: 1000) == .forged)
        #expect(
            signer.verify(purpose: "confirm", id: "1001", expires: 2000, signature: signature, now: 1000) == .forged,
            "signed for another purpose")
    }
}
