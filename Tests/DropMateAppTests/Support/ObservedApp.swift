import DropMateWeChat
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Synchronization

@testable import DropMateApp
@testable import DropMateTelemetry

/// Log lines a test's logger wrote, one `[UInt8]` line each.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: DropMateLogHandler.Sink {
        DropMateLogHandler.Sink { [self] line in lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
    }
    var all: [String] { lines.withLock { $0 } }

    /// The JSON lines as objects (a line that is not JSON fails the caller's `#require`).
    func objects() -> [[String: Any]] {
        all.compactMap { line in (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] }
    }

    func logger(format: ObservabilityConfig.LogFormat = .json, level: Logger.Level = .info) -> Logger {
        let sink = sink
        var logger = Logger(label: "dropmate") { label in DropMateLogHandler(label: label, format: format, sink: sink) }
        logger.logLevel = level
        return logger
    }
}

/// A `TestApp`-like embedded DropMate with its own metrics registry, and tracing when a tracer is given.
enum ObservedApp {
    static func make(
        telemetry: Telemetry, logger: Logger, clock: TestClock = TestClock(TestAccount.start),
        extra: [String: String] = [:]
    ) async throws -> TestApp {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-obs-\(UUID().uuidString)"
        ).path
        var environment = [
            "PORT": "0", "DROPMATE_DATA_DIR": directory,
            "WECHAT_TOKEN": TestAccount.token, "WECHAT_APP_ID": TestAccount.appID,
            "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey, "WECHAT_ACCOUNT_ID": TestAccount.accountID,
            "JWT_SECRET": TestAccount.jwtSecret, "PUBLIC_BASE_URL": "https://dropmate.example",
        ]
        environment.merge(extra) { _, new in new }
        let config = try AppConfig.load(environment: environment)
        let dependencies = try await AppDependencies.connect(
            config: config, clock: { clock.now }, telemetry: telemetry, logger: logger)
        return TestApp(dependencies: dependencies, clock: clock, directory: directory)
    }

    /// A signed text message from `customer`, as WeChat would POST it: (path with query, body).
    static func message(
        _ text: String, from customer: String, id: String, at time: Int64, mode: WeChatWebhook.Mode = .plaintext
    ) throws -> (String, String) {
        let signer = try WeChatClientSigner(
            token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: TestAccount.encodingAESKey)
        let message = InboundMessage(
            toUserName: TestAccount.accountID, fromUserName: customer, createTime: time,
            kind: .text(content: text, msgID: id))
        let request = signer.request(for: message, mode: mode, timestamp: time, nonce: "n\(id)")
        return ("/wechat?\(request.query)", request.body)
    }
}

/// An OTLP/HTTP collector stand-in on loopback: decodes every `ExportTraceServiceRequest` POSTed to `/v1/traces`
/// (protobuf, read with `OTLPWire`, written from the OTLP .proto field numbers, not with the exporter's own code) and
/// keeps its spans. `status` answers every export (a collector that refuses).
final class CollectorStandIn: Sendable {
    struct ReceivedSpan: Sendable, Equatable {
        var name: String
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var kind: Int
        var serviceName: String?
        var links: [OTLPWire.Link] = []
        var attributes: [String: String] = [:]
        var eventNames: [String] = []
        /// 0 unset, 1 ok, 2 error.
        var statusCode: Int = 0
    }

    private let received = Mutex<[ReceivedSpan]>([])
    private let requests = Mutex<[(contentType: String, headers: [String: String])]>([])
    let status: HTTPResponse.Status
    var spans: [ReceivedSpan] { received.withLock { $0 } }
    var requestContentTypes: [String] { requests.withLock { $0.map(\.contentType) } }
    /// Each export request's headers (lowercased names).
    var requestHeaders: [[String: String]] { requests.withLock { $0.map(\.headers) } }
    var exportCount: Int { requests.withLock { $0.count } }

    init(status: HTTPResponse.Status = .ok) { self.status = status }

    /// Serves while `body` runs; `body` gets the collector's base URL (what `OTEL_EXPORTER_OTLP_ENDPOINT` names).
    func serve<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/v1/traces") { request, _ in
            let buffer = try await request.body.collect(upTo: 1 << 22)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            self.requests.withLock { $0.append((request.headers[.contentType] ?? "", headers)) }
            guard self.status == .ok else { return Response(status: self.status) }
            let spans = try OTLPWire.spans(in: Array(buffer.readableBytesView))
            self.received.withLock { $0 += spans }
            // An empty ExportTraceServiceResponse: all accepted.
            return Response(
                status: .ok, headers: [.contentType: "application/x-protobuf"], body: .init(byteBuffer: ByteBuffer()))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)") }
    }

    /// Polls until `done` holds for the spans received, or `seconds` pass (never a fixed sleep).
    func waitFor(seconds: Double = 20, _ done: ([ReceivedSpan]) -> Bool) async throws -> [ReceivedSpan] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if done(spans) { return spans }
            try await Task.sleep(for: .milliseconds(50))
        }
        return spans
    }
}

/// The `# TYPE` lines of a Prometheus text exposition: metric name → type.
func prometheusTypes(_ text: String) -> [String: String] {
    var types: [String: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
        let parts = line.split(separator: " ")
        if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
    }
    return types
}
