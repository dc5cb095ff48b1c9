import Foundation
import Logging

/// How the process reports on itself: log format, trace export and the worker's metrics port.
public struct ObservabilityConfig: Sendable, Equatable {
    public enum LogFormat: String, Sendable, Equatable {
        /// One JSON object per line (production; the image's default).
        case json
        /// Readable lines for a terminal.
        case text
    }

    public var logFormat: LogFormat = .text
    /// Where spans go (`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`); nil: tracing off (the NoOp tracer).
    public var tracesEndpoint: String?
    public var serviceName: String = "dropmate"
    /// Which spans are kept (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`); by default a request whose caller
    /// sent a `traceparent` follows the caller's sampled flag, and every other trace is kept.
    public var sampler: TraceSampler = .parentBasedAlwaysOn
    /// Extra headers on every export (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS`: `key=value,…`),
    /// e.g. a collector's API key: a secret, never printed.
    public var exportHeaders: [ExportHeader] = []
    /// The port `dropmate worker` serves /metrics, /healthz and /readyz on (and `dropmate serve`, when `METRICS_PORT`
    /// is set: a second listener, never the serving port the Ingress exposes).
    public var metricsPort: Int = 9090
    /// `METRICS_PORT` was set: `serve` opens the metrics listener (the worker always does).
    public var metricsPortConfigured = false
    /// `METRICS_TOKEN`: with it, `/metrics` also answers on the serving port, to `Authorization: Bearer <token>`
    /// only; without it, the serving port has no `/metrics` at all.
    public var metricsToken: String?

    public init() {}

    /// Reads `LOG_FORMAT`, `LOG_LEVEL`, the tracing variables (`TracingReader`), `METRICS_PORT` and `METRICS_TOKEN`,
    /// adding every problem to `problem`.
    package static func load(_ env: [String: String], problem: (String, String) -> Void) -> ObservabilityConfig {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        var config = ObservabilityConfig()
        if let format = value("LOG_FORMAT") {
            if let parsed = LogFormat(rawValue: format.lowercased()) {
                config.logFormat = parsed
            } else {
                problem("LOG_FORMAT", "must be json or text")
            }
        }
        if let level = value("LOG_LEVEL"), LogLevelName(rawValue: level.lowercased()) == nil {
            problem("LOG_LEVEL", "must be one of \(LogLevelName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        TracingReader.read(env, into: &config, problem: problem)
        if let port = value("METRICS_PORT") {
            if let parsed = Int(port), (0...65535).contains(parsed) {
                config.metricsPort = parsed
            } else {
                problem("METRICS_PORT", "must be a number from 0 to 65535")
            }
            config.metricsPortConfigured = true
        }
        if let token = value("METRICS_TOKEN") {
            if token.count < 16 {
                problem("METRICS_TOKEN", "must be at least 16 characters (e.g. openssl rand -hex 24)")
            }
            config.metricsToken = token
        }
        return config
    }
}

/// The log levels `--log-level` and `LOG_LEVEL` accept (swift-log's, lowercase); anything else is refused, never
/// quietly read as `info`.
public enum LogLevelName: String, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    public var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
}
