import DropMateDataProtection
import Foundation
import Logging
import OTel
import Synchronization
import Tracing

/// DropMate's log lines: one JSON object per line (`LOG_FORMAT=json`) or readable text, with the current span's
/// `trace_id`/`span_id` and every phone number masked (`PIIMask.phoneNumbers(in:)`: mainland mobiles and E.164 numbers) in the message and metadata values.
public struct DropMateLogHandler: LogHandler {
    /// Where finished lines go (stderr in the binary; a buffer in tests).
    public struct Sink: Sendable {
        let write: @Sendable ([UInt8]) -> Void

        public init(write: @escaping @Sendable ([UInt8]) -> Void) { self.write = write }

        /// Standard error, one `write(2)` per line so lines from several threads never interleave.
        public static let standardError = Sink { line in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: ObservabilityConfig.LogFormat
    let sink: Sink

    public init(
        label: String, format: ObservabilityConfig.LogFormat, sink: Sink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.format = format
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata, !extra.isEmpty { merged.merge(extra) { _, new in new } }
        let span = ServiceContext.current == nil ? nil : TraceIDs.current()
        let line =
            format == .json
            ? Self.json(
                time: WallClock.nanoseconds(), level: event.level, message: event.message.description, label: label,
                metadata: merged, span: span)
            : Self.text(
                time: WallClock.nanoseconds(), level: event.level, message: event.message.description, label: label,
                metadata: merged, span: span)
        sink.write(line)
    }

    static func json(
        time: UInt64, level: Logger.Level, message: String, label: String, metadata: Logger.Metadata, span: TraceIDs?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONText.append(
            "{\"time\":\"\(WallClock.rfc3339(nanoseconds: time))\",\"level\":\"\(level.rawValue)\",\"message\":",
            to: &out)
        JSONText.appendString(PIIMask.phoneNumbers(in: message), to: &out)
        JSONText.append(",\"label\":", to: &out)
        JSONText.appendString(label, to: &out)
        if let span {
            JSONText.append(",\"trace_id\":\"\(span.traceID)\",\"span_id\":\"\(span.spanID)\"", to: &out)
        }
        for key in metadata.keys.sorted()
        where key != "time" && key != "level" && key != "message" && key != "trace_id" && key != "span_id" {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSON(metadata[key]!, to: &out)
        }
        JSONText.append("}\n", to: &out)
        return out
    }

    static func appendJSON(_ value: Logger.MetadataValue, to out: inout [UInt8]) {
        switch value {
        case .string(let text): JSONText.appendString(PIIMask.phoneNumbers(in: text), to: &out)
        case .stringConvertible(let convertible):
            JSONText.appendString(PIIMask.phoneNumbers(in: convertible.description), to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSON(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            out.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendJSON(dictionary[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func text(
        time: UInt64, level: Logger.Level, message: String, label: String, metadata: Logger.Metadata, span: TraceIDs?
    ) -> [UInt8] {
        var line =
            "\(WallClock.rfc3339(nanoseconds: time)) \(level.rawValue) \(label): \(PIIMask.phoneNumbers(in: message))"
        for key in metadata.keys.sorted() { line += " \(key)=\(PIIMask.phoneNumbers(in: metadata[key]!.description))" }
        if let span { line += " trace_id=\(span.traceID) span_id=\(span.spanID)" }
        line += "\n"
        return Array(line.utf8)
    }
}

extension DropMateLogHandler {
    /// Installs DropMate's handler for every `Logger` of this process, once (later calls do nothing, so tests
    /// and commands that call it twice do not crash).
    public static func bootstrap(format: ObservabilityConfig.LogFormat) {
        _ = bootstrapOnce.withLock { done -> Bool in
            guard !done else { return false }
            done = true
            LoggingSystem.bootstrap { label in DropMateLogHandler(label: label, format: format) }
            return true
        }
    }

    private static let bootstrapOnce = Mutex(false)
}

/// The current span's ids in hex, as swift-otel's metadata provider reports them (nil outside a traced request).
struct TraceIDs: Sendable {
    var traceID: String
    var spanID: String

    private static let provider = OTel.makeLoggingMetadataProvider()

    static func current() -> TraceIDs? {
        let metadata = provider.get()
        guard let trace = metadata["trace_id"]?.description, let span = metadata["span_id"]?.description else {
            return nil
        }
        return TraceIDs(traceID: trace, spanID: span)
    }
}
