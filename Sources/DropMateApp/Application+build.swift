import AsyncHTTPClient
import Crypto
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
import Hummingbird
import Logging
import ServiceLifecycle

/// Everything the app runs on, built once and passed down (no singletons).
///
/// It owns what it opens (the outbound HTTP client, Redis, the stream queue's reader, the store's write-behind
/// and, when `connect` opened it, the database) and closes all of it in one place, `shutdown()`.
public struct AppDependencies: Sendable {
    public var config: AppConfig
    public var backend: any SQLBackend
    public var store: SQLConversationStore
    /// The `jobs` table: the outbox every job is committed to (and the whole queue on the embedded default).
    public var queue: SQLJobQueue
    /// What workers claim from: Redis Streams fed by the outbox in production, else the table itself.
    public var jobQueue: any JobQueue
    public var engine: ConversationEngine
    public var webhook: WeChatWebhook
    public var signer: LinkSigner
    public var renderer: ReplyRenderer
    public var notifier: any Notifier
    /// What became of each push.
    public var deliveries: SQLDeliveryLog
    /// Text messages to phones (rate limited per recipient, shared by the notifier's fallback and sms jobs).
    public var sms: any SMSProvider
    /// The configured Redis (production mode), nil on the embedded default.
    public var redis: RedisClient?
    /// The one client for outside services (WeChat's API, WeChat Pay, SMS, maps, S3), shut down by `shutdown()`.
    public let http: HTTPClient
    /// Whether `shutdown()` closes the database too: yes when `connect` opened it; no when the caller handed it in
    /// (a server role's database is a service of its own, closed after the role).
    var ownsDatabase = false
    /// Shared by every copy, so the first `shutdown()` closes everything and later ones do nothing.
    let closing = ShutdownOnce()
    public var clock: @Sendable () -> Int64
    public var logger: Logger
    /// Metrics and traces (`Telemetry.production` in the binary; disabled unless a test asks).
    public var telemetry: Telemetry = .disabled

    /// Couriers as staff manage them.
    public var couriers: CourierRoster { CourierRoster(store: store, clock: clock) }
    /// The reads that may lag a little (lists, searches, reports, the board page): the read replica when one is
    /// configured and keeping up, else the primary.
    public var reads: SQLReadModel { SQLReadModel(backend: backend, sealer: store.sealer) }
    /// Staff accounts, tokens, the audit log.
    public var staff: SQLStaffStore { SQLStaffStore(backend: backend) }
    /// Merchants and ads as staff edit them.
    public var catalogStore: SQLCatalogStore { SQLCatalogStore(backend: backend) }
    /// Ad images (and reports): local files in the data directory, or S3-compatible storage.
    public var objects: any ObjectStore
    /// Signs and checks the local object store's download links (`/files/…`).
    public var downloads: LocalDownloadSigner
    /// Staff sign-in: its own password-hashing threads and the counts that slow guessing (shared through Redis when configured).
    let signIn: SignIn
    /// WeChat Pay for orders; nil when payment is off (`AppConfig.payment`).
    public var payments: PaymentService?

    /// The database the configuration names: PostgreSQL for `DATABASE_URL`, else the embedded SQLite default.
    /// With `REDIS_URL`, replicas share customers' locks, states, answers and rate counters through Redis;
    /// without it, one process must serve every customer.
    public static func connect(
        config: AppConfig, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        telemetry: Telemetry = .disabled,
        logger: Logger
    ) async throws -> AppDependencies {
        let backend = try await openDatabase(config: config, logger: logger)
        do {
            var dependencies = try await make(
                config: config, backend: backend, clock: clock, telemetry: telemetry, logger: logger)
            dependencies.ownsDatabase = true
            return dependencies
        } catch {
            await backend.shutdown()
            throw error
        }
    }

    /// Everything else, the same on either database: migrations, demo catalog when empty, engine, webhook. The
    /// database stays the caller's; the HTTP client and Redis are the dependencies' own (closed here if this fails).
    static func make(
        config: AppConfig, backend: any SQLBackend, clock: @escaping @Sendable () -> Int64,
        telemetry: Telemetry = .disabled,
        logger: Logger
    ) async throws -> AppDependencies {
        let http = OutboundHTTP.makeClient()
        let redis = config.redis.map { RedisClient(configuration: $0, logger: logger) }
        do {
            return try await make(
                config: config, backend: backend, http: http, redis: redis, clock: clock, telemetry: telemetry,
                logger: logger)
        } catch {
            redis?.shutdown()
            try? await http.shutdown()
            throw error
        }
    }

    private static func make(
        config: AppConfig, backend: any SQLBackend, http: HTTPClient, redis: RedisClient?,
        clock: @escaping @Sendable () -> Int64,
        telemetry: Telemetry, logger: Logger
    ) async throws -> AppDependencies {
        if config.databaseURL == nil {
            // The embedded default needs no setup step: it migrates itself (and refuses a newer schema).
            try await Migrations.migrate(backend, now: clock())
        } else {
            // Production: `dropmate migrate` runs once before a rollout; servers only check.
            try await Migrations.requireCurrent(backend, acceptingNewer: true)
        }
        let store = try await SQLConversationStore.open(backend, sealer: PIISealer(keyRing: config.piiKeys))
        try await store.seedIfEmpty(DemoCatalog.catalog, now: clock())
        let signer = LinkSigner(secret: config.linkSecret)
        let baseURL = config.publicBaseURL, ttl = config.confirmationLinkTTL
        let menuLinks = MenuLinks(secret: config.linkSecret, baseURL: baseURL)
        let renderer = ReplyRenderer(
            utcOffsetSeconds: config.utcOffsetSeconds,
            confirmationLink: { order in
                let expires = order.createdAt + ttl
                return
                    "\(baseURL)/confirm/\(order.id)?exp=\(expires)&sig=\(signer.signature(purpose: "confirm", id: "\(order.id)", expires: expires))"
            },
            adLink: { item in "\(baseURL)/ads/\(item.id)" },
            trackingLink: { order in
                // Valid for a day from dispatch: long enough for any delivery, short enough not to linger.
                let expires = (order.dispatchedAt ?? order.createdAt) + 86_400
                return
                    "\(baseURL)/track/\(order.id)?exp=\(expires)&sig=\(signer.signature(purpose: "track", id: "\(order.id)", expires: expires))"
            },
            menuLink: { [menuLinks] customer, now in menuLinks.link(customer: customer, at: now) }
        )
        var settings = RedisCoordinationSettings(rateLimit: config.rateLimit)
        settings.sealer = store.sealer
        settings.keyPrefix = config.redisKeyPrefix
        settings.requestTTL = 2 * config.timestampWindow + 1
        settings.answerTTL = settings.requestTTL
        let coordination: Coordination = redis.map { .redis($0, settings) } ?? .local(rateLimit: config.rateLimit)
        let routes = config.maps.map { maps -> RouteLookup in
            let provider: any RouteProvider & Geocoder =
                maps.provider == "amap"
                ? AmapRoutes(
                    http: http, baseURL: maps.baseURL ?? "https://restapi.amap.com", key: maps.key, telemetry: telemetry
                )
                : TencentRoutes(
                    http: http, baseURL: maps.baseURL ?? "https://apis.map.qq.com", key: maps.key, telemetry: telemetry)
            return RouteLookup(provider: provider, geocoder: provider, timeout: maps.timeout, logger: logger)
        }
        let paymentStore = SQLPaymentStore(backend: backend, sealer: store.sealer)
        let paymentGate = config.payment.map {
            PaymentGate(config: $0, payments: paymentStore, signer: signer, baseURL: baseURL)
        }
        let engine = ConversationEngine(
            store: store, catalog: try await store.catalog(at: clock()), renderer: renderer, clock: clock,
            rules: conversationRules(config), coordinator: coordination.coordinator(logger: logger), routes: routes,
            telemetry: telemetry, payments: paymentGate, courierSMS: config.sms.provider != .log || config.devMode,
            logger: logger)
        try await engine.warmUp()
        let webhook = try WeChatWebhook(
            token: config.wechatToken, appID: config.wechatAppID, encodingAESKey: config.wechatEncodingAESKey,
            timestampWindow: config.timestampWindow,
            messageMode: config.wechatMessageMode)
        let sms = config.sms.makeProvider(http: http, clock: clock, telemetry: telemetry, logger: logger)
        let outbox = SQLJobQueue(backend: backend, sealer: store.sealer)
        let jobQueue: any JobQueue =
            redis.map {
                RedisStreamJobQueue(
                    outbox: outbox, redis: $0, keyPrefix: config.redisKeyPrefix, leaseSeconds: config.jobLeaseSeconds,
                    logger: logger)
            } ?? outbox
        let downloads = LocalDownloadSigner(
            baseURL: URL(string: config.publicBaseURL)!,
            secret: SymmetricKey(
                data: HMAC<SHA256>.authenticationCode(
                    for: Array("dropmate downloads".utf8), using: SymmetricKey(data: config.linkSecret))))
        let objects = config.objectStore.makeStore(httpClient: http, localDownloads: downloads)
        var dependencies = AppDependencies(
            config: config, backend: backend, store: store, queue: outbox, jobQueue: jobQueue, engine: engine,
            webhook: webhook,
            signer: signer, renderer: renderer,
            notifier: makeNotifier(
                config: config, http: http, redis: redis, sms: sms, deliveries: SQLDeliveryLog(backend: backend),
                clock: clock,
                telemetry: telemetry, logger: logger),
            deliveries: SQLDeliveryLog(backend: backend), sms: sms,
            redis: redis, http: http, clock: clock, logger: logger, telemetry: telemetry, objects: objects,
            downloads: downloads,
            signIn: SignIn(
                settings: config.signIn, passwordCost: config.passwordCost, redis: redis,
                keyPrefix: config.redisKeyPrefix, logger: logger)
        )
        if let payment = config.payment, let paymentGate {
            dependencies.payments = PaymentService.make(
                config: payment, gate: paymentGate, payments: paymentStore, dependencies: dependencies)
        }
        return dependencies
    }

    /// The staff REST API over these dependencies.
    var staffAPI: StaffAPI {
        var api = StaffAPI(
            engine: engine, store: store, sealer: store.sealer, reads: reads, staff: staff, catalog: catalogStore,
            queue: queue, couriers: couriers,
            jwt: StaffJWT(secret: config.linkSecret), signIn: signIn, images: objects,
            publicBaseURL: config.publicBaseURL, utcOffset: config.utcOffsetSeconds, clock: clock, logger: logger,
            reportAccess: reportAccess)
        api.payments = payments
        return api
    }
}

/// Pushes go to WeChat when an AppSecret is configured (the access_token shared through Redis when there is one),
/// else to the log and `/dev/outbox`.
func makeNotifier(
    config: AppConfig, http: HTTPClient, redis: RedisClient?, sms: (any SMSProvider)? = nil,
    deliveries: (any DeliveryLog)? = nil,
    clock: @escaping @Sendable () -> Int64, telemetry: Telemetry = .disabled, logger: Logger
) -> any Notifier {
    guard
        let tokens = makeAccessTokens(
            config: config, http: http, redis: redis, clock: clock, telemetry: telemetry, logger: logger)
    else { return LogNotifier(logger: logger) }
    return WeChatNotifier(
        tokens: tokens, fallbackTemplate: config.templateFallback, sms: sms, orderTemplates: config.orderTemplates,
        deliveries: deliveries, clock: clock, logger: logger)
}

/// WeChat's server API through the deployment's shared access_token, over `http` (the caller's to shut down); nil
/// without an AppSecret.
public func makeAccessTokens(
    config: AppConfig, http: HTTPClient, redis: RedisClient?, clock: @escaping @Sendable () -> Int64,
    telemetry: Telemetry = .disabled,
    logger: Logger
) -> AccessTokens? {
    guard let secret = config.wechatAppSecret else { return nil }
    var api = WeChatAPI(http: http, baseURL: config.wechatAPIBaseURL, appID: config.wechatAppID, appSecret: secret)
    api.telemetry = telemetry
    let store: any AccessTokenStore =
        redis.map { RedisAccessTokenStore(redis: $0, keyPrefix: config.redisKeyPrefix) } ?? MemoryAccessTokenStore()
    return AccessTokens(api: api, store: store, clock: clock, logger: logger)
}

/// The database the configuration names: PostgreSQL for `DATABASE_URL`, else SQLite in the data directory.
func openDatabase(config: AppConfig, logger: Logger) async throws -> any SQLBackend {
    if let url = config.databaseURL {
        return try await PostgresBackend.connect(
            url: url, readURL: config.databaseReadURL, maxReadLag: config.readMaxLag, logger: logger)
    }
    try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
    return try await SQLiteBackend.open(path: config.databasePath, logger: logger)
}

/// The HTTP routes: webhook, pages, health and (dev mode) the outbox.
public func buildRouter(_ dependencies: AppDependencies) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: HTTPTelemetryMiddleware(telemetry: dependencies.telemetry))
    router.add(middleware: PageSecurityHeaders())
    // Public port: /metrics only behind METRICS_TOKEN (the metrics port, METRICS_PORT, serves it to Prometheus).
    if let token = dependencies.config.observability.metricsToken {
        MetricsRoute.add(to: router, metrics: dependencies.telemetry.metrics, bearer: token)
    }
    WeChatRoutes(
        webhook: dependencies.webhook, engine: dependencies.engine, deliveries: dependencies.deliveries,
        accountID: dependencies.config.wechatAccountID,
        replyDeadline: dependencies.config.replyDeadline, clock: dependencies.clock,
        requests: SignedRequestMemory(window: dependencies.config.timestampWindow), telemetry: dependencies.telemetry
    ).add(to: router)
    var payLink: (@Sendable (Order) -> String)?
    if let gate = dependencies.payments?.gate { payLink = { gate.payLink($0) } }
    PageRoutes(
        engine: dependencies.engine, reads: dependencies.reads, signer: dependencies.signer,
        renderer: dependencies.renderer, clock: dependencies.clock,
        payments: dependencies.payments?.payments, payLink: payLink,
        menuLinks: MenuLinks(secret: dependencies.config.linkSecret, baseURL: dependencies.config.publicBaseURL)
    ).add(to: router)
    if let payments = dependencies.payments {
        PaymentRoutes(
            service: payments, signer: dependencies.signer, renderer: dependencies.renderer, clock: dependencies.clock,
            logger: dependencies.logger
        ).add(to: router)
    }
    dependencies.staffAPI.add(to: router)
    ConsoleRoutes(api: dependencies.staffAPI, renderer: dependencies.renderer).add(to: router)
    MediaRoutes(
        objects: dependencies.objects, downloads: dependencies.downloads, clock: dependencies.clock,
        logger: dependencies.logger
    ).add(to: router)
    dependencies.reportPages.add(to: router)
    OpsRoutes(
        backend: dependencies.backend, acceptsNewerSchema: dependencies.config.databaseURL != nil,
        queue: dependencies.queue, redis: dependencies.redis, devOutbox: dependencies.config.servesDevOutbox
    ).add(to: router)
    return router
}

/// Opens the configured database and brings its schema up to date (`dropmate migrate`); safe to run from
/// several processes at once. Returns the version before and after.
public func migrateDatabase(config: AppConfig, logger: Logger) async throws -> (from: Int, to: Int) {
    let backend = try await openDatabase(config: config, logger: logger)
    do {
        let from = try await Migrations.currentVersion(backend)
        try await Migrations.migrate(backend, now: Int64(Date().timeIntervalSince1970))
        let to = try await Migrations.currentVersion(backend)
        await backend.shutdown()
        return (from, to)
    } catch {
        await backend.shutdown()
        throw error
    }
}

/// The whole app: HTTP server plus, when `runWorker`, the in-process job worker and its sweeps.
/// With `METRICS_PORT` set, a second listener serves `/metrics` there (`onMetricsRunning` gets its port).
public func buildApplication(
    _ dependencies: AppDependencies, runWorker: Bool = true,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    onMetricsRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics: [any Service] =
        dependencies.config.observability.metricsPortConfigured
        ? [buildMetricsApplication(dependencies, onServerRunning: onMetricsRunning)] : []
    // Replicas sharing a Redis pass order changes to each other's open consoles.
    let consoleRelay: [any Service] =
        dependencies.redis.map {
            [
                OrderFeedRelay(
                    feed: dependencies.engine.orderFeed, redis: $0, keyPrefix: dependencies.config.redisKeyPrefix,
                    logger: dependencies.logger)
            ]
        } ?? []
    return Application(
        // The responder hands the TCP peer's address to the routes (sign-in limits count by client address).
        responder: PeerAddressResponder(inner: buildRouter(dependencies).buildResponder()),
        configuration: .init(
            address: .hostname(dependencies.config.host, port: dependencies.config.port), serverName: "DropMate"),
        services: (runWorker ? [dependencies.worker] + dependencies.sweeps : []) + [
            CatalogRefresher(engine: dependencies.engine, every: .seconds(30), logger: dependencies.logger)
        ]
            + dependencies.reportServices(runWorker: runWorker) + dependencies.telemetryServices + metrics
            + consoleRelay,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? dependencies.config.port) },
        logger: dependencies.logger
    )
}

/// The conversation's limits from the configuration: ETA pushes, handoff length, the business time zone of the
/// shops' opening hours.
func conversationRules(_ config: AppConfig) -> ConversationRules {
    var rules = ConversationRules(etaPush: config.etaPush, handoff: config.handoffSeconds)
    rules.businessTime = BusinessTime(utcOffsetSeconds: config.utcOffsetSeconds)
    return rules
}
