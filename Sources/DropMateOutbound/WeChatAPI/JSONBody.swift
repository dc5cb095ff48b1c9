import DropMateTelemetry

/// A JSON request body for WeChat's API, written straight to UTF-8 without Foundation.
///
/// Objects keep their keys in the order written, so a body reads the same in a log or a test as in the code
/// that built it. Every push builds one, which is why this is not `JSONSerialization` over `[String: Any]`
/// (dynamic casts and bridging cost more than the rest of building the request).
public indirect enum JSONBody: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case array([JSONBody])
    case object([Member])

    /// One `"key": value` of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONBody
    }

    /// The body as UTF-8 bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    /// The body as text (for logs and tests).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .string(let value): JSONText.appendString(value, to: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONBody: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONBody...) { self = .array(elements) }
    public init(dictionaryLiteral members: (String, JSONBody)...) {
        self = .object(members.map { Member(key: $0.0, value: $0.1) })
    }
}
