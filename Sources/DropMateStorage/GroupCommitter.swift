import Synchronization

/// Commits many callers' writes in one transaction (group commit).
///
/// Each caller waits until its own write is durable. While one transaction runs, new writes
/// queue up and go together in the next one, so throughput grows with load while latency
/// stays one transaction. If a batch fails, its writes are retried one by one so a bad
/// write fails alone.
final class GroupCommitter<Item: Sendable>: Sendable {
    typealias Write = @Sendable ([Item]) async throws -> Void

    private struct Pending {
        var items: [(Item, CheckedContinuation<Void, any Error>)] = []
        var draining = false
    }

    private let pending = Mutex(Pending())
    private let write: Write
    private let maxBatch: Int

    init(maxBatch: Int = 256, write: @escaping Write) {
        self.maxBatch = maxBatch
        self.write = write
    }

    /// Returns once `item` is committed; throws what its transaction threw.
    func commit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startDrain = pending.withLock { pending in
                pending.items.append((item, continuation))
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [(Item, CheckedContinuation<Void, any Error>)] = pending.withLock { pending in
                let count = min(pending.items.count, maxBatch)
                let batch = Array(pending.items.prefix(count))
                pending.items.removeFirst(count)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await write(batch.map(\.0))
                for (_, continuation) in batch { continuation.resume() }
            } catch where batch.count > 1 {
                for (item, continuation) in batch {
                    do {
                        try await write([item])
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].1.resume(throwing: error)
            }
        }
    }
}
