import DropMateApp
import DropMateCivilTime
import DropMateCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization

/// A clock tests set and advance by hand.
final class TestClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64) { value = Mutex(start) }

    var now: Int64 { value.withLock { $0 } }
    func set(_ seconds: Int64) { value.withLock { $0 = seconds } }
    func advance(_ seconds: Int64) { value.withLock { $0 += seconds } }
}

/// WeChat's published test credentials (WECHAT.md §7), used as the test account's configuration.
enum TestAccount {
    static let token = "123456"
    static let appID = "wx49f0ab532d5d035a"
    static let encodingAESKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    static let accountID = "gh_testaccount"
    /// A fixed key for personal data at rest (required with DATABASE_URL).
    static let piiKeys = "t1:" + Data((0..<32).map { UInt8($0 * 7 + 3) }).base64EncodedString()
    /// A JWT secret that passes the placeholder and strength checks (`SecretStrength`).
    /// (The transcripts' confirmation links are signed with it.)
    static let jwtSecret = "test-secret-test-secret-test-secret-0123"
    /// 2026-11-25 12:00 in Shanghai.
    static let start: Int64 = Calendar.epoch(year: 2026, month: 11, day: 25, hour: 12, minute: 0, utcOffsetHours: 8)
}

extension Calendar {
    /// Unix seconds of a local date and time at a fixed UTC offset (days-from-civil, no time-zone database).
    static func epoch(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0, utcOffsetHours: Int
    ) -> Int64 {
        let days = Int64(CivilDate(year: year, month: month, day: day).daysSince1970)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second - utcOffsetHours * 3600)
    }
}

/// A fresh embedded DropMate in a temporary directory, with a settable clock.
struct TestApp {
    var dependencies: AppDependencies
    let clock: TestClock
    let directory: String

    static func make(
        clock: TestClock = TestClock(TestAccount.start), extra: [String: String] = [:], directory: String? = nil,
        logger customLogger: Logger? = nil, configure: (inout AppConfig) -> Void = { _ in }
    ) async throws -> TestApp {
        let directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("dropmate-test-\(UUID().uuidString)").path
        var environment = [
            "PORT": "0", "DROPMATE_DATA_DIR": directory,
            "WECHAT_TOKEN": TestAccount.token, "WECHAT_APP_ID": TestAccount.appID,
            "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey, "WECHAT_ACCOUNT_ID": TestAccount.accountID,
            "JWT_SECRET": TestAccount.jwtSecret, "PUBLIC_BASE_URL": "https://dropmate.example",
            "DROPMATE_PASSWORD_COST": "10", "DROPMATE_PII_KEYS": TestAccount.piiKeys,
        ]
        environment.merge(extra) { _, new in new }
        var config = try AppConfig.load(environment: environment)
        configure(&config)
        var logger = customLogger ?? Logger(label: "dropmate-test")
        if customLogger == nil { logger.logLevel = .critical }
        let dependencies = try await AppDependencies.connect(config: config, clock: { clock.now }, logger: logger)
        return TestApp(dependencies: dependencies, clock: clock, directory: directory)
    }

    func shutdown(keepingFiles: Bool = false) async {
        await dependencies.shutdown()
        if !keepingFiles { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Runs `body` against the app served over real HTTP on a free loopback port, then shuts down.
    func live<T: Sendable>(
        runWorker: Bool = false, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let application = buildApplication(dependencies, runWorker: runWorker)
        do {
            let result = try await application.test(.live, body)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}
