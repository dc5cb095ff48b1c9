import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// A request body with its SHA-256 known before sending, as header signing needs.
enum S3Payload: Sendable {
    case none
    case bytes([UInt8], sha256: String)
    case file(path: String, size: Int64, sha256: String)

    /// Error bodies are a few hundred bytes of XML; anything longer is cut off.
    static let errorBodyLimit = 64 * 1024

    var sha256: String {
        switch self {
        case .none: SigV4Signer.emptyPayloadSHA256
        case .bytes(_, let sha256), .file(_, _, let sha256): sha256
        }
    }

    /// A fresh body for each attempt: a file is reopened and streamed again.
    var requestBody: HTTPClientRequest.Body? {
        switch self {
        case .none: nil
        case .bytes(let bytes, _): .bytes(bytes)
        case .file(let path, let size, _): .stream(FileChunks(path: path), length: .known(size))
        }
    }
}

/// The HTTP methods the store uses (kept here so the module needs no direct NIOHTTP1 import).
enum S3Method: String, Sendable {
    case GET, PUT, DELETE, HEAD
}

extension S3ObjectStore {
    /// Signs and sends one request, retrying per the policy. Returns 2xx answers, and 404 for GET and HEAD
    /// (the caller decides what "missing" means); throws ``ObjectStoreError`` for every other outcome.
    func send(
        _ method: S3Method, key: String?, headers extra: [(name: String, value: String)] = [],
        payload: S3Payload = .none
    ) async throws -> HTTPClientResponse {
        let address = configuration.address(of: key)
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<HTTPClientResponse, ObjectStoreError>
            do {
                let response = try await httpClient.execute(
                    makeRequest(method, address: address, headers: extra, payload: payload), timeout: requestTimeout,
                    logger: logger
                )
                if (200..<300).contains(response.status.code) { return response }
                if response.status == .notFound, method == .GET || method == .HEAD {
                    if method == .HEAD { return response }
                    let body = try await response.body.collect(upTo: S3Payload.errorBodyLimit)
                    let error = S3ErrorBody.parse(Array(buffer: body), status: 404)
                    if error.code == nil || error.code == "NoSuchKey" { return response }
                    outcome = .failure(.service(error))
                } else {
                    outcome = .failure(.service(await Self.serviceError(from: response)))
                }
            } catch let error as ObjectStoreError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                outcome = .failure(.transport(reason: String(describing: error)))
            }
            guard case .failure(let failure) = outcome else { preconditionFailure("success returned above") }
            guard attempt < retryPolicy.maxAttempts, Self.isRetryable(failure) else { throw failure }
            let delay = retryPolicy.delay(beforeRetry: attempt - 1)
            logger.warning(
                "S3 request failed; retrying",
                metadata: [
                    "dropmate.s3.method": "\(method.rawValue)",
                    "dropmate.s3.key": "\(key ?? "")",
                    "dropmate.s3.attempt": "\(attempt)",
                    "dropmate.s3.error": "\(failure)",
                ])
            try await Task.sleep(for: delay)
        }
    }

    private func makeRequest(
        _ method: S3Method, address: (scheme: String, host: String, encodedPath: String),
        headers extra: [(name: String, value: String)], payload: S3Payload
    ) -> HTTPClientRequest {
        let unsigned = SigV4Request(
            method: method.rawValue, encodedPath: address.encodedPath,
            headers: [(name: "host", value: address.host), (name: "x-amz-content-sha256", value: payload.sha256)]
                + extra,
            payloadSHA256: payload.sha256
        )
        let signed = signer.signed(unsigned, at: now())
        var request = HTTPClientRequest(url: "\(address.scheme)://\(address.host)\(address.encodedPath)")
        request.method = .init(rawValue: method.rawValue)
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        if let body = payload.requestBody { request.body = body }
        return request
    }

    private static func serviceError(from response: HTTPClientResponse) async -> S3ServiceError {
        let body = (try? await response.body.collect(upTo: S3Payload.errorBodyLimit)).map { Array(buffer: $0) } ?? []
        var error = S3ErrorBody.parse(body, status: Int(response.status.code))
        if error.requestID == nil { error.requestID = response.headers.first(name: "x-amz-request-id") }
        return error
    }

    private static func isRetryable(_ error: ObjectStoreError) -> Bool {
        switch error {
        case .service(let serviceError): S3RetryPolicy.isRetryable(serviceError)
        case .transport: true
        default: false
        }
    }
}
