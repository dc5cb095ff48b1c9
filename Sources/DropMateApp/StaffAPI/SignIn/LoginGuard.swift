import Crypto
import DropMateRedis
import Foundation
import Logging
import Synchronization

/// Slows password guessing without letting anyone lock an owner out.
///
/// Failed sign-ins are counted per client address (however many names it tries) and per (address, username).
/// Past `perAddress` failures from one address, or `perName` for one name from one address, within `window`
/// seconds, further attempts from that address (for that name) are refused with 429 before any hash is computed.
/// Somebody guessing from elsewhere never locks the owner out, and a success clears the (address, name) count.
///
/// With Redis the counts are shared by every replica (fixed windows of `window` seconds, keys hash-tagged by
/// address so one script touches one slot); without it, or while Redis fails, each process counts on its own
/// (a sliding window).
final class LoginGuard: Sendable {
    struct Limits: Sendable, Hashable {
        var perAddress = 30
        var perName = 10
        var window: Int64 = 900
    }

    let limits: Limits
    private let redis: RedisClient?
    private let keyPrefix: String
    private let logger: Logger
    private let failures = Mutex<[String: [Int64]]>([:])
    /// When Redis's failure was last logged: once a minute is enough while it is down (sign-ins may be a flood).
    private let lastWarning = Mutex<Int64>(0)

    init(
        limits: Limits = Limits(), redis: RedisClient? = nil, keyPrefix: String = "dm",
        logger: Logger = Logger(label: "dropmate.signin")
    ) {
        self.limits = limits
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.logger = logger
    }

    /// Whether `address` may try `username` now.
    func allows(address: String, username: String, now: Int64) async -> Bool {
        let keys = keys(address: address, username: username, now: now)
        if let redis {
            do {
                let counts =
                    try await redis.send(["MGET", keys.redisAddress, keys.redisName]).array?.map { $0.integer ?? 0 }
                    ?? []
                return (counts.first ?? 0) < Int64(limits.perAddress) && (counts.last ?? 0) < Int64(limits.perName)
            } catch {
                warn(error, now: now)
            }
        }
        return failures.withLock { table in
            count(table[keys.address], now: now) < limits.perAddress
                && count(table[keys.name], now: now) < limits.perName
        }
    }

    /// Counts a failed sign-in.
    func failed(address: String, username: String, now: Int64) async {
        let keys = keys(address: address, username: username, now: now)
        if let redis {
            do {
                _ = try await redis.run(
                    Self.countFailure, keys: [keys.redisAddress, keys.redisName], arguments: [String(limits.window * 2)]
                )
                return
            } catch {
                warn(error, now: now)
            }
        }
        failures.withLock { table in
            if table.count > 100_000 { table = table.filter { $0.value.contains { $0 > now - limits.window } } }
            for key in [keys.address, keys.name] {
                table[key] = (table[key] ?? []).filter { $0 > now - limits.window } + [now]
            }
        }
    }

    /// Clears the (address, name) count after a successful sign-in.
    func succeeded(address: String, username: String, now: Int64) async {
        let keys = keys(address: address, username: username, now: now)
        if let redis {
            do { _ = try await redis.send(["DEL", keys.redisName]) } catch { warn(error, now: now) }
        }
        failures.withLock { _ = $0.removeValue(forKey: keys.name) }
    }

    private func warn(_ error: any Error, now: Int64) {
        guard
            lastWarning.withLock({ last in
                guard now - last >= 60 else { return false }
                last = now
                return true
            })
        else { return }
        logger.warning(
            "sign-in limits fall back to this process: Redis failed", metadata: ["dropmate.error": "\(error)"])
    }

    private func count(_ times: [Int64]?, now: Int64) -> Int { (times ?? []).filter { $0 > now - limits.window }.count }

    private struct Keys { var address: String; var name: String; var redisAddress: String; var redisName: String }

    private func keys(address: String, username: String, now: Int64) -> Keys {
        // Names are hashed: a key never carries what somebody typed.
        let name = SHA256.hash(data: Data(username.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        let base = "\(keyPrefix):signin:{\(address)}"
        let window = now / limits.window
        return Keys(
            address: "a \(address)", name: "n \(address) \(name)", redisAddress: "\(base):a:\(window)",
            redisName: "\(base):n:\(name):\(window)")
    }

    /// KEYS: address counter, (address, name) counter. ARGV: seconds to keep them.
    static let countFailure = RedisScript(
        """
        for _, key in ipairs(KEYS) do
          if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[1]) end
        end
        return 1
        """)
}
