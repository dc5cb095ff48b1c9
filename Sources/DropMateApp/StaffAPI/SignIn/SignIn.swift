import DropMateDataProtection
import DropMateRedis
import Logging

/// How staff sign in: where passwords are hashed, how guessing is limited, which proxies are believed.
public struct SignInSettings: Sendable, Hashable {
    /// Proxies whose `X-Forwarded-For` is believed (`DROPMATE_TRUSTED_PROXIES`).
    var trustedProxies = TrustedProxies()
    /// Threads that hash passwords (`DROPMATE_PASSWORD_THREADS`, 1 by default).
    public var passwordThreads = 1
    /// Sign-ins that may wait for a hashing thread (per thread) before the next is answered 503 at once.
    public var queuePerThread = 8

    public init() {}

    static func load(_ env: [String: String], problem: (String, String) -> Void) -> SignInSettings {
        var settings = SignInSettings()
        let parsed = TrustedProxies.parse(env["DROPMATE_TRUSTED_PROXIES"] ?? "")
        if !parsed.invalid.isEmpty {
            problem(
                "DROPMATE_TRUSTED_PROXIES",
                "must be comma-separated IP addresses or CIDR networks; not: \(parsed.invalid.prefix(5).joined(separator: ", "))"
            )
        }
        settings.trustedProxies = parsed.proxies
        let threads = Int(env["DROPMATE_PASSWORD_THREADS"] ?? "1") ?? -1
        if !(1...8).contains(threads) { problem("DROPMATE_PASSWORD_THREADS", "must be 1 to 8") }
        settings.passwordThreads = min(max(threads, 1), 8)
        return settings
    }
}

/// Sign-in's shared parts, built once per process (the counts and the hashing threads outlive any one request).
final class SignIn: Sendable {
    let passwords: PasswordCheck
    let attempts: LoginGuard
    let proxies: TrustedProxies

    init(settings: SignInSettings, passwordCost: Int, redis: RedisClient?, keyPrefix: String, logger: Logger) {
        passwords = PasswordCheck(
            hasher: PasswordHasher(logN: passwordCost, r: 8, p: 1),
            workers: PasswordWorkers(
                threads: settings.passwordThreads, queueLimit: settings.passwordThreads * settings.queuePerThread))
        attempts = LoginGuard(redis: redis, keyPrefix: keyPrefix, logger: logger)
        proxies = settings.trustedProxies
    }
}
