import Foundation

/// Which traces are kept, by the names `OTEL_TRACES_SAMPLER` uses (the ones swift-otel implements).
public enum TraceSampler: Sendable, Equatable {
    case alwaysOn
    case alwaysOff
    /// Keeps this fraction (0…1) of traces, chosen by trace id.
    case traceIDRatio(Double)
    /// Follows the caller's sampled flag when there is a caller; keeps every other trace.
    case parentBasedAlwaysOn
    /// Follows the caller's sampled flag when there is a caller; keeps no other trace.
    case parentBasedAlwaysOff
    /// Follows the caller's sampled flag when there is a caller; keeps this fraction of the other traces.
    case parentBasedTraceIDRatio(Double)

    static let names = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
        "parentbased_traceidratio",
    ]
}

/// One `key=value` of `OTEL_EXPORTER_OTLP_HEADERS`. The value is usually a credential: never printed.
public struct ExportHeader: Sendable, Equatable {
    public var name: String
    public var value: String
}

/// Reads the OpenTelemetry variables DropMate's tracing honours, the way swift-otel (and every OpenTelemetry SDK)
/// reads them, and refuses what it would otherwise ignore with a warning:
/// - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`): unset, tracing
///   is off and costs nothing per request.
/// - `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: only `http/protobuf` (gRPC is not built in; swift-otel's `http/json`
///   writes ids in base64 where OTLP/JSON needs hex).
/// - `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_SERVICE_NAME`;
///   `OTEL_TRACES_EXPORTER=none` and `OTEL_SDK_DISABLED=true` turn tracing off.
/// swift-otel also reads the rest of the standard variables itself (`OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_TIMEOUT`,
/// `OTEL_EXPORTER_OTLP_COMPRESSION`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`, certificates).
enum TracingReader {
    static func read(_ env: [String: String], into config: inout ObservabilityConfig, problem: (String, String) -> Void)
    {
        func value(_ name: String) -> String? {
            env[name].flatMap {
                $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces)
            }
        }
        /// The signal-specific variable wins over the shared one, as the OpenTelemetry specification says.
        func tracesValue(_ suffix: String) -> (name: String, value: String)? {
            if let specific = value("OTEL_EXPORTER_OTLP_TRACES_\(suffix)") {
                return ("OTEL_EXPORTER_OTLP_TRACES_\(suffix)", specific)
            }
            return value("OTEL_EXPORTER_OTLP_\(suffix)").map { ("OTEL_EXPORTER_OTLP_\(suffix)", $0) }
        }

        if let endpoint = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            config.tracesEndpoint = endpoint
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            config.tracesEndpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        }
        if let endpoint = config.tracesEndpoint,
            URL(string: endpoint)?.scheme.map({ ["http", "https"].contains($0) }) != true
                || URL(string: endpoint)?.host == nil
        {
            problem(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "must be an http(s) URL of an OTLP/HTTP collector (e.g. http://collector:4318)")
        }
        if let name = value("OTEL_SERVICE_NAME") { config.serviceName = name }
        if let (name, text) = tracesValue("PROTOCOL"), text != "http/protobuf" {
            problem(name, "must be http/protobuf (the only OTLP protocol DropMate is built with)")
        }
        if let (name, text) = tracesValue("HEADERS") {
            if let headers = parseHeaders(text) {
                config.exportHeaders = headers
            } else {
                problem(name, "must be comma-separated key=value pairs (value not shown: it may be a credential)")
            }
        }
        if let sampler = readSampler(
            name: value("OTEL_TRACES_SAMPLER"), argument: value("OTEL_TRACES_SAMPLER_ARG"), problem: problem)
        {
            config.sampler = sampler
        }
        switch value("OTEL_TRACES_EXPORTER")?.lowercased() {
        case nil, "otlp": break
        case "none": config.tracesEndpoint = nil
        default: problem("OTEL_TRACES_EXPORTER", "must be otlp or none")
        }
        switch value("OTEL_SDK_DISABLED")?.lowercased() {
        case nil, "false": break
        case "true": config.tracesEndpoint = nil
        default: problem("OTEL_SDK_DISABLED", "must be true or false")
        }
    }

    /// `key=value,key2=value2`; keys and values trimmed, values may contain `=`; percent-decoded as the spec says.
    static func parseHeaders(_ text: String) -> [ExportHeader]? {
        var headers: [ExportHeader] = []
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            let value = (parts[1].trimmingCharacters(in: .whitespaces).removingPercentEncoding ?? "")
            guard !name.isEmpty, !value.isEmpty,
                name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }),
                // no header injection
                !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { return nil }
            headers.append(ExportHeader(name: name, value: value))
        }
        return headers
    }

    static func readSampler(name: String?, argument: String?, problem: (String, String) -> Void) -> TraceSampler? {
        guard let name = name?.lowercased() else {
            if argument != nil {
                problem(
                    "OTEL_TRACES_SAMPLER_ARG",
                    "is only read with OTEL_TRACES_SAMPLER=traceidratio or parentbased_traceidratio")
            }
            return nil
        }
        func ratio() -> Double? {
            guard let argument else { return 1.0 }  // the specification's default
            guard let ratio = Double(argument), (0...1).contains(ratio) else {
                problem("OTEL_TRACES_SAMPLER_ARG", "must be a fraction from 0 to 1 (e.g. 0.1 keeps one trace in ten)")
                return nil
            }
            return ratio
        }
        switch name {
        case "always_on": return .alwaysOn
        case "always_off": return .alwaysOff
        case "parentbased_always_on": return .parentBasedAlwaysOn
        case "parentbased_always_off": return .parentBasedAlwaysOff
        case "traceidratio": return ratio().map(TraceSampler.traceIDRatio)
        case "parentbased_traceidratio": return ratio().map(TraceSampler.parentBasedTraceIDRatio)
        default:
            problem("OTEL_TRACES_SAMPLER", "must be one of \(TraceSampler.names.joined(separator: ", "))")
            return nil
        }
    }
}
