import DropMateRedis
import Foundation
import Logging
import Synchronization

/// An access_token and when it stops working (Unix seconds).
public struct AccessToken: Sendable, Codable, Equatable {
    public var value: String
    public var expiresAt: Int64
}

/// Where every process of a deployment finds the one access_token, and the lock that lets one of them
/// refresh it at a time (a fresh token can invalidate the previous one).
public protocol AccessTokenStore: Sendable {
    func load() async throws -> AccessToken?
    func save(_ token: AccessToken) async throws
    /// Takes the refresh lock for `ttl`; false when another process holds it.
    func lockRefresh(owner: String, ttl: Duration) async throws -> Bool
    func unlockRefresh(owner: String) async throws
}

/// The embedded default's store: this process is the only one.
public final class MemoryAccessTokenStore: AccessTokenStore {
    private let token = Mutex<AccessToken?>(nil)

    public init() {}

    public func load() async throws -> AccessToken? { token.withLock { $0 } }
    public func save(_ token: AccessToken) async throws { self.token.withLock { $0 = token } }
    // `AccessTokens` refreshes once per process
    public func lockRefresh(owner: String, ttl: Duration) async throws -> Bool { true }
    public func unlockRefresh(owner: String) async throws {}
}

/// Production's store: the token in Redis, the refresh lock a `SET NX PX` released only by its owner.
public struct RedisAccessTokenStore: AccessTokenStore {
    let redis: RedisClient
    let tokenKey: String
    let lockKey: String

    public init(redis: RedisClient, keyPrefix: String) {
        self.redis = redis
        self.tokenKey = "\(keyPrefix):wechat:access_token"
        self.lockKey = "\(keyPrefix):wechat:access_token:refresh"
    }

    public func load() async throws -> AccessToken? {
        guard let text = try await redis.send(["GET", tokenKey]).string else { return nil }
        return try? JSONDecoder().decode(AccessToken.self, from: Data(text.utf8))
    }

    public func save(_ token: AccessToken) async throws {
        let text = String(decoding: try JSONEncoder().encode(token), as: UTF8.self)
        let ttl = max(60, token.expiresAt - Int64(Date().timeIntervalSince1970))
        _ = try await redis.send(["SET", tokenKey, text, "EX", String(ttl)])
    }

    public func lockRefresh(owner: String, ttl: Duration) async throws -> Bool {
        try await redis.send(["SET", lockKey, owner, "NX", "PX", String(ttl.wholeMilliseconds)]) == .status("OK")
    }

    public func unlockRefresh(owner: String) async throws {
        _ = try await redis.run(Self.unlockScript, keys: [lockKey], arguments: [owner])
    }

    static let unlockScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}

/// Hands out the access_token: from memory while it is fresh, else from the shared store, else fetched from
/// WeChat by exactly one process (the refresh lock) and one task in it (a single flight); the others wait
/// for the token it stores. Refreshes `margin` seconds before expiry, and at once when WeChat says a token
/// is invalid (40001, 42001, 40014). The token is never logged.
public final class AccessTokens: Sendable {
    private let api: WeChatAPI
    private let store: any AccessTokenStore
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let margin: Int64
    private let owner = UUID().uuidString
    private struct State {
        var token: AccessToken?
        var refreshing: Task<AccessToken, any Error>?
    }
    private let state = Mutex(State())

    public init(
        api: WeChatAPI, store: any AccessTokenStore, clock: @escaping @Sendable () -> Int64, margin: Int64 = 300,
        logger: Logger
    ) {
        self.api = api
        self.store = store
        self.clock = clock
        self.margin = margin
        self.logger = logger
    }

    /// A token good for at least `margin` more seconds.
    public func token() async throws -> String {
        try await token(replacing: nil)
    }

    /// WeChat refused `rejected`: the next token is a different one.
    public func refreshed(replacing rejected: String) async throws -> String {
        try await token(replacing: rejected)
    }

    private func usable(_ token: AccessToken?, replacing rejected: String?) -> AccessToken? {
        guard let token, token.expiresAt - margin > clock(), token.value != rejected else { return nil }
        return token
    }

    private func token(replacing rejected: String?) async throws -> String {
        enum Next {
            case ready(AccessToken)
            case wait(Task<AccessToken, any Error>)
        }
        let next: Next = state.withLock { state in
            if let token = usable(state.token, replacing: rejected) { return .ready(token) }
            if let running = state.refreshing { return .wait(running) }
            let task = Task { try await self.obtain(replacing: rejected) }
            state.refreshing = task
            return .wait(task)
        }
        let task: Task<AccessToken, any Error>
        switch next {
        case .ready(let token): return token.value  // the common case: no task, no suspension
        case .wait(let running): task = running
        }
        do {
            let token = try await task.value
            state.withLock { state in
                state.token = token
                state.refreshing = nil
            }
            return token.value
        } catch {
            state.withLock { $0.refreshing = nil }
            throw error
        }
    }

    /// POSTs `json` to WeChat's `path` with the current token; when WeChat refuses the token (40001, 42001,
    /// 40014), once more with a fresh one.
    public func post(_ path: String, json: JSONBody) async throws -> WeChatAPI.Answer {
        let token = try await token()
        let answer = try await api.post(path, token: token, json: json)
        guard [40001, 42001, 40014].contains(answer.code) else { return answer }
        logger.notice(
            "WeChat refused the access_token; refreshing it", metadata: ["dropmate.errcode": "\(answer.code)"])
        return try await api.post(path, token: try await refreshed(replacing: token), json: json)
    }

    /// The shared token if another process has a usable one, else a fresh one fetched under the refresh lock.
    private func obtain(replacing rejected: String?) async throws -> AccessToken {
        let giveUp = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < giveUp {
            if let shared = usable(try await store.load(), replacing: rejected) { return shared }
            if try await store.lockRefresh(owner: owner, ttl: .seconds(10)) {
                defer { Task { [store, owner] in try? await store.unlockRefresh(owner: owner) } }
                // Someone may have stored a token between our look and our lock.
                if let shared = usable(try await store.load(), replacing: rejected) { return shared }
                let fetched: (token: String, expiresIn: Int64)
                do { fetched = try await api.fetchToken() } catch {
                    api.telemetry.metrics.wechatTokenRefresh(succeeded: false)
                    throw error
                }
                api.telemetry.metrics.wechatTokenRefresh(succeeded: true)
                let token = AccessToken(value: fetched.token, expiresAt: clock() + fetched.expiresIn)
                try await store.save(token)
                logger.info(
                    "fetched a new WeChat access_token", metadata: ["dropmate.expires_in": "\(fetched.expiresIn)"])
                return token
            }
            try await Task.sleep(for: .milliseconds(100))  // another process is refreshing: wait for its token
        }
        throw WeChatAPIError.unreachable("no access_token within 10 s (another process holds the refresh lock)")
    }
}
