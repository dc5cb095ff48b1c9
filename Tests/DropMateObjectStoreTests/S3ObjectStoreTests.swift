import AsyncHTTPClient
import Crypto
import Foundation
import Testing

@testable import DropMateObjectStore

/// Against a real S3-compatible server on loopback: run under `scripts/s3/with-moto`, which sets `S3_TEST_*`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["S3_TEST_ENDPOINT"] != nil))
struct S3ObjectStoreTests {
    let env = ProcessInfo.processInfo.environment
    /// Each test writes under its own prefix, so tests run in parallel without meeting.
    let prefix = "swift-tests/\(UUID().uuidString.lowercased())"

    func makeStore(
        secret: String? = nil, bucket: String? = nil, maxObjectBytes: Int = 32 << 20, retryPolicy: S3RetryPolicy = .none
    ) -> S3ObjectStore {
        let configuration = S3Configuration(
            endpoint: URL(string: env["S3_TEST_ENDPOINT"]!)!, region: env["S3_TEST_REGION"] ?? "us-east-1",
            bucket: bucket ?? env["S3_TEST_BUCKET"]!,
            credentials: SigV4Credentials(
                accessKeyID: env["S3_TEST_ACCESS_KEY_ID"]!, secretAccessKey: secret ?? env["S3_TEST_SECRET_ACCESS_KEY"]!
            ),
            pathStyle: true
        )
        return S3ObjectStore(
            configuration: configuration, httpClient: .shared, maxObjectBytes: maxObjectBytes, retryPolicy: retryPolicy)
    }

    func plainGET(_ url: URL) async throws -> (status: Int, body: [UInt8]) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        return (Int(response.status.code), Array(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func putGetExistsAndDeleteRoundTrip() async throws {
        let store = makeStore()
        let key = "\(prefix)/ads/banner.png"
        #expect(try await !store.exists(key: key))
        try await store.put(key: key, body: .bytes(Array("PNG bytes".utf8)), contentType: "image/png")
        #expect(try await store.exists(key: key))
        #expect(try await store.get(key: key) == Array("PNG bytes".utf8))
        try await store.put(key: key, body: .bytes([1, 2, 3]), contentType: "image/png")
        #expect(try await store.get(key: key) == [1, 2, 3])
        try await store.delete(key: key)
        #expect(try await !store.exists(key: key))
        try await store.delete(key: key)
    }

    @Test func aFileOfSeveralMegabytesStreamsUpIntact() async throws {
        let bytes = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-upload-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let store = makeStore()
        try await store.put(
            key: "\(prefix)/large.bin", body: .file(path: file.path), contentType: "application/octet-stream")
        let read = try await store.get(key: "\(prefix)/large.bin")
        #expect(read.count == bytes.count)
        #expect(SHA256.hash(data: read) == SHA256.hash(data: bytes))
    }

    @Test func aMissingKeyIsNotFound() async throws {
        await #expect(throws: ObjectStoreError.notFound(key: "\(prefix)/missing.png")) {
            try await makeStore().get(key: "\(prefix)/missing.png")
        }
    }

    @Test func aMissingBucketIsAServiceErrorNotAMissingKey() async throws {
        await #expect {
            try await makeStore(bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())").get(key: "x")
        } throws: { error in
            guard case .service(let serviceError) = error as? ObjectStoreError else { return false }
            return serviceError.status == 404 && serviceError.code == "NoSuchBucket"
        }
    }

    @Test func aWrongSecretKeyIsRefusedWithS3sCode() async throws {
        await #expect {
            try await makeStore(secret: "not-the-secret").put(
                key: "\(prefix)/x.txt", body: .bytes([1]), contentType: "text/plain")
        } throws: { error in
            guard case .service(let serviceError) = error as? ObjectStoreError else { return false }
            return serviceError.status == 403 && serviceError.code == "SignatureDoesNotMatch"
                && serviceError.message != nil
                && !"\(error)".contains("not-the-secret")
        }
    }

    /// The server in front of moto answers the first request to a `fault-503-once/` path with 503 SlowDown.
    @Test func throttlingIsRetriedAndReportedWhenRetriesRunOut() async throws {
        let patient = makeStore(
            retryPolicy: S3RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)))
        try await patient.put(key: "\(prefix)/fault-503-once/a.txt", body: .bytes([4, 2]), contentType: "text/plain")
        #expect(try await patient.get(key: "\(prefix)/fault-503-once/a.txt") == [4, 2])
        await #expect {
            try await makeStore().put(
                key: "\(prefix)/fault-503-once/b.txt", body: .bytes([1]), contentType: "text/plain")
        } throws: { error in
            error as? ObjectStoreError
                == .service(
                    S3ServiceError(
                        status: 503, code: "SlowDown", message: "Please reduce your request rate.",
                        requestID: "moto-presign"))
        }
    }

    @Test func objectsOverTheReadLimitAreRefused() async throws {
        let store = makeStore(maxObjectBytes: 10)
        try await store.put(
            key: "\(prefix)/eleven.txt", body: .bytes(Array("hello world".utf8)), contentType: "text/plain")
        await #expect(throws: ObjectStoreError.tooLarge(key: "\(prefix)/eleven.txt", limit: 10)) {
            try await store.get(key: "\(prefix)/eleven.txt")
        }
    }

    @Test func presignedURLsWorkWithAPlainGETUntilTamperedOrExpired() async throws {
        let store = makeStore()
        let key = "\(prefix)/ad 1.txt".replacingOccurrences(of: " ", with: "-")
        try await store.put(key: key, body: .bytes(Array("ad copy".utf8)), contentType: "text/plain")

        let url = try await store.downloadURL(key: key, expiresIn: .seconds(300))
        let fetched = try await plainGET(url)
        #expect(fetched.status == 200)
        #expect(fetched.body == Array("ad copy".utf8))

        var tampered = url.absoluteString
        let last = tampered.removeLast()
        tampered.append(last == "0" ? "1" : "0")
        let refused = try await plainGET(URL(string: tampered)!)
        #expect(refused.status == 403)
        #expect(S3ErrorBody.parse(refused.body, status: 403).code == "SignatureDoesNotMatch")

        let otherKey = URL(string: url.absoluteString.replacingOccurrences(of: "/ad-1.txt?", with: "/ad-2.txt?"))!
        #expect(try await plainGET(otherKey).status == 403)

        let expired = try store.presignedGetURL(key: key, expiresIn: .seconds(60), at: Date().addingTimeInterval(-120))
        let late = try await plainGET(expired)
        #expect(late.status == 403)
        #expect(S3ErrorBody.parse(late.body, status: 403).message == "Request has expired")
    }

    /// Leaves objects behind on purpose: `scripts/s3/check_with_boto3.py` reads them back with another client.
    @Test func objectsForTheIndependentClientCheck() async throws {
        let store = makeStore()
        try await store.put(
            key: "interop/hello.txt", body: .bytes(Array("written by DropMateObjectStore\n".utf8)),
            contentType: "text/plain; charset=utf-8")
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("s3-interop-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await store.put(
            key: "interop/pattern-251.bin", body: .file(path: file.path), contentType: "application/octet-stream")
        let url = try await store.downloadURL(key: "interop/hello.txt", expiresIn: .seconds(600))
        let scratch =
            env["S3_TEST_SCRATCH_DIR"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        try Data(url.absoluteString.utf8).write(to: scratch.appendingPathComponent("presigned-hello.txt"))
    }
}
