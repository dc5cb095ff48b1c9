import NIOCore
import NIOPosix
import Synchronization

/// Commits many callers' writes in one transaction (group commit).
///
/// Each caller waits until its own write is durable. While one transaction runs, new writes
/// queue up and go together in the next one, so throughput grows with load while latency
/// stays one transaction. If a batch fails, its writes are retried one by one so a bad
/// write fails alone. Each caller is resumed on the event loop it committed from: Swift tasks have no
/// home executor, so resuming a whole batch from the committing loop would pile every caller's next steps
/// (rendering, writing the response) onto one event loop while the others sit idle.
final class GroupCommitter<Item: Sendable>: Sendable {
    typealias Write = @Sendable ([Item]) async throws -> Void

    private struct Waiter {
        /// nil for a barrier (`flush`).
        var item: Item?
        /// nil for a write nobody waits for (`enqueue`).
        var continuation: CheckedContinuation<Void, any Error>?
        var eventLoop: (any EventLoop)?

        func resume(with result: Result<Void, any Error>) {
            guard let continuation else { return }
            if let eventLoop, !eventLoop.inEventLoop {
                eventLoop.execute { continuation.resume(with: result) }
            } else {
                continuation.resume(with: result)
            }
        }
    }

    private struct Pending {
        var items: [Waiter] = []
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
            add(Waiter(item: item, continuation: continuation, eventLoop: MultiThreadedEventLoopGroup.currentEventLoop))
        }
    }

    /// Adds `item` to the next batch without waiting for it. A failed write is dropped: only use this for
    /// writes whose loss is harmless.
    func enqueue(_ item: Item) {
        add(Waiter(item: item, continuation: nil, eventLoop: nil))
    }

    /// Returns once everything queued before the call has been written (or has failed).
    func flush() async {
        try? await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            add(Waiter(item: nil, continuation: continuation, eventLoop: MultiThreadedEventLoopGroup.currentEventLoop))
        }
    }

    private func add(_ waiter: Waiter) {
        let startDrain = pending.withLock { pending in
            pending.items.append(waiter)
            if pending.draining { return false }
            pending.draining = true
            return true
        }
        if startDrain { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let batch: [Waiter] = pending.withLock { pending in
                let count = min(pending.items.count, maxBatch)
                let batch = Array(pending.items.prefix(count))
                pending.items.removeFirst(count)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let items = batch.compactMap(\.item)
            do {
                if !items.isEmpty { try await write(items) }
                for waiter in batch { waiter.resume(with: .success(())) }
            } catch  where items.count > 1 {
                for waiter in batch {
                    do {
                        if let item = waiter.item { try await write([item]) }
                        waiter.resume(with: .success(()))
                    } catch {
                        waiter.resume(with: .failure(error))
                    }
                }
            } catch {
                for waiter in batch { waiter.resume(with: waiter.item == nil ? .success(()) : .failure(error)) }
            }
        }
    }
}
