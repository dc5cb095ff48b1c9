import Foundation

/// Just enough of the protobuf wire format to read an OTLP `ExportTraceServiceRequest`
/// (opentelemetry/proto/collector/trace/v1 and trace/v1, by field number). Independent of swift-otel's generated
/// code on purpose: the test checks what goes over the wire, not what the exporter thinks it wrote.
enum OTLPWire {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    struct Link: Sendable, Equatable {
        var traceID: String
        var spanID: String
    }

    /// One field: its number and its value (varint / fixed as an integer, length-delimited as bytes).
    enum Value {
        case integer(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(Int, Value)] {
        var index = bytes.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.endIndex, shift < 64 else { throw Malformed(description: "truncated varint") }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func fixed(_ count: Int) throws -> UInt64 {
            guard bytes.endIndex - index >= count else { throw Malformed(description: "truncated fixed\(count * 8)") }
            var result: UInt64 = 0
            for offset in 0..<count { result |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
            index += count
            return result
        }
        var out: [(Int, Value)] = []
        while index < bytes.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((number, .integer(try varint())))
            case 1: out.append((number, .integer(try fixed(8))))
            case 5: out.append((number, .integer(try fixed(4))))
            case 2:
                let length = Int(try varint())
                guard length >= 0, bytes.endIndex - index >= length else {
                    throw Malformed(description: "truncated field \(number)")
                }
                out.append((number, .bytes(bytes[index..<index + length])))
                index += length
            default: throw Malformed(description: "wire type \(key & 7) of field \(number)")
            }
        }
        return out
    }

    static func messages(_ bytes: ArraySlice<UInt8>, _ number: Int) throws -> [ArraySlice<UInt8>] {
        try fields(bytes).compactMap { field in
            guard field.0 == number, case .bytes(let value) = field.1 else { return nil }
            return value
        }
    }

    static func string(_ bytes: ArraySlice<UInt8>, _ number: Int) throws -> String? {
        try messages(bytes, number).last.map { String(decoding: $0, as: UTF8.self) }
    }

    static func integer(_ bytes: ArraySlice<UInt8>, _ number: Int) throws -> UInt64? {
        try fields(bytes).last { $0.0 == number }.flatMap { field in
            if case .integer(let value) = field.1 { return value }
            return nil
        }
    }

    static func hex(_ bytes: ArraySlice<UInt8>?) -> String? {
        guard let bytes, !bytes.isEmpty else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// `KeyValue` list → key: value as text (string, bool, int or double).
    static func attributes(_ message: ArraySlice<UInt8>, _ number: Int) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in try messages(message, number) {
            guard let key = try string(pair, 1), let value = try messages(pair, 2).last else { continue }
            for field in try fields(value) {
                switch (field.0, field.1) {
                case (1, .bytes(let text)): out[key] = String(decoding: text, as: UTF8.self)
                case (2, .integer(let flag)): out[key] = flag != 0 ? "true" : "false"
                case (3, .integer(let number)): out[key] = String(Int64(bitPattern: number))
                case (4, .integer(let bits)): out[key] = String(Double(bitPattern: bits))
                default: break
                }
            }
        }
        return out
    }

    /// Every span of an `ExportTraceServiceRequest`, with its resource's `service.name`.
    static func spans(in body: [UInt8]) throws -> [CollectorStandIn.ReceivedSpan] {
        var spans: [CollectorStandIn.ReceivedSpan] = []
        for resourceSpans in try messages(body[...], 1) {
            let resource = try messages(resourceSpans, 1).last
            let service = try resource.flatMap { try attributes($0, 1)["service.name"] }
            for scopeSpans in try messages(resourceSpans, 2) {
                for span in try messages(scopeSpans, 2) {
                    guard let traceID = hex(try messages(span, 1).last), let spanID = hex(try messages(span, 2).last)
                    else {
                        throw Malformed(description: "a span without ids")
                    }
                    var received = CollectorStandIn.ReceivedSpan(
                        name: try string(span, 5) ?? "", traceID: traceID, spanID: spanID,
                        parentSpanID: hex(try messages(span, 4).last),
                        kind: Int(try integer(span, 6) ?? 0), serviceName: service)
                    received.attributes = try attributes(span, 9)
                    received.eventNames = try messages(span, 11).map { try string($0, 2) ?? "" }
                    received.links = try messages(span, 13).map { link in
                        Link(
                            traceID: hex(try messages(link, 1).last) ?? "",
                            spanID: hex(try messages(link, 2).last) ?? "")
                    }
                    received.statusCode = Int(try messages(span, 15).last.flatMap { try integer($0, 3) } ?? 0)
                    spans.append(received)
                }
            }
        }
        return spans
    }
}
