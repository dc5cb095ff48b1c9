import Synchronization
import Testing

@testable import DropMateStorage

@Suite struct GroupCommitterTests {
    /// A write that takes a moment, remembers every batch it was given, and refuses batches holding a bad item.
    final class SlowWriter: Sendable {
        let batches = Mutex<[[Int]]>([])
        let refusing: Set<Int>

        init(refusing: Set<Int> = []) { self.refusing = refusing }

        func write(_ batch: [Int]) async throws {
            try await Task.sleep(for: .milliseconds(20))
            if !refusing.isDisjoint(with: batch) { throw Refused() }
            batches.withLock { $0.append(batch) }
        }

        var written: [Int] { batches.withLock { Array($0.joined()) } }

        struct Refused: Error {}
    }

    @Test func concurrentCommitsShareWritesAndEachReturnsOnceItsItemIsWritten() async throws {
        let writer = SlowWriter()
        let committer = GroupCommitter<Int>(maxBatch: 100) { try await writer.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 0..<50 {
                group.addTask {
                    try await committer.commit(item)
                    #expect(writer.written.contains(item), "item \(item) returned before it was written")
                }
            }
            try await group.waitForAll()
        }
        #expect(writer.written.sorted() == Array(0..<50), "every item written exactly once")
        let writes = writer.batches.withLock { $0.count }
        #expect(writes < 10, "50 concurrent commits made \(writes) writes")
    }

    @Test func aBatchNeverExceedsItsLimit() async throws {
        let writer = SlowWriter()
        let committer = GroupCommitter<Int>(maxBatch: 4) { try await writer.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in 0..<30 { group.addTask { try await committer.commit(item) } }
            try await group.waitForAll()
        }
        #expect(writer.batches.withLock { $0 }.allSatisfy { $0.count <= 4 })
        #expect(writer.written.sorted() == Array(0..<30))
    }

    @Test func aRefusedItemFailsAloneAndTheOthersInItsBatchAreWritten() async throws {
        let writer = SlowWriter(refusing: [7])
        let committer = GroupCommitter<Int>(maxBatch: 100) { try await writer.write($0) }
        let failed = await withTaskGroup(of: Int?.self) { group in
            for item in 0..<20 {
                group.addTask { (try? await committer.commit(item)) == nil ? item : nil }
            }
            return await group.reduce(into: [Int]()) { if let item = $1 { $0.append(item) } }
        }
        #expect(failed == [7])
        #expect(writer.written.sorted() == Array(0..<20).filter { $0 != 7 })
    }

    @Test func flushWaitsForWritesNobodyWaitedFor() async throws {
        let writer = SlowWriter()
        let committer = GroupCommitter<Int>(maxBatch: 100) { try await writer.write($0) }
        for item in 0..<5 { committer.enqueue(item) }
        await committer.flush()
        #expect(writer.written.sorted() == Array(0..<5))
    }
}
