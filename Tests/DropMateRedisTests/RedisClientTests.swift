import DropMateRedis
import Foundation
import Logging
import Testing

/// The Redis the tests may use: scripts/with-services starts one and sets REDIS_URL.
enum TestRedis {
    static let url = ProcessInfo.processInfo.environment["REDIS_URL"]

    /// REDIS_URL's configuration, trusting REDIS_TLS_CA_FILE's authorities for rediss:// (a throwaway TLS cluster).
    static var configuration: RedisConfiguration? {
        guard let url, var configuration = try? RedisConfiguration(url: url, poolSize: 3) else { return nil }
        configuration.tlsCAFile = ProcessInfo.processInfo.environment["REDIS_TLS_CA_FILE"]
        return configuration
    }
}

/// Against a real Redis.
@Suite(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
struct RedisClientTests {
    static var url: String? { TestRedis.url }

    func client(database: Int = 0) throws -> RedisClient {
        var configuration = try #require(TestRedis.configuration)
        configuration.database = database
        return RedisClient(configuration: configuration, logger: Logger(label: "test"))
    }

    func key(_ name: String) -> String { "test:\(name):\(UUID().uuidString)" }

    @Test func aCommandPastItsTimeoutFailsAndClosesItsConnection() async throws {
        let never = key("never")
        let connection = try await client().dedicatedConnection(for: never)
        let started = ContinuousClock.now
        await #expect(throws: RedisError.timedOut) {
            _ = try await connection.send(["BLPOP", never, "5"], timeout: .milliseconds(300))
        }
        #expect(
            ContinuousClock.now - started < .seconds(4),
            "the watchdog notices long before BLPOP would answer (5 s), even on a loaded machine")
        try await Task.sleep(for: .milliseconds(50))
        #expect(!connection.isActive, "a late reply would put the pipeline out of step: the connection is given up")
    }

    @Test func pingSetAndGetBinarySafeValues() async throws {
        let redis = try client()
        defer { redis.shutdown() }
        #expect(try await redis.send(["PING"]) == .status("PONG"))
        let k = key("binary"), value = (0...255).map { UInt8($0) }
        #expect(try await redis.send(bytes: [Array("SET".utf8), Array(k.utf8), value]) == .status("OK"))
        #expect(try await redis.send(["GET", k]) == .bulk(value))
        #expect(try await redis.send(["GET", key("missing")]) == .null)
    }

    @Test func manyConcurrentCommandsArePipelinedAndAllAnswered() async throws {
        let redis = try client()
        defer { redis.shutdown() }
        let counter = key("counter")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2_000 { group.addTask { _ = try await redis.send(["INCR", counter]) } }
            try await group.waitForAll()
        }
        #expect(try await redis.send(["GET", counter]).integer == 2_000)
    }

    @Test func errorRepliesAreThrownAndTheConnectionKeepsWorking() async throws {
        let redis = try client()
        defer { redis.shutdown() }
        let k = key("text")
        _ = try await redis.send(["SET", k, "not a number"])
        await #expect(throws: RedisError.server("ERR value is not an integer or out of range")) {
            try await redis.send(["INCR", k])
        }
        #expect(try await redis.send(["GET", k]).string == "not a number")
    }

    @Test(.disabled(if: TestRedisCluster.configuration != nil, "a Redis Cluster has database 0 only"))
    func theDatabaseIndexFromTheURLIsSelected() async throws {
        let three = try client(database: 3), zero = try client()
        defer { three.shutdown(); zero.shutdown() }
        let k = key("db")
        _ = try await three.send(["SET", k, "in three"])
        #expect(try await zero.send(["GET", k]) == .null)
        #expect(try await three.send(["GET", k]).string == "in three")
    }

    @Test func aKilledConnectionIsReplaced() async throws {
        let redis = try client()
        defer { redis.shutdown() }
        var ids: Set<Int64> = []
        // round robin: each pooled connection
        for _ in 0..<3 { ids.insert(try await redis.send(["CLIENT", "ID"]).integer!) }
        #expect(ids.count == 3)
        let killer = try await redis.dedicatedConnection()
        defer { killer.close() }
        // only ours: other tests run alongside
        for id in ids { _ = try await killer.send(["CLIENT", "KILL", "ID", String(id)]) }
        var answered = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while answered < 6, ContinuousClock.now < deadline {
            if (try? await redis.send(["PING"])) == .status("PONG") { answered += 1 }
        }
        #expect(answered == 6)
        var fresh: Set<Int64> = []
        for _ in 0..<3 { fresh.insert(try await redis.send(["CLIENT", "ID"]).integer!) }
        #expect(fresh.isDisjoint(with: ids), "every killed connection was replaced")
    }

    @Test func streamsWithConsumerGroupsWork() async throws {
        let redis = try client()
        defer { redis.shutdown() }
        let stream = key("jobs")
        _ = try await redis.send(["XGROUP", "CREATE", stream, "workers", "$", "MKSTREAM"])
        let id = try await redis.send(["XADD", stream, "*", "kind", "push", "payload", "{}"]).string
        let consumer = try await redis.dedicatedConnection(for: stream)
        defer { consumer.close() }
        let read = try await consumer.send(
            ["XREADGROUP", "GROUP", "workers", "w1", "COUNT", "10", "BLOCK", "1000", "STREAMS", stream, ">"],
            timeout: .seconds(3))
        let entries = read.array?.first?.array?[1].array
        #expect(entries?.first?.array?.first?.string == id)
        #expect(try await redis.send(["XACK", stream, "workers", id ?? ""]).integer == 1)
        #expect(try await redis.send(["XPENDING", stream, "workers"]).array?.first?.integer == 0)
    }
}
