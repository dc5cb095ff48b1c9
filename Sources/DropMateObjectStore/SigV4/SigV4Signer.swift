import Crypto
import DropMatePercentEncoding
import Foundation

/// An access key pair for AWS Signature Version 4. `description` never shows the secret.
public struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    public var description: String { "SigV4Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>)" }
}

/// An HTTP request as SigV4 sees it: what gets signed, nothing about how it is sent.
public struct SigV4Request: Sendable {
    /// `GET`, `PUT`, …
    public var method: String
    /// The URL path exactly as sent, already percent-encoded. Signed as is (S3's rule: no second encoding).
    public var encodedPath: String
    /// Query parameters before encoding.
    public var query: [(name: String, value: String)]
    /// Headers to sign; must include `host`. Signing adds `x-amz-date` and `authorization`.
    public var headers: [(name: String, value: String)]
    /// Lowercase hex SHA-256 of the body (of the empty string when there is none).
    public var payloadSHA256: String

    public init(
        method: String, encodedPath: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadSHA256: String
    ) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }

    /// The value of the first header named `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`): a pure value with no clock and no I/O; the caller passes the time.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// SHA-256 of the empty string, the payload hash of a request without a body.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let credentials: SigV4Credentials
    public let region: String
    public let service: String

    public init(credentials: SigV4Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns `request` with `x-amz-date` and an `authorization` header signed at `date`.
    public func signed(_ request: SigV4Request, at date: Date) -> SigV4Request {
        var request = request
        let timestamp = SigV4Encoding.timestamp(date)
        request.headers.removeAll { ["x-amz-date", "authorization"].contains($0.name.lowercased()) }
        request.headers.append((name: "x-amz-date", value: timestamp))
        let canonical = canonicalRequest(request)
        let signature = signature(
            stringToSign: stringToSign(canonicalRequest: canonical.text, timestamp: timestamp), timestamp: timestamp)
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(timestamp)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        request.headers.append((name: "authorization", value: authorization))
        return request
    }

    /// A presigned URL: the signature travels in the query, so a plain GET works until `expiresIn` seconds after `date`.
    /// Only `host` is signed and the payload is `UNSIGNED-PAYLOAD`, as S3 specifies for query signing.
    public func presignedURL(
        method: String = "GET", scheme: String, host: String, encodedPath: String,
        query: [(name: String, value: String)] = [], expiresIn: Int, at date: Date
    ) -> String {
        let timestamp = SigV4Encoding.timestamp(date)
        let request = SigV4Request(
            method: method, encodedPath: encodedPath,
            query: query + [
                (name: "X-Amz-Algorithm", value: Self.algorithm),
                (name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(scope(timestamp))"),
                (name: "X-Amz-Date", value: timestamp),
                (name: "X-Amz-Expires", value: String(expiresIn)),
                (name: "X-Amz-SignedHeaders", value: "host"),
            ],
            headers: [(name: "host", value: host)], payloadSHA256: "UNSIGNED-PAYLOAD"
        )
        let canonical = canonicalRequest(request)
        let signature = signature(
            stringToSign: stringToSign(canonicalRequest: canonical.text, timestamp: timestamp), timestamp: timestamp)
        // The signature goes last, after the parameters it signs, as in AWS's examples.
        return "\(scheme)://\(host)\(encodedPath)?\(Self.canonicalQuery(request.query))&X-Amz-Signature=\(signature)"
    }

    // MARK: The steps, internal so tests can compare each with AWS's published intermediate values.

    func canonicalRequest(_ request: SigV4Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for header in request.headers {
            grouped[header.name.lowercased(), default: []].append(Self.normalizedHeaderValue(header.value))
        }
        let names = grouped.keys.sorted()
        let headerLines = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            request.method.uppercased(),
            request.encodedPath.isEmpty ? "/" : request.encodedPath,
            Self.canonicalQuery(request.query),
            headerLines,
            signedHeaders,
            request.payloadSHA256,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        let hash = SigV4Encoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return [Self.algorithm, timestamp, scope(timestamp), hash].joined(separator: "\n")
    }

    func signature(stringToSign: String, timestamp: String) -> String {
        let day = String(timestamp.prefix(8))
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return SigV4Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map {
            (name: PercentEncoding.queryValue($0.name), value: PercentEncoding.queryValue($0.value))
        }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Trims the value and folds each run of spaces into one, as SigV4's canonical headers require.
    static func normalizedHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
