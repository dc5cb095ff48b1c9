import DropMateFakes
import Hummingbird
import HummingbirdTesting

extension FakeWeChatAPI {
    /// Serves the fake on a free loopback port while `body` runs; `body` gets the base URL.
    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}

extension FakeMaps {
    /// Serves the fake on a free loopback port while `body` runs; `body` gets the base URL.
    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}
