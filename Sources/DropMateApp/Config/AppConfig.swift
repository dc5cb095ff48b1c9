import DropMateCore
import DropMateDataProtection
import DropMateEngine
import DropMateObjectStore
import DropMateOutbound
import DropMateRedis
import DropMateStorage
import DropMateTelemetry
import DropMateWeChat
import Foundation

/// DropMate's configuration, read and validated once at start-up. Secrets never appear in `description`.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    /// Where the embedded default keeps its SQLite database and dev secrets.
    public var dataDirectory: String
    public var wechatToken: String
    public var wechatAppID: String
    /// Our Official Account's id (`gh_…`), the `FromUserName` of replies when known.
    public var wechatAccountID: String
    /// nil: plaintext mode only.
    public var wechatEncodingAESKey: String?
    /// Which requests the webhook accepts (`WECHAT_MESSAGE_MODE`: plaintext, compatible, safe; default compatible
    /// with an EncodingAESKey, else plaintext).
    public var wechatMessageMode: WeChatWebhook.MessageMode = .plaintext
    /// Seconds a WeChat timestamp may differ from our clock.
    public var timestampWindow: Int64
    /// Base URL of links sent in chat (confirmation pages, ads).
    public var publicBaseURL: String
    /// Key for signed links.
    public var linkSecret: [UInt8]
    /// How long a confirmation link stays valid, in seconds.
    public var confirmationLinkTTL: Int64
    /// Seconds east of UTC for times shown to customers.
    public var utcOffsetSeconds: Int
    /// Answer WeChat by then at the latest (its limit is 5 s); later replies go out as pushes.
    public var replyDeadline: Duration
    /// `postgres://…` to run on PostgreSQL; nil for the embedded SQLite default.
    public var databaseURL: String?
    /// `postgres://…` of a streaming read replica of `databaseURL` (`DATABASE_READ_URL`) for the reads that may lag
    /// a little (`SQLReadModel`); nil: every read goes to the primary.
    public var databaseReadURL: String? = nil
    /// How far behind the primary the replica may be before those reads go to the primary
    /// (`DROPMATE_READ_MAX_LAG_SECONDS`, 10 by default).
    public var readMaxLag: Duration = .seconds(10)
    /// `redis://…` or `rediss://…`; nil when no Redis is configured.
    public var redis: RedisConfiguration?
    /// Prefix of every Redis key (`REDIS_KEY_PREFIX`), so deployments can share a Redis.
    public var redisKeyPrefix: String
    /// Messages per customer per minute before DropMate asks them to slow down (`DROPMATE_RATE_LIMIT`, 0: no limit).
    public var rateLimit: RateLimit
    /// Seconds a worker may hold a job before another takes it over (`DROPMATE_JOB_LEASE_SECONDS`).
    public var jobLeaseSeconds: Int64
    /// When a refreshed ETA is pushed (`DROPMATE_ETA_PUSH_THRESHOLD_MINUTES`, `DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES`).
    public var etaPush: ETAPushRules
    /// Seconds between sweeps that refresh the ETA of every order in progress (`DROPMATE_ETA_REFRESH_SECONDS`).
    public var etaRefreshSeconds: Int64
    /// Where ad images and reports are kept (`STORAGE_BACKEND`: local files in the data directory, or S3-compatible).
    public var objectStore: ObjectStoreConfig
    /// scrypt's cost for staff passwords, as log2(N) (`DROPMATE_PASSWORD_COST`, 15 by default).
    public var passwordCost: Int
    /// Daily reports: the business time zone and when the embedded default builds them.
    public var reports: ReportSettings
    /// Keys for personal data at rest (`DROPMATE_PII_KEYS`, current first); generated per data directory on the
    /// embedded default, required with `DATABASE_URL`.
    public var piiKeys: PIIKeyRing
    /// The AppSecret for WeChat's server API (pushes); nil in dev mode.
    public var wechatAppSecret: String?
    /// Base URL of WeChat's server API (`WECHAT_API_BASE_URL`; tests point it at a fake).
    public var wechatAPIBaseURL: String
    /// Template (and its text field) for pushes outside the 48-hour customer-service window.
    public var templateFallback: (id: String, field: String)?
    /// Template messages for order events (`WECHAT_TEMPLATES`).
    public var orderTemplates: OrderTemplates
    /// The map service for road distances (`MAPS_PROVIDER`: none, amap, tencent), its key, base URL and deadline.
    public var maps: (provider: String, key: String, baseURL: String?, timeout: Duration)?
    /// Which SMS provider sends text messages (`SMS_PROVIDER`: log, tencent, twilio), and its account.
    public var sms: SMSSettings
    /// True when no WeChat AppSecret is configured: pushes are logged and shown at /dev/outbox.
    public var devMode: Bool
    /// The token and key were generated for this data directory (first start with no configuration).
    public var usesGeneratedSecrets: Bool
    /// Log format, trace export and the worker's metrics port.
    public var observability = ObservabilityConfig()
    /// How much lower than the SQLite writer the event loops run (`DROPMATE_EVENT_LOOP_NICE`, 0 to 19; default 5 on
    /// the embedded default, 0 on PostgreSQL): see `EventLoopPriority`.
    public var eventLoopNice: Int32 = 0
    /// Staff sign-in: trusted proxies (`DROPMATE_TRUSTED_PROXIES`) and password-hashing threads (`DROPMATE_PASSWORD_THREADS`).
    public var signIn = SignInSettings()
    /// Seconds a worker's jobs in hand may run on after SIGTERM before they are stopped and handed back
    /// (`DROPMATE_SHUTDOWN_GRACE_SECONDS`): keep it below the orchestrator's grace period.
    public var shutdownGraceSeconds: Int64 = 25
    /// Seconds the bot keeps out of a customer's way after they asked for a person (`DROPMATE_HANDOFF_MINUTES`).
    public var handoffSeconds: Int64 = 30 * 60
    /// Seconds the database keeps a handled message's dedupe record (`DROPMATE_DEDUPE_RETENTION_SECONDS`, a day):
    /// at least as long as its request could be presented again (twice `WECHAT_TIMESTAMP_WINDOW`, plus a second).
    public var dedupeRetentionSeconds: Int64 = 86_400
    /// WeChat Pay (`WECHAT_PAY_*`, `DROPMATE_PAYMENT`); nil: payment is off, orders are paid on delivery as before.
    public var payment: PaymentConfig?

    /// A configuration problem, reported together with every other one.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var variable: String
        public var message: String
        public var description: String { "\(variable): \(message)" }
    }

    /// Every problem found, so an operator fixes them in one go.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String {
            "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads `environment` (flags already merged in), creating dev secrets in the data directory when none are configured.
    /// Each concern has its own reader (`ServerSettings`, `WeChatSettings`, `DatabaseSettings`, …); this puts them
    /// together and throws every problem they found at once.
    public static func load(environment: [String: String]) throws -> AppConfig {
        let env = EnvironmentReader(environment)
        let server = ServerSettings.read(env)
        let dev = DevSecretsReader.read(env, dataDirectory: server.dataDirectory)
        let wechat = WeChatSettings.read(env, dev: dev)
        let links = LinkSettings.read(env, dev: dev)
        let database = DatabaseSettings.read(env)
        let redis = RedisSettings.read(env)
        let conversation = ConversationSettings.read(env)
        let worker = WorkerSettings.read(env)
        let maps = MapsSettings.read(env)
        let sms = SMSSettings.load(environment, problem: env.problem)
        let observability = ObservabilityConfig.load(environment, problem: env.problem)
        var objectStore = ObjectStoreConfig.local(directory: server.dataDirectory + "/objects")
        do { objectStore = try ObjectStoreConfig.fromEnvironment(environment) } catch {
            for found in error.problems { env.problem(found.variable, found.message) }
        }
        let piiKeys = PIIKeysReader.read(env, database: database, dataDirectory: server.dataDirectory)
        let payment = PaymentConfig.load(environment, problem: env.problem)
        SecretStrength.check(environment, problem: env.problem)  // placeholders and weak secrets refuse to start, named
        let reports = ReportSettings.load(environment, problem: env.problem)
        let signIn = SignInSettings.load(environment, problem: env.problem)

        if worker.dedupeRetentionSeconds < 2 * wechat.timestampWindow + 1 {
            env.problem(
                "DROPMATE_DEDUPE_RETENTION_SECONDS",
                "must be at least twice WECHAT_TIMESTAMP_WINDOW plus one second (\(2 * wechat.timestampWindow + 1)): "
                    + "a retried request may come back that long")
        }
        guard env.problems.isEmpty, let piiKeys else { throw Problems(problems: env.problems) }
        var config = AppConfig(
            host: server.host, port: server.port, dataDirectory: server.dataDirectory, wechatToken: wechat.token,
            wechatAppID: wechat.appID,
            wechatAccountID: wechat.accountID, wechatEncodingAESKey: wechat.encodingAESKey,
            wechatMessageMode: wechat.messageMode,
            timestampWindow: wechat.timestampWindow, publicBaseURL: server.publicBaseURL, linkSecret: links.secret,
            confirmationLinkTTL: links.confirmationLinkTTL, utcOffsetSeconds: server.utcOffsetSeconds,
            replyDeadline: .milliseconds(4500),
            databaseURL: database.url, redis: redis.configuration, redisKeyPrefix: redis.keyPrefix,
            rateLimit: RateLimit(messages: max(conversation.rateLimit, 0)), jobLeaseSeconds: worker.jobLeaseSeconds,
            etaPush: worker.etaPush, etaRefreshSeconds: worker.etaRefreshSeconds, objectStore: objectStore,
            passwordCost: links.passwordCost,
            reports: reports, piiKeys: piiKeys, wechatAppSecret: wechat.appSecret, wechatAPIBaseURL: wechat.apiBaseURL,
            templateFallback: wechat.templateFallback, orderTemplates: wechat.orderTemplates,
            maps: maps.map { ($0.provider, $0.key, $0.baseURL, $0.timeout) }, sms: sms,
            devMode: wechat.appSecret == nil, usesGeneratedSecrets: wechat.usesGeneratedSecrets,
            observability: observability,
            eventLoopNice: database.eventLoopNice, signIn: signIn, shutdownGraceSeconds: worker.shutdownGraceSeconds,
            handoffSeconds: conversation.handoffSeconds
        )
        config.payment = payment
        config.dedupeRetentionSeconds = worker.dedupeRetentionSeconds
        config.databaseReadURL = database.readURL
        config.readMaxLag = database.readMaxLag
        return config
    }

    /// `/dev/outbox` shows every queued push, decrypted, to anyone who can reach it: it exists only in dev mode
    /// (no AppSecret) on a server that listens on loopback alone.
    public var servesDevOutbox: Bool { devMode && Self.isLoopback(host) }

    /// Whether `host` is a loopback address only (not `0.0.0.0`, `::` or an interface's address).
    public static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
    }

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("dropmate.sqlite") }
}

extension AppConfig: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings an operator may read in a log: secrets show only whether they are set, URLs without passwords.
    public var description: String {
        func secret(_ value: Any?) -> String { value == nil ? "unset" : "(set)" }
        func withoutPassword(_ url: String) -> String {
            guard var components = URLComponents(string: url) else { return "(set)" }
            if components.password != nil { components.password = "****" }
            return components.string ?? "(set)"
        }
        var database = databaseURL.map(withoutPassword) ?? "embedded SQLite in \(dataDirectory)"
        if let read = databaseReadURL {
            database += ", reads that may lag \(readMaxLag) or less: \(withoutPassword(read))"
        }
        return """
            AppConfig(listen: \(host):\(port), database: \(database), redis: \(redis.map { "\($0.tls ? "rediss" : "redis")://\($0.host):\($0.port)/\($0.database)" } ?? "none"), \
            wechatAppID: \(wechatAppID), wechatAccountID: \(wechatAccountID), wechatToken: \(secret(wechatToken)), \
            wechatEncodingAESKey: \(secret(wechatEncodingAESKey)), wechatMessageMode: \(wechatMessageMode.rawValue), wechatAppSecret: \(secret(wechatAppSecret)), linkSecret: \(secret(linkSecret)), \
            wechatAPIBaseURL: \(wechatAPIBaseURL), publicBaseURL: \(publicBaseURL), rateLimit: \(rateLimit.messages)/min, \
            jobLeaseSeconds: \(jobLeaseSeconds), etaPush: ±\(etaPush.threshold / 60) min every \(etaPush.minInterval / 60)+ min, \
            etaRefresh: \(etaRefreshSeconds) s, piiKeys: \(piiKeys), objectStore: \(objectStore), sms: \(sms.provider.rawValue) (key \(secret(sms.key))), maps: \(maps?.provider ?? "none"), payment: \(payment?.summary ?? "off"), devMode: \(devMode), eventLoopNice: \(eventLoopNice))
            """
    }

    public var debugDescription: String { description }
}
