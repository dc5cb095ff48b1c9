import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// DropMate's metrics, named as `monitoring/` and `docs/METRICS.md` expect them. Label values never carry
/// customer data (no openids, phones or order ids): only routes, kinds, outcomes and error codes.
///
/// Every call goes to the factory it was made with: a `PrometheusMetricsFactory` over the registry `/metrics`
/// serves (`AppMetrics(registry:)`), or nothing (`.disabled`).
public final class AppMetrics: Sendable {
    package let factory: any MetricsFactory
    /// The registry `/metrics` serves; nil when metrics are disabled.
    public let registry: PrometheusCollectorRegistry?
    let dedupeHits: any CounterHandler
    let droppedSpans: any CounterHandler
    let reportBuilds: any TimerHandler
    /// The hot path's handlers by label values: the factory's own lookup builds and sorts its labels on every call,
    /// which every webhook message would pay twice.
    private let requestTimers = Mutex<[String: any TimerHandler]>([:])
    private let counters = Mutex<[String: any CounterHandler]>([:])

    /// Metric names.
    public enum Name {
        public static let httpRequestDuration = "dropmate_http_request_duration_seconds"
        public static let webhookMessages = "dropmate_webhook_messages_total"
        public static let webhookDedupeHits = "dropmate_webhook_dedupe_hits_total"
        public static let orders = "dropmate_orders_total"
        public static let queueDepth = "dropmate_queue_depth"
        public static let queueOldestJobAge = "dropmate_queue_oldest_job_age_seconds"
        public static let jobs = "dropmate_jobs_total"
        public static let jobsUnhandled = "dropmate_jobs_unhandled_total"
        public static let wechatAPICalls = "dropmate_wechat_api_calls_total"
        public static let wechatTokenRefreshes = "dropmate_wechat_token_refreshes_total"
        public static let smsSends = "dropmate_sms_sends_total"
        public static let reportBuildDuration = "dropmate_report_build_duration_seconds"
        public static let traceSpansDropped = "dropmate_trace_spans_dropped_total"
        public static let buildInfo = "dropmate_build_info"
        public static let readReplicaFallback = "dropmate_read_replica_fallback"
        public static let readReplicaLag = "dropmate_read_replica_lag_seconds"
    }

    /// Metrics recorded in `registry` (a fresh one per test; the process's own in the binary).
    public convenience init(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        // HTTP: WeChat gives up after 5 s, so the buckets are fine below it. Reports take seconds to minutes.
        factory.durationHistogramBuckets = [
            Name.httpRequestDuration: [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250),
                .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(4), .seconds(5), .seconds(10),
            ],
            Name.reportBuildDuration: [
                .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30),
                .seconds(60),
                .seconds(120), .seconds(300), .seconds(600),
            ],
        ]
        self.init(factory: factory, registry: registry)
        // Which release is running, as Prometheus builds expose it: a constant 1 labelled with the version.
        registry.makeGauge(name: Name.buildInfo, labels: [("version", DropMateVersion.current)]).set(Int64(1))
    }

    init(factory: any MetricsFactory, registry: PrometheusCollectorRegistry?) {
        self.factory = factory
        self.registry = registry
        dedupeHits = factory.makeCounter(label: Name.webhookDedupeHits, dimensions: [])
        droppedSpans = factory.makeCounter(label: Name.traceSpansDropped, dimensions: [])
        reportBuilds = factory.makeTimer(label: Name.reportBuildDuration, dimensions: [])
        // Series that alerts divide by or compare with exist from the start, at zero.
        for outcome in ["success", "failure"] {
            _ = factory.makeCounter(label: Name.wechatTokenRefreshes, dimensions: [("outcome", outcome)])
        }
        for event in OrderEvent.allCases {
            _ = factory.makeCounter(label: Name.orders, dimensions: [("event", event.rawValue)])
        }
    }

    /// Records nothing: for code paths built without a registry (and most tests).
    public static let disabled = AppMetrics(factory: NOOPMetricsHandler.instance, registry: nil)

    // MARK: HTTP and webhook

    package func httpRequest(route: String, method: String, status: Int, nanoseconds: Int64) {
        let key = "\(route) \(method) \(status)"
        let timer = requestTimers.withLock { timers in
            if let known = timers[key] { return known }
            let made = factory.makeTimer(
                label: Name.httpRequestDuration,
                dimensions: [("route", route), ("method", method), ("status", String(status))])
            timers[key] = made
            return made
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// What became of one WeChat push to `/wechat`.
    public enum WebhookOutcome: String, Sendable {
        case replied, success, deduplicated
        case rateLimited = "rate_limited"
        case rejected, late
    }

    package func webhookMessage(type: String, outcome: WebhookOutcome) {
        counter(Name.webhookMessages, [("type", type), ("outcome", outcome.rawValue)]).increment(by: 1)
    }

    /// The counter for `name` and `labels`, made once: the factory's own lookup builds and sorts the labels on every
    /// call, which every message and every job would pay.
    private func counter(_ name: String, _ labels: [(String, String)]) -> any CounterHandler {
        var key = name
        for (_, value) in labels { key += "\u{1F}" + value }
        return counters.withLock { counters in
            if let known = counters[key] { return known }
            let made = factory.makeCounter(label: name, dimensions: labels)
            counters[key] = made
            return made
        }
    }

    package func webhookDedupeHit() { dedupeHits.increment(by: 1) }

    // MARK: Orders and jobs

    public enum OrderEvent: String, Sendable, CaseIterable {
        case created, confirmed, cancelled, dispatched, delivered
    }

    package func order(_ event: OrderEvent) {
        counter(Name.orders, [("event", event.rawValue)]).increment(by: 1)
    }

    public enum JobOutcome: String, Sendable {
        case succeeded, retried, dead
    }

    package func job(kind: String, outcome: JobOutcome) {
        counter(Name.jobs, [("kind", kind), ("outcome", outcome.rawValue)]).increment(by: 1)
    }

    /// Why a worker could not run a job at all.
    public enum UnhandledJob: String, Sendable {
        /// No handler for its kind here (a newer release queued it, or its feature is off): retried, then dead.
        case unknownKind = "unknown_kind"
        /// Its payload does not decode (or its sealed payload does not open): dead at once.
        case unreadable
    }

    /// A run of a job no handler could take (beside its `dropmate_jobs_total` outcome).
    package func jobUnhandled(kind: String, reason: UnhandledJob) {
        counter(Name.jobsUnhandled, [("kind", kind), ("reason", reason.rawValue)]).increment(by: 1)
    }

    /// Sets the queue gauges of one job kind.
    package func queue(kind: String, depth: Int, oldestAgeSeconds: Int64) {
        factory.makeMeter(label: Name.queueDepth, dimensions: [("kind", kind)]).set(Double(depth))
        factory.makeMeter(label: Name.queueOldestJobAge, dimensions: [("kind", kind)]).set(Double(oldestAgeSeconds))
    }

    // MARK: Outside services

    /// One call to WeChat's server API: `api` is the path after `/cgi-bin/` ("token", "message/custom/send"),
    /// `errcode` "0" on success, WeChat's errcode, or "unreachable".
    package func wechatAPICall(api: String, errcode: String) {
        counter(Name.wechatAPICalls, [("api", api), ("errcode", errcode)]).increment(by: 1)
    }

    package func wechatTokenRefresh(succeeded: Bool) {
        counter(Name.wechatTokenRefreshes, [("outcome", succeeded ? "success" : "failure")]).increment(by: 1)
    }

    /// One text message: `outcome` is success, failure or rate_limited.
    package func smsSend(provider: String, outcome: String, count: Int64 = 1) {
        counter(Name.smsSends, [("provider", provider), ("outcome", outcome)]).increment(by: count)
    }

    // MARK: Reports

    /// Records how long building one report took.
    public func recordReportBuild(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        reportBuilds.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Times `build` (a report job calls this around building a report), whether it succeeds or throws.
    public func timeReportBuild<T>(_ build: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { recordReportBuild(ContinuousClock.now - start) }
        return try await build()
    }
}

extension AppMetrics {
    /// The process's registry, installed as swift-metrics' factory the first time it is asked for, so anything
    /// else using swift-metrics lands on `/metrics` too. Later calls return the same registry (never bootstrap twice).
    public static func bootstrapped() -> AppMetrics { processWide }

    private static let processWide: AppMetrics = {
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()
}
