import Foundation

/// Builds the `Authorization` header every request to WeChat Pay API v3 carries (`WECHATPAY2-SHA256-RSA2048`).
public struct PayRequestSigner: Sendable {
    public let merchant: MerchantKey

    public init(merchant: MerchantKey) { self.merchant = merchant }

    /// The text signed for a request: method, path with query, timestamp, nonce and body, each followed by `\n`
    /// (an empty body for GET still gets its line).
    public static func message(
        method: String, pathAndQuery: String, timestamp: Int64, nonce: String, body: String
    ) -> String {
        "\(method)\n\(pathAndQuery)\n\(timestamp)\n\(nonce)\n\(body)\n"
    }

    /// The header value for one request; `nonce` should be fresh and random (see `PayNonce`).
    public func authorization(
        method: String, pathAndQuery: String, body: String, timestamp: Int64, nonce: String
    ) -> String {
        let signature = merchant.sign(
            Self.message(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body))
        return
            #"WECHATPAY2-SHA256-RSA2048 mchid="\#(merchant.mchID)",nonce_str="\#(nonce)",signature="\#(signature)",timestamp="\#(timestamp)",serial_no="\#(merchant.certificateSerial)""#
    }
}

/// The fields of a `WECHATPAY2-SHA256-RSA2048` Authorization header (the fake server checks ours with it).
public struct PayAuthorization: Sendable, Equatable {
    public var mchID: String
    public var nonce: String
    public var signature: String
    public var timestamp: Int64
    public var serial: String

    /// Parses the header; nil when the scheme or any of the five fields is missing.
    public init?(header: String) {
        let scheme = "WECHATPAY2-SHA256-RSA2048 "
        guard header.hasPrefix(scheme) else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst(scheme.count).split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let name = part[..<equals].trimmingCharacters(in: .whitespaces)
            var value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return nil }
            value = String(value.dropFirst().dropLast())
            fields[name] = value
        }
        guard let mchID = fields["mchid"], let nonce = fields["nonce_str"], let signature = fields["signature"],
            let timestampText = fields["timestamp"], let timestamp = Int64(timestampText),
            let serial = fields["serial_no"]
        else { return nil }
        self.mchID = mchID
        self.nonce = nonce
        self.signature = signature
        self.timestamp = timestamp
        self.serial = serial
    }
}

/// Random nonces for requests and pay sheets: 32 characters of A–Z and 0–9.
public enum PayNonce {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
