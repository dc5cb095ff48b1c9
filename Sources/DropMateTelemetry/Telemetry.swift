import Logging
import ServiceLifecycle
import Tracing

/// Metrics and (optionally) tracing, built once and passed down like every other dependency.
///
/// Tracing off (`tracer == nil`, no `OTEL_EXPORTER_OTLP_ENDPOINT`) costs a nil check: no span, no context,
/// no allocation; swift-distributed-tracing's global tracer stays the NoOp tracer.
public struct Telemetry: Sendable {
    public var metrics: AppMetrics
    /// swift-otel's tracer when tracing is on.
    public var tracer: (any Tracer)?
    /// What batches and exports the tracer's spans; runs in the process's service group.
    var tracingService: (any Service)?

    public init(metrics: AppMetrics) {
        self.metrics = metrics
    }

    /// No metrics, no traces.
    public static let disabled = Telemetry(metrics: .disabled)

    /// The process's telemetry: the bootstrapped Prometheus registry, and swift-otel's tracer when an endpoint is configured.
    public static func production(_ config: ObservabilityConfig, logger: Logger) throws -> Telemetry {
        try make(config, metrics: AppMetrics.bootstrapped(), logger: logger)
    }

    /// `metrics`, plus tracing as `config` says (off without an endpoint).
    public static func make(_ config: ObservabilityConfig, metrics: AppMetrics, logger: Logger) throws -> Telemetry {
        var telemetry = Telemetry(metrics: metrics)
        guard let endpoint = config.tracesEndpoint else { return telemetry }
        let diagnostics = OTelTracing.diagnostics(logger, dropped: metrics.droppedSpans)
        let backend = try OTelTracing.make(
            OTelTracing.configuration(config, endpoint: endpoint, diagnostics: diagnostics))
        telemetry.tracer = backend.tracer
        telemetry.tracingService = backend.service
        return telemetry
    }

    /// The background services telemetry needs (the span exporter when tracing is on).
    public var services: [any Service] { tracingService.map { [$0] } ?? [] }

    /// Runs `body` in a child span of the current one when tracing is on; otherwise just runs it (the name is not
    /// even built).
    package func withSpan<T>(
        _ name: @autoclosure () -> String, kind: SpanKind = .internal,
        attributes: (inout SpanAttributes) -> Void = { _ in },
        _ body: () async throws -> T
    ) async rethrows -> T {
        guard let tracer else { return try await body() }
        let span = tracer.startSpan(name(), context: ServiceContext.current ?? .topLevel, ofKind: kind)
        var values = SpanAttributes()
        attributes(&values)
        if !values.isEmpty { span.attributes = values }
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body() }
        } catch {
            span.recordMaskedError(error)
            throw error
        }
    }
}
