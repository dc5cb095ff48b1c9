import Crypto
import DropMateDataProtection
import DropMateEngine
import DropMateWeChat
import Foundation

/// The menu page's signed link for one customer, and the tokens its cart forms carry.
///
/// The link names the customer without showing their OpenID: `c` is the OpenID sealed with AES-GCM under a key only
/// DropMate has (the nonce derived from the OpenID, so one customer's link is the same string every time and a
/// transcript can hold it), and `sig` signs `c` with the expiry as every signed link does (`LinkSigner`). Anyone
/// holding the link acts as that customer until it expires, like the confirmation link.
public struct MenuLinks: Sendable {
    let signer: LinkSigner
    let baseURL: String
    /// How long a link opens the page and its forms are taken.
    let ttl: Int64
    private let sealKey: SymmetricKey
    private let formKey: SymmetricKey

    public static let purpose = "menu"

    public init(secret: [UInt8], baseURL: String, ttl: Int64 = 2 * 3600) {
        signer = LinkSigner(secret: secret)
        self.baseURL = baseURL
        self.ttl = ttl
        let root = SymmetricKey(data: secret)
        sealKey = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(for: Array("dropmate menu customer".utf8), using: root))
        formKey = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(for: Array("dropmate menu form".utf8), using: root))
    }

    /// The page's link for `customer`, made at `now`.
    public func link(customer: String, at now: Int64) -> String {
        baseURL + path(customer: customer, at: now)
    }

    /// `/menu?c=…&exp=…&sig=…`.
    func path(customer: String, at now: Int64) -> String {
        let sealed = seal(customer), expires = now + ttl
        return
            "/menu?c=\(sealed)&exp=\(expires)&sig=\(signer.signature(purpose: Self.purpose, id: sealed, expires: expires))"
    }

    /// The customer's OpenID sealed: base64url of nonce ‖ ciphertext ‖ tag.
    func seal(_ customer: String) -> String {
        let derived = HMAC<SHA256>.authenticationCode(for: Array(customer.utf8), using: sealKey)
        let nonce = try! AES.GCM.Nonce(data: Array(derived.prefix(12)))  // 12 bytes: always a valid nonce
        let box = try! AES.GCM.seal(Array(customer.utf8), using: sealKey, nonce: nonce)  // cannot fail for these sizes
        return Base64URL.encode(box.combined!)  // a 12-byte nonce: always combinable
    }

    /// The OpenID inside `sealed`, or nil when it was not made here.
    func customer(_ sealed: String) -> String? {
        guard sealed.count <= 256, let bytes = Base64URL.decode(sealed), bytes.count > 28,
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let plain = try? AES.GCM.open(box, using: sealKey)
        else { return nil }
        return String(bytes: plain, encoding: .utf8)
    }

    /// The anti-forgery token of a cart form: binds the form's nonce to the customer's link and its expiry, so a
    /// form can only be sent by someone who was shown the page.
    func formToken(sealed: String, nonce: String, expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(sealed):\(nonce):\(expires)".utf8), using: formKey)
        return Hex.encode(mac)
    }

    func verifyFormToken(_ token: String, sealed: String, nonce: String, expires: Int64) -> Bool {
        WeChatSignature.constantTimeEquals(formToken(sealed: sealed, nonce: nonce, expires: expires), token)
    }
}
