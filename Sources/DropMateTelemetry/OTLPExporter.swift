import CoreMetrics
import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Tracing

/// Sends finished spans to an OTLP/HTTP collector as OTLP JSON (`POST …/v1/traces`), in batches, from a
/// background service. Ending a span never waits: the buffer is bounded, and when it is full (the collector
/// is slow or down) new spans are dropped and counted (`dropmate_trace_spans_dropped_total`).
public final class OTLPExporter: Service, Sendable {
    let endpoint: String
    let serviceName: String
    /// nil: the exporter makes a client of its own when it starts running and shuts it down when it stops.
    let http: HTTPClient?
    let capacity: Int
    let batchSize: Int
    let interval: Duration
    let logger: Logger
    let dropped: any CounterHandler

    private struct Buffer {
        var spans: [FinishedSpan] = []
        var droppedTotal = 0
        var lastWarning: ContinuousClock.Instant?
    }
    private let buffer = Mutex(Buffer())
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>

    /// `http`: the client to send with; nil (the default) gives the exporter a client of its own while it runs.
    public init(endpoint: String, serviceName: String, http: HTTPClient? = nil, capacity: Int = 4096, batchSize: Int = 512,
                interval: Duration = .seconds(2), metrics: AppMetrics = .disabled, logger: Logger) {
        self.endpoint = endpoint
        self.serviceName = serviceName
        self.http = http
        self.capacity = capacity
        self.batchSize = batchSize
        self.interval = interval
        self.logger = logger
        self.dropped = metrics.droppedSpans
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Spans dropped so far (buffer full, or the collector refused a batch).
    public var droppedSpans: Int { buffer.withLock { $0.droppedTotal } }

    func enqueue(_ span: FinishedSpan) {
        let (accepted, full) = buffer.withLock { buffer -> (Bool, Bool) in
            guard buffer.spans.count < capacity else {
                buffer.droppedTotal += 1
                return (false, true)
            }
            buffer.spans.append(span)
            return (true, buffer.spans.count >= batchSize)
        }
        if !accepted { dropped.increment(by: 1) }
        if full { wakeUp.yield() }
    }

    /// Asks the background service to send what it holds now rather than at the next interval.
    func flushSoon() { wakeUp.yield() }

    public func run() async throws {
        let client = http ?? Self.makeClient()
        let timer = Task { [wakeUp, interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                wakeUp.yield()
            }
        }
        await cancelWhenGracefulShutdown {
            for await _ in self.wakeUps {
                await self.sendAll(client)
            }
        }
        timer.cancel()
        await sendAll(client)  // what was left at shutdown
        if http == nil { try? await client.shutdown() }
    }

    private static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.tracing.tracer = nil  // exporting spans must not make spans
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends everything buffered, a batch at a time.
    func sendAll(_ http: HTTPClient) async {
        while true {
            let batch = buffer.withLock { buffer -> [FinishedSpan] in
                let batch = Array(buffer.spans.prefix(batchSize))
                buffer.spans.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            await send(batch, http: http)
        }
    }

    private func send(_ batch: [FinishedSpan], http: HTTPClient) async {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: OTLPJSON.encode(batch, serviceName: serviceName)))
        var failure: String?
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 16)
            if !(200..<300).contains(response.status.code) { failure = "HTTP \(response.status.code)" }
        } catch {
            failure = "\(type(of: error))"
        }
        guard let failure else { return }
        let warn = buffer.withLock { buffer -> Bool in
            buffer.droppedTotal += batch.count
            let now = ContinuousClock.now
            guard buffer.lastWarning.map({ now - $0 > .seconds(60) }) ?? true else { return false }
            buffer.lastWarning = now
            return true
        }
        dropped.increment(by: Int64(batch.count))
        if warn {
            logger.warning("could not export spans; dropping them", metadata: ["dropmate.reason": "\(failure)", "dropmate.spans": "\(batch.count)"])
        }
    }
}

/// The OTLP protobuf JSON mapping of `ExportTraceServiceRequest` (ids in hex, 64-bit numbers as strings).
enum OTLPJSON {
    static func encode(_ spans: [FinishedSpan], serviceName: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(300 * spans.count + 300)
        JSONText.append("{\"resourceSpans\":[{\"resource\":{\"attributes\":[", to: &out)
        appendAttribute("service.name", .string(serviceName), to: &out)
        out.append(UInt8(ascii: ","))
        appendAttribute("telemetry.sdk.language", .string("swift"), to: &out)
        out.append(UInt8(ascii: ","))
        appendAttribute("telemetry.sdk.name", .string("dropmate"), to: &out)
        JSONText.append("]},\"scopeSpans\":[{\"scope\":{\"name\":\"dropmate\"},\"spans\":[", to: &out)
        for (index, span) in spans.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendSpan(span, to: &out)
        }
        JSONText.append("]}]}]}", to: &out)
        return out
    }

    static func appendSpan(_ span: FinishedSpan, to out: inout [UInt8]) {
        JSONText.append("{\"traceId\":\"\(span.context.traceIDHex)\",\"spanId\":\"\(span.context.spanIDHex)\"", to: &out)
        if let parent = span.context.parentSpanIDHex { JSONText.append(",\"parentSpanId\":\"\(parent)\"", to: &out) }
        JSONText.append(",\"name\":", to: &out)
        JSONText.appendString(span.name, to: &out)
        JSONText.append(",\"kind\":\(kindNumber(span.kind)),\"startTimeUnixNano\":\"\(span.start)\",\"endTimeUnixNano\":\"\(max(span.end, span.start))\"", to: &out)
        JSONText.append(",\"attributes\":[", to: &out)
        appendAttributes(span.attributes, to: &out)
        out.append(UInt8(ascii: "]"))
        if !span.events.isEmpty {
            JSONText.append(",\"events\":[", to: &out)
            for (index, event) in span.events.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append("{\"timeUnixNano\":\"\(event.nanosecondsSinceEpoch)\",\"name\":", to: &out)
                JSONText.appendString(event.name, to: &out)
                JSONText.append(",\"attributes\":[", to: &out)
                appendAttributes(event.attributes, to: &out)
                JSONText.append("]}", to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let status = span.status {
            JSONText.append(",\"status\":{\"code\":\(status.code == .ok ? 1 : 2)", to: &out)
            if let message = status.message {
                JSONText.append(",\"message\":", to: &out)
                JSONText.appendString(message, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// SPAN_KIND_INTERNAL = 1, SERVER = 2, CLIENT = 3, PRODUCER = 4, CONSUMER = 5.
    static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        default: 1
        }
    }

    static func appendAttributes(_ attributes: SpanAttributes, to out: inout [UInt8]) {
        var first = true
        attributes.forEach { key, value in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendAttribute(key, value, to: &out)
        }
    }

    static func appendAttribute(_ key: String, _ value: SpanAttribute, to out: inout [UInt8]) {
        JSONText.append("{\"key\":", to: &out)
        JSONText.appendString(key, to: &out)
        JSONText.append(",\"value\":", to: &out)
        appendValue(value, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    static func appendValue(_ value: SpanAttribute, to out: inout [UInt8]) {
        func array(_ values: [SpanAttribute]) {
            JSONText.append("{\"arrayValue\":{\"values\":[", to: &out)
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(element, to: &out)
            }
            JSONText.append("]}}", to: &out)
        }
        switch value {
        case .int32(let number): JSONText.append("{\"intValue\":\"\(number)\"}", to: &out)
        case .int64(let number): JSONText.append("{\"intValue\":\"\(number)\"}", to: &out)
        case .double(let number) where number.isFinite: JSONText.append("{\"doubleValue\":\(number)}", to: &out)
        case .bool(let flag): JSONText.append("{\"boolValue\":\(flag)}", to: &out)
        case .string(let text):
            JSONText.append("{\"stringValue\":", to: &out)
            JSONText.appendString(text, to: &out)
            out.append(UInt8(ascii: "}"))
        case .int32Array(let values): array(values.map { .int32($0) })
        case .int64Array(let values): array(values.map { .int64($0) })
        case .doubleArray(let values): array(values.map { .double($0) })
        case .boolArray(let values): array(values.map { .bool($0) })
        case .stringArray(let values): array(values.map { .string($0) })
        case .stringConvertible(let convertible):
            JSONText.append("{\"stringValue\":", to: &out)
            JSONText.appendString(convertible.description, to: &out)
            out.append(UInt8(ascii: "}"))
        case .stringConvertibleArray(let values): array(values.map { .string($0.description) })
        default:
            JSONText.append("{\"stringValue\":\"\"}", to: &out)
        }
    }
}
