import AsyncHTTPClient
import Foundation
import Testing

@testable import DropMateObjectStore

/// S3 behaviour that needs no server.
@Suite struct S3ObjectStoreOfflineTests {
    func store(endpoint: String, retryPolicy: S3RetryPolicy = .none) -> S3ObjectStore {
        S3ObjectStore(
            configuration: S3Configuration(
                endpoint: URL(string: endpoint)!, region: "us-east-1", bucket: "ads",
                credentials: SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "secret"), pathStyle: true
            ),
            httpClient: .shared, retryPolicy: retryPolicy, requestTimeout: .milliseconds(500),
            now: { Date(timeIntervalSince1970: 1_369_353_600) }
        )
    }

    @Test func anUnreachableServiceIsATransportErrorAfterTheRetries() async {
        // Port 1 on loopback: nothing listens. AsyncHTTPClient keeps retrying a refused connection until the
        // request's deadline, hence the short timeout above.
        let retrying = store(
            endpoint: "http://127.0.0.1:1",
            retryPolicy: S3RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1)))
        await #expect {
            try await retrying.get(key: "x.png")
        } throws: { error in
            guard case .transport = error as? ObjectStoreError else { return false }
            return true
        }
    }

    @Test func hostileKeysNeverReachTheNetwork() async {
        for key in ["../x", "/abs", "a b"] {
            await #expect(throws: ObjectStoreError.self) {
                try await store(endpoint: "http://127.0.0.1:1").get(key: key)
            }
        }
    }

    @Test func presignedLinksMustLastOneSecondToSevenDays() async throws {
        let s3 = store(endpoint: "https://s3.amazonaws.com")
        await #expect(throws: ObjectStoreError.self) { try await s3.downloadURL(key: "a.png", expiresIn: .seconds(0)) }
        await #expect(throws: ObjectStoreError.self) {
            try await s3.downloadURL(key: "a.png", expiresIn: .seconds(604_801))
        }
        let url = try await s3.downloadURL(key: "a.png", expiresIn: .milliseconds(1500))
        #expect(url.absoluteString.hasPrefix("https://s3.amazonaws.com/ads/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.absoluteString.contains("X-Amz-Date=20130524T000000Z&X-Amz-Expires=2&"))
    }
}
