import Foundation

/// Checks that an answer or callback came from WeChat Pay: the `Wechatpay-Serial` is our configured public key id,
/// the timestamp is within the window, and `Wechatpay-Signature` verifies over `timestamp\nnonce\nbody\n`.
public struct PaySignatureVerifier: Sendable {
    public let platformKey: PlatformPublicKey
    /// Seconds a timestamp may differ from our clock (WeChat Pay asks for 5 minutes).
    public let window: Int64

    public init(platformKey: PlatformPublicKey, window: Int64 = 300) {
        self.platformKey = platformKey
        self.window = window
    }

    /// The `Wechatpay-*` headers of one answer or callback.
    public struct Headers: Sendable, Equatable {
        public var timestamp: String?
        public var nonce: String?
        public var signature: String?
        public var serial: String?

        public init(timestamp: String?, nonce: String?, signature: String?, serial: String?) {
            self.timestamp = timestamp
            self.nonce = nonce
            self.signature = signature
            self.serial = serial
        }

        /// Reads the four headers through `value(name)` (HTTP header names are case-insensitive; the caller's
        /// lookup decides).
        public init(_ value: (String) -> String?) {
            self.init(
                timestamp: value("Wechatpay-Timestamp"), nonce: value("Wechatpay-Nonce"),
                signature: value("Wechatpay-Signature"), serial: value("Wechatpay-Serial"))
        }
    }

    /// The text WeChat Pay signs for an answer or callback.
    public static func message(timestamp: String, nonce: String, body: String) -> String {
        "\(timestamp)\n\(nonce)\n\(body)\n"
    }

    /// Throws unless `body` with `headers` is authentic and fresh at `now` (Unix seconds).
    public func verify(headers: Headers, body: String, now: Int64) throws(WeChatPayError) {
        guard let timestamp = headers.timestamp, !timestamp.isEmpty else { throw .missingHeader("Wechatpay-Timestamp") }
        guard let nonce = headers.nonce, !nonce.isEmpty else { throw .missingHeader("Wechatpay-Nonce") }
        guard let signature = headers.signature, !signature.isEmpty else { throw .missingHeader("Wechatpay-Signature") }
        guard let serial = headers.serial, !serial.isEmpty else { throw .missingHeader("Wechatpay-Serial") }
        // WeChat Pay sends a "WECHATPAY/SIGNTEST/" signature now and then to probe that merchants really verify:
        // it never verifies, so it needs no special case.
        guard serial == platformKey.keyID else { throw .unknownSerial(String(serial.prefix(64))) }
        guard let seconds = Int64(timestamp), abs(now - seconds) <= window else { throw .staleTimestamp }
        guard platformKey.isValidSignature(signature, for: Self.message(timestamp: timestamp, nonce: nonce, body: body))
        else {
            throw .badSignature
        }
    }
}
