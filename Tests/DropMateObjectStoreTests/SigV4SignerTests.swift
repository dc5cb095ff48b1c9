import Foundation
import Testing

@testable import DropMateObjectStore

/// AWS's published Signature Version 4 examples, signed here and compared value for value.
@Suite struct SigV4SignerTests {
    static let suiteCredentials = SigV4Credentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let s3Credentials = SigV4Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    /// The request as it was signed: with its date, before the signature was added.
    static func withoutAuthorization(_ request: SigV4Request) -> SigV4Request {
        var request = request
        request.headers.removeAll { $0.name == "authorization" }
        return request
    }

    @Test func timestampsAreBasicISO8601InUTC() {
        #expect(SigV4Encoding.timestamp(Self.suiteDate) == "20150830T123600Z")
        #expect(SigV4Encoding.timestamp(Self.s3Date) == "20130524T000000Z")
    }

    @Test func getVanillaFromTheTestSuiteMatches() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let request = SigV4Request(
            method: "GET", encodedPath: "/", headers: [(name: "Host", value: "example.amazonaws.com")],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256
        )
        let signed = signer.signed(request, at: Self.suiteDate)
        #expect(
            signer.canonicalRequest(Self.withoutAuthorization(signed)).text == """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
        #expect(signed.header("x-amz-date") == "20150830T123600Z")
    }

    @Test func iamListUsersExampleMatchesWithQueryAndContentType() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "iam")
        let request = SigV4Request(
            method: "GET", encodedPath: "/",
            query: [(name: "Version", value: "2010-05-08"), (name: "Action", value: "ListUsers")],
            headers: [
                (name: "Host", value: "iam.amazonaws.com"),
                (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256
        )
        let signed = signer.signed(request, at: Self.suiteDate)
        let canonical = signer.canonicalRequest(Self.withoutAuthorization(signed)).text
        #expect(
            signer.stringToSign(canonicalRequest: canonical, timestamp: "20150830T123600Z") == """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/iam/aws4_request
                f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
                """)
        #expect(
            signed.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        )
    }

    @Test func s3GetObjectExampleMatchesWithPayloadHashHeader() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let request = SigV4Request(
            method: "GET", encodedPath: "/test.txt",
            headers: [
                (name: "Host", value: "examplebucket.s3.amazonaws.com"),
                (name: "Range", value: "bytes=0-9"),
                (name: "x-amz-content-sha256", value: SigV4Signer.emptyPayloadSHA256),
            ],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256
        )
        let signed = signer.signed(request, at: Self.s3Date)
        let canonical = signer.canonicalRequest(Self.withoutAuthorization(signed)).text
        #expect(
            signer.stringToSign(canonicalRequest: canonical, timestamp: "20130524T000000Z").hasSuffix(
                "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(
            signed.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func presignedURLExampleFromTheS3DocsMatches() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let url = signer.presignedURL(
            scheme: "https", host: "examplebucket.s3.amazonaws.com", encodedPath: "/test.txt", expiresIn: 86400,
            at: Self.s3Date
        )
        #expect(
            url == "https://examplebucket.s3.amazonaws.com/test.txt"
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func storePresignsTheDocsExampleThroughItsConfiguration() throws {
        let configuration = S3Configuration(
            endpoint: URL(string: "https://s3.amazonaws.com")!, region: "us-east-1", bucket: "examplebucket",
            credentials: Self.s3Credentials, pathStyle: false
        )
        #expect(configuration.address(of: "test.txt").host == "examplebucket.s3.amazonaws.com")
        let pathStyle = S3Configuration(
            endpoint: URL(string: "http://127.0.0.1:9000")!, region: "us-east-1", bucket: "ads",
            credentials: Self.s3Credentials, pathStyle: true
        )
        #expect(pathStyle.address(of: "a/b.png").host == "127.0.0.1:9000")
        #expect(pathStyle.address(of: "a/b.png").encodedPath == "/ads/a/b.png")
    }

    /// AWS's test suite (get-vanilla-query-unreserved, get-vanilla-utf8-query, get-vanilla-query-order-key-case) and
    /// S3's PUT Object example (`test$file.text` signed as `/test%24file.text`).
    @Test func queryAndPathEncodingFollowTheSuiteAndS3Examples() {
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        #expect(SigV4Signer.canonicalQuery([(name: unreserved, value: unreserved)]) == "\(unreserved)=\(unreserved)")
        #expect(SigV4Signer.canonicalQuery([(name: "ሴ", value: "bar")]) == "%E1%88%B4=bar")
        #expect(
            SigV4Signer.canonicalQuery([(name: "Param2", value: "value2"), (name: "Param1", value: "value1")])
                == "Param1=value1&Param2=value2")
        #expect(SigV4Signer.canonicalQuery([(name: "a b", value: "c~d*e/f")]) == "a%20b=c~d%2Ae%2Ff")
        let configuration = S3Configuration(
            endpoint: URL(string: "https://s3.amazonaws.com")!, region: "us-east-1", bucket: "examplebucket",
            credentials: Self.s3Credentials, pathStyle: false
        )
        #expect(configuration.address(of: "test$file.text").encodedPath == "/test%24file.text")
        #expect(configuration.address(of: "ads/2026 x.png").encodedPath == "/ads/2026%20x.png")
        #expect(SigV4Signer.normalizedHeaderValue("  a   b \t c ") == "a b c")
    }

    @Test func credentialsNeverPrintTheSecret() {
        #expect(!"\(Self.s3Credentials)".contains("EXAMPLEKEY"))
    }
}
