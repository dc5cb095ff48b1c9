import Foundation

/// What to store: bytes in memory, or a local file streamed from disk without loading it whole.
public enum ObjectBody: Sendable, Equatable {
    case bytes([UInt8])
    case file(path: String)
}

/// A place for blobs such as ad images: local files in the embedded default, S3-compatible storage in production.
///
/// Keys are relative paths made of letters, digits and `-_.`, separated by `/` (see ``ObjectKey``).
public protocol ObjectStore: Sendable {
    /// Stores `body` under `key`, replacing any object already there. Readers see the old or the new object, never a mix.
    func put(key: String, body: ObjectBody, contentType: String) async throws
    /// The object's bytes; throws ``ObjectStoreError/notFound(key:)`` when there is none.
    func get(key: String) async throws -> [UInt8]
    /// Removes the object; removing a missing object is not an error.
    func delete(key: String) async throws
    /// Whether an object is stored under `key`.
    func exists(key: String) async throws -> Bool
    /// A URL anyone holding it can GET the object from until `expiresIn` has passed.
    func downloadURL(key: String, expiresIn: Duration) async throws -> URL
}

/// Why an object store operation failed. Descriptions name keys and S3's error codes, never credentials.
public enum ObjectStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key is not a safe relative path; `reason` says which rule it broke.
    case invalidKey(reason: String)
    /// No object is stored under the key.
    case notFound(key: String)
    /// The object is larger than the store's read limit.
    case tooLarge(key: String, limit: Int)
    /// A local file could not be read or written.
    case io(path: String, reason: String)
    /// A download link lifetime outside what the backend allows.
    case invalidExpiry(reason: String)
    /// The store has no way to make download links (a local store without a ``LocalDownloadSigner``).
    case downloadsNotConfigured
    /// The S3 service answered with an error.
    case service(S3ServiceError)
    /// The request never got an answer (connection refused, reset, timed out).
    case transport(reason: String)

    public var description: String {
        switch self {
        case .invalidKey(let reason): "invalid object key: \(reason)"
        case .notFound(let key): "no object at \(key)"
        case .tooLarge(let key, let limit): "object \(key) is larger than \(limit) bytes"
        case .io(let path, let reason): "cannot access \(path): \(reason)"
        case .invalidExpiry(let reason): "invalid download link lifetime: \(reason)"
        case .downloadsNotConfigured: "this object store cannot make download links"
        case .service(let error): error.description
        case .transport(let reason): "object storage unreachable: \(reason)"
        }
    }
}

/// An error answer from an S3-compatible service, with the code and message parsed from its XML body.
public struct S3ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The HTTP status, e.g. 403.
    public var status: Int
    /// S3's error code, e.g. `SignatureDoesNotMatch`, `NoSuchBucket`, `SlowDown`.
    public var code: String?
    /// S3's human-readable message.
    public var message: String?
    /// The request id to quote to the provider's support.
    public var requestID: String?

    public init(status: Int, code: String? = nil, message: String? = nil, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    public var description: String {
        var text = "S3 error \(status)"
        if let code { text += " \(code)" }
        if let message { text += ": \(message)" }
        if let requestID { text += " (request \(requestID))" }
        return text
    }
}

extension Duration {
    /// Whole seconds, rounding any fraction up so a link never expires earlier than asked.
    var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
