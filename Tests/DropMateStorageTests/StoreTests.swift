import DropMateCore
import DropMateDataProtection
import Foundation
import Logging
import Testing

@testable import DropMateStorage

/// The databases the contract suites run on: SQLite always, PostgreSQL when DATABASE_URL names one.
enum BackendKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres

    var description: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap {
        $0.hasPrefix("postgres") ? $0 : nil
    }
    static var available: [BackendKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A migrated, empty database of one kind: a temporary SQLite file, or a fresh PostgreSQL database.
struct TestDatabase {
    let kind: BackendKind
    let location: String
    let backend: any SQLBackend

    static func make(_ kind: BackendKind) async throws -> TestDatabase {
        let logger = Logger(label: "test")
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "dropmate-store-\(UUID().uuidString).sqlite"
            ).path
            let backend = try await SQLiteBackend.open(path: path, logger: logger)
            try await Migrations.migrate(backend, now: 1)
            return TestDatabase(kind: kind, location: path, backend: backend)
        case .postgres:
            let admin = try await PostgresBackend.connect(url: BackendKind.postgresURL!, logger: logger)
            let name = "dm_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            try await admin.singleStatement { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            await admin.shutdown()
            let url = Self.replacingDatabase(in: BackendKind.postgresURL!, with: name)
            let backend = try await PostgresBackend.connect(url: url, logger: logger)
            try await Migrations.migrate(backend, now: 1)
            return TestDatabase(kind: kind, location: url, backend: backend)
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs `body` on a fresh database and always closes it (sqlite-nio insists on closed connections).
    static func with(_ kind: BackendKind, _ body: (TestDatabase) async throws -> Void) async throws {
        let db = try await make(kind)
        do { try await body(db) } catch {
            await db.backend.shutdown()
            throw error
        }
        await db.backend.shutdown()
    }

    /// Closes this database's connections and opens new ones to the same data (a restart).
    func reopen() async throws -> any SQLBackend {
        await backend.shutdown()
        switch kind {
        case .sqlite: return try await SQLiteBackend.open(path: location, logger: Logger(label: "test"))
        case .postgres: return try await PostgresBackend.connect(url: location, logger: Logger(label: "test"))
        }
    }
}

func sampleOrder(id: Int64, customer: String = "o_a") -> Order {
    Order(
        id: id, customer: customer, merchantID: "lanzhou",
        lines: [
            OrderLine(
                itemID: "beef-noodles", name: LocalizedText(zh: "牛肉面", en: "beef noodles"), quantity: 2,
                unitPrice: Money(fen: 1800))
        ],
        address: DeliveryAddress(text: "人民大道200号", coordinate: Coordinate(latitude: 31.2, longitude: 121.4)),
        phone: PhoneNumber("13800138000")!, language: .zh, createdAt: 100)
}

@Suite struct StoreTests {
    @Test(.enabled(if: BackendKind.postgresURL != nil, "DATABASE_URL names no PostgreSQL"))
    func postgresIsReachableAndMigrates() async throws {
        try await TestDatabase.with(.postgres) { db in
            let version = try await Migrations.currentVersion(db.backend)
            #expect(version == Migrations.latest)
        }
    }

    @Test(arguments: BackendKind.available) func migratingTwiceChangesNothing(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            try await Migrations.migrate(db.backend, now: 2)
            #expect(try await Migrations.currentVersion(db.backend) == Migrations.latest)
        }
    }

    @Test(arguments: BackendKind.available) func aUnitOfWorkIsStoredWhole(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            try await store.seedIfEmpty(DemoCatalog.catalog, now: 1)
            var state = ConversationState.new(at: 100)
            state.pendingOrderID = 1001
            let job = NewJob(kind: "push", payload: "{}", idempotencyKey: "k1", runAt: 100)
            try await store.commit(
                UnitOfWork(
                    customer: "o_a", now: 100, state: state, expiresAt: 1900,
                    handled: ("msg:1", RecordedAnswer(reply: .text("你好"))),
                    orders: [OrderWrite(order: sampleOrder(id: 1001), isNew: true)],
                    posts: [
                        NewBoardPost(customer: "o_a", orderID: nil, body: "好吃", createdAt: 100),
                        NewBoardPost(customer: "o_a", orderID: 1001, body: "请按两次门铃", createdAt: 100),
                    ], jobs: [job, job]
                ))
            let loaded = try await store.load(customer: "o_a", dedupeKey: "msg:1")
            #expect(loaded.state == state)
            #expect(loaded.handled == RecordedAnswer(reply: .text("你好")))
            #expect(try await store.order(id: 1001) == sampleOrder(id: 1001))
            #expect(try await store.recentOrders(customer: "o_a", limit: 5).map(\.id) == [1001])
            #expect(
                try await store.publicBoard(limit: 5).map(\.body) == ["好吃"],
                "a post about an order stays off the public board")
            #expect(try await store.posts(orderID: 1001).map(\.body) == ["请按两次门铃"])
            #expect(try await store.customersWithExpiredDrafts(now: 1899, limit: 10).isEmpty)
            #expect(try await store.customersWithExpiredDrafts(now: 1900, limit: 10) == ["o_a"])
            #expect(
                try await SQLJobQueue(backend: db.backend, sealer: .test).counts() == ["ready": 1],
                "the same idempotency key makes one job")
            #expect(try await store.catalog(at: 0) == DemoCatalog.catalog)
        }
    }

    @Test(arguments: BackendKind.available) func aKeysLatestAnswerWinsAndManyAnswersLandInOneStatement(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            // A late reply is first stored as the answer, then as `success` once it has been queued as a push.
            try await store.commit(
                UnitOfWork(customer: "o_a", now: 10, handled: ("msg:7", RecordedAnswer(reply: .text("晚到的回复")))))
            #expect(try await store.handled(dedupeKey: "msg:7") == RecordedAnswer(reply: .text("晚到的回复")))
            try await store.commit(UnitOfWork(customer: "o_a", now: 11, handled: ("msg:7", RecordedAnswer(reply: nil))))
            #expect(try await store.handled(dedupeKey: "msg:7") == RecordedAnswer(reply: nil))
            // Answers of many customers at once, written together: each readable on its own, sealed at rest.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await store.commit(
                            UnitOfWork(
                                customer: "o_\(index)", now: 20,
                                handled: ("msg:1\(index)", RecordedAnswer(reply: .text("第 \(index) 个")))))
                    }
                }
                try await group.waitForAll()
            }
            for index in [0, 17, 49] {
                #expect(
                    try await store.handled(dedupeKey: "msg:1\(index)") == RecordedAnswer(reply: .text("第 \(index) 个")))
            }
            let stored = try await db.backend.reader.raw("SELECT reply FROM handled_messages WHERE key = 'msg:117'")
                .first(decoding: [String: String].self)
            #expect(stored?["reply"]?.hasPrefix("v2.") == true && stored?["reply"]?.contains("第") == false)
        }
    }

    @Test(arguments: BackendKind.available) func orderNumbersContinueAfterARestart(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            #expect(try await store.nextOrderID() == 1001)
            try await store.commit(
                UnitOfWork(customer: "o_a", now: 1, orders: [OrderWrite(order: sampleOrder(id: 1001), isNew: true)]))
            let backend = try await db.reopen()
            let reopened = try await SQLConversationStore.open(backend, sealer: .test)
            #expect(try await reopened.nextOrderID() == 1002)
            await backend.shutdown()
        }
    }

    @Test(arguments: BackendKind.available) func concurrentCommitsAllLandAndABadOneFailsAlone(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let store = try await SQLConversationStore.open(db.backend, sealer: .test)
            try await store.commit(
                UnitOfWork(customer: "o_0", now: 1, orders: [OrderWrite(order: sampleOrder(id: 5000), isNew: true)]))
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        // Unit 150 inserts an order number that already exists: only it may fail.
                        let orders = index == 150 ? [OrderWrite(order: sampleOrder(id: 5000), isNew: true)] : []
                        let unit = UnitOfWork(
                            customer: "o_\(index)", now: 2, state: .new(at: 2),
                            handled: ("msg:\(index)", RecordedAnswer(reply: nil)), orders: orders)
                        return (try? await store.commit(unit)) != nil
                    }
                }
                var results: [Bool] = []
                for await result in group { results.append(result) }
                return results
            }
            #expect(results.filter { !$0 }.count == 1)
            #expect(try await store.handled(dedupeKey: "msg:150") == nil, "the failed unit left nothing behind")
            #expect(try await store.handled(dedupeKey: "msg:149") != nil)
            #expect(try await store.recentlyHandledKeys(since: 0, limit: 1000).count == 299)
        }
    }
}

@Suite struct JobQueueTests {
    @Test(arguments: BackendKind.available) func aClaimedJobIsLeasedThenCompleted(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let queue = SQLJobQueue(backend: db.backend, sealer: .test)
            try await queue.enqueue(NewJob(kind: "push", payload: "a", runAt: 100))
            try await queue.enqueue(NewJob(kind: "push", payload: "later", runAt: 500))
            let claimed = try await queue.claim(limit: 10, now: 100, leaseSeconds: 60)
            #expect(claimed.map(\.payload) == ["a"] && claimed.first?.attempts == 1)
            #expect(try await queue.claim(limit: 10, now: 150, leaseSeconds: 60).isEmpty, "leased, not due again")
            try await queue.complete(claimed[0].id)
            #expect(try await queue.claim(limit: 10, now: 1000, leaseSeconds: 60).map(\.payload) == ["later"])
        }
    }

    @Test(arguments: BackendKind.available) func releasedJobsAreDueAgainAtOnceWithTheAttemptUncounted(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let queue = SQLJobQueue(backend: db.backend, sealer: .test)
            try await queue.enqueue(NewJob(kind: "push", payload: "a", runAt: 100))
            let claimed = try await queue.claim(limit: 1, now: 100, leaseSeconds: 600)
            try await queue.release(claimed.map(\.id))
            let again = try await queue.claim(limit: 1, now: 101, leaseSeconds: 600)
            #expect(again.map(\.id) == claimed.map(\.id) && again.first?.attempts == 1)
        }
    }

    @Test(arguments: BackendKind.available) func aWorkerThatDiesLosesItsLease(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let queue = SQLJobQueue(backend: db.backend, sealer: .test)
            try await queue.enqueue(NewJob(kind: "push", payload: "a", runAt: 100))
            _ = try await queue.claim(limit: 1, now: 100, leaseSeconds: 60)
            let reclaimed = try await queue.claim(limit: 1, now: 161, leaseSeconds: 60)
            #expect(reclaimed.map(\.payload) == ["a"] && reclaimed.first?.attempts == 2)
        }
    }

    @Test(arguments: BackendKind.available) func failuresRetryThenGoToTheDeadLettersWithTheReason(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let queue = SQLJobQueue(backend: db.backend, sealer: .test)
            try await queue.enqueue(NewJob(kind: "push", payload: "a", idempotencyKey: "k", runAt: 0, maxAttempts: 2))
            #expect(try await queue.existingJob(key: "k")?.state == "ready")
            var job = try await queue.claim(limit: 1, now: 0, leaseSeconds: 60)[0]
            try await queue.fail(job, reason: "WeChat busy (-1)", retryAt: 10)
            #expect(try await queue.claim(limit: 1, now: 9, leaseSeconds: 60).isEmpty, "waits for its backoff")
            job = try await queue.claim(limit: 1, now: 10, leaseSeconds: 60)[0]
            try await queue.fail(job, reason: "WeChat busy (-1) again", retryAt: 30)
            #expect(try await queue.claim(limit: 1, now: 1000, leaseSeconds: 60).isEmpty)
            let dead = try await queue.deadJobs(limit: 10)
            #expect(dead.map(\.lastError) == ["WeChat busy (-1) again"])
            let existing = try await queue.existingJob(key: "k")
            #expect(
                existing?.id == dead[0].id && existing?.state == "dead"
                    && existing?.lastError == "WeChat busy (-1) again",
                "queuing the key again says the job is dead, and why")
            #expect(try await queue.retryDead(dead[0].id, now: 2000))
            #expect(try await queue.claim(limit: 1, now: 2000, leaseSeconds: 60).first?.attempts == 1)
        }
    }
}

@Suite struct ConcurrentWorkerTests {
    @Test(arguments: BackendKind.available)
    func concurrentClaimersNeverShareAJob(_ kind: BackendKind) async throws {
        try await TestDatabase.with(kind) { db in
            let queue = SQLJobQueue(backend: db.backend, sealer: .test)
            for index in 0..<200 { try await queue.enqueue(NewJob(kind: "push", payload: "\(index)", runAt: 0)) }
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await queue.claim(limit: 7, now: 10, leaseSeconds: 600)
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claimed.count == 200, "every job claimed")
            #expect(Set(claimed).count == claimed.count, "no job handed to two workers")
        }
    }

    @Test(arguments: BackendKind.available) func deliveriesAreRecordedOncePerJobAndTemplateOutcomesFoundByMsgID(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let log = SQLDeliveryLog(backend: db.backend)
            try await log.record(Delivery(jobID: 1, openID: "o_a", channel: .customerService), now: 100)
            // the job ran again
            try await log.record(Delivery(jobID: 1, openID: "o_a", channel: .template, msgID: "200"), now: 110)
            #expect(
                try await log.delivery(jobID: 1)
                    == Delivery(jobID: 1, openID: "o_a", channel: .template, msgID: "200", status: "sent"))
            #expect(try await log.templateFinished(msgID: "200", status: "success", now: 120))
            #expect(
                try await log.templateFinished(msgID: "999", status: "success", now: 120) == false, "not one of ours")
            #expect(try await log.delivery(jobID: 1)?.status == "success")
        }
    }

    @Test(arguments: BackendKind.available) func deliveriesRecordedAtOnceAreAllWrittenEvenWhenOneJobRecordsTwice(
        _ kind: BackendKind
    ) async throws {
        try await TestDatabase.with(kind) { db in
            let log = SQLDeliveryLog(backend: db.backend)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for job in Int64(1)...120 {
                    group.addTask {
                        try await log.record(
                            Delivery(jobID: job, openID: "o_\(job)", channel: .customerService), now: 100)
                    }
                }
                // The same job again in the same moment (it ran twice): one statement must not upsert a row twice.
                group.addTask { try await log.record(Delivery(jobID: 5, openID: "o_5", channel: .sms), now: 100) }
                try await group.waitForAll()
            }
            for job in Int64(1)...120 {
                let recorded = try await log.delivery(jobID: job)
                #expect(recorded?.openID == "o_\(job)", "job \(job)")
            }
            let five = try await log.delivery(jobID: 5)
            #expect(five?.channel == .customerService || five?.channel == .sms)
        }
    }
}

extension PIISealer {
    /// A fixed key for tests.
    static let test = PIISealer(
        keyRing: try! PIIKeyRing(parsing: "t1:" + Data(repeating: 7, count: 32).base64EncodedString()))
}
