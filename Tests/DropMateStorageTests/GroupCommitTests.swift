@testable import DropMateStorage
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    /// A write that takes a moment and remembers every batch it was given.
    final class SlowWriter: Sendable {
        let batches = Mutex<[[Int]]>([])
        let failing: Set<Int>

        init(failing: Set<Int> = []) { self.failing = failing }

        func write(_ batch: [Int]) async throws {
            try await Task.sleep(for: .milliseconds(20))
            batches.withLock { $0.append(batch) }
            if !failing.isDisjoint(with: batch) { throw Refused() }
        }

        struct Refused: Error {}
    }

    @Test func concurrentWritesShareStatementsAndEachReturnsOnceItsItemIsWritten() async throws {
        let commit = GroupCommit<Int>(maxBatch: 100)
        let writer = SlowWriter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 0..<50 {
                group.addTask {
                    try await commit.submit(item) { try await writer.write($0) }
                    let written = writer.batches.withLock { $0.joined().contains(item) }
                    #expect(written, "item \(item) returned before it was written")
                }
            }
            try await group.waitForAll()
        }
        let batches = writer.batches.withLock { $0 }
        #expect(batches.joined().sorted() == Array(0..<50), "every item written exactly once")
        #expect(batches.count < 10, "50 concurrent writes made \(batches.count) statements")
    }

    @Test func aBatchNeverExceedsItsLimit() async throws {
        let commit = GroupCommit<Int>(maxBatch: 4)
        let writer = SlowWriter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 0..<30 { group.addTask { try await commit.submit(item) { try await writer.write($0) } } }
            try await group.waitForAll()
        }
        let batches = writer.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(batches.joined().sorted() == Array(0..<30))
    }

    @Test func aFailedStatementFailsEveryItemInItAndNoOther() async throws {
        let commit = GroupCommit<Int>(maxBatch: 100)
        let writer = SlowWriter(failing: [7])
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for item in 0..<20 {
                group.addTask { ((try? await commit.submit(item) { try await writer.write($0) }) != nil) ? (item, true) : (item, false) }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let batches = writer.batches.withLock { $0 }
        let failedBatch = Set(try #require(batches.first { $0.contains(7) }))
        for (item, succeeded) in outcomes {
            #expect(succeeded == !failedBatch.contains(item), "item \(item)")
        }
        // The writer after a failure carries on: a later write goes through.
        try await commit.submit(99) { try await writer.write($0) }
        #expect(writer.batches.withLock { $0.last } == [99])
    }
}
