import DropMateCore
import Foundation
import Logging
import SQLKit
import Testing

@testable import DropMateStorage

/// Every worker runs the dedupe prune; on PostgreSQL one at a time.
@Suite struct PruneTests {
    private static func handledCount(_ backend: any SQLBackend) async throws -> Int {
        try await backend.reader.raw("SELECT COUNT(*) AS n FROM handled_messages").first()!.decode(
            column: "n", as: Int.self)
    }

    @Test(arguments: BackendKind.available)
    func pruningForgetsOnlyRecordsOlderThanTheCutoff(_ kind: BackendKind) async throws {
        let db = try await TestDatabase.make(kind)
        let store = try await SQLConversationStore.open(db.backend, sealer: .test)
        for (key, now) in [("old", Int64(100)), ("new", Int64(200))] {
            try await store.commit(UnitOfWork(customer: "o_a", now: now, handled: (key, RecordedAnswer(reply: nil))))
        }
        try await store.pruneHandled(before: 150)
        #expect(try await store.handled(dedupeKey: "old") == nil)
        #expect(try await store.handled(dedupeKey: "new") != nil)
        await db.backend.shutdown()
    }

    @Test(.enabled(if: BackendKind.postgresURL != nil, "DATABASE_URL names no PostgreSQL"))
    func onPostgresAPruneSkipsItsTurnWhileAnotherProcessPrunes() async throws {
        let db = try await TestDatabase.make(.postgres)
        let store = try await SQLConversationStore.open(db.backend, sealer: .test)
        try await store.commit(UnitOfWork(customer: "o_a", now: 100, handled: ("old", RecordedAnswer(reply: nil))))
        // Another process holds the prune's lock for the length of its transaction.
        let other = try await PostgresBackend.connect(url: db.location, logger: Logger(label: "test"))
        let release = AsyncStream<Void>.makeStream()
        let holding = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await other.transaction { db in
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: SQLConversationStore.pruneLockKey))").run()
                holding.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in holding.stream { break }
        try await store.pruneHandled(before: 150)
        #expect(try await Self.handledCount(db.backend) == 1, "skipped: the other process is pruning")
        release.continuation.yield()
        try await holder.value
        try await store.pruneHandled(before: 150)
        #expect(try await Self.handledCount(db.backend) == 0)
        // Several at once: none fails, and together they prune.
        for key in 0..<50 {
            try await store.commit(
                UnitOfWork(customer: "o_a", now: 100, handled: ("k\(key)", RecordedAnswer(reply: nil))))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await store.pruneHandled(before: 150) } }
            try await group.waitForAll()
        }
        try await store.pruneHandled(before: 150)
        #expect(try await Self.handledCount(db.backend) == 0)
        await other.shutdown()
        await db.backend.shutdown()
    }
}
