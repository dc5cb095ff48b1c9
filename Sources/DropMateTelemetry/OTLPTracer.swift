import DropMateDataProtection
import Synchronization
import Tracing

/// The identity of a span as W3C Trace Context carries it.
public struct OTLPSpanContext: Sendable, Hashable {
    public var traceID: (high: UInt64, low: UInt64)
    public var spanID: UInt64
    /// The parent's span id (nil for a root span).
    public var parentSpanID: UInt64?
    /// Extracted from an incoming `traceparent`: a parent in another process, not a span of ours.
    public var isRemote: Bool

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.traceID == rhs.traceID && lhs.spanID == rhs.spanID && lhs.parentSpanID == rhs.parentSpanID && lhs.isRemote == rhs.isRemote
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(traceID.high)
        hasher.combine(traceID.low)
        hasher.combine(spanID)
    }

    public var traceIDHex: String { Hex.string(traceID.high) + Hex.string(traceID.low) }
    public var spanIDHex: String { Hex.string(spanID) }
    public var parentSpanIDHex: String? { parentSpanID.map(Hex.string) }

    /// `00-<trace id>-<span id>-01` (always sampled: the exporter sends every span it can).
    public var traceparent: String { "00-\(traceIDHex)-\(spanIDHex)-01" }

    /// Parses a W3C `traceparent` header; nil when it is malformed or carries all-zero ids.
    public init?(traceparent header: some StringProtocol) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts[0] != "00" || parts.count == 4,
              let high = Hex.value(parts[1].prefix(16)), let low = Hex.value(parts[1].suffix(16)), let span = Hex.value(parts[2]),
              high != 0 || low != 0, span != 0
        else { return nil }
        self.init(traceID: (high, low), spanID: span, parentSpanID: nil, isRemote: true)
    }

    public init(traceID: (high: UInt64, low: UInt64), spanID: UInt64, parentSpanID: UInt64?, isRemote: Bool = false) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.isRemote = isRemote
    }
}

enum Hex {
    static func string(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Lowercase hex only, as W3C Trace Context requires.
    static func value(_ text: some StringProtocol) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return UInt64(text, radix: 16)
    }
}

private enum OTLPSpanContextKey: ServiceContextKey {
    typealias Value = OTLPSpanContext
    static var nameOverride: String? { "otlp-span-context" }
}

extension ServiceContext {
    /// The span this context belongs to (ours, or a remote parent from `traceparent`).
    public var otlpSpanContext: OTLPSpanContext? {
        get { self[OTLPSpanContextKey.self] }
        set { self[OTLPSpanContextKey.self] = newValue }
    }
}

/// A tracer that hands finished spans to an `OTLPExporter`, and reads and writes W3C `traceparent` headers.
public final class OTLPTracer: Tracer, Sendable {
    public typealias Span = OTLPSpan
    let exporter: OTLPExporter

    public init(exporter: OTLPExporter) { self.exporter = exporter }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> OTLPSpan {
        var context = context()
        let parent = context.otlpSpanContext
        var generator = SystemRandomNumberGenerator()
        let spanContext = OTLPSpanContext(
            traceID: parent?.traceID ?? (generator.next(), generator.next() | 1), spanID: generator.next() | 1, parentSpanID: parent?.spanID)
        context.otlpSpanContext = spanContext
        return OTLPSpan(name: operationName, kind: kind, context: context, spanContext: spanContext, start: instant().nanosecondsSinceEpoch, exporter: exporter)
    }

    public func forceFlush() { exporter.flushSoon() }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let parent = OTLPSpanContext(traceparent: header) else { return }
        context.otlpSpanContext = parent
    }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let spanContext = context.otlpSpanContext else { return }
        injector.inject(spanContext.traceparent, forKey: "traceparent", into: &carrier)
    }
}

/// One span being recorded; `end()` hands it to the exporter (once).
public final class OTLPSpan: Tracing.Span, Sendable {
    public let context: ServiceContext
    public let spanContext: OTLPSpanContext
    let kind: SpanKind
    let start: UInt64
    let exporter: OTLPExporter

    struct State {
        var name: String
        var attributes = SpanAttributes()
        var status: SpanStatus?
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var ended = false
    }
    private let state: Mutex<State>

    init(name: String, kind: SpanKind, context: ServiceContext, spanContext: OTLPSpanContext, start: UInt64, exporter: OTLPExporter) {
        self.context = context
        self.spanContext = spanContext
        self.kind = kind
        self.start = start
        self.exporter = exporter
        self.state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

    public func addEvent(_ event: SpanEvent) { state.withLock { $0.events.append(event) } }

    public func addLink(_ link: SpanLink) { state.withLock { $0.links.append(link) } }

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = "\(type(of: error))"
        attributes["exception.message"] = PIIMask.phoneNumbers(in: "\(error)")
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let finished: FinishedSpan? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return FinishedSpan(name: state.name, kind: kind, context: spanContext, start: start, end: instant().nanosecondsSinceEpoch,
                                attributes: state.attributes, status: state.status, events: state.events)
        }
        if let finished { exporter.enqueue(finished) }
    }
}

/// A span as the exporter sends it.
struct FinishedSpan: Sendable {
    var name: String
    var kind: SpanKind
    var context: OTLPSpanContext
    var start: UInt64
    var end: UInt64
    var attributes: SpanAttributes
    var status: SpanStatus?
    var events: [SpanEvent]
}
