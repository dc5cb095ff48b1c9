import Crypto
import DropMateCore
import DropMateDataProtection
import DropMateEngine
import Foundation

/// Short-lived access tokens for staff: HS256 JSON Web Tokens signed with a key derived from `JWT_SECRET`.
public struct StaffJWT: Sendable {
    /// What an access token says.
    public struct Claims: Codable, Sendable, Equatable {
        /// The staff id.
        public var sub: String
        public var role: String
        public var name: String
        public var iat: Int64
        public var exp: Int64
        /// Always "access": a token minted for another purpose is refused.
        public var typ: String
        /// The account's token version when minted: a password change or deactivation moves the version on and
        /// every older token is refused (absent in tokens minted before versions existed: 0).
        public var ver: Int64?
    }

    private let key: SymmetricKey
    /// Seconds an access token lives (15 minutes): staff refresh or log in again.
    public let lifetime: Int64

    public init(secret: [UInt8], lifetime: Int64 = 900) {
        // Its own key: a link signature can never pass for a token, nor the reverse.
        key = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(
                for: Array("dropmate staff jwt".utf8), using: SymmetricKey(data: secret)))
        self.lifetime = lifetime
    }

    /// A token for `account` at its token `version`, valid from `now` for `lifetime` seconds.
    public func token(for account: StaffAccount, version: Int64 = 0, now: Int64) -> String {
        let claims = Claims(
            sub: "\(account.id)", role: account.role.rawValue, name: account.username, iat: now, exp: now + lifetime,
            typ: "access", ver: version)
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array((try? JSONEncoder().encode(claims)) ?? Data()))
        return "\(header).\(payload).\(signature(of: "\(header).\(payload)"))"
    }

    /// What a presented token is: good, ours but expired (the caller is told so, to refresh), or anything else.
    public enum Verdict: Sendable, Equatable {
        case valid(Claims)
        /// Well formed, correctly signed, an access token: only its time is up.
        case expired
        case invalid
    }

    /// The claims of a well-formed, correctly signed, unexpired HS256 access token; nil otherwise.
    public func verify(_ token: String, now: Int64) -> Claims? {
        if case .valid(let claims) = check(token, now: now) { return claims }
        return nil
    }

    /// Checks a token. Expiry is judged only after the signature holds: a forged token is `invalid`, never `expired`.
    public func check(_ token: String, now: Int64) -> Verdict {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count < 4096 else { return .invalid }
        guard LinkSigner.constantTimeEquals(signature(of: "\(parts[0]).\(parts[1])"), String(parts[2])) else {
            return .invalid
        }
        guard let headerBytes = Base64URL.decode(String(parts[0])),
            let header = try? JSONDecoder().decode([String: String].self, from: Data(headerBytes)),
            header["alg"] == "HS256",
            let payloadBytes = Base64URL.decode(String(parts[1])),
            let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes)),
            claims.typ == "access", claims.iat <= now + 60
        else { return .invalid }
        return now < claims.exp ? .valid(claims) : .expired
    }

    private func signature(of input: String) -> String {
        Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: key)))
    }
}
