/// A Redis reply (RESP2).
public enum RedisValue: Sendable, Hashable {
    /// `+OK`-style status.
    case status(String)
    /// A bulk string: binary-safe bytes.
    case bulk([UInt8])
    case integer(Int64)
    case array([RedisValue])
    /// A nil bulk string or nil array.
    case null
    /// An error reply (`-ERR …`); `RedisClient.send` throws these as `RedisError.server`.
    case error(String)

    /// The value as text (status or UTF-8 bulk string).
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }
}

/// What can go wrong talking to Redis. Messages never include passwords.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis answered with an error reply.
    case server(String)
    /// The reply stream could not be parsed (the connection is closed).
    case protocolError(String)
    case connectionClosed
    case timedOut
    case invalidURL(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis error: \(message)"
        case .protocolError(let message): "Redis protocol error: \(message)"
        case .connectionClosed: "Redis connection closed"
        case .timedOut: "Redis command timed out"
        case .invalidURL(let reason): "REDIS_URL is not a usable redis:// or rediss:// URL: \(reason)"
        }
    }
}
