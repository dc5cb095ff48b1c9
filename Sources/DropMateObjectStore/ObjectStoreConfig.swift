import AsyncHTTPClient
import Foundation

/// Which object store to use, read once at startup from the environment.
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `STORAGE_BACKEND` | `local` or `s3` | `local` |
/// | `DROPMATE_DATA_DIR` | local: objects go in `<dir>/objects` | `.dropmate` |
/// | `STORAGE_BUCKET` | s3: bucket name | required |
/// | `STORAGE_REGION` | s3: signing region | `us-east-1` |
/// | `STORAGE_ENDPOINT` | s3: endpoint URL | `https://s3.<region>.amazonaws.com` |
/// | `STORAGE_ACCESS_KEY_ID`, `STORAGE_SECRET_ACCESS_KEY` | s3: credentials | required |
/// | `STORAGE_PATH_STYLE` | s3: `true` for `endpoint/bucket/key` (MinIO), `false` for `bucket.endpoint/key` | `false` |
public enum ObjectStoreConfig: Sendable, Equatable, CustomStringConvertible {
    case local(directory: String)
    case s3(S3Configuration)

    /// One configuration problem, named by its variable. Never contains a secret's value.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var message: String
        public var description: String { "\(variable): \(message)" }
    }

    /// Every problem found, so an operator fixes them in one go.
    public struct Problems: Error, Sendable, Equatable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String {
            "invalid object storage configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads and validates the variables above, reporting all problems together.
    public static func fromEnvironment(_ env: [String: String]) throws(Problems) -> ObjectStoreConfig {
        func value(_ name: String) -> String? {
            env[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        switch value("STORAGE_BACKEND")?.lowercased() ?? "local" {
        case "local":
            return .local(directory: (value("DROPMATE_DATA_DIR") ?? ".dropmate") + "/objects")
        case "s3":
            return .s3(try s3Configuration(value))
        default:
            throw Problems(problems: [Problem(variable: "STORAGE_BACKEND", message: "must be local or s3")])
        }
    }

    private static func s3Configuration(_ value: (String) -> String?) throws(Problems) -> S3Configuration {
        var problems: [Problem] = []
        func problem(_ variable: String, _ message: String) {
            problems.append(Problem(variable: variable, message: message))
        }

        let bucket = value("STORAGE_BUCKET") ?? ""
        if !isValidBucketName(bucket) {
            problem("STORAGE_BUCKET", "must be a bucket name: 3 to 63 lowercase letters, digits, '.' and '-'")
        }
        let region = value("STORAGE_REGION") ?? "us-east-1"
        if !region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            problem("STORAGE_REGION", "must be a region name such as us-east-1 or sgp1")
        }
        let endpointText = value("STORAGE_ENDPOINT") ?? "https://s3.\(region).amazonaws.com"
        let endpoint = URL(string: endpointText)
        if endpoint?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true
            || endpoint?.host?.isEmpty != false
            || endpoint?.query != nil || endpoint?.user != nil
        {
            problem(
                "STORAGE_ENDPOINT",
                "must be an http(s) URL with a host and no query or credentials, e.g. https://sgp1.digitaloceanspaces.com"
            )
        }
        let accessKeyID = value("STORAGE_ACCESS_KEY_ID") ?? ""
        if accessKeyID.isEmpty { problem("STORAGE_ACCESS_KEY_ID", "is required when STORAGE_BACKEND=s3") }
        let secret = value("STORAGE_SECRET_ACCESS_KEY") ?? ""
        if secret.isEmpty { problem("STORAGE_SECRET_ACCESS_KEY", "is required when STORAGE_BACKEND=s3") }
        var pathStyle = false
        switch value("STORAGE_PATH_STYLE")?.lowercased() {
        case nil, "false", "0", "no": pathStyle = false
        case "true", "1", "yes": pathStyle = true
        default: problem("STORAGE_PATH_STYLE", "must be true or false")
        }
        guard problems.isEmpty, let endpoint else { throw Problems(problems: problems) }
        return S3Configuration(
            endpoint: endpoint, region: region, bucket: bucket,
            credentials: SigV4Credentials(accessKeyID: accessKeyID, secretAccessKey: secret), pathStyle: pathStyle
        )
    }

    static func isValidBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
            && name.first.map { $0.isLetter || $0.isNumber } == true
            && name.last.map { $0.isLetter || $0.isNumber } == true
            && !name.contains("..")
    }

    public var description: String {
        switch self {
        case .local(let directory): "local object store in \(directory)"
        case .s3(let configuration): configuration.description
        }
    }

    /// Builds the configured store.
    /// - Parameters:
    ///   - httpClient: used by the S3 backend; owned by the caller.
    ///   - localDownloads: signs the local backend's download links (the S3 backend presigns its own).
    public func makeStore(httpClient: HTTPClient, localDownloads: LocalDownloadSigner?) -> any ObjectStore {
        switch self {
        case .local(let directory): LocalObjectStore(directory: directory, downloadSigner: localDownloads)
        case .s3(let configuration): S3ObjectStore(configuration: configuration, httpClient: httpClient)
        }
    }
}
