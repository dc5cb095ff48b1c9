import DropMateWeChatPay
import Foundation

/// The throwaway keys and Python-computed vectors in Fixtures/ (see its README).
enum TestKeys {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func text(_ name: String) -> String {
        try! String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    static let mchID = "1900000109"
    static let serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    static let keyID = "PUB_KEY_ID_0119000001092026120500000000000001"
    static let merchant = try! MerchantKey(
        mchID: mchID, certificateSerial: serial, privateKeyPEM: text("merchant-test-key.pem"))
    /// WeChat Pay's side, to sign answers and callbacks in tests.
    static let platformSigner = try! MerchantKey(
        mchID: "platform", certificateSerial: keyID, privateKeyPEM: text("platform-test-key.pem"))
    static let platform = try! PlatformPublicKey(keyID: keyID, publicKeyPEM: text("platform-test-public.pem"))

    struct Vectors: Decodable {
        var api_v3_key: String
        var request_message: String
        var request_signature: String
        var sheet_message: String
        var sheet_signature: String
        var callback_message: String
        var callback_signature: String
        var gcm: GCM
        struct GCM: Decodable {
            var nonce: String; var associated_data: String; var ciphertext: String; var plaintext: String
        }
    }

    static let vectors = try! JSONDecoder().decode(Vectors.self, from: Data(text("vectors.json").utf8))
}
