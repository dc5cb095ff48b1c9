import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore

/// Objects in an S3-compatible bucket, over AsyncHTTPClient with AWS Signature Version 4.
///
/// Every request is header-signed with the payload's real SHA-256 (never `UNSIGNED-PAYLOAD`), so the service
/// rejects a body altered on the way. Answers that say "try again" are retried per ``S3RetryPolicy``.
public struct S3ObjectStore: ObjectStore {
    public let configuration: S3Configuration
    /// The largest object ``get(key:)`` reads into memory.
    public let maxObjectBytes: Int
    let httpClient: HTTPClient
    let signer: SigV4Signer
    let retryPolicy: S3RetryPolicy
    let requestTimeout: TimeAmount
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - httpClient: shared with the rest of the app; the caller owns its lifecycle.
    ///   - maxObjectBytes: larger objects make ``get(key:)`` throw ``ObjectStoreError/tooLarge(key:limit:)``.
    ///   - now: the clock requests and presigned URLs are signed with.
    public init(
        configuration: S3Configuration,
        httpClient: HTTPClient,
        maxObjectBytes: Int = 32 * 1024 * 1024,
        retryPolicy: S3RetryPolicy = .standard,
        requestTimeout: TimeAmount = .seconds(60),
        logger: Logger = Logger(label: "dropmate.objectstore.s3"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.maxObjectBytes = maxObjectBytes
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.now = now
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
    }

    public func put(key: String, body: ObjectBody, contentType: String) async throws {
        try ObjectKey.validate(key)
        let payload: S3Payload
        switch body {
        case .bytes(let bytes):
            payload = .bytes(bytes, sha256: SigV4Encoding.hex(SHA256.hash(data: bytes)))
        case .file(let path):
            let (size, sha256) = try FileChunks.sizeAndSHA256(of: path)
            payload = .file(path: path, size: size, sha256: sha256)
        }
        let response = try await send(
            .PUT, key: key, headers: [(name: "content-type", value: contentType)], payload: payload)
        _ = try? await response.body.collect(upTo: S3Payload.errorBodyLimit)
    }

    public func get(key: String) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        let response = try await send(.GET, key: key)
        if response.status == .notFound { throw ObjectStoreError.notFound(key: key) }
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxObjectBytes {
            throw ObjectStoreError.tooLarge(key: key, limit: maxObjectBytes)
        }
        do {
            return Array(buffer: try await response.body.collect(upTo: maxObjectBytes))
        } catch is NIOTooManyBytesError {
            throw ObjectStoreError.tooLarge(key: key, limit: maxObjectBytes)
        }
    }

    public func delete(key: String) async throws {
        try ObjectKey.validate(key)
        let response = try await send(.DELETE, key: key)
        _ = try? await response.body.collect(upTo: S3Payload.errorBodyLimit)
    }

    public func exists(key: String) async throws -> Bool {
        try ObjectKey.validate(key)
        return try await send(.HEAD, key: key).status != .notFound
    }

    /// A presigned GET URL (query-signed SigV4), valid for 1 second to 7 days as S3 allows.
    public func downloadURL(key: String, expiresIn: Duration) async throws -> URL {
        try presignedGetURL(key: key, expiresIn: expiresIn, at: now())
    }

    /// ``downloadURL(key:expiresIn:)`` signed at a given time, for tests and for links computed ahead.
    public func presignedGetURL(key: String, expiresIn: Duration, at date: Date) throws -> URL {
        try ObjectKey.validate(key)
        let seconds = expiresIn.wholeSecondsRoundedUp
        guard (1...604_800).contains(seconds) else {
            throw ObjectStoreError.invalidExpiry(reason: "S3 allows 1 second to 7 days")
        }
        let address = configuration.address(of: key)
        let text = signer.presignedURL(
            scheme: address.scheme, host: address.host, encodedPath: address.encodedPath, expiresIn: Int(seconds),
            at: date
        )
        guard let url = URL(string: text) else { throw ObjectStoreError.invalidKey(reason: "does not form a URL") }
        return url
    }
}
