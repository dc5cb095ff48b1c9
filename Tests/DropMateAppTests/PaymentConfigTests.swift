import Foundation
import Testing

@testable import DropMateApp

@Suite struct PaymentConfigTests {
    static let base = [
        "PORT": "0", "WECHAT_TOKEN": TestAccount.token, "JWT_SECRET": TestAccount.jwtSecret,
        "DROPMATE_PII_KEYS": TestAccount.piiKeys,
        "DROPMATE_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-paycfg-\(UUID().uuidString)"
        ).path,
    ]
    static let publicKeyFile: String = {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "paycfg-public-\(UUID().uuidString).pem")
        // any RSA public key will do
        try! PayTestKeys.merchantPublicKey.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }()
    static let pay = [
        "WECHAT_PAY_MCH_ID": "1900000109", "WECHAT_PAY_PRIVATE_KEY_FILE": PayTestKeys.merchantKeyFile,
        "WECHAT_PAY_CERT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "WECHAT_PAY_API_V3_KEY": "Qm8vT3kLx9PzR2wYc7NdF5hJ1sA6gE4u",
        "WECHAT_PAY_PUBLIC_KEY_FILE": publicKeyFile,
        "WECHAT_PAY_PUBLIC_KEY_ID": "PUB_KEY_ID_0119000001092026120500000000000001",
    ]

    static func problems(_ env: [String: String]) -> [String] {
        do { _ = try AppConfig.load(environment: base.merging(env) { $1 }); return [] } catch let error
            as AppConfig.Problems
        {
            return error.problems.map(\.description)
        } catch { return ["\(error)"] }
    }

    @Test func withoutWeChatPayPaymentIsOff() throws {
        let config = try AppConfig.load(environment: Self.base)
        #expect(config.payment == nil && config.description.contains("payment: off"))
    }

    @Test func aCompleteConfigurationTurnsItOnRequiredByDefaultAndIsNeverPrinted() throws {
        let config = try AppConfig.load(environment: Self.base.merging(Self.pay) { $1 })
        let payment = try #require(config.payment)
        #expect(
            payment.mode == .required && payment.timeoutSeconds == 900
                && payment.apiBaseURL == "https://api.mch.weixin.qq.com")
        #expect(
            !config.description.contains("Qm8vT3kLx9PzR2wYc7NdF5hJ1sA6gE4u")
                && !config.description.contains("PRIVATE KEY"))
        #expect(config.description.contains("payment: required (mch 1900000109"))
        let optional = try AppConfig.load(
            environment: Self.base.merging(Self.pay) { $1 }.merging([
                "DROPMATE_PAYMENT": "optional", "DROPMATE_PAYMENT_TIMEOUT_MINUTES": "30",
            ]) { $1 })
        #expect(optional.payment?.mode == .optional && optional.payment?.timeoutSeconds == 1800)
        #expect(
            try AppConfig.load(
                environment: Self.base.merging(Self.pay) { $1 }.merging(["DROPMATE_PAYMENT": "off"]) { $1 }
            ).payment == nil)
    }

    @Test func everyMissingOrWrongSettingIsNamedTogether() {
        var partial = Self.pay
        partial["WECHAT_PAY_PUBLIC_KEY_ID"] = nil
        partial["WECHAT_PAY_CERT_SERIAL"] = nil
        let missing = Self.problems(partial)
        #expect(
            missing.contains { $0.hasPrefix("WECHAT_PAY_PUBLIC_KEY_ID: is required") }
                && missing.contains { $0.hasPrefix("WECHAT_PAY_CERT_SERIAL: is required") })

        var wrong = Self.pay
        wrong["WECHAT_PAY_API_V3_KEY"] = "short"
        wrong["WECHAT_PAY_PUBLIC_KEY_ID"] = "5157F09EFDC0"
        wrong["WECHAT_PAY_PRIVATE_KEY_FILE"] = Self.publicKeyFile  // a public key where the private one belongs
        wrong["WECHAT_PAY_PUBLIC_KEY_FILE"] = "/nonexistent/pub.pem"
        wrong["DROPMATE_PAYMENT_TIMEOUT_MINUTES"] = "0"
        let found = Self.problems(wrong)
        for variable in [
            "WECHAT_PAY_API_V3_KEY", "WECHAT_PAY_PUBLIC_KEY_ID", "WECHAT_PAY_PRIVATE_KEY_FILE",
            "WECHAT_PAY_PUBLIC_KEY_FILE", "DROPMATE_PAYMENT_TIMEOUT_MINUTES",
        ] {
            #expect(found.contains { $0.hasPrefix(variable + ":") }, "\(variable) in \(found)")
        }
        #expect(!found.joined().contains("short"), "a secret's value is never echoed")
    }

    @Test func aPlaceholderAPIv3KeyIsRefused() {
        var placeholder = Self.pay
        placeholder["WECHAT_PAY_API_V3_KEY"] = "your-apiv3-key-0123456789abcdefg"
        #expect(Self.problems(placeholder).contains { $0.hasPrefix("WECHAT_PAY_API_V3_KEY: looks like a placeholder") })
    }

    @Test func requiringPaymentWithoutWeChatPayIsAnError() {
        #expect(
            Self.problems(["DROPMATE_PAYMENT": "required"]).contains {
                $0.hasPrefix("DROPMATE_PAYMENT: required needs WeChat Pay configured")
            })
        #expect(
            Self.problems(["DROPMATE_PAYMENT": "sometimes"]).contains {
                $0.hasPrefix("DROPMATE_PAYMENT: must be off, optional or required")
            })
    }
}
