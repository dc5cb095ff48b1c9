import DropMateCore
import DropMateRedis
import DropMateWeChat
import Foundation
import Logging
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Production mode: several `serve` replicas share one PostgreSQL and one Redis. WeChat may send a message
/// (or its retries) to any of them; customers must not be able to tell.
@Suite(
    .enabled(
        if: PostgresTestDatabase.serverURL != nil && TestRedis.url != nil, "DATABASE_URL and REDIS_URL name no servers")
)
struct ReplicaTests {
    typealias Send = ExactlyOnceTests

    /// Two replicas on one fresh database and one Redis key space, sharing a clock.
    static func replicas(extra: [String: String] = [:]) async throws -> (TestApp, TestApp) {
        let clock = TestClock(TestAccount.start)
        let environment = ["DATABASE_URL": try await PostgresTestDatabase.create()].merging(TestRedis.environment()) {
            $1
        }.merging(extra) { $1 }
        return (
            try await TestApp.make(clock: clock, extra: environment),
            try await TestApp.make(clock: clock, extra: environment)
        )
    }

    @Test func replicasStartingTogetherOnAFreshDatabaseAllStart() async throws {
        let environment = ["DATABASE_URL": try await PostgresTestDatabase.create()].merging(TestRedis.environment()) {
            $1
        }
        let apps = try await withThrowingTaskGroup(of: TestApp.self) { group in
            for _ in 0..<4 { group.addTask { try await TestApp.make(extra: environment) } }
            return try await group.reduce(into: [TestApp]()) { $0.append($1) }
        }
        #expect(apps.count == 4)
        #expect(
            apps.allSatisfy {
                $0.dependencies.engine.catalog.items.count == apps[0].dependencies.engine.catalog.items.count
            })
        for app in apps { await app.shutdown() }
    }

    @Test func retriesSentToBothReplicasMakeOneOrder() async throws {
        let (a, b) = try await Self.replicas()
        let now = a.clock.now
        try await a.live { one in
            try await b.live { two in
                _ = try await Send.send(Send.message("2 份牛肉面", id: "1", at: now), to: one, at: now, nonce: "1")
                _ = try await Send.send(Send.message("黄浦区人民大道200号", id: "2", at: now), to: two, at: now, nonce: "2")
                let phone = Send.message("13800138000", id: "3", at: now)
                let replies = try await withThrowingTaskGroup(of: String.self) { group in
                    for attempt in 0..<10 {
                        group.addTask {
                            if attempt % 2 == 0 {
                                return try await Send.send(phone, to: one, at: now, nonce: "r\(attempt)")
                            }
                            return try await Send.send(phone, to: two, at: now, nonce: "r\(attempt)")
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(
                    Set(replies).count == 1, "every retry, on either replica, gets the first answer: \(Set(replies))")
                #expect(replies[0].contains("订单 #1001"))
                #expect(try await a.dependencies.engine.order(id: 1001) != nil)
                #expect(try await b.dependencies.engine.order(id: 1002) == nil, "no second order")
            }
        }
    }

    @Test func aConversationCanHopBetweenReplicas() async throws {
        let (a, b) = try await Self.replicas()
        let now = a.clock.now
        try await a.live { one in
            try await b.live { two in
                let added = try await Send.send(Send.message("2 份牛肉面", id: "1", at: now), to: one, at: now, nonce: "1")
                #expect(added.contains("牛肉面 ×2"))
                let address = try await Send.send(
                    Send.message("黄浦区人民大道200号", id: "2", at: now), to: two, at: now, nonce: "2")
                #expect(address.contains("人民大道200号"), "replica two continues the draft replica one started: \(address)")
                let summary = try await Send.send(
                    Send.message("13800138000", id: "3", at: now), to: one, at: now, nonce: "3")
                #expect(summary.contains("订单 #1001"))
                let confirmed = try await Send.send(Send.message("确认", id: "4", at: now), to: two, at: now, nonce: "4")
                #expect(confirmed.contains("#1001 已确认"))
                #expect(try await a.dependencies.engine.order(id: 1001)?.status == .confirmed)
            }
        }
    }

    @Test func theRateLimitIsSharedByReplicas() async throws {
        let (a, b) = try await Self.replicas(extra: ["DROPMATE_RATE_LIMIT": "3"])
        let now = a.clock.now
        try await a.live { one in
            try await b.live { two in
                for id in 1...3 {
                    let menu = Send.message("菜单", id: "\(id)", at: now)
                    let reply =
                        id % 2 == 0
                        ? try await Send.send(menu, to: one, at: now, nonce: "\(id)")
                        : try await Send.send(menu, to: two, at: now, nonce: "\(id)")
                    #expect(!reply.contains("太快"))
                }
                let fourth = Send.message("2 份牛肉面", id: "4", at: now)
                let limited = try await Send.send(fourth, to: one, at: now, nonce: "4")
                #expect(limited.contains("太快"), "\(limited)")
                #expect(
                    try await Send.send(fourth, to: two, at: now, nonce: "5") == limited,
                    "a retry is not counted again and gets the same answer")
                let other = try await Send.send(
                    Send.message("菜单", id: "5", at: now, from: "o_b"), to: two, at: now, nonce: "6")
                #expect(!other.contains("太快"), "other customers are not limited")
            }
        }
    }
}

/// The Redis coordinator itself: its lock, its checked-out state and its dedupe epoch.
@Suite(.enabled(if: TestRedis.url != nil, "REDIS_URL names no Redis"))
struct RedisCoordinatorTests {
    static func coordinator(prefix: String, rateLimit: RateLimit = .off) throws -> RedisCoordinator {
        var settings = RedisCoordinationSettings(rateLimit: rateLimit)
        settings.keyPrefix = prefix
        let redis = RedisClient(
            configuration: try RedisConfiguration(url: TestRedis.url!), logger: Logger(label: "test"))
        return RedisCoordinator(redis: redis, settings: settings, logger: Logger(label: "test"))
    }

    static func prefix() -> String { "test-\(UUID().uuidString.prefix(8))" }

    static func redis() throws -> RedisClient {
        RedisClient(configuration: try RedisConfiguration(url: TestRedis.url!), logger: Logger(label: "test"))
    }

    @Test func eachCustomerHasAnEpochOfItsOwnInItsOwnSlot() async throws {
        let prefix = Self.prefix()
        let coordinator = try Self.coordinator(prefix: prefix)
        let now: Int64 = 2_000_000_000
        _ = try await coordinator.withTurn(of: "o_old", message: nil, now: now - 3_600) { _ in TurnEnd(value: ()) }
        let message = { (customer: String) in
            IncomingChat(customer: customer, createTime: now, dedupeKey: "m:\(customer)", input: .text("hi"))
        }
        let old = try await coordinator.withTurn(of: "o_old", message: message("o_old"), now: now) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(old == .new, "Redis has vouched for o_old's messages for an hour")
        let newcomer = try await coordinator.withTurn(of: "o_new", message: message("o_new"), now: now) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(newcomer == .unknown, "o_new's epoch starts now: its first message is checked in the database")
        let redis = try Self.redis()
        defer { redis.shutdown() }
        let epoch = try #require(try await redis.send(["GET", "\(prefix):{o_old}:epoch"]).string)
        #expect(epoch.hasSuffix(" \(now - 3_600)"), "\(epoch)")
        #expect(RedisKeySlot.of("\(prefix):{o_old}:epoch") == RedisKeySlot.of("\(prefix):{o_old}:lock"))
        #expect(try await redis.send(["EXISTS", "\(prefix):epoch"]).integer == 0, "no global key")
        #expect(
            try await redis.send(["TTL", "\(prefix):{o_old}:epoch"]).integer ?? 0 > 86_400,
            "it lapses some time after the cached state would")
    }

    @Test func afterAFailoverNothingCachedForTheCustomerIsTrusted() async throws {
        let prefix = Self.prefix()
        let coordinator = try Self.coordinator(prefix: prefix)
        let now: Int64 = 2_000_000_000
        let saved = ConversationState.new(at: now)
        _ = try await coordinator.withTurn(of: "o_a", message: nil, now: now - 3_600) { _ in TurnEnd(value: ()) }
        let message = IncomingChat(customer: "o_a", createTime: now, dedupeKey: "m:1", input: .text("2 份牛肉面"))
        _ = try await coordinator.withTurn(of: "o_a", message: message, now: now) { turn in
            #expect(turn.message == .new)
            return TurnEnd(value: (), state: saved, answer: RecordedAnswer(reply: .text("first answer")))
        }
        // The master fails over to a replica that had not received the latest writes: its replication id is new,
        // so the epoch written on the old master is another dataset's.
        let redis = try Self.redis()
        defer { redis.shutdown() }
        _ = try await redis.send([
            "SET", "\(prefix):{o_a}:epoch", "0123456789abcdef0123456789abcdef01234567 \(now - 3_600)",
        ])
        let afterFailover = try await coordinator.withTurn(of: "o_a", message: message, now: now + 5) { turn in
            TurnEnd(value: (turn.cachedState, turn.message))
        }
        #expect(afterFailover.0 == nil, "the cached state may be older than the database's: it is read again")
        #expect(
            afterFailover.1 == .unknown,
            "the stored answer may have been replaced by a write that was lost: the database decides")
        let later = IncomingChat(customer: "o_a", createTime: now + 60, dedupeKey: "m:2", input: .text("hi"))
        let trusted = try await coordinator.withTurn(of: "o_a", message: later, now: now + 60) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(trusted == .new, "a new epoch on this dataset vouches for what comes after it")
    }

    @Test func anAcquireRetriedAfterItsReplyWasLostStillHoldsTheLock() async throws {
        let prefix = Self.prefix()
        let redis = try Self.redis()
        defer { redis.shutdown() }
        let base = "\(prefix):{o_a}"
        let keys = [base + ":lock", base + ":state", base + ":rate:1", base + ":epoch", base + ":msg:m1"]
        let arguments = { (token: String) in [token, "30000", "0", "120", "1000", "3600", "", "601", "90000"] }
        let first = try await redis.run(RedisCoordinator.acquireScript, keys: keys, arguments: arguments("token-1"))
            .array
        #expect(first?.first?.integer == 1)
        let again = try await redis.run(RedisCoordinator.acquireScript, keys: keys, arguments: arguments("token-1"))
            .array
        #expect(again?.first?.integer == 1, "the same token: our own lock (a retry of a call whose reply was lost)")
        #expect(again?[2].string == "~", "the first call's marker: the message goes to the database, not to a rerun")
        let other = try await redis.run(RedisCoordinator.acquireScript, keys: keys, arguments: arguments("token-2"))
            .array
        #expect(other?.first?.integer == 0, "another turn still waits")
    }

    @Test func turnsOfOneCustomerNeverOverlapAcrossCoordinators() async throws {
        let prefix = Self.prefix()
        let replicas = [try Self.coordinator(prefix: prefix), try Self.coordinator(prefix: prefix)]
        final class Counts: Sendable {
            let inside = Atomic<Int>(0), overlaps = Atomic<Int>(0), turns = Atomic<Int>(0)
        }
        let counts = Counts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await replicas[index % 2].withTurn(of: "o_same", message: nil, now: 1_000) { _ in
                        if counts.inside.wrappingAdd(1, ordering: .relaxed).newValue > 1 {
                            counts.overlaps.wrappingAdd(1, ordering: .relaxed)
                        }
                        try await Task.sleep(for: .milliseconds(5))
                        counts.inside.wrappingSubtract(1, ordering: .relaxed)
                        counts.turns.wrappingAdd(1, ordering: .relaxed)
                        return TurnEnd(value: ())
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counts.turns.load(ordering: .relaxed) == 20)
        #expect(counts.overlaps.load(ordering: .relaxed) == 0)
    }

    @Test func aFailedTurnLeavesNoCachedStateBehind() async throws {
        let coordinator = try Self.coordinator(prefix: Self.prefix())
        let saved = ConversationState.new(at: 1_000)
        try await coordinator.withTurn(of: "o_a", message: nil, now: 1_000) { turn in
            #expect(turn.cachedState == nil)
            return TurnEnd(value: (), state: saved)
        }
        try await coordinator.withTurn(of: "o_a", message: nil, now: 1_001) { turn in
            #expect(turn.cachedState == saved, "the state is cached for the next turn")
            return TurnEnd(value: ())
        }
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await coordinator.withTurn(of: "o_a", message: nil, now: 1_002) { _ -> TurnEnd<Void> in throw Boom() }
        }
        try await coordinator.withTurn(of: "o_a", message: nil, now: 1_003) { turn in
            #expect(turn.cachedState == nil, "after a failed turn the state comes from the database again")
            return TurnEnd(value: ())
        }
    }

    @Test func answersAreRememberedAndOldMessagesAreCheckedInTheStore() async throws {
        let coordinator = try Self.coordinator(prefix: Self.prefix())
        let now: Int64 = 2_000_000_000
        let fresh = IncomingChat(customer: "o_a", createTime: now + 60, dedupeKey: "msg:1", input: .text("hi"))
        let status = try await coordinator.withTurn(of: "o_a", message: fresh, now: now + 60) { turn in
            TurnEnd(value: turn.message, answer: RecordedAnswer(reply: .text("hello")))
        }
        #expect(status == .unknown, "a Redis that just started remembering cannot vouch for messages from before")
        let again = try await coordinator.withTurn(of: "o_a", message: fresh, now: now + 61) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(again == .answered(RecordedAnswer(reply: .text("hello"))))
        let later = IncomingChat(customer: "o_a", createTime: now + 120, dedupeKey: "msg:2", input: .text("hi"))
        let new = try await coordinator.withTurn(of: "o_a", message: later, now: now + 120) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(new == .new, "messages after the epoch are known to Redis")
    }

    @Test func aMessageWhoseTurnDiedSendsItsRetryToTheDatabase() async throws {
        let coordinator = try Self.coordinator(prefix: Self.prefix())
        let now: Int64 = 2_000_000_000
        // an old epoch
        _ = try await coordinator.withTurn(of: "o_a", message: nil, now: now - 3_600) { _ in TurnEnd(value: ()) }
        let message = IncomingChat(customer: "o_a", createTime: now, dedupeKey: "msg:9", input: .text("2 份牛肉面"))
        struct Crash: Error {}
        await #expect(throws: Crash.self) {
            try await coordinator.withTurn(of: "o_a", message: message, now: now) { turn -> TurnEnd<Void> in
                #expect(turn.message == .new)
                throw Crash()  // e.g. the commit's outcome is unknown
            }
        }
        let retry = try await coordinator.withTurn(of: "o_a", message: message, now: now + 5) { turn in
            TurnEnd(value: turn.message)
        }
        #expect(retry == .unknown, "the retry must not be taken for a new message: the database decides")
    }
}
