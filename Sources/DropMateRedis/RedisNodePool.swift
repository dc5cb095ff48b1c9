import Logging
import Synchronization

/// A small pool of pipelined connections to one Redis server, replaced when they drop (a restart, a timeout).
/// Commands go round-robin over `poolSize` connections.
final class RedisNodePool: Sendable {
    let configuration: RedisConfiguration
    private let slots: Mutex<[RedisConnection?]>
    private let next = Atomic<Int>(0)
    private let logger: Logger

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.slots = Mutex(Array(repeating: nil, count: configuration.poolSize))
        self.logger = logger
    }

    /// A pooled connection, connecting (again) when needed.
    func connection() async throws -> RedisConnection {
        let index = abs(next.wrappingAdd(1, ordering: .relaxed).oldValue % configuration.poolSize)
        if let current = slots.withLock({ $0[index] }), current.isActive { return current }
        let fresh = try await RedisConnection.connect(configuration)
        let (kept, surplus) = slots.withLock { slots -> (RedisConnection, RedisConnection?) in
            if let current = slots[index], current.isActive { return (current, fresh) }  // someone reconnected first
            slots[index] = fresh
            return (fresh, nil)
        }
        surplus?.close()
        if surplus == nil {
            logger.debug("connected to Redis", metadata: ["dropmate.redis_node": "\(configuration.host):\(configuration.port)", "dropmate.redis_slot": "\(index)"])
        }
        return kept
    }

    /// Closes every pooled connection.
    func shutdown() {
        let connections = slots.withLock { slots in
            defer { slots = Array(repeating: nil, count: slots.count) }
            return slots
        }
        for connection in connections { connection?.close() }
    }
}
