import Crypto
import CryptoExtras
import Foundation

/// The merchant's side of WeChat Pay API v3: its number, its API private key (PEM, as downloaded from the merchant
/// platform) and that key's certificate serial number. Signs every request and every JSAPI pay sheet.
public struct MerchantKey: Sendable {
    public let mchID: String
    public let certificateSerial: String
    let privateKey: _RSA.Signing.PrivateKey

    /// Reads the PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`, 2048 bits or more).
    public init(mchID: String, certificateSerial: String, privateKeyPEM: String) throws(WeChatPayError) {
        do { privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM) } catch {
            throw .invalidKey("the merchant private key is not an RSA private key of 2048 bits or more in PEM")
        }
        self.mchID = mchID
        self.certificateSerial = certificateSerial
    }

    /// Base64 of RSA-SHA256 (PKCS#1 v1.5) over `message`: the signature WeChat Pay expects everywhere.
    public func sign(_ message: String) -> String {
        // Signing with a valid key cannot fail short of memory exhaustion; a failure is a programming error.
        let signature = try! privateKey.signature(for: Data(message.utf8), padding: .insecurePKCS1v1_5)
        return signature.rawRepresentation.base64EncodedString()
    }

    /// The public half, as the merchant platform keeps it (the fake server verifies our requests with it).
    public var publicKeyPEM: String { privateKey.publicKey.pemRepresentation }
}

/// WeChat Pay's public key and its id (`PUB_KEY_ID_…`): verifies every answer and callback.
public struct PlatformPublicKey: Sendable {
    public let keyID: String
    let publicKey: _RSA.Signing.PublicKey

    public init(keyID: String, publicKeyPEM: String) throws(WeChatPayError) {
        do { publicKey = try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM) } catch {
            throw .invalidKey("the WeChat Pay public key is not an RSA public key of 2048 bits or more in PEM")
        }
        self.keyID = keyID
    }

    /// Whether `signatureBase64` is WeChat Pay's RSA-SHA256 signature of `message`.
    public func isValidSignature(_ signatureBase64: String, for message: String) -> Bool {
        guard let raw = Data(base64Encoded: signatureBase64), raw.count == publicKey.keySizeInBits / 8 else {
            return false
        }
        return publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: raw), for: Data(message.utf8), padding: .insecurePKCS1v1_5)
    }
}

/// The API v3 key (32 characters, set by the merchant): decrypts callback resources and bill downloads.
public struct APIv3Key: Sendable {
    let key: SymmetricKey

    public init(_ text: String) throws(WeChatPayError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 32 else { throw .invalidKey("the API v3 key must be exactly 32 characters") }
        key = SymmetricKey(data: bytes)
    }
}

/// What went wrong with keys, signatures or resources. Messages never contain key material.
public enum WeChatPayError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey(String)
    case missingHeader(String)
    /// The answer or callback names a key other than the configured public key id.
    case unknownSerial(String)
    case staleTimestamp
    case badSignature
    case undecryptable
    case unsupportedAlgorithm(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .invalidKey(let why): why
        case .missingHeader(let name): "missing header \(name)"
        case .unknownSerial(let serial): "signed with an unknown key \(serial)"
        case .staleTimestamp: "timestamp outside the allowed window"
        case .badSignature: "signature does not verify"
        case .undecryptable: "resource cannot be decrypted with the API v3 key"
        case .unsupportedAlgorithm(let name): "unsupported algorithm \(name)"
        case .malformed(let what): "malformed \(what)"
        }
    }
}
