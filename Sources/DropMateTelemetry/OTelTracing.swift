import CoreMetrics
import DropMateDataProtection
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// DropMate's tracing through swift-otel: OTLP/HTTP with protobuf bodies, W3C `traceparent` in and out, a
/// parent-based sampler (a caller's sampled flag is followed), batching with a bounded queue, export headers and
/// retries. Built only when an endpoint is configured; otherwise `Telemetry.tracer` stays nil and costs nothing.
enum OTelTracing {
    /// The swift-otel configuration our variables describe (traces only: metrics stay Prometheus, logs stay ours).
    static func configuration(
        _ config: ObservabilityConfig, endpoint: String, diagnostics: Logger
    ) -> OTel.Configuration {
        var otel = OTel.Configuration.default
        otel.serviceName = config.serviceName
        otel.diagnosticLogger = .custom(diagnostics)
        otel.diagnosticLogLevel = .warning  // its info lines echo the environment; OTEL_LOG_LEVEL can still raise it
        otel.propagators = [.traceContext]
        otel.metrics.enabled = false
        otel.logs.enabled = false
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.otlpExporter.endpoint = endpoint
        otel.traces.otlpExporter.protocol = .httpProtobuf
        otel.traces.otlpExporter.headers = config.exportHeaders.map { ($0.name, $0.value) }
        otel.traces.sampler =
            switch config.sampler {
            case .alwaysOn: .alwaysOn
            case .alwaysOff: .alwaysOff
            case .traceIDRatio(let ratio): .traceIDRatio(ratio: ratio) ?? .alwaysOn
            case .parentBasedAlwaysOn: .parentBasedAlwaysOn
            case .parentBasedAlwaysOff: .parentBasedAlwaysOff
            case .parentBasedTraceIDRatio(let ratio): .parentBasedTraceIDRatio(ratio: ratio) ?? .parentBasedAlwaysOn
            }
        return otel
    }

    /// The tracer and the service that batches and exports its spans (run it in the process's service group).
    /// swift-otel applies the process's own `OTEL_*` variables on top, the same ones `TracingReader` validated.
    static func make(_ otel: OTel.Configuration) throws -> (tracer: any Tracer, service: any Service) {
        let backend = try OTel.makeTracingBackend(configuration: otel)
        return (backend.factory, backend.service)
    }

    /// A logger for swift-otel's own diagnostics: they go to `logger` without environment values (an
    /// `OTEL_EXPORTER_OTLP_HEADERS` value is a credential), and spans lost (queue full, export failed) count in
    /// `dropmate_trace_spans_dropped_total`.
    static func diagnostics(_ logger: Logger, dropped: any CounterHandler) -> Logger {
        var diagnostics = Logger(label: "dropmate.tracing") { _ in
            SpanLossCounter(base: logger.handler, dropped: dropped)
        }
        diagnostics.logLevel = logger.logLevel
        return diagnostics
    }
}

/// Forwards swift-otel's diagnostics to our log handler, counting the spans they say were lost.
struct SpanLossCounter: LogHandler {
    var base: any LogHandler
    let dropped: any CounterHandler

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }
    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    /// What swift-otel logs about values read from the environment: never forwarded.
    static let environmentValues: Set<String> = ["environment_value", "previous_value", "new_value"]

    func log(event: LogEvent) {
        var event = event
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if let count = all["dropped_count"].flatMap({ Int64($0.description) }) {
            dropped.increment(by: count)  // the batch processor's queue was full
        } else if event.message.description.hasPrefix("Failed to export batch"),
            let count = all["batch_size"].flatMap({ Int64($0.description) })
        {
            dropped.increment(by: count)  // the collector refused or could not be reached, after swift-otel's retries
        }
        var forwarded = base
        for key in Self.environmentValues where forwarded.metadata[key] != nil {
            forwarded.metadata[key] = "(not shown)"
        }
        if var extra = event.metadata {
            for key in Self.environmentValues where extra[key] != nil { extra[key] = "(not shown)" }
            event.metadata = extra
        }
        forwarded.log(event: event)
    }
}

extension Span {
    /// Records `error` as an `exception` event with phone numbers masked (an error's text may quote a customer's
    /// message), and marks the span failed unless `failed` is false (a server span's status follows its HTTP status).
    package func recordMaskedError(_ error: any Error, failed: Bool = true) {
        addEvent(
            SpanEvent(
                name: "exception",
                attributes: [
                    "exception.type": "\(type(of: error))",
                    "exception.message": "\(PIIMask.phoneNumbers(in: "\(error)"))",
                ]))
        if failed { setStatus(SpanStatus(code: .error)) }
    }
}
