import Foundation
import Logging
import Testing

@testable import DropMateRedis

/// The Redis Cluster REDIS_URL names, if it names one.
enum TestRedisCluster {
    static let configuration: RedisConfiguration? = TestRedis.configuration.flatMap { $0.cluster ? $0 : nil }
}

/// Against a real Redis Cluster (`WITH_SERVICES_REDIS_CLUSTER=1 scripts/with-services …`: three masters on loopback).
@Suite(.enabled(if: TestRedisCluster.configuration != nil, "REDIS_URL names no Redis Cluster"), .serialized)
struct RedisClusterTests {
    static var configuration: RedisConfiguration? { TestRedisCluster.configuration }

    func client() -> RedisClient { RedisClient(configuration: Self.configuration!, logger: Logger(label: "test")) }

    /// A plain connection to one node, to look behind the client's back.
    func direct(_ endpoint: RedisEndpoint) async throws -> RedisConnection {
        try await RedisConnection.connect(Self.configuration!.node(endpoint))
    }

    /// Each slot range's master and node id, as the cluster itself says.
    func slotOwners() async throws -> [(range: ClosedRange<Int>, master: RedisEndpoint, id: String)] {
        let seed = try await direct(Self.configuration!.seeds[0])
        defer { seed.close() }
        let reply = try await seed.send(["CLUSTER", "SLOTS"]).array ?? []
        return reply.compactMap { entry in
            guard let parts = entry.array, let start = parts[0].integer, let end = parts[1].integer,
                let node = parts[2].array,
                let host = node[0].string, let port = node[1].integer, let id = node[2].string
            else { return nil }
            return (Int(start)...Int(end), RedisEndpoint(host: host, port: Int(port)), id)
        }
    }

    func owner(ofSlot slot: Int) async throws -> (master: RedisEndpoint, id: String) {
        let entry = try #require(try await slotOwners().first { $0.range.contains(slot) })
        return (entry.master, entry.id)
    }

    @Test func slotsAreComputedAsTheClusterComputesThem() async throws {
        let seed = try await direct(Self.configuration!.seeds[0])
        defer { seed.close() }
        let keys =
            (0..<300).map { "k\($0):\(UUID().uuidString)" } + [
                "dm:{oAbc}:lock", "{a}", "x{}y", "{{z}}", "é{ü}", "tag{only}rest",
            ]
        for key in keys {
            #expect(try await seed.send(["CLUSTER", "KEYSLOT", key]).integer == Int64(RedisKeySlot.of(key)), "\(key)")
        }
    }

    @Test func everyCommandLandsOnTheMasterOfItsKeysSlot() async throws {
        let redis = client()
        defer { redis.shutdown() }
        let keys = (0..<200).map { "test:route:\($0):\(UUID().uuidString)" }
        for key in keys { _ = try await redis.send(["SET", key, key, "EX", "60"]) }
        let owners = try await slotOwners()
        #expect(Set(owners.map(\.master)).count >= 3, "three masters share the slots")
        var used: Set<RedisEndpoint> = []
        var connections: [RedisEndpoint: RedisConnection] = [:]
        defer { connections.values.forEach { $0.close() } }
        for key in keys {
            let master = try #require(owners.first { $0.range.contains(RedisKeySlot.of(key)) }).master
            used.insert(master)
            if connections[master] == nil { connections[master] = try await direct(master) }
            #expect(
                try await connections[master]!.send(["GET", key]).string == key, "the key lives on its slot's master")
            #expect(try await redis.send(["GET", key]).string == key)
        }
        #expect(used.count == Set(owners.map(\.master)).count, "200 keys reach every master")
    }

    @Test func scriptsWithOneHashTagRunAndCrossSlotScriptsFail() async throws {
        let redis = client()
        defer { redis.shutdown() }
        let tag = "{test:\(UUID().uuidString)}"
        let script = RedisScript(
            "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('MGET', KEYS[1], KEYS[2])"
        )
        let reply = try await redis.run(script, keys: [tag + ":a", tag + ":b"], arguments: ["v"])
        #expect(reply == .array([.bulk(Array("v".utf8)), .bulk(Array("v".utf8))]))
        await #expect(throws: RedisError.self) {
            _ = try await redis.run(
                script, keys: ["foo:\(UUID().uuidString)", "bar:\(UUID().uuidString)", "baz"], arguments: ["v"])
        }
    }

    @Test func movedIsFollowedAndTheSlotMapLearnsTheNewOwner() async throws {
        let redis = client()
        defer { redis.shutdown() }
        let key = "test:moved:\(UUID().uuidString)"
        let slot = RedisKeySlot.of(key)
        _ = try await redis.send(["SET", key, "before", "EX", "60"])  // the client has mapped the slot
        let from = try await owner(ofSlot: slot)
        let to = try #require(try await slotOwners().first { $0.master != from.master })
        try await moveSlot(slot, from: from, to: (to.master, to.id))
        #expect(
            try await redis.send(["GET", key]).string == "before",
            "MOVED: the command follows the slot to its new master")
        _ = try await redis.send(["SET", key, "after", "EX", "60"])
        let target = try await direct(to.master)
        defer { target.close() }
        #expect(try await target.send(["GET", key]).string == "after")
        try await Task.sleep(for: .milliseconds(300))  // the background refresh
        let router = try #require(redis.router)
        #expect(router.endpoint(ofSlot: slot) == to.master, "the map learned where the slot went")
        try await moveSlot(slot, from: (to.master, to.id), to: from)
    }

    @Test func askIsFollowedWhileASlotMigrates() async throws {
        let redis = client()
        defer { redis.shutdown() }
        let tag = "{test:ask:\(UUID().uuidString)}"
        let moved = tag + ":moved", stays = tag + ":stays"
        let slot = RedisKeySlot.of(tag + ":x")
        _ = try await redis.send(["SET", moved, "migrated", "EX", "60"])
        _ = try await redis.send(["SET", stays, "not yet", "EX", "60"])
        let from = try await owner(ofSlot: slot)
        let to = try #require(try await slotOwners().first { $0.master != from.master })
        let source = try await direct(from.master), target = try await direct(to.master)
        defer { source.close(); target.close() }
        _ = try await target.send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", from.id])
        _ = try await source.send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id])
        _ = try await source.send(["MIGRATE", to.master.host, String(to.master.port), moved, "0", "5000"])
        #expect(
            try await redis.send(["GET", moved]).string == "migrated", "ASK: read from the importing node after ASKING")
        #expect(try await redis.send(["GET", stays]).string == "not yet", "a key not moved yet is served where it was")
        #expect(redis.router?.endpoint(ofSlot: slot) == from.master, "ASK leaves the map as it is")
        // Finish the migration, then move the slot back where it was.
        try await moveSlot(slot, from: from, to: (to.master, to.id))
        #expect(try await redis.send(["GET", stays]).string == "not yet", "MOVED once the migration is done")
        try await moveSlot(slot, from: (to.master, to.id), to: from)
        #expect(try await redis.send(["GET", moved]).string == "migrated")
    }

    /// Moves every key of `slot` and the slot itself from one master to another, as `redis-cli --cluster reshard` does.
    func moveSlot(
        _ slot: Int, from: (master: RedisEndpoint, id: String), to: (master: RedisEndpoint, id: String)
    ) async throws {
        let source = try await direct(from.master), target = try await direct(to.master)
        defer { source.close(); target.close() }
        _ = try await target.send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", from.id])
        _ = try await source.send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id])
        while true {
            let keys =
                try await source.send(["CLUSTER", "GETKEYSINSLOT", String(slot), "100"]).array?.compactMap(\.string)
                ?? []
            if keys.isEmpty { break }
            _ = try await source.send(
                ["MIGRATE", to.master.host, String(to.master.port), "", "0", "5000", "KEYS"] + keys)
        }
        // The new owner first, then the old one, then the others (as the cluster specification orders it).
        let others = try await Set(slotOwners().map(\.master)).subtracting([to.master, from.master])
        for endpoint in [to.master, from.master] + others {
            let connection = try await direct(endpoint)
            _ = try await connection.send(["CLUSTER", "SETSLOT", String(slot), "NODE", to.id])
            connection.close()
        }
    }
}
