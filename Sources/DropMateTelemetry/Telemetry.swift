import Logging
import ServiceLifecycle
import Tracing

/// Metrics and (optionally) tracing, built once and passed down like every other dependency.
///
/// Tracing off (`tracer == nil`, no `OTEL_EXPORTER_OTLP_ENDPOINT`) costs a nil check: no span, no context,
/// no allocation; swift-distributed-tracing's global tracer stays the NoOp tracer.
public struct Telemetry: Sendable {
    public var metrics: AppMetrics
    public var tracer: OTLPTracer?

    public init(metrics: AppMetrics, tracer: OTLPTracer? = nil) {
        self.metrics = metrics
        self.tracer = tracer
    }

    /// No metrics, no traces.
    public static let disabled = Telemetry(metrics: .disabled)

    /// The process's telemetry: the bootstrapped Prometheus registry, and an OTLP tracer when an endpoint is configured.
    public static func production(_ config: ObservabilityConfig, logger: Logger) -> Telemetry {
        let metrics = AppMetrics.bootstrapped()
        guard let endpoint = config.tracesEndpoint else { return Telemetry(metrics: metrics) }
        let exporter = OTLPExporter(endpoint: endpoint, serviceName: config.serviceName, metrics: metrics, logger: logger)
        return Telemetry(metrics: metrics, tracer: OTLPTracer(exporter: exporter))
    }

    /// The background services telemetry needs (the span exporter when tracing is on).
    public var services: [any Service] { tracer.map { [$0.exporter] } ?? [] }

    /// Runs `body` in a child span of the current one when tracing is on; otherwise just runs it (the name is not
    /// even built).
    package func withSpan<T>(_ name: @autoclosure () -> String, kind: SpanKind = .internal, attributes: (inout SpanAttributes) -> Void = { _ in },
                     _ body: () async throws -> T) async rethrows -> T {
        guard let tracer else { return try await body() }
        let span = tracer.startSpan(name(), context: ServiceContext.current ?? .topLevel, ofKind: kind)
        var values = SpanAttributes()
        attributes(&values)
        if !values.isEmpty { span.attributes = values }
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body() }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
