import Foundation
import Testing

@testable import DropMateObjectStore

@Suite struct ObjectStoreConfigTests {
    @Test func localIsTheDefaultUnderTheDataDirectory() throws {
        #expect(try ObjectStoreConfig.fromEnvironment([:]) == .local(directory: ".dropmate/objects"))
        #expect(
            try ObjectStoreConfig.fromEnvironment(["DROPMATE_DATA_DIR": "/var/lib/dm"])
                == .local(directory: "/var/lib/dm/objects"))
    }

    @Test func s3ReadsEveryVariable() throws {
        let config = try ObjectStoreConfig.fromEnvironment([
            "STORAGE_BACKEND": "s3", "STORAGE_BUCKET": "dropmate-ads", "STORAGE_REGION": "sgp1",
            "STORAGE_ENDPOINT": "https://sgp1.digitaloceanspaces.com", "STORAGE_ACCESS_KEY_ID": "AKID",
            "STORAGE_SECRET_ACCESS_KEY": "very-secret-value", "STORAGE_PATH_STYLE": "false",
        ])
        guard case .s3(let s3) = config else { Issue.record("expected s3"); return }
        #expect(s3.bucket == "dropmate-ads" && s3.region == "sgp1" && !s3.pathStyle)
        #expect(s3.endpoint.absoluteString == "https://sgp1.digitaloceanspaces.com")
        #expect(s3.address(of: "x.png").host == "dropmate-ads.sgp1.digitaloceanspaces.com")
        #expect(!config.description.contains("very-secret-value"))
        #expect(config.description.contains("dropmate-ads"))
    }

    @Test func awsEndpointIsDerivedFromTheRegion() throws {
        let config = try ObjectStoreConfig.fromEnvironment([
            "STORAGE_BACKEND": "s3", "STORAGE_BUCKET": "b-1", "STORAGE_REGION": "eu-west-1",
            "STORAGE_ACCESS_KEY_ID": "AKID", "STORAGE_SECRET_ACCESS_KEY": "s",
        ])
        guard case .s3(let s3) = config else { Issue.record("expected s3"); return }
        #expect(s3.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
    }

    @Test func everyS3ProblemIsReportedAtOnceWithoutSecrets() {
        do {
            _ = try ObjectStoreConfig.fromEnvironment([
                "STORAGE_BACKEND": "s3", "STORAGE_BUCKET": "Bad_Bucket", "STORAGE_ENDPOINT": "ftp://x",
                "STORAGE_PATH_STYLE": "maybe", "STORAGE_SECRET_ACCESS_KEY": "hunter2-secret",
            ])
            Issue.record("expected problems")
        } catch {
            #expect(
                error.problems.map(\.variable) == [
                    "STORAGE_BUCKET", "STORAGE_ENDPOINT", "STORAGE_ACCESS_KEY_ID", "STORAGE_PATH_STYLE",
                ])
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func anUnknownBackendIsRefused() {
        #expect(throws: ObjectStoreConfig.Problems.self) {
            try ObjectStoreConfig.fromEnvironment(["STORAGE_BACKEND": "gcs"])
        }
    }

    @Test func s3ErrorBodiesAreParsed() {
        let body = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist &amp; never did.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8)
        #expect(
            S3ErrorBody.parse(body, status: 404)
                == S3ServiceError(
                    status: 404, code: "NoSuchKey", message: "The specified key does not exist & never did.",
                    requestID: "4442587FB7D0A2F9"))
        #expect(S3ErrorBody.parse([], status: 503) == S3ServiceError(status: 503))
    }

    @Test func throttlingAndServerErrorsAreRetriedButClientErrorsAreNot() {
        #expect(S3RetryPolicy.isRetryable(S3ServiceError(status: 503, code: "SlowDown")))
        #expect(S3RetryPolicy.isRetryable(S3ServiceError(status: 500)))
        #expect(S3RetryPolicy.isRetryable(S3ServiceError(status: 400, code: "RequestTimeout")))
        #expect(!S3RetryPolicy.isRetryable(S3ServiceError(status: 403, code: "SignatureDoesNotMatch")))
        let policy = S3RetryPolicy.standard
        for retry in 0..<10 { #expect(policy.delay(beforeRetry: retry) <= .seconds(5)) }
    }
}
