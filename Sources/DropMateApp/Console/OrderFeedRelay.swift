import DropMateEngine
import DropMateRedis
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Carries order changes between replicas through a Redis stream, so a board open on one replica follows orders
/// committed on another. Costs nothing while no console is open anywhere: each replica with an open event stream
/// keeps a "someone is listening" key alive (30 s), and changes are added to the stream (`XADD … MAXLEN ~ 1000`,
/// from a task of its own, never on the commit path) only while that key exists. Each replica with a listener of its
/// own reads the stream (`XREAD BLOCK` on a dedicated connection) and publishes what other replicas added.
final class OrderFeedRelay: Service, Sendable {
    let feed: OrderFeed
    let redis: RedisClient
    let stream: String
    let listeningKey: String
    let logger: Logger
    /// Some replica has an open console (read from Redis every `checkEvery`).
    private let anyoneListening = Atomic<Bool>(false)
    let checkEvery: Duration

    init(feed: OrderFeed, redis: RedisClient, keyPrefix: String, checkEvery: Duration = .seconds(2), logger: Logger) {
        self.feed = feed
        self.redis = redis
        self.stream = keyPrefix + "console:orders"
        self.listeningKey = keyPrefix + "console:listening"
        self.checkEvery = checkEvery
        self.logger = logger
    }

    func run() async throws {
        feed.forward { [self] ids in
            guard anyoneListening.load(ordering: .relaxed), !ids.isEmpty else { return }
            let list = ids.map(String.init).joined(separator: ",")
            Task { [redis, stream, feed] in
                _ = try? await redis.send(
                    ["XADD", stream, "MAXLEN", "~", "1000", "*", "origin", feed.epoch, "orders", list],
                    timeout: .seconds(2))
            }
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.watchListeners() }
                group.addTask { await self.read() }
            }
        }
    }

    /// Says whether this replica listens, and learns whether any does.
    func watchListeners() async {
        while !Task.isCancelled {
            do {
                if feed.subscriberCount > 0 {
                    _ = try await redis.send(["SET", listeningKey, "1", "EX", "30"])
                    anyoneListening.store(true, ordering: .relaxed)
                } else {
                    anyoneListening.store(!(try await redis.send(["EXISTS", listeningKey])).isZero, ordering: .relaxed)
                }
            } catch {
                logger.debug("console relay: Redis unavailable", metadata: ["dropmate.error": "\(error)"])
            }
            try? await Task.sleep(for: checkEvery)
        }
    }

    /// Reads other replicas' changes while this one has a listener.
    func read() async {
        var connection: RedisConnection?
        var last = "$"
        defer { connection?.close() }
        while !Task.isCancelled {
            guard feed.subscriberCount > 0 else {
                connection?.close()
                connection = nil
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            do {
                if connection == nil {
                    connection = try await redis.dedicatedConnection(for: stream)
                    last = "$"
                }
                let reply = try await connection!.send(
                    ["XREAD", "COUNT", "200", "BLOCK", "1000", "STREAMS", stream, last], timeout: .seconds(5))
                for entry in Self.entries(reply) {
                    last = entry.id
                    guard entry.origin != feed.epoch else { continue }
                    feed.publish(entry.orders, relayed: true)
                }
            } catch {
                logger.warning(
                    "console relay: reading the order stream failed; retrying", metadata: ["dropmate.error": "\(error)"]
                )
                connection?.close()
                connection = nil
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    struct Entry: Equatable { var id: String; var origin: String; var orders: [Int64] }

    /// The entries of an `XREAD` reply (`[[stream, [[id, [field, value, …]], …]]]`; null when nothing came).
    static func entries(_ reply: RedisValue) -> [Entry] {
        guard let streams = reply.array else { return [] }
        var found: [Entry] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2, let items = parts[1].array else { continue }
            for item in items {
                guard let pair = item.array, pair.count == 2, let id = pair[0].string, let fields = pair[1].array else {
                    continue
                }
                var values: [String: String] = [:]
                var index = 0
                while index + 1 < fields.count {
                    if let name = fields[index].string { values[name] = fields[index + 1].string }
                    index += 2
                }
                let orders = (values["orders"] ?? "").split(separator: ",").compactMap { Int64($0) }
                found.append(Entry(id: id, origin: values["origin"] ?? "", orders: orders))
            }
        }
        return found
    }
}

private extension RedisValue {
    var isZero: Bool { integer == 0 }
}
