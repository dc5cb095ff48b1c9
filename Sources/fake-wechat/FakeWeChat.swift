import ArgumentParser
import DropMateFakes
import Foundation
import Hummingbird

/// `fake-wechat`: WeChat's server API on loopback (tokens, customer-service and template messages), for the push
/// benchmark. `GET /stats` reports token fetches and messages accepted.
@main
struct FakeWeChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake-wechat", abstract: "A fake WeChat server API on loopback (benchmarks).")

    @Option(help: "Port (0: any free one; the chosen port is printed).") var port = 0
    @Option(name: .customLong("app-id")) var appID = "wxfake00000000001"
    @Option(name: .customLong("app-secret")) var appSecret = "fakesecretfakesecretfakesecret12"

    func run() async throws {
        let fake = FakeWeChatAPI(appID: appID, appSecret: appSecret, keepsMessages: false)
        let application = Application(
            router: fake.router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-wechat"),
            onServerRunning: { channel in
                // Unbuffered: the benchmark script reads the port from a redirected stdout.
                FileHandle.standardOutput.write(Data("fake-wechat listening on \(channel.localAddress?.port ?? 0)\n".utf8))
            }
        )
        try await application.runService()
    }
}
