import AsyncHTTPClient
import DropMateCore
import DropMateFakes
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound
@testable import DropMateTelemetry

/// Metrics, JSON logs and traces as an operator (Prometheus, Loki, an OTLP collector) sees them. One at a time:
/// each runs a live app, and the whole suite's other loopback tests have deadlines of a few seconds on two cores.
@Suite(.serialized) struct ObservabilityTests {
    /// Every metric `monitoring/` and `docs/METRICS.md` name, with its type.
    static let expectedTypes: [String: String] = [
        "dropmate_http_request_duration_seconds": "histogram",
        "dropmate_webhook_messages_total": "counter",
        "dropmate_webhook_dedupe_hits_total": "counter",
        "dropmate_orders_total": "counter",
        "dropmate_queue_depth": "gauge",
        "dropmate_queue_oldest_job_age_seconds": "gauge",
        "dropmate_jobs_total": "counter",
        "dropmate_wechat_api_calls_total": "counter",
        "dropmate_wechat_token_refreshes_total": "counter",
        "dropmate_sms_sends_total": "counter",
        "dropmate_report_build_duration_seconds": "histogram",
        "process_cpu_seconds_total": "counter",
        "process_resident_memory_bytes": "gauge",
        "process_start_time_seconds": "gauge",
    ]

    /// `/metrics` on the serving port answers only to this bearer token (`METRICS_TOKEN`).
    static let metricsToken = "obs-metrics-9Qz2-Lm7k-Xw4v"
    static let bearer: HTTPFields = [.authorization: "Bearer \(metricsToken)"]

    @Test func metricsExposeEveryNameWithItsTypeAfterAWebhookRequestAndAJob() async throws {
        let fake = FakeWeChatAPI(appID: TestAccount.appID)
        try await fake.serve { wechat in
            let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
            let app = try await ObservedApp.make(
                telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                extra: [
                    "WECHAT_APP_SECRET": fake.appSecret, "WECHAT_API_BASE_URL": wechat,
                    "METRICS_TOKEN": Self.metricsToken,
                ])
            let (uri, body) = try ObservedApp.message(
                "2 份牛肉面", from: "o_metrics_customer", id: "9001", at: app.clock.now)
            let text: String = try await app.live { client in
                let reply = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
                #expect(reply.status == .ok)
                _ = try await client.execute(uri: "/no/such/page/13800138000", method: .get)
                // A job: a push through the (fake) WeChat API, run by the worker.
                try await app.dependencies.queue.enqueue(
                    try PushJob(openID: "o_metrics_customer", message: .text("hi")).job(
                        key: "metrics-test", now: app.clock.now))
                #expect(try await app.dependencies.worker.runDueJobs() == 1)
                try await QueueMetricsService(
                    queue: app.dependencies.queue, metrics: metrics, clock: { app.clock.now },
                    kinds: app.dependencies.worker.kinds,
                    logger: app.dependencies.logger
                ).refresh()
                let scrape = try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer)
                #expect(scrape.status == .ok)
                #expect(scrape.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: scrape.body)
            }
            let types = prometheusTypes(text)
            for (name, type) in Self.expectedTypes {
                #expect(types[name] == type, "\(name)")
            }
            #expect(
                text.contains(
                    #"dropmate_http_request_duration_seconds_bucket{route="/wechat",method="POST",status="200",le="0.005"}"#
                )
                    || text.contains(#"route="/wechat",method="POST",status="200""#))
            #expect(text.contains(#"route="unmatched",method="GET",status="404""#))
            #expect(text.contains(#"dropmate_webhook_messages_total{type="text",outcome="replied"} 1"#))
            #expect(text.contains(#"dropmate_jobs_total{kind="push",outcome="succeeded"} 1"#))
            #expect(text.contains(#"dropmate_wechat_api_calls_total{api="message/custom/send",errcode="0"} 1"#))
            #expect(text.contains(#"dropmate_wechat_token_refreshes_total{outcome="success"} 1"#))
            #expect(text.contains(#"dropmate_queue_depth{kind="push"} 0.0"#))
            // No customer data in labels: not the openid, not the raw path with a phone number in it.
            #expect(
                !text.contains("o_metrics_customer") && !text.contains("13800138000") && !text.contains("/no/such/page")
            )
        }
    }

    @Test func aRetryIsCountedAsDeduplicatedAndAnOrderAsCreated() async throws {
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        let app = try await ObservedApp.make(
            telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            extra: ["METRICS_TOKEN": Self.metricsToken])
        let now = app.clock.now
        let messages = try [
            ObservedApp.message("2 份牛肉面", from: "o_dedupe", id: "1", at: now),
            ObservedApp.message("上海市黄浦区人民大道 200 号", from: "o_dedupe", id: "2", at: now),
            ObservedApp.message("13800138000", from: "o_dedupe", id: "3", at: now),
            ObservedApp.message("13800138000", from: "o_dedupe", id: "3", at: now),  // WeChat's retry
        ]
        let text: String = try await app.live { client in
            for (uri, body) in messages {
                _ = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
            }
            return String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer).body)
        }
        #expect(text.contains(#"dropmate_webhook_messages_total{type="text",outcome="deduplicated"} 1"#))
        #expect(text.contains("dropmate_webhook_dedupe_hits_total 1"))
        #expect(text.contains(#"dropmate_orders_total{event="created"} 1"#))
    }

    @Test func reportBuildsAreTimedThroughTheAPIAReportJobCalls() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = AppMetrics(registry: registry)
        let rows = await metrics.timeReportBuild { 42 }
        #expect(rows == 42)
        metrics.recordReportBuild(.seconds(7))
        let text = registry.emitToString()
        #expect(text.contains("dropmate_report_build_duration_seconds_count 2"))
        #expect(text.contains(#"dropmate_report_build_duration_seconds_bucket{le="10.0"} 2"#))
    }

    @Test func theDailyReportJobTimesItselfIntoTheAppsRegistry() async throws {
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        let app = try await ObservedApp.make(
            telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        #expect(app.dependencies.reportRunner.metrics === metrics)
        await app.shutdown()
    }

    @Test func bootstrappingTheProcessRegistryTwiceReturnsTheSameOne() {
        #expect(AppMetrics.bootstrapped() === AppMetrics.bootstrapped())
    }

    /// Tracing as the binary builds it from these variables (plus `OTEL_EXPORTER_OTLP_ENDPOINT`).
    static func tracing(
        _ endpoint: String, _ extra: [String: String] = [:],
        metrics: AppMetrics = AppMetrics(registry: PrometheusCollectorRegistry()),
        logger: Logger
    ) throws -> Telemetry {
        var environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": "dropmate-test"]
        environment.merge(extra) { _, new in new }
        let config = ObservabilityConfig.load(environment) { name, message in
            Issue.record("config problem: \(name): \(message)")
        }
        // As `Telemetry.make` builds it, but batches go out every 100 ms rather than 5 s (the binary's test keeps 5 s).
        var otel = OTelTracing.configuration(
            config, endpoint: try #require(config.tracesEndpoint),
            diagnostics: OTelTracing.diagnostics(logger, dropped: metrics.droppedSpans))
        otel.traces.batchSpanProcessor.scheduleDelay = .milliseconds(100)
        let backend = try OTelTracing.make(otel)
        var telemetry = Telemetry(metrics: metrics)
        telemetry.tracer = backend.tracer
        telemetry.tracingService = backend.service
        return telemetry
    }

    /// POSTs a signed webhook message with `traceparent` (if any) to the live app; the response must be 200.
    static func post(_ uri: String, _ body: String, port: Int, traceparent: String?) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(uri)")
        request.method = .POST
        if let traceparent { request.headers.add(name: "traceparent", value: traceparent) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    @Test func aRequestLogsOneJSONLineCarryingItsTraceIDWhenTracingIsOn() async throws {
        let logs = LogCapture()
        let logger = logs.logger(level: .debug)  // webhook request lines are debug (thousands a second)
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let app = try await ObservedApp.make(telemetry: try Self.tracing(endpoint, logger: logger), logger: logger)
            let (uri, body) = try ObservedApp.message("菜单", from: "o_logs", id: "77", at: app.clock.now)
            try await app.live { client in
                try await Self.post(
                    uri, body, port: client.port!,
                    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            }
        }
        let lines = logs.objects().filter { $0["dropmate.route"] as? String == "/wechat" }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line["message"] as? String == "request handled")
        #expect(line["level"] as? String == "debug", "webhook lines are debug: thousands a second")
        #expect(line["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        let spanID = try #require(line["span_id"] as? String)
        #expect(spanID.count == 16 && spanID != "00f067aa0ba902b7")
        let time = try #require(line["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
        #expect(line["dropmate.status"] as? String == "200")
        // Every line the app wrote is one JSON object.
        #expect(logs.objects().count == logs.all.count)
        // The log line's span is the webhook span the collector received.
        let webhook = try #require(collector.spans.first { $0.name == "webhook" })
        #expect(webhook.spanID == spanID && webhook.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func theCollectorReceivesTheWebhooksSpansWithTheirParents() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let app = try await ObservedApp.make(telemetry: try Self.tracing(endpoint, logger: logger), logger: logger)
            let (uri, body) = try ObservedApp.message(
                "2 份牛肉面", from: "o_traced", id: "4242", at: app.clock.now, mode: .safe)
            let names = ["webhook", "verify", "decrypt", "parse", "machine", "store", "reply"]
            let spans = try await app.live { client in
                try await Self.post(
                    uri, body, port: client.port!,
                    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                return try await collector.waitFor { spans in
                    names.allSatisfy { name in spans.contains { $0.name == name } }
                }
            }
            let byName = Dictionary(spans.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let webhook = try #require(byName["webhook"])
            #expect(webhook.traceID == "0af7651916cd43dd8448eb211c80319c")
            #expect(webhook.parentSpanID == "b7ad6b7169203331")  // the caller's span
            #expect(webhook.kind == 2)  // SERVER
            #expect(webhook.serviceName == "dropmate-test")
            #expect(
                webhook.attributes["http.route"] == "/wechat"
                    && webhook.attributes["http.response.status_code"] == "200")
            #expect(webhook.attributes["http.request.method"] == "POST")
            for name in names.dropFirst() {
                let child = try #require(byName[name], "\(name)")
                #expect(child.traceID == webhook.traceID, "\(name)")
                #expect(child.parentSpanID == webhook.spanID, "\(name)")
                #expect(child.kind == 1, "\(name) is INTERNAL")
                #expect(child.spanID != webhook.spanID && child.spanID.count == 16, "\(name)")
            }
            #expect(Set(spans.map(\.spanID)).count == spans.count, "every span has its own id")
            #expect(spans.allSatisfy { $0.links.isEmpty }, "DropMate creates no span links")
            #expect(
                !collector.requestContentTypes.isEmpty
                    && collector.requestContentTypes.allSatisfy { $0 == "application/x-protobuf" })
        }
    }

    @Test func aCallerWhoDidNotSampleItsTraceGetsNoSpansExported() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let app = try await ObservedApp.make(telemetry: try Self.tracing(endpoint, logger: logger), logger: logger)
            let (firstURI, firstBody) = try ObservedApp.message("菜单", from: "o_unsampled", id: "501", at: app.clock.now)
            let (secondURI, secondBody) = try ObservedApp.message("菜单", from: "o_sampled", id: "502", at: app.clock.now)
            let spans = try await app.live { client in
                // Flags 00: the caller decided not to record this trace; we follow it (the parent-based default).
                try await Self.post(
                    firstURI, firstBody, port: client.port!,
                    traceparent: "00-11111111111111111111111111111111-2222222222222222-00")
                try await Self.post(
                    secondURI, secondBody, port: client.port!,
                    traceparent: "00-33333333333333333333333333333333-4444444444444444-01")
                return try await collector.waitFor {
                    $0.contains { $0.name == "webhook" && $0.traceID == "33333333333333333333333333333333" }
                }
            }
            #expect(spans.contains { $0.name == "webhook" && $0.parentSpanID == "4444444444444444" })
            #expect(
                !spans.contains { $0.traceID == "11111111111111111111111111111111" }, "an unsampled trace was exported")
        }
    }

    @Test func aMalformedTraceparentStartsAFreshTrace() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let app = try await ObservedApp.make(telemetry: try Self.tracing(endpoint, logger: logger), logger: logger)
            let bad = [
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "not a traceparent",
            ]
            let messages = try bad.indices.map { index in
                try ObservedApp.message("菜单", from: "o_bad\(index)", id: "60\(index)", at: app.clock.now)
            }
            let spans = try await app.live { client in
                for (index, header) in bad.enumerated() {
                    try await Self.post(messages[index].0, messages[index].1, port: client.port!, traceparent: header)
                }
                return try await collector.waitFor { $0.filter { $0.name == "webhook" }.count == bad.count }
            }
            let webhooks = spans.filter { $0.name == "webhook" }
            #expect(webhooks.count == bad.count)
            for span in webhooks {
                #expect(span.parentSpanID == nil, "a malformed traceparent became a parent: \(span)")
                #expect(
                    span.traceID != "4bf92f3577b34da6a3ce929d0e0e4736"
                        && span.traceID != String(repeating: "0", count: 32))
            }
            #expect(Set(webhooks.map(\.traceID)).count == bad.count, "each request starts its own trace")
        }
    }

    @Test func outboundCallsCarryTheirSpansTraceparent() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let fake = FakeWeChatAPI()
            let seen = HeaderRecorder()
            try await seen.serve { echo in
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                let telemetry = try Self.tracing(endpoint, metrics: .disabled, logger: logger)
                var api = WeChatAPI(http: .shared, baseURL: echo, appID: fake.appID, appSecret: fake.appSecret)
                api.telemetry = telemetry
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for service in telemetry.services { group.addTask { try await service.run() } }
                    _ = try? await api.post("/cgi-bin/message/custom/send", token: "TOKEN", json: ["touser": "o_a"])
                    let spans = try await collector.waitFor { $0.contains { $0.name == "wechat message/custom/send" } }
                    group.cancelAll()
                    let span = try #require(spans.first { $0.name == "wechat message/custom/send" })
                    #expect(span.kind == 3)  // CLIENT
                    #expect(span.parentSpanID == nil)
                    #expect(seen.traceparents == ["00-\(span.traceID)-\(span.spanID)-01"])
                }
            }
        }
    }

    @Test func exportHeadersReachTheCollectorAndAreNeverPrinted() async throws {
        let logs = LogCapture()
        let collector = CollectorStandIn()
        let secret = "k9-secret-api-key-7f3a"
        try await collector.serve { endpoint in
            let logger = logs.logger(level: .trace)
            let environment = ["OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=\(secret), x-tenant = dropmate"]
            let app = try await ObservedApp.make(
                telemetry: try Self.tracing(endpoint, environment, logger: logger), logger: logger,
                extra: environment.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint]) { _, new in new })
            #expect(!"\(app.dependencies.config)".contains(secret))
            #expect(
                app.dependencies.config.observability.exportHeaders == [
                    ExportHeader(name: "x-api-key", value: secret), ExportHeader(name: "x-tenant", value: "dropmate"),
                ])
            let (uri, body) = try ObservedApp.message("菜单", from: "o_headers", id: "81", at: app.clock.now)
            _ = try await app.live { client in
                try await Self.post(uri, body, port: client.port!, traceparent: nil)
                return try await collector.waitFor { $0.contains { $0.name == "webhook" } }
            }
        }
        let headers = try #require(collector.requestHeaders.first)
        #expect(headers["x-api-key"] == secret && headers["x-tenant"] == "dropmate")
        #expect(!logs.all.joined().contains(secret))
        var problems: [(String, String)] = []
        _ = ObservabilityConfig.load(["OTEL_EXPORTER_OTLP_HEADERS": "x-api-key \(secret)"]) {
            problems.append(($0, $1))
        }
        #expect(problems.map(\.0) == ["OTEL_EXPORTER_OTLP_HEADERS"])
        #expect(!problems.contains { $0.1.contains(secret) }, "a problem quoted the credential")
    }

    /// What swift-otel logs about itself reaches our log without the environment values it would echo (with
    /// `OTEL_LOG_LEVEL=info` it logs each variable it applied, headers included), and its "dropped" lines count.
    @Test func swiftOTelsDiagnosticsHideEnvironmentValuesAndCountDroppedSpans() {
        let registry = PrometheusCollectorRegistry()
        let logs = LogCapture()
        var diagnostics = OTelTracing.diagnostics(
            logs.logger(level: .trace), dropped: AppMetrics(registry: registry).droppedSpans)
        diagnostics.logLevel = .info
        var applied = diagnostics
        applied[metadataKey: "environment_key"] = "OTEL_EXPORTER_OTLP_HEADERS"
        applied[metadataKey: "environment_value"] = "x-api-key=hunter2-credential"
        applied[metadataKey: "new_value"] = "x-api-key=hunter2-credential"
        applied.info(
            "Configuration updated from environment", metadata: ["previous_value": "x-api-key=older-credential"])
        diagnostics.warning(
            "Spans were dropped this iteration because queue was full",
            metadata: ["queue_size": "2048", "dropped_count": "7"])
        var batch = diagnostics
        batch[metadataKey: "batch_size"] = "3"
        batch.warning("Failed to export batch.")
        let text = logs.all.joined()
        #expect(logs.all.count == 3)
        #expect(
            text.contains("OTEL_EXPORTER_OTLP_HEADERS") && !text.contains("hunter2")
                && !text.contains("older-credential"), "\(text)")
        #expect(registry.emitToString().contains("dropmate_trace_spans_dropped_total 10"))
    }

    @Test func tracingIsOffWithoutAnEndpoint() throws {
        let config = ObservabilityConfig.load([:]) { _, _ in Issue.record("config problem") }
        #expect(
            config.tracesEndpoint == nil && config.logFormat == .text && config.metricsPort == 9090
                && config.serviceName == "dropmate")
        let telemetry = try Telemetry.make(config, metrics: .disabled, logger: Logger(label: "test"))
        #expect(telemetry.tracer == nil && telemetry.services.isEmpty)
        var problems: [String] = []
        _ = ObservabilityConfig.load([
            "LOG_FORMAT": "xml", "METRICS_PORT": "nine", "OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318",
        ]) { name, _ in problems.append(name) }
        #expect(problems == ["LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT", "METRICS_PORT"])
        for off in [["OTEL_TRACES_EXPORTER": "none"], ["OTEL_SDK_DISABLED": "true"]] {
            let config = ObservabilityConfig.load(
                off.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) { a, _ in a }
            ) { _, _ in Issue.record("config problem") }
            #expect(config.tracesEndpoint == nil, "\(off)")
        }
    }

    @Test func spansTheCollectorRefusesAreCountedAsDroppedWithoutBlocking() async throws {
        let registry = PrometheusCollectorRegistry()
        let logs = LogCapture()
        let collector = CollectorStandIn(status: .badRequest)  // refuses every batch (400: not worth a retry)
        try await collector.serve { endpoint in
            let config = ObservabilityConfig.load(["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint]) { _, _ in
                Issue.record("config problem")
            }
            let metrics = AppMetrics(registry: registry)
            var otel = OTelTracing.configuration(
                config, endpoint: try #require(config.tracesEndpoint),
                diagnostics: OTelTracing.diagnostics(logs.logger(level: .info), dropped: metrics.droppedSpans))
            otel.traces.batchSpanProcessor.maxQueueSize = 3
            otel.traces.batchSpanProcessor.maxExportBatchSize = 3
            otel.traces.batchSpanProcessor.scheduleDelay = .milliseconds(50)
            otel.traces.batchSpanProcessor.exportTimeout = .seconds(5)
            let (tracer, service) = try OTelTracing.make(otel)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                let start = ContinuousClock.now
                for index in 0..<5 { tracer.startSpan("span \(index)", context: .topLevel, ofKind: .internal).end() }
                #expect(ContinuousClock.now - start < .seconds(1), "ending spans waited for the collector")
                // Each of the five is lost exactly once: dropped from the full queue, or refused by the collector.
                let deadline = ContinuousClock.now + .seconds(20)
                while !registry.emitToString().contains("dropmate_trace_spans_dropped_total 5"),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                group.cancelAll()
            }
        }
        #expect(registry.emitToString().contains("dropmate_trace_spans_dropped_total 5"), "\(registry.emitToString())")
        #expect(collector.exportCount >= 1)
        #expect(logs.all.contains { $0.contains("Failed to export batch") })
    }
}

/// A loopback server that answers like WeChat's API and remembers each request's `traceparent`.
final class HeaderRecorder: Sendable {
    private let values = Mutex<[String]>([])
    var traceparents: [String] { values.withLock { $0 } }

    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/cgi-bin/message/custom/send") { request, _ in
            self.values.withLock {
                $0.append(request.headers.first { $0.name.canonicalName == "traceparent" }?.value ?? "(none)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"errcode":0,"errmsg":"ok"}"#)))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}
