import DropMatePercentEncoding
import Foundation
import Testing

/// Known vectors: RFC 3986's unreserved set, AWS Signature Version 4's published examples, and the values WeChat's,
/// Twilio's and the map providers' requests carry.
@Suite struct PercentEncodingTests {
    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    @Test func theUnreservedSetPassesThroughAndEveryOtherASCIIByteIsEncoded() {
        #expect(PercentEncoding.queryValue(Self.unreserved) == Self.unreserved)
        for byte in UInt8(0)...UInt8(127) where !Self.unreserved.utf8.contains(byte) {
            let text = String(decoding: [byte], as: UTF8.self)
            let hex = String(byte, radix: 16, uppercase: true)
            #expect(PercentEncoding.queryValue(text) == "%" + (byte < 16 ? "0" + hex : hex), "byte \(byte)")
        }
    }

    @Test func multiByteCharactersAreEncodedByteByByteInUppercaseHex() {
        // AWS's get-utf8 / get-vanilla-utf8-query: U+1234 is E1 88 B4 in UTF-8.
        #expect(PercentEncoding.queryValue("ሴ") == "%E1%88%B4")
        #expect(PercentEncoding.path("/ሴ") == "/%E1%88%B4")
        // Foundation's .alphanumerics would let these letters through raw.
        #expect(PercentEncoding.queryValue("秘") == "%E7%A7%98")
        #expect(PercentEncoding.queryValue("é") == "%C3%A9")
        #expect(PercentEncoding.queryValue("北京市海淀区") == "%E5%8C%97%E4%BA%AC%E5%B8%82%E6%B5%B7%E6%B7%80%E5%8C%BA")
    }

    @Test func sigV4PublishedExamplesEncodeAsAWSDoes() {
        // S3's presigned-URL example: the credential scope's slashes are encoded in a query value.
        #expect(
            PercentEncoding.queryValue("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
                == "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request")
        // S3's PUT Object example and the suite's get-space: a key keeps its slashes, `$` and spaces are encoded.
        #expect(PercentEncoding.path("/test$file.text") == "/test%24file.text")
        #expect(PercentEncoding.path("/example space/") == "/example%20space/")
        // `*` is reserved for SigV4 (unlike in HTML forms), `~` is not.
        #expect(PercentEncoding.queryValue("a*b~c") == "a%2Ab~c")
    }

    @Test func weChatAndTwilioValuesKeepTheirMeaningInAQueryOrForm() {
        #expect(PercentEncoding.queryValue("ACCESS_TOKEN-1.2~x") == "ACCESS_TOKEN-1.2~x")
        #expect(PercentEncoding.queryValue("a+b/c=d&e f") == "a%2Bb%2Fc%3Dd%26e%20f")
        // A Twilio number: a raw `+` in a form body would be read as a space.
        #expect(PercentEncoding.queryValue("+15017122661") == "%2B15017122661")
        #expect(
            PercentEncoding.queryValue("您的验证码 1234。") == "%E6%82%A8%E7%9A%84%E9%AA%8C%E8%AF%81%E7%A0%81%201234%E3%80%82"
        )
        #expect(PercentEncoding.queryValue("") == "")
        #expect(PercentEncoding.queryValue("100%") == "100%25")
    }

    @Test func aPathSegmentCannotBecomeADotSegmentOrCarryASlash() {
        #expect(PercentEncoding.pathSegment("DM20261205ab_c-1") == "DM20261205ab_c-1")
        #expect(PercentEncoding.pathSegment("..") == "%2E%2E")
        #expect(PercentEncoding.pathSegment(".") == "%2E")
        #expect(PercentEncoding.pathSegment("../x") == "..%2Fx")
        #expect(PercentEncoding.pathSegment("a.b") == "a.b")
        #expect(PercentEncoding.pathSegment("") == "")
    }

    @Test func encodedTextDecodesBackToTheOriginal() {
        for text in ["a b&c=d", "秘 ~*'()!", "\u{0}\u{7F}", "ሴ/ሴ", Self.unreserved, "😀 emoji"] {
            #expect(PercentEncoding.queryValue(text).removingPercentEncodingForTest == text)
            #expect(PercentEncoding.path(text).removingPercentEncodingForTest == text)
        }
    }
}

extension String {
    /// An independent decoder (RFC 3986 section 2.1 read the other way), so the round trip checks more than itself.
    fileprivate var removingPercentEncodingForTest: String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(data: Data(bytes), encoding: .utf8)
    }
}
