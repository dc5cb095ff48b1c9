import Crypto
import DropMatePercentEncoding
import Foundation

/// Signs and verifies the app's own download links for locally stored objects:
/// `{baseURL}/files/{key}?expires={unix seconds}&sig={hex HMAC-SHA256}`.
///
/// The HMAC covers the key and the expiry, so neither can be changed without the link failing.
/// The route serving `/files/…` calls ``verify(key:expires:signature:now:)`` before reading the object.
public struct LocalDownloadSigner: Sendable {
    /// The app's public base URL, e.g. `https://dropmate.example.com`.
    public let baseURL: URL
    /// The path the download route is mounted at.
    public let routePrefix: String
    private let secret: SymmetricKey

    /// - Parameters:
    ///   - secret: at least 32 bytes; use a key of its own, or one derived for this purpose only.
    public init(baseURL: URL, secret: SymmetricKey, routePrefix: String = "/files") {
        self.baseURL = baseURL
        self.secret = secret
        self.routePrefix = routePrefix
    }

    /// The outcome of checking a download link.
    public enum Verdict: Sendable, Equatable {
        case valid
        case expired
        case invalidSignature
        /// A parameter is missing or not of the expected form.
        case malformed
    }

    /// A link to `key` that stops working at `expiresAt`.
    public func url(for key: String, expiresAt: Date) throws(ObjectStoreError) -> URL {
        try ObjectKey.validate(key)
        let expires = Int64(expiresAt.timeIntervalSince1970.rounded(.up))
        let base =
            baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        let text =
            "\(base)\(routePrefix)/\(PercentEncoding.path(key))?expires=\(expires)&sig=\(signature(key: key, expires: expires))"
        guard let url = URL(string: text) else { throw .invalidKey(reason: "does not form a URL") }
        return url
    }

    /// Checks the `expires` and `sig` query values of a request for `key` (the decoded path after the route prefix).
    public func verify(key: String, expires: String?, signature: String?, now: Date) -> Verdict {
        guard ObjectKey.isValid(key), let expires, let expiresAt = Int64(expires), let signature,
            let given = Self.bytes(fromHex: signature), given.count == SHA256.byteCount
        else { return .malformed }
        let message = Array(Self.message(key: key, expires: expiresAt).utf8)
        // Checked before the expiry so a forged link learns nothing from which answer it gets.
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: secret) else {
            return .invalidSignature
        }
        return Double(expiresAt) >= now.timeIntervalSince1970 ? .valid : .expired
    }

    private func signature(key: String, expires: Int64) -> String {
        SigV4Encoding.hex(
            HMAC<SHA256>.authenticationCode(for: Array(Self.message(key: key, expires: expires).utf8), using: secret))
    }

    private static func message(key: String, expires: Int64) -> String {
        "dropmate-download-v1\n\(key)\n\(expires)"
    }

    private static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
