import DropMateEngine
import DropMateStorage
import DropMateWeChatPay
import Foundation

/// WeChat Pay settings (`WECHAT_PAY_*`, `DROPMATE_PAYMENT*`), read and checked at start. nil in `AppConfig.payment`
/// means payment is off: orders work as before (cash on delivery) and nothing payment-related runs.
public struct PaymentConfig: Sendable {
    /// `DROPMATE_PAYMENT`: `optional` lets the customer choose 货到付款; `required` dispatches only paid orders.
    public typealias Mode = PaymentMode

    public var mode: Mode
    public var merchant: MerchantKey
    public var platformKey: PlatformPublicKey
    public var apiV3Key: APIv3Key
    /// `WECHAT_PAY_API_BASE_URL` (tests point it at a fake).
    public var apiBaseURL: String
    /// Seconds an order may stay unpaid before it is closed and cancelled (`DROPMATE_PAYMENT_TIMEOUT_MINUTES`).
    public var timeoutSeconds: Int64

    static let variables = [
        "WECHAT_PAY_MCH_ID", "WECHAT_PAY_PRIVATE_KEY_FILE", "WECHAT_PAY_CERT_SERIAL", "WECHAT_PAY_API_V3_KEY",
        "WECHAT_PAY_PUBLIC_KEY_FILE", "WECHAT_PAY_PUBLIC_KEY_ID",
    ]

    /// Reads the payment settings; reports every problem through `problem` (never a secret's value).
    static func load(_ env: [String: String], problem: (String, String) -> Void) -> PaymentConfig? {
        func value(_ name: String) -> String? {
            env[name].flatMap {
                $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces)
            }
        }
        let modeText = value("DROPMATE_PAYMENT")?.lowercased()
        if let modeText, !["off", "optional", "required"].contains(modeText) {
            problem("DROPMATE_PAYMENT", "must be off, optional or required")
        }
        let timeoutMinutes = Int64(value("DROPMATE_PAYMENT_TIMEOUT_MINUTES") ?? "15") ?? -1
        if !(5...120).contains(timeoutMinutes) {
            problem("DROPMATE_PAYMENT_TIMEOUT_MINUTES", "must be 5 to 120 minutes")
        }
        let present = variables.filter { value($0) != nil }
        if present.isEmpty {
            if let modeText, modeText != "off" {
                problem(
                    "DROPMATE_PAYMENT", "\(modeText) needs WeChat Pay configured (\(variables.joined(separator: ", ")))"
                )
            }
            return nil
        }
        if modeText == "off" { return nil }  // configured but switched off on purpose
        let missing = variables.filter { value($0) == nil }
        if !missing.isEmpty {
            for name in missing {
                problem(name, "is required when WeChat Pay is configured (\(present.joined(separator: ", ")) set)")
            }
            return nil
        }
        let mchID = value("WECHAT_PAY_MCH_ID")!, serial = value("WECHAT_PAY_CERT_SERIAL")!,
            keyID = value("WECHAT_PAY_PUBLIC_KEY_ID")!
        let v3Key = value("WECHAT_PAY_API_V3_KEY")!
        var ok = true
        func fail(_ name: String, _ message: String) { ok = false; problem(name, message) }
        if !(8...32).contains(mchID.count) || !mchID.allSatisfy(\.isNumber) {
            fail("WECHAT_PAY_MCH_ID", "must be the merchant number (商户号, digits)")
        }
        if !(16...64).contains(serial.count) || !serial.allSatisfy(\.isHexDigit) {
            fail("WECHAT_PAY_CERT_SERIAL", "must be the API certificate's serial number (hex)")
        }
        if !keyID.hasPrefix("PUB_KEY_ID_") || keyID.count > 80 {
            fail("WECHAT_PAY_PUBLIC_KEY_ID", "must be WeChat Pay's public key id (PUB_KEY_ID_…)")
        }
        var apiV3Key: APIv3Key?
        if let weak = SecretStrength.problem(v3Key, minimumDistinct: 8) {
            fail("WECHAT_PAY_API_V3_KEY", weak)
        } else {
            apiV3Key = try? APIv3Key(v3Key)
        }
        if apiV3Key == nil, ok {
            fail("WECHAT_PAY_API_V3_KEY", "must be exactly 32 characters (the APIv3 key set in the merchant platform)")
        }
        let baseURL = (value("WECHAT_PAY_API_BASE_URL") ?? "https://api.mch.weixin.qq.com").trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        if URL(string: baseURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            fail("WECHAT_PAY_API_BASE_URL", "must be an http(s) URL")
        }
        func pem(_ name: String) -> String? {
            guard let text = try? String(contentsOfFile: value(name)!, encoding: .utf8) else {
                fail(name, "cannot read the file it names"); return nil
            }
            return text
        }
        var merchant: MerchantKey?, platform: PlatformPublicKey?
        if let text = pem("WECHAT_PAY_PRIVATE_KEY_FILE") {
            do { merchant = try MerchantKey(mchID: mchID, certificateSerial: serial, privateKeyPEM: text) } catch {
                fail("WECHAT_PAY_PRIVATE_KEY_FILE", error.description)
            }
        }
        if let text = pem("WECHAT_PAY_PUBLIC_KEY_FILE") {
            do { platform = try PlatformPublicKey(keyID: keyID, publicKeyPEM: text) } catch {
                fail("WECHAT_PAY_PUBLIC_KEY_FILE", error.description)
            }
        }
        guard ok, let merchant, let platform, let apiV3Key else { return nil }
        return PaymentConfig(
            mode: modeText == "optional" ? .optional : .required, merchant: merchant, platformKey: platform,
            apiV3Key: apiV3Key, apiBaseURL: baseURL, timeoutSeconds: timeoutMinutes * 60)
    }

    /// For `AppConfig.description`: what an operator may read (no key material).
    var summary: String {
        "\(mode.rawValue) (mch \(merchant.mchID), key id \(platformKey.keyID), \(apiBaseURL), timeout \(timeoutSeconds / 60) min)"
    }
}

extension PaymentGate {
    /// The engine's payment rules from the payment settings.
    public init(config: PaymentConfig, payments: SQLPaymentStore, signer: LinkSigner, baseURL: String) {
        self.init(
            mode: config.mode, timeoutSeconds: config.timeoutSeconds, payments: payments, signer: signer,
            baseURL: baseURL)
    }
}
