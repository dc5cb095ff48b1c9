import Logging
import Synchronization

/// Sends each command to the Redis Cluster master that serves its key's slot.
///
/// - The slot map comes from `CLUSTER SLOTS`, asked of any node known (the seeds first time). It is loaded on the
///   first command and refreshed when a node redirects or fails (one refresh at a time, at most ten a second).
/// - `MOVED slot host:port`: the slot lives elsewhere for good; the map learns it at once, a full refresh follows in the
///   background, and the command goes to the new owner.
/// - `ASK slot host:port`: the slot is migrating and this key is already there; the command goes there once, right
///   after `ASKING` on the same connection, and the map is left as it is.
/// - `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN` and failed or dropped connections (a master died and its
///   replica is being promoted): the command is tried again, with a growing pause and a fresh map, for
///   `clusterRetryWindow`. A command that timed out is not (as on one server: the node may still run it).
///   A command whose connection dropped may have run before it dropped; DropMate's commands and scripts are written
///   so that running twice is harmless (see docs/REDIS_CLUSTER.md).
final class RedisClusterRouter: Sendable {
    let configuration: RedisConfiguration
    private let logger: Logger

    private struct Topology {
        /// The index in `masters` of each slot's master; `unknown` when no node serves it.
        var owners = [UInt16](repeating: unknown, count: RedisKeySlot.count)
        var masters: [RedisEndpoint] = []
        var lastRefresh = ContinuousClock.now - .seconds(60)
        static let unknown = UInt16.max
    }

    private let topology = Mutex(Topology())
    private let pools = Mutex<[RedisEndpoint: RedisNodePool]>([:])
    private let refreshing = Mutex<Task<Void, any Error>?>(nil)

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `arguments` to the master of its key's slot, following redirects; an error reply is thrown as
    /// `RedisError.server`.
    func send(_ arguments: [[UInt8]], timeout: Duration?) async throws -> RedisValue {
        let slot = RedisKeySlot.of(command: arguments)
        let giveUp = ContinuousClock.now + configuration.clusterRetryWindow
        var asking: RedisEndpoint?
        var redirects = 0
        var pause = Duration.milliseconds(10)
        while true {
            let endpoint: RedisEndpoint
            if let asking { endpoint = asking } else { endpoint = try await owner(of: slot) }
            let value: RedisValue
            do {
                let connection = try await pool(endpoint).connection()
                if asking != nil {
                    let replies = connection.sendAdjacent([[Array("ASKING".utf8)], arguments], timeout: timeout)
                    _ = try await replies[0].futureResult.get()
                    value = try await replies[1].futureResult.get()
                } else {
                    value = try await connection.sendAdjacent([arguments], timeout: timeout)[0].futureResult.get()
                }
            } catch {
                // The node is gone or unreachable (a master died): wait for the cluster to promote its replica.
                // A command that timed out is not sent again: the node is alive but slow and may still run it.
                if case RedisError.timedOut = error { throw error }
                guard ContinuousClock.now < giveUp else { throw error }
                logger.debug(
                    "Redis node failed; refreshing the slot map",
                    metadata: ["dropmate.redis_node": "\(endpoint)", "dropmate.error": "\(error)"])
                asking = nil
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
                await refresh(avoiding: endpoint)
                continue
            }
            asking = nil
            guard case .error(let message) = value else { return value }
            switch RedisRedirect(message) {
            case .moved(let movedSlot, let target)?:
                redirects += 1
                guard redirects <= 16 else { throw RedisError.server(message) }
                learn(slot: movedSlot, owner: target)
                refreshSoon()
            case .ask(let target)?:
                redirects += 1
                guard redirects <= 16 else { throw RedisError.server(message) }
                asking = target
            case .retryLater?:
                guard ContinuousClock.now < giveUp else { throw RedisError.server(message) }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
                if message.hasPrefix("CLUSTERDOWN") || message.hasPrefix("MASTERDOWN") { await refresh(avoiding: nil) }
            case nil:
                throw RedisError.server(message)
            }
        }
    }

    /// A new connection of the caller's own to the master of `key`'s slot (any node for nil).
    func dedicatedConnection(for key: String?) async throws -> RedisConnection {
        let slot = key.map { RedisKeySlot.of($0) }
        let giveUp = ContinuousClock.now + configuration.clusterRetryWindow
        var pause = Duration.milliseconds(10)
        while true {
            let endpoint = try await owner(of: slot)
            do {
                return try await RedisConnection.connect(
                    configuration.node(endpoint),
                    onRedirect: { [weak self] message in
                        guard let self, case .moved(let slot, let target)? = RedisRedirect(message) else { return }
                        learn(slot: slot, owner: target)
                        refreshSoon()
                    })
            } catch {
                guard ContinuousClock.now < giveUp else { throw error }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
                await refresh(avoiding: endpoint)
            }
        }
    }

    /// Every master the map knows.
    var masters: [RedisEndpoint] { topology.withLock { $0.masters } }

    func shutdown() {
        refreshing.withLock { $0?.cancel() }
        let all = pools.withLock { pools in
            defer { pools = [:] }
            return Array(pools.values)
        }
        all.forEach { $0.shutdown() }
    }

    // MARK: - The slot map

    private func owner(of slot: Int?) async throws -> RedisEndpoint {
        if let endpoint = known(slot) { return endpoint }
        await refresh(avoiding: nil)
        if let endpoint = known(slot) { return endpoint }
        // No node claims the slot (the cluster is being set up or lost a master for good): ask a node anyway;
        // it answers CLUSTERDOWN or MOVED, and the command is retried.
        return topology.withLock { $0.masters.first } ?? configuration.seeds[0]
    }

    /// The master the map names for `slot`.
    func endpoint(ofSlot slot: Int) -> RedisEndpoint? { known(slot) }

    private func known(_ slot: Int?) -> RedisEndpoint? {
        topology.withLock { topology in
            guard let slot else { return topology.masters.first }
            let index = topology.owners[slot]
            return index == Topology.unknown ? nil : topology.masters[Int(index)]
        }
    }

    private func learn(slot: Int, owner: RedisEndpoint) {
        guard (0..<RedisKeySlot.count).contains(slot) else { return }
        topology.withLock { topology in
            if let index = topology.masters.firstIndex(of: owner) {
                topology.owners[slot] = UInt16(index)
            } else {
                topology.masters.append(owner)
                topology.owners[slot] = UInt16(topology.masters.count - 1)
            }
        }
    }

    private func pool(_ endpoint: RedisEndpoint) -> RedisNodePool {
        pools.withLock { pools in
            if let pool = pools[endpoint] { return pool }
            let pool = RedisNodePool(configuration: configuration.node(endpoint), logger: logger)
            pools[endpoint] = pool
            return pool
        }
    }

    /// Refreshes the map in the background (after a `MOVED`).
    private func refreshSoon() {
        Task { await refresh(avoiding: nil) }
    }

    /// Loads the slot map from the first node that answers, `avoiding` last. One refresh runs at a time; callers
    /// arriving while it runs wait for it; a refresh within 100 ms of the last one is skipped.
    func refresh(avoiding failed: RedisEndpoint?) async {
        let task: Task<Void, any Error> = refreshing.withLock { running in
            if let running { return running }
            let task = Task { [self] in
                defer { refreshing.withLock { $0 = nil } }
                guard ContinuousClock.now - topology.withLock({ $0.lastRefresh }) >= .milliseconds(100) else { return }
                try await load(avoiding: failed)
            }
            running = task
            return task
        }
        do { try await task.value } catch {
            logger.warning("could not load the Redis Cluster slot map", metadata: ["dropmate.error": "\(error)"])
        }
    }

    private func load(avoiding failed: RedisEndpoint?) async throws {
        var candidates = topology.withLock { $0.masters }
        for seed in configuration.seeds where !candidates.contains(seed) { candidates.append(seed) }
        if let failed, let index = candidates.firstIndex(of: failed) { candidates.append(candidates.remove(at: index)) }
        var lastError: (any Error)?
        for candidate in candidates {
            do {
                let connection = try await pool(candidate).connection()
                let reply = try await connection.send(["CLUSTER", "SLOTS"], timeout: .seconds(2))
                let map = try Self.parseSlots(reply, askedAt: candidate)
                install(map)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisError.connectionClosed
    }

    private func install(_ ranges: [(range: ClosedRange<Int>, master: RedisEndpoint)]) {
        var fresh = Topology()
        for (range, master) in ranges {
            let index: Int
            if let known = fresh.masters.firstIndex(of: master) {
                index = known
            } else {
                fresh.masters.append(master)
                index = fresh.masters.count - 1
            }
            for slot in range { fresh.owners[slot] = UInt16(index) }
        }
        fresh.lastRefresh = .now
        let (changed, gone): (Bool, [RedisEndpoint]) = topology.withLock { topology in
            let changed = topology.owners != fresh.owners || topology.masters != fresh.masters
            let gone = topology.masters.filter { !fresh.masters.contains($0) }
            topology = fresh
            return (changed, gone)
        }
        if changed {
            logger.info(
                "Redis Cluster slot map loaded",
                metadata: ["dropmate.redis_masters": "\(fresh.masters.map(\.description).joined(separator: ","))"])
        }
        // Pools of nodes that serve no slot any more (a master that died or became a replica) are closed.
        let closed = pools.withLock { pools in gone.compactMap { pools.removeValue(forKey: $0) } }
        closed.forEach { $0.shutdown() }
    }

    /// `CLUSTER SLOTS`: `[[start, end, [host, port, id, …], replicas…], …]`. An empty host means the node asked.
    static func parseSlots(
        _ reply: RedisValue, askedAt: RedisEndpoint
    ) throws -> [(range: ClosedRange<Int>, master: RedisEndpoint)] {
        guard let entries = reply.array else { throw RedisError.protocolError("CLUSTER SLOTS did not answer an array") }
        return try entries.map { entry in
            guard let parts = entry.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                0 <= start, start <= end, end < RedisKeySlot.count,
                let node = parts[2].array, node.count >= 2, let host = node[0].string, let port = node[1].integer
            else {
                throw RedisError.protocolError("CLUSTER SLOTS answered an entry it should not")
            }
            let endpoint = RedisEndpoint(host: host.isEmpty || host == "?" ? askedAt.host : host, port: Int(port))
            return (Int(start)...Int(end), endpoint)
        }
    }
}

/// What a cluster's error reply asks of the client.
enum RedisRedirect: Equatable {
    case moved(slot: Int, to: RedisEndpoint)
    case ask(to: RedisEndpoint)
    /// The cluster cannot serve the command now (a failover, a migration): try again shortly.
    case retryLater

    init?(_ message: String) {
        let words = message.split(separator: " ")
        switch words.first {
        case "MOVED", "ASK":
            guard words.count == 3, let slot = Int(words[1]), let colon = words[2].lastIndex(of: ":"),
                let port = Int(words[2][words[2].index(after: colon)...])
            else { return nil }
            var host = String(words[2][..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let target = RedisEndpoint(host: host, port: port)
            self = words.first == "MOVED" ? .moved(slot: slot, to: target) : .ask(to: target)
        case "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
            self = .retryLater
        default:
            return nil
        }
    }
}
