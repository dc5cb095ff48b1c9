import Foundation
import Testing

@testable import DropMateObjectStore

/// S3's XML error bodies as AWS, MinIO and proxies send them, read with libxml2; and bodies meant to mislead the reader.
@Suite struct S3ErrorBodyTests {
    static func parse(_ text: String, status: Int = 403) -> S3ServiceError {
        S3ErrorBody.parse(Array(text.utf8), status: status)
    }

    @Test func awsDocumentedNoSuchKeyIsRead() {
        let error = Self.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>NoSuchKey</Code>
              <Message>The resource you requested does not exist</Message>
              <Resource>/mybucket/myfoto.jpg</Resource>
              <RequestId>4442587FB7D0A2F9</RequestId>
            </Error>
            """, status: 404)
        #expect(
            error
                == S3ServiceError(
                    status: 404, code: "NoSuchKey", message: "The resource you requested does not exist",
                    requestID: "4442587FB7D0A2F9"))
    }

    @Test func signatureDoesNotMatchWithItsCanonicalRequestIsRead() {
        // S3 echoes the string to sign and the canonical request (multi-line, with `&` escaped) beside the code.
        let error = Self.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the \
            signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE\
            </AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04</StringToSign><SignatureProvided>\
            aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404</SignatureProvided><CanonicalRequest>GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F\
            aws4_request
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD</CanonicalRequest><RequestId>0Y4R3KV7XQ6V1B8M</RequestId><HostId>\
            kZ0ZkTKFtRjn2Gy4MdbNpGXkIYIhmsK+3hMc9rt2p2HLJ0m5pl9Tr7wqQGtRGjPYyJ7AoVCOB9k=</HostId></Error>
            """)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(
            error.message
                == "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        )
        #expect(error.requestID == "0Y4R3KV7XQ6V1B8M")
    }

    @Test func throttlingSkewAndMinIOAnswersAreRead() {
        #expect(
            Self.parse(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>A1B2C3D4E5F6</RequestId>\
                <HostId>dGVzdA==</HostId></Error>
                """, status: 503)
                == S3ServiceError(
                    status: 503, code: "SlowDown", message: "Please reduce your request rate.",
                    requestID: "A1B2C3D4E5F6"))
        #expect(
            Self.parse(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time \
                is too large.</Message><RequestTime>20261205T100000Z</RequestTime><ServerTime>2026-12-05T10:20:00Z</ServerTime>\
                <MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>7F3A</RequestId></Error>
                """
            ).code == "RequestTimeTooSkewed")
        let minio = Self.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><Key>ads/a.png</Key>\
            <BucketName>ads</BucketName><Resource>/ads/ads/a.png</Resource><RequestId>17E2B0A9A2A6F8C1</RequestId>\
            <HostId>dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8</HostId></Error>
            """, status: 404)
        #expect(
            minio
                == S3ServiceError(
                    status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist",
                    requestID: "17E2B0A9A2A6F8C1"))
    }

    @Test func entitiesAndCDATAMeanWhatXMLSays() {
        let error = Self.parse(
            """
            <Error><Code>InvalidArgument</Code><Message><![CDATA[a <Code>Fake</Code> in CDATA]]> &amp; &#x4E2D;&#25991;</Message>\
            <RequestId>R1</RequestId></Error>
            """, status: 400)
        #expect(error.code == "InvalidArgument")
        #expect(error.message == "a <Code>Fake</Code> in CDATA & 中文")
    }

    @Test func onlyTheErrorsOwnFieldsCountAndTheFirstWins() {
        let error = Self.parse(
            """
            <Error><Details><Code>Nested</Code><Message>not this</Message></Details><!-- <Code>Comment</Code> -->\
            <Code>AccessDenied</Code><Code>Second</Code><Message>Access Denied</Message><RequestId></RequestId></Error>
            """)
        #expect(error == S3ServiceError(status: 403, code: "AccessDenied", message: "Access Denied", requestID: nil))
    }

    @Test func bodiesThatAreNotAnS3ErrorGiveTheStatusAlone() {
        for body in [
            "",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "<Code>NoSuchKey</Code>",  // no root <Error>
            "<Error><Code>NoSuchKey</Code>",  // cut off
            "<ListBucketResult><Code>NoSuchKey</Code></ListBucketResult>",
            "{\"Code\":\"NoSuchKey\"}",
        ] {
            #expect(Self.parse(body, status: 502) == S3ServiceError(status: 502), "\(body)")
        }
        #expect(
            S3ErrorBody.parse([0x3C, 0x45, 0x72, 0x72, 0x6F, 0x72, 0x3E, 0xFF, 0xFE], status: 500)
                == S3ServiceError(status: 500))
    }

    @Test func declarationsAndOversizedBodiesAreRefusedUnparsed() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE Error [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\
            <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <Error><Code>&b;</Code><Message>declared</Message></Error>
            """
        #expect(Self.parse(bomb) == S3ServiceError(status: 403))
        let external = #"<!DOCTYPE Error SYSTEM "http://127.0.0.1:1/x.dtd"><Error><Code>X</Code></Error>"#
        #expect(Self.parse(external) == S3ServiceError(status: 403))
        let padding = String(repeating: " ", count: S3ErrorBody.maxBodyBytes)
        #expect(Self.parse("<Error><Code>Big</Code></Error>" + padding) == S3ServiceError(status: 403))
        #expect(Self.parse("<Error><Code>Small</Code></Error>").code == "Small")
    }
}
