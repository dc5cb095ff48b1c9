import DropMatePercentEncoding
import Foundation

/// Where and how to reach an S3-compatible bucket (AWS S3, DigitalOcean Spaces, MinIO, …).
/// `description` never shows the secret key.
public struct S3Configuration: Sendable, Equatable, CustomStringConvertible {
    /// The service endpoint without the bucket, e.g. `https://s3.eu-west-1.amazonaws.com` or `https://sgp1.digitaloceanspaces.com`.
    public var endpoint: URL
    /// The signing region, e.g. `us-east-1` (Spaces: the datacenter, e.g. `sgp1`; MinIO: usually `us-east-1`).
    public var region: String
    public var bucket: String
    public var credentials: SigV4Credentials
    /// `true`: `https://endpoint/bucket/key` (MinIO, local servers). `false`: `https://bucket.endpoint/key` (AWS, Spaces).
    public var pathStyle: Bool

    public init(endpoint: URL, region: String, bucket: String, credentials: SigV4Credentials, pathStyle: Bool) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.credentials = credentials
        self.pathStyle = pathStyle
    }

    public var description: String {
        "S3Configuration(endpoint: \(endpoint.absoluteString), region: \(region), bucket: \(bucket), "
            + "accessKeyID: \(credentials.accessKeyID), secretAccessKey: <redacted>, pathStyle: \(pathStyle))"
    }

    /// The scheme, `Host` header value and encoded path that address `key` (or the bucket itself when `key` is nil).
    func address(of key: String?) -> (scheme: String, host: String, encodedPath: String) {
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        var host = endpoint.host ?? ""
        if let port = endpoint.port, port != (scheme == "https" ? 443 : 80) { host += ":\(port)" }
        var prefix = endpoint.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let encodedKey = key.map { "/" + PercentEncoding.path($0) } ?? "/"
        if pathStyle {
            return (scheme, host, prefix + "/" + PercentEncoding.queryValue(bucket) + (key == nil ? "" : encodedKey))
        }
        return (scheme, "\(bucket).\(host)", prefix + encodedKey)
    }
}
