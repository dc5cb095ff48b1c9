import DropMateFakes
import Foundation
import Hummingbird
import HummingbirdTesting

extension FakeWeChatPay {
    /// Serves the fake on a free loopback port while `body` runs; `body` gets the base URL.
    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}

/// The merchant's throwaway test key (Tests/DropMateWeChatPayTests/Fixtures) and the environment that turns WeChat
/// Pay on against a fake.
enum PayTestKeys {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("DropMateWeChatPayTests/Fixtures")
    static let merchantKeyFile = fixtures.appendingPathComponent("merchant-test-key.pem").path
    static let merchantPublicKey = try! String(
        contentsOf: fixtures.appendingPathComponent("merchant-test-public.pem"), encoding: .utf8)

    /// A fake WeChat Pay for the test account, on the test clock.
    static func fake(clock: TestClock) throws -> FakeWeChatPay {
        try FakeWeChatPay(appID: TestAccount.appID, merchantPublicKeyPEM: merchantPublicKey, clock: { clock.now })
    }

    /// `WECHAT_PAY_*` for `fake` at `baseURL` (its public key written to a temporary file).
    static func environment(_ fake: FakeWeChatPay, baseURL: String, mode: String? = nil) throws -> [String: String] {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wechatpay-public-\(UUID().uuidString).pem")
        try fake.platformPublicKeyPEM.write(to: keyFile, atomically: true, encoding: .utf8)
        var environment = [
            "WECHAT_PAY_MCH_ID": fake.mchID, "WECHAT_PAY_PRIVATE_KEY_FILE": merchantKeyFile,
            "WECHAT_PAY_CERT_SERIAL": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "WECHAT_PAY_API_V3_KEY": fake.apiV3Key,
            "WECHAT_PAY_PUBLIC_KEY_FILE": keyFile.path, "WECHAT_PAY_PUBLIC_KEY_ID": fake.publicKeyID,
            "WECHAT_PAY_API_BASE_URL": baseURL,
        ]
        if let mode { environment["DROPMATE_PAYMENT"] = mode }
        return environment
    }
}
