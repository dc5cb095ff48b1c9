import AsyncHTTPClient
@testable import DropMateApp
import DropMateCore
@testable import DropMateEngine
import DropMateFakes
@testable import DropMateOutbound
@testable import DropMateTelemetry
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import Testing

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
            let app = try await ObservedApp.make(telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                                 extra: ["WECHAT_APP_SECRET": fake.appSecret, "WECHAT_API_BASE_URL": wechat, "METRICS_TOKEN": Self.metricsToken])
            let (uri, body) = try ObservedApp.message("2 份牛肉面", from: "o_metrics_customer", id: "9001", at: app.clock.now)
            let text: String = try await app.live { client in
                let reply = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body))
                #expect(reply.status == .ok)
                _ = try await client.execute(uri: "/no/such/page/13800138000", method: .get)
                // A job: a push through the (fake) WeChat API, run by the worker.
                try await app.dependencies.queue.enqueue(try PushJob(openID: "o_metrics_customer", message: .text("hi")).job(key: "metrics-test", now: app.clock.now))
                #expect(try await app.dependencies.worker.runDueJobs() == 1)
                try await QueueMetricsService(queue: app.dependencies.queue, metrics: metrics, clock: { app.clock.now }, logger: app.dependencies.logger).refresh()
                let scrape = try await client.execute(uri: "/metrics", method: .get, headers: Self.bearer)
                #expect(scrape.status == .ok)
                #expect(scrape.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: scrape.body)
            }
            let types = prometheusTypes(text)
            for (name, type) in Self.expectedTypes {
                #expect(types[name] == type, "\(name)")
            }
            #expect(text.contains(#"dropmate_http_request_duration_seconds_bucket{route="/wechat",method="POST",status="200",le="0.005"}"#)
                    || text.contains(#"route="/wechat",method="POST",status="200""#))
            #expect(text.contains(#"route="unmatched",method="GET",status="404""#))
            #expect(text.contains(#"dropmate_webhook_messages_total{type="text",outcome="replied"} 1"#))
            #expect(text.contains(#"dropmate_jobs_total{kind="push",outcome="succeeded"} 1"#))
            #expect(text.contains(#"dropmate_wechat_api_calls_total{api="message/custom/send",errcode="0"} 1"#))
            #expect(text.contains(#"dropmate_wechat_token_refreshes_total{outcome="success"} 1"#))
            #expect(text.contains(#"dropmate_queue_depth{kind="push"} 0.0"#))
            // No customer data in labels: not the openid, not the raw path with a phone number in it.
            #expect(!text.contains("o_metrics_customer") && !text.contains("13800138000") && !text.contains("/no/such/page"))
        }
    }

    @Test func aRetryIsCountedAsDeduplicatedAndAnOrderAsCreated() async throws {
        let metrics = AppMetrics(registry: PrometheusCollectorRegistry())
        let app = try await ObservedApp.make(telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                             extra: ["METRICS_TOKEN": Self.metricsToken])
        let now = app.clock.now
        let messages = try [
            ObservedApp.message("2 份牛肉面", from: "o_dedupe", id: "1", at: now),
            ObservedApp.message("上海市黄浦区人民大道 200 号", from: "o_dedupe", id: "2", at: now),
            ObservedApp.message("13800138000", from: "o_dedupe", id: "3", at: now),
            ObservedApp.message("13800138000", from: "o_dedupe", id: "3", at: now),  // WeChat's retry
        ]
        let text: String = try await app.live { client in
            for (uri, body) in messages { _ = try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) }
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
        let app = try await ObservedApp.make(telemetry: Telemetry(metrics: metrics), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        #expect(app.dependencies.reportRunner.metrics === metrics)
        await app.shutdown()
    }

    @Test func bootstrappingTheProcessRegistryTwiceReturnsTheSameOne() {
        #expect(AppMetrics.bootstrapped() === AppMetrics.bootstrapped())
    }

    @Test func aRequestLogsOneJSONLineCarryingItsTraceIDWhenTracingIsOn() async throws {
        let logs = LogCapture()
        let logger = logs.logger(level: .debug)  // webhook request lines are debug (thousands a second)
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
        let exporter = OTLPExporter(endpoint: endpoint + "/v1/traces", serviceName: "dropmate-test", interval: .seconds(3600), logger: logger)
        let telemetry = Telemetry(metrics: AppMetrics(registry: PrometheusCollectorRegistry()), tracer: OTLPTracer(exporter: exporter))
        let app = try await ObservedApp.make(telemetry: telemetry, logger: logger)
        let (uri, body) = try ObservedApp.message("菜单", from: "o_logs", id: "77", at: app.clock.now)
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        try await app.live { client in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)\(uri)")
            request.method = .POST
            request.headers.add(name: "traceparent", value: incoming)
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            _ = try await response.body.collect(upTo: 1 << 20)
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
    }

    @Test func theCollectorReceivesTheWebhooksSpansWithTheirParents() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let config = ObservabilityConfig.load(["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": "dropmate-test"]) { _, _ in Issue.record("config problem") }
            let exporter = OTLPExporter(endpoint: try #require(config.tracesEndpoint), serviceName: config.serviceName, interval: .milliseconds(100), logger: logger)
            let telemetry = Telemetry(metrics: AppMetrics(registry: PrometheusCollectorRegistry()), tracer: OTLPTracer(exporter: exporter))
            let app = try await ObservedApp.make(telemetry: telemetry, logger: logger)
            let (uri, body) = try ObservedApp.message("2 份牛肉面", from: "o_traced", id: "4242", at: app.clock.now, mode: .safe)
            let names = ["webhook", "verify", "decrypt", "parse", "machine", "store", "reply"]
            let spans = try await app.live { client in
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)\(uri)")
                request.method = .POST
                request.headers.add(name: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                _ = try await response.body.collect(upTo: 1 << 20)
                return try await collector.waitFor { spans in names.allSatisfy { name in spans.contains { $0.name == name } } }
            }
            let byName = Dictionary(spans.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let webhook = try #require(byName["webhook"])
            #expect(webhook.traceID == "0af7651916cd43dd8448eb211c80319c")
            #expect(webhook.parentSpanID == "b7ad6b7169203331")  // the caller's span
            #expect(webhook.kind == 2)  // SERVER
            #expect(webhook.serviceName == "dropmate-test")
            for name in names.dropFirst() {
                let child = try #require(byName[name], "\(name)")
                #expect(child.traceID == webhook.traceID, "\(name)")
                #expect(child.parentSpanID == webhook.spanID, "\(name)")
            }
            #expect(collector.requestContentTypes.allSatisfy { $0 == "application/json" })
        }
    }

    @Test func outboundCallsCarryTheirSpansTraceparent() async throws {
        let collector = CollectorStandIn()
        try await collector.serve { endpoint in
            let fake = FakeWeChatAPI()
            let seen = HeaderRecorder()
            try await seen.serve { echo in
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                let exporter = OTLPExporter(endpoint: endpoint + "/v1/traces", serviceName: "dropmate", interval: .milliseconds(100), logger: logger)
                let telemetry = Telemetry(metrics: .disabled, tracer: OTLPTracer(exporter: exporter))
                var api = WeChatAPI(http: .shared, baseURL: echo, appID: fake.appID, appSecret: fake.appSecret)
                api.telemetry = telemetry
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await exporter.run() }
                    _ = try? await api.post("/cgi-bin/message/custom/send", token: "TOKEN", json: ["touser": "o_a"])
                    let spans = try await collector.waitFor { $0.contains { $0.name == "wechat message/custom/send" } }
                    group.cancelAll()
                    let span = try #require(spans.first { $0.name == "wechat message/custom/send" })
                    #expect(span.kind == 3)  // CLIENT
                    #expect(seen.traceparents == ["00-\(span.traceID)-\(span.spanID)-01"])
                }
            }
        }
    }

    @Test func tracingIsOffWithoutAnEndpoint() {
        let config = ObservabilityConfig.load([:]) { _, _ in Issue.record("config problem") }
        #expect(config.tracesEndpoint == nil && config.logFormat == .text && config.metricsPort == 9090 && config.serviceName == "dropmate")
        #expect(Telemetry.production(config, logger: Logger(label: "test")).tracer == nil)
        var problems: [String] = []
        _ = ObservabilityConfig.load(["LOG_FORMAT": "xml", "METRICS_PORT": "nine", "OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"]) { name, _ in problems.append(name) }
        #expect(problems == ["LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT", "METRICS_PORT"])
    }

    @Test func traceparentHeadersAreParsedStrictly() {
        let parsed = OTLPSpanContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(parsed?.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736" && parsed?.spanIDHex == "00f067aa0ba902b7")
        #expect(parsed?.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        for bad in ["", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"] {
            #expect(OTLPSpanContext(traceparent: bad) == nil, "\(bad)")
        }
    }

    @Test func aFullSpanBufferDropsAndCountsInsteadOfBlocking() async throws {
        let registry = PrometheusCollectorRegistry()
        let exporter = OTLPExporter(endpoint: "http://127.0.0.1:9/v1/traces", serviceName: "dropmate", capacity: 3, interval: .seconds(3600),
                                    metrics: AppMetrics(registry: registry), logger: Logger(label: "test"))
        let tracer = OTLPTracer(exporter: exporter)
        for index in 0..<5 { tracer.startSpan("span \(index)", context: .topLevel, ofKind: .internal).end() }
        #expect(exporter.droppedSpans == 2)
        #expect(registry.emitToString().contains("dropmate_trace_spans_dropped_total 2"))
    }
}

/// A loopback server that answers like WeChat's API and remembers each request's `traceparent`.
final class HeaderRecorder: Sendable {
    private let values = Mutex<[String]>([])
    var traceparents: [String] { values.withLock { $0 } }

    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/cgi-bin/message/custom/send") { request, _ in
            self.values.withLock { $0.append(request.headers.first { $0.name.canonicalName == "traceparent" }?.value ?? "(none)") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"errcode":0,"errmsg":"ok"}"#)))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }
}
