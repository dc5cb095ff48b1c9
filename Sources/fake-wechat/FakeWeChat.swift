import ArgumentParser
import DropMateFakes
import Foundation
import Hummingbird

/// `fake-wechat`: WeChat's server API on loopback (tokens, customer-service and template messages), for the push
/// benchmark. `GET /stats` reports token fetches and messages accepted. With `--pay-merchant-public-key` it also
/// serves WeChat Pay API v3 (`/v3/...`, checking our signatures, signing its answers) and `POST /fake/pay/callback`,
/// through which a test process makes the customer pay and has the signed, encrypted callback delivered.
@main
struct FakeWeChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-wechat",
        abstract: "A fake WeChat server API (and WeChat Pay) on loopback, for tests and benchmarks.")

    @Option(help: "Port (0: any free one; the chosen port is printed).") var port = 0
    @Option(name: .customLong("app-id")) var appID = "wxfake00000000001"
    @Option(name: .customLong("app-secret")) var appSecret = "fakesecretfakesecretfakesecret12"
    @Option(
        help: "Turns WeChat Pay on: the merchant's public key (PEM), the public half of WECHAT_PAY_PRIVATE_KEY_FILE.")
    var payMerchantPublicKey: String?
    @Option(help: "Writes WeChat Pay's public key (PEM, a fresh one each run) here, for WECHAT_PAY_PUBLIC_KEY_FILE.")
    var payPublicKeyOut: String?
    @Option(name: .customLong("pay-mch-id")) var payMchID = "1900000109"
    @Option(name: .customLong("pay-api-v3-key")) var payAPIv3Key = "DropMateFakeApiV3Key0123456789ab"

    func run() async throws {
        let router = Router()
        FakeWeChatAPI(appID: appID, appSecret: appSecret, keepsMessages: false).addRoutes(to: router)
        var payLine = ""
        if let payMerchantPublicKey {
            let pay = try FakeWeChatPay(
                mchID: payMchID, appID: appID,
                merchantPublicKeyPEM: try String(contentsOfFile: payMerchantPublicKey, encoding: .utf8),
                apiV3Key: payAPIv3Key)
            pay.addRoutes(to: router)
            pay.addControlRoutes(to: router)
            if let payPublicKeyOut {
                try pay.platformPublicKeyPEM.write(toFile: payPublicKeyOut, atomically: true, encoding: .utf8)
            }
            payLine = "fake-wechat pay: mch \(pay.mchID), public key id \(pay.publicKeyID)\n"
        }
        let banner = payLine
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-wechat"),
            onServerRunning: { channel in
                // Unbuffered: the scripts read the port from a redirected stdout.
                FileHandle.standardOutput.write(
                    Data("\(banner)fake-wechat listening on \(channel.localAddress?.port ?? 0)\n".utf8))
            }
        )
        try await application.runService()
    }
}
