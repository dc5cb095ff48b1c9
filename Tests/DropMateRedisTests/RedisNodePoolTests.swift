import Logging
import NIOCore
import NIOPosix
import Testing

@testable import DropMateRedis

/// The pool keeps connections on every event loop and hands a caller on a loop one of that loop's, so a request's
/// Redis command neither crosses threads going out nor when its reply wakes the request up.
@Suite(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
struct RedisNodePoolTests {
    @Test func aCallerOnAnEventLoopGetsAConnectionLivingOnThatLoop() async throws {
        var configuration = try #require(TestRedis.configuration)
        configuration.poolSize = 4
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pool = RedisNodePool(configuration: configuration, group: group, logger: Logger(label: "test"))
        defer { pool.shutdown() }
        for loop in group.makeIterator() {
            var slots: Set<Int> = []
            for _ in 0..<4 {
                let slot = pool.slot(on: loop)
                slots.insert(slot)
                let connection = try await pool.connection(slot: slot)
                #expect(connection.eventLoop === loop)
                #expect(try await connection.send(["PING"]).string == "PONG")
            }
            #expect(slots.count == 2, "the loop's two connections take turns")
        }
        try await group.shutdownGracefully()
    }

    @Test func aCallerOnNoLoopOfOursGetsAnyConnection() async throws {
        let configuration = try #require(TestRedis.configuration)
        let pool = RedisNodePool(configuration: configuration, logger: Logger(label: "test"))
        defer { pool.shutdown() }
        let slots = Set((0..<8).map { _ in pool.slot(on: nil) })
        #expect(slots.count > 1, "round-robin over every slot")
        let connection = try await pool.connection()
        #expect(try await connection.send(["PING"]).string == "PONG")
    }
}
