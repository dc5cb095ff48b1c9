import Logging
import NIOCore
import NIOPosix

/// Talks to one Redis server (a small pool of pipelined connections, replaced when they drop), or to a Redis
/// Cluster (`configuration.cluster`: each command goes to the master of its key's slot; see `RedisClusterRouter`).
///
/// Blocking commands (`XREADGROUP … BLOCK`) need a connection of their own: `dedicatedConnection(for:)`.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private enum Mode: Sendable {
        case single(RedisNodePool)
        case cluster(RedisClusterRouter)
    }
    private let mode: Mode

    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        mode =
            configuration.cluster
            ? .cluster(RedisClusterRouter(configuration: configuration, logger: logger))
            : .single(RedisNodePool(configuration: configuration, logger: logger))
    }

    /// The cluster's router (nil for one server).
    var router: RedisClusterRouter? {
        if case .cluster(let router) = mode { return router }
        return nil
    }

    /// Whether commands are routed over a Redis Cluster: every script's keys must then share one hash slot.
    public var isCluster: Bool { configuration.cluster }

    /// Sends a command on a pooled connection, connecting (again) when needed.
    public func send(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisValue {
        try await send(bytes: arguments.map { Array($0.utf8) }, timeout: timeout)
    }

    /// Sends a binary-safe command on a pooled connection.
    public func send(bytes arguments: [[UInt8]], timeout: Duration? = nil) async throws -> RedisValue {
        switch mode {
        case .single(let pool): try await pool.connection().send(bytes: arguments, timeout: timeout)
        case .cluster(let router): try await router.send(arguments, timeout: timeout)
        }
    }

    /// A new connection for the caller alone (close it when done): in a cluster, to the master serving `key`
    /// (any node for nil). A connection whose node stops serving the key answers `MOVED`, or drops: close it and
    /// ask again (the map has learned where the key went by then).
    public func dedicatedConnection(for key: String? = nil) async throws -> RedisConnection {
        switch mode {
        case .single: try await RedisConnection.connect(configuration)
        case .cluster(let router): try await router.dedicatedConnection(for: key)
        }
    }

    /// The masters of the cluster as last mapped (the server itself when not a cluster).
    public func masters() async throws -> [RedisEndpoint] {
        switch mode {
        case .single: return [RedisEndpoint(host: configuration.host, port: configuration.port)]
        case .cluster(let router):
            if router.masters.isEmpty { await router.refresh(avoiding: nil) }
            return router.masters
        }
    }

    /// Closes every pooled connection.
    public func shutdown() {
        switch mode {
        case .single(let pool): pool.shutdown()
        case .cluster(let router): router.shutdown()
        }
    }
}
