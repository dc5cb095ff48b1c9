import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A small pool of pipelined connections to one Redis server, replaced when they drop (a restart, a timeout).
///
/// Each connection lives on one of the process's event loops, and a caller on an event loop (every request
/// handler is: Swift concurrency runs on NIO's loops) gets one of *its* loop's connections, round-robin among them.
/// The command is then written without a hop to another thread, its reply is read on the same thread, and the task
/// awaiting it resumes there: crossing threads (a wake-up through eventfd and the scheduler) cost more than the
/// command itself. A caller on no loop gets any connection, round-robin.
final class RedisNodePool: Sendable {
    let configuration: RedisConfiguration
    private let slots: Mutex<[RedisConnection?]>
    private let next = Atomic<Int>(0)
    private let logger: Logger
    /// The loops connections live on; slot `i` belongs to `loops[i / perLoop]`. `poolSize` rounded up to a multiple of the
    /// loops' count: every loop gets as many.
    private let loops: [any EventLoop]
    private let perLoop: Int
    /// Which loop index an event loop has, by identity.
    private let loopIndex: [ObjectIdentifier: Int]

    init(configuration: RedisConfiguration, group: MultiThreadedEventLoopGroup = .singleton, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let loops = Array(group.makeIterator())
        self.loops = loops
        // at least poolSize in all
        self.perLoop = max(1, (configuration.poolSize + loops.count - 1) / max(1, loops.count))
        self.loopIndex = Dictionary(uniqueKeysWithValues: loops.enumerated().map { (ObjectIdentifier($1), $0) })
        self.slots = Mutex(Array(repeating: nil, count: perLoop * loops.count))
    }

    /// A pooled connection on the caller's event loop when it is on one of ours, connecting (again) when needed.
    func connection() async throws -> RedisConnection {
        try await connection(slot: slot(on: MultiThreadedEventLoopGroup.currentEventLoop))
    }

    /// The next slot for a caller on `loop`: one of that loop's when it is ours, else any.
    func slot(on loop: (any EventLoop)?) -> Int {
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue
        if let loop, let owner = loopIndex[ObjectIdentifier(loop)] { return owner * perLoop + abs(turn % perLoop) }
        return abs(turn % (perLoop * loops.count))
    }

    /// The connection in slot `index` (living on the slot's loop), connecting (again) when needed.
    func connection(slot index: Int) async throws -> RedisConnection {
        if let current = slots.withLock({ $0[index] }), current.isActive { return current }
        let fresh = try await RedisConnection.connect(configuration, group: loops[index / perLoop])
        let (kept, surplus) = slots.withLock { slots -> (RedisConnection, RedisConnection?) in
            if let current = slots[index], current.isActive { return (current, fresh) }  // someone reconnected first
            slots[index] = fresh
            return (fresh, nil)
        }
        surplus?.close()
        if surplus == nil {
            logger.debug(
                "connected to Redis",
                metadata: [
                    "dropmate.redis_node": "\(configuration.host):\(configuration.port)",
                    "dropmate.redis_slot": "\(index)",
                ])
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
