import AsyncHTTPClient
import DropMateCore
import DropMateStorage
import Foundation
import Logging
import Testing

@testable import DropMateApp

/// `AppDependencies.shutdown()`: the one place that closes what the dependencies own, in order.
@Suite struct DependencyShutdownTests {
    @Test func shutdownWritesTheStoresQueuedAnswerRecordsBeforeClosingTheDatabase() async throws {
        let app = try await TestApp.make()
        let keys = (0..<1_000).map { "o_shutdown:\($0)" }
        for key in keys {
            app.dependencies.store.recordAnswer(
                UnitOfWork(
                    customer: "o_shutdown", now: app.clock.now,
                    handled: (key, RecordedAnswer(reply: .text("好的 \(key)")))))
        }
        await app.dependencies.shutdown()  // no flush of the test's own: the shutdown must write them
        // The database file opened afresh: every record queued before the shutdown is in it.
        let backend = try await SQLiteBackend.open(
            path: app.dependencies.config.databasePath, logger: Logger(label: "dropmate-test"))
        let store = try await SQLConversationStore.open(backend, sealer: app.dependencies.store.sealer)
        var missing = 0
        for key in keys where try await store.handled(dedupeKey: key) != RecordedAnswer(reply: .text("好的 \(key)")) {
            missing += 1
        }
        await backend.shutdown()
        try? FileManager.default.removeItem(atPath: app.directory)
        #expect(missing == 0)
    }

    @Test func shutdownClosesTheOutboundClientOnceWhateverCopyCallsIt() async throws {
        let app = try await TestApp.make()
        let copy = app.dependencies
        await app.shutdown()
        await copy.shutdown()  // another exit path with its own copy: nothing left to do, and no double close
        await #expect(throws: HTTPClientError.alreadyShutdown) { try await copy.http.shutdown() }
    }
}
