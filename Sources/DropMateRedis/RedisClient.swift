import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A small pool of Redis connections, replaced when they drop (a Redis restart, a timeout).
///
/// Commands go round-robin over `poolSize` pipelined connections. Blocking commands
/// (`XREADGROUP … BLOCK`) need a connection of their own: `dedicatedConnection()`.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let slots: Mutex<[RedisConnection?]>
    private let next = Atomic<Int>(0)
    private let logger: Logger

    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.slots = Mutex(Array(repeating: nil, count: configuration.poolSize))
        self.logger = logger
    }

    /// Sends a command on a pooled connection, connecting (again) when needed.
    public func send(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisValue {
        try await connection().send(arguments, timeout: timeout)
    }

    /// Sends a binary-safe command on a pooled connection.
    public func send(bytes arguments: [[UInt8]], timeout: Duration? = nil) async throws -> RedisValue {
        try await connection().send(bytes: arguments, timeout: timeout)
    }

    /// A new connection for the caller alone (close it when done).
    public func dedicatedConnection() async throws -> RedisConnection {
        try await RedisConnection.connect(configuration)
    }

    private func connection() async throws -> RedisConnection {
        let index = abs(next.wrappingAdd(1, ordering: .relaxed).oldValue % configuration.poolSize)
        if let current = slots.withLock({ $0[index] }), current.isActive { return current }
        let fresh = try await RedisConnection.connect(configuration)
        let (kept, surplus) = slots.withLock { slots -> (RedisConnection, RedisConnection?) in
            if let current = slots[index], current.isActive { return (current, fresh) }  // someone reconnected first
            slots[index] = fresh
            return (fresh, nil)
        }
        surplus?.close()
        if surplus == nil { logger.debug("connected to Redis", metadata: ["dropmate.redis_slot": "\(index)"]) }
        return kept
    }

    /// Closes every pooled connection.
    public func shutdown() {
        let connections = slots.withLock { slots in
            defer { slots = Array(repeating: nil, count: slots.count) }
            return slots
        }
        for connection in connections { connection?.close() }
    }
}
