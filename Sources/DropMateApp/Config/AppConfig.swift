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
    public static func load(environment env: [String: String]) throws -> AppConfig {
        var problems: [Problem] = []
        func problem(_ variable: String, _ message: String) { problems.append(Problem(variable: variable, message: message)) }

        let port = Int(env["PORT"] ?? "8080") ?? -1
        if !(0...65535).contains(port) { problem("PORT", "must be a number from 0 (any free port) to 65535") }
        let host = env["HOST"] ?? "127.0.0.1"
        let dataDirectory = env["DROPMATE_DATA_DIR"] ?? ".dropmate"
        let window = Int64(env["WECHAT_TIMESTAMP_WINDOW"] ?? "300") ?? -1
        if window < 30 { problem("WECHAT_TIMESTAMP_WINDOW", "must be a whole number of seconds, at least 30") }
        let offsetHours = Double(env["DROPMATE_UTC_OFFSET_HOURS"] ?? "8")
        if offsetHours == nil || !(-12...14).contains(offsetHours!) { problem("DROPMATE_UTC_OFFSET_HOURS", "must be a number of hours from -12 to 14") }
        let publicBaseURL = (env["PUBLIC_BASE_URL"] ?? "http://localhost:\(port)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if URL(string: publicBaseURL)?.scheme.map({ ["http", "https"].contains($0) }) != true { problem("PUBLIC_BASE_URL", "must be an http(s) URL") }

        var dev: DevSecrets?
        let needsDevSecrets = env["WECHAT_TOKEN"] == nil || env["JWT_SECRET"] == nil
        if needsDevSecrets {
            do { dev = try DevSecrets.loadOrCreate(in: dataDirectory) } catch { problem("DROPMATE_DATA_DIR", "cannot create dev secrets in \(dataDirectory): \(error)") }
        }
        let token = env["WECHAT_TOKEN"] ?? dev?.token ?? ""
        if token.count < 3 || token.count > 32 || !token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            problem("WECHAT_TOKEN", "must be 3 to 32 letters or digits (as in the Official Account settings)")
        }
        let appID = env["WECHAT_APP_ID"] ?? DevSecrets.appID
        if appID.isEmpty || appID.count > 64 { problem("WECHAT_APP_ID", "must be the Official Account's AppID (wx…)") }
        var aesKey = env["WECHAT_ENCODING_AES_KEY"]
        if aesKey == nil, env["WECHAT_TOKEN"] == nil { aesKey = dev?.encodingAESKey }
        if let key = aesKey, key.isEmpty { aesKey = nil }
        if let key = aesKey, key.count != 43 || Data(base64Encoded: key + "=") == nil {
            problem("WECHAT_ENCODING_AES_KEY", "must be the 43-character EncodingAESKey")
        }
        var messageMode: WeChatWebhook.MessageMode = aesKey == nil ? .plaintext : .compatible
        if let text = env["WECHAT_MESSAGE_MODE"], !text.isEmpty {
            if let mode = WeChatWebhook.MessageMode(rawValue: text.lowercased()) { messageMode = mode } else {
                problem("WECHAT_MESSAGE_MODE", "must be plaintext, compatible or safe")
            }
            if messageMode != .plaintext, aesKey == nil { problem("WECHAT_MESSAGE_MODE", "\(messageMode.rawValue) mode needs WECHAT_ENCODING_AES_KEY") }
        }
        var linkSecret = Array((env["JWT_SECRET"] ?? "").utf8)
        if env["JWT_SECRET"] == nil { linkSecret = dev.map { Array($0.linkSecret.utf8) } ?? [] }
        else if linkSecret.count < 32 { problem("JWT_SECRET", "must be at least 32 characters") }
        let databaseURL = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = databaseURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            problem("DATABASE_URL", "must be a postgres:// URL (leave it unset for the embedded SQLite default)")
        }
        let databaseReadURL = env["DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = databaseReadURL {
            if databaseURL == nil {
                problem("DATABASE_READ_URL", "needs DATABASE_URL: a read replica is a replica of the PostgreSQL primary DATABASE_URL names")
            } else if let reason = PostgresBackend.problem(url: url, variable: "DATABASE_READ_URL") {
                problem("DATABASE_READ_URL", "must be a postgres:// URL of the primary's read replica: \(reason)")
            }
        }
        let readMaxLag = Double(env["DROPMATE_READ_MAX_LAG_SECONDS"] ?? "10") ?? -1
        if !(1...3600).contains(readMaxLag) { problem("DROPMATE_READ_MAX_LAG_SECONDS", "must be 1 to 3600 seconds (the lag is checked every second)") }
        var redis: RedisConfiguration?
        var redisCluster: Bool?
        switch env["REDIS_CLUSTER"]?.lowercased() {
        case nil, "": redisCluster = nil
        case "1", "true", "yes": redisCluster = true
        case "0", "false", "no": redisCluster = false
        default: problem("REDIS_CLUSTER", "must be 1 (a Redis Cluster) or 0 (one Redis server); unset, a REDIS_URL listing several nodes means a cluster")
        }
        if let url = env["REDIS_URL"], !url.isEmpty {
            do { redis = try RedisConfiguration(url: url, cluster: redisCluster) } catch { problem("REDIS_URL", "\(error)") }
            if let caFile = env["REDIS_TLS_CA_FILE"], !caFile.isEmpty {
                if FileManager.default.isReadableFile(atPath: caFile) { redis?.tlsCAFile = caFile } else { problem("REDIS_TLS_CA_FILE", "cannot read \(caFile)") }
            }
        }
        let redisKeyPrefix = env["REDIS_KEY_PREFIX"] ?? "dm"
        if redisKeyPrefix.isEmpty || redisKeyPrefix.count > 64 || redisKeyPrefix.contains(where: { $0.isWhitespace || $0 == "{" || $0 == "}" }) {
            problem("REDIS_KEY_PREFIX", "must be 1 to 64 characters without spaces or braces")
        }
        let eventLoopNice = Int32(env["DROPMATE_EVENT_LOOP_NICE"] ?? (databaseURL == nil ? "5" : "0")) ?? -1
        if !(0...19).contains(eventLoopNice) { problem("DROPMATE_EVENT_LOOP_NICE", "must be a whole number from 0 to 19") }
        let rateLimit = Int(env["DROPMATE_RATE_LIMIT"] ?? "60") ?? -1
        if rateLimit < 0 { problem("DROPMATE_RATE_LIMIT", "must be a whole number of messages per customer per minute (0: no limit)") }
        let apiBaseURL = env["WECHAT_API_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.weixin.qq.com"
        if URL(string: apiBaseURL)?.scheme.map({ ["http", "https"].contains($0) }) != true { problem("WECHAT_API_BASE_URL", "must be an http(s) URL") }
        let appSecret = env["WECHAT_APP_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let secret = appSecret, secret.count < 16 || secret.count > 64 { problem("WECHAT_APP_SECRET", "must be the Official Account's AppSecret (32 characters)") }
        let fallbackID = env["WECHAT_TEMPLATE_FALLBACK_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let fallbackField = env["WECHAT_TEMPLATE_FALLBACK_FIELD"] ?? "thing1"
        let sms = SMSSettings.load(env, problem: problem)
        let observability = ObservabilityConfig.load(env, problem: problem)
        var maps: (provider: String, key: String, baseURL: String?, timeout: Duration)?
        let mapsProvider = (env["MAPS_PROVIDER"] ?? "none").lowercased()
        let mapsTimeout = Int(env["MAPS_TIMEOUT_MS"] ?? "800") ?? -1
        if !(50...4000).contains(mapsTimeout) { problem("MAPS_TIMEOUT_MS", "must be 50 to 4000 milliseconds (the reply is due within 5 s)") }
        switch mapsProvider {
        case "none", "": break
        case "amap", "tencent":
            if let key = env["MAPS_API_KEY"], !key.isEmpty {
                maps = (mapsProvider, key, env["MAPS_API_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }, .milliseconds(mapsTimeout))
            } else {
                problem("MAPS_API_KEY", "is required for MAPS_PROVIDER=\(mapsProvider)")
            }
        default: problem("MAPS_PROVIDER", "must be none, amap or tencent")
        }
        var orderTemplates = OrderTemplates.none
        if let json = env["WECHAT_TEMPLATES"], !json.isEmpty {
            do { orderTemplates = try OrderTemplates(json: json) } catch { problem("WECHAT_TEMPLATES", error.description) }
        }
        let lease = Int64(env["DROPMATE_JOB_LEASE_SECONDS"] ?? "120") ?? -1
        let shutdownGrace = Int64(env["DROPMATE_SHUTDOWN_GRACE_SECONDS"] ?? "25") ?? -1
        if !(0...3600).contains(shutdownGrace) { problem("DROPMATE_SHUTDOWN_GRACE_SECONDS", "must be 0 to 3600 seconds") }
        if lease < 2 { problem("DROPMATE_JOB_LEASE_SECONDS", "must be a whole number of seconds, at least 2") }
        let etaThreshold = Int64(env["DROPMATE_ETA_PUSH_THRESHOLD_MINUTES"] ?? "5") ?? -1
        if !(1...240).contains(etaThreshold) { problem("DROPMATE_ETA_PUSH_THRESHOLD_MINUTES", "must be 1 to 240 minutes") }
        let etaInterval = Int64(env["DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES"] ?? "10") ?? -1
        if !(0...1440).contains(etaInterval) { problem("DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES", "must be 0 to 1440 minutes") }
        let etaRefresh = Int64(env["DROPMATE_ETA_REFRESH_SECONDS"] ?? "120") ?? -1
        if !(10...3600).contains(etaRefresh) { problem("DROPMATE_ETA_REFRESH_SECONDS", "must be 10 to 3600 seconds") }
        var objectStore = ObjectStoreConfig.local(directory: dataDirectory + "/objects")
        do { objectStore = try ObjectStoreConfig.fromEnvironment(env) } catch {
            for found in error.problems { problem(found.variable, found.message) }
        }
        var piiKeys: PIIKeyRing?
        if let text = env["DROPMATE_PII_KEYS"], !text.isEmpty {
            do { piiKeys = try PIIKeyRing(parsing: text) } catch { problem("DROPMATE_PII_KEYS", error.problems.joined(separator: "; ")) }
        } else if databaseURL != nil {
            problem("DROPMATE_PII_KEYS", "is required with DATABASE_URL: id:base64key (openssl rand -base64 32), current key first")
        } else {
            do { piiKeys = try PIIKeyRing(parsing: try DevSecrets.piiKeys(in: dataDirectory)) } catch {
                problem("DROPMATE_DATA_DIR", "cannot create the personal-data key in \(dataDirectory): \(error)")
            }
        }
        let payment = PaymentConfig.load(env, problem: problem)
        SecretStrength.check(env, problem: problem)  // placeholders and weak secrets refuse to start, named
        let reports = ReportSettings.load(env, problem: problem)
        let signIn = SignInSettings.load(env, problem: problem)
        let passwordCost = Int(env["DROPMATE_PASSWORD_COST"] ?? "15") ?? -1
        if !(10...20).contains(passwordCost) { problem("DROPMATE_PASSWORD_COST", "must be 10 to 20 (scrypt log2 N)") }
        let handoffMinutes = Int64(env["DROPMATE_HANDOFF_MINUTES"] ?? "30") ?? -1
        if !(1...1440).contains(handoffMinutes) { problem("DROPMATE_HANDOFF_MINUTES", "must be 1 to 1440 minutes") }
        let ttl = Int64(env["DROPMATE_CONFIRM_LINK_TTL"] ?? "1800") ?? -1
        if ttl < 60 { problem("DROPMATE_CONFIRM_LINK_TTL", "must be at least 60 seconds") }

        guard problems.isEmpty else { throw Problems(problems: problems) }
        var config = AppConfig(
            host: host, port: port, dataDirectory: dataDirectory, wechatToken: token, wechatAppID: appID,
            wechatAccountID: env["WECHAT_ACCOUNT_ID"] ?? "gh_dropmate", wechatEncodingAESKey: aesKey, wechatMessageMode: messageMode,
            timestampWindow: window, publicBaseURL: publicBaseURL, linkSecret: linkSecret, confirmationLinkTTL: ttl,
            utcOffsetSeconds: Int((offsetHours ?? 8) * 3600), replyDeadline: .milliseconds(4500), databaseURL: databaseURL, redis: redis,
            redisKeyPrefix: redisKeyPrefix, rateLimit: RateLimit(messages: max(rateLimit, 0)), jobLeaseSeconds: lease,
            etaPush: ETAPushRules(threshold: etaThreshold * 60, minInterval: etaInterval * 60), etaRefreshSeconds: etaRefresh,
            objectStore: objectStore, passwordCost: passwordCost, reports: reports, piiKeys: piiKeys!,
            wechatAppSecret: appSecret, wechatAPIBaseURL: apiBaseURL, templateFallback: fallbackID.map { ($0, fallbackField) }, orderTemplates: orderTemplates, maps: maps, sms: sms,
            devMode: appSecret == nil, usesGeneratedSecrets: env["WECHAT_TOKEN"] == nil, observability: observability,
            eventLoopNice: eventLoopNice, signIn: signIn, shutdownGraceSeconds: shutdownGrace, handoffSeconds: handoffMinutes * 60
        )
        config.payment = payment
        config.databaseReadURL = databaseReadURL
        config.readMaxLag = .milliseconds(Int64((readMaxLag * 1000).rounded()))
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
        if let read = databaseReadURL { database += ", reads that may lag \(readMaxLag) or less: \(withoutPassword(read))" }
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
