import Synchronization

/// Turns many concurrent single-row writes into few multi-row ones, and each caller still returns only once its
/// row is written (or with the error that kept it out).
///
/// The first caller writes its item at once. Items that arrive while a write is running queue up; when it
/// ends, the first of them takes over and writes the whole queue (up to `maxBatch`) in one statement, so under
/// load a write carries everything that arrived during the previous one. No caller writes more than one batch,
/// so none is held back by a steady stream of others.
final class GroupCommit<Item: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Turn, any Error>

    private struct Entry: Sendable {
        var item: Item
        var waiter: Waiter
    }

    /// What a caller does once its continuation resumes.
    private enum Turn: Sendable {
        /// Another caller wrote the item.
        case written
        /// Write the item together with these queued ones, then resume them.
        case lead(queued: [Entry])
    }

    private struct State {
        var writing = false
        var queue: [Entry] = []
    }

    private let state = Mutex(State())
    private let maxBatch: Int

    init(maxBatch: Int) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
    }

    /// Writes `item`, possibly with others: `write` gets the batch (in arrival order) and writes all of it.
    func submit(_ item: Item, write: ([Item]) async throws -> Void) async throws {
        let turn: Turn = try await withCheckedThrowingContinuation { waiter in
            let leads = state.withLock { state in
                if state.writing {
                    state.queue.append(Entry(item: item, waiter: waiter))
                    return false
                }
                state.writing = true
                return true
            }
            if leads { waiter.resume(returning: .lead(queued: [])) }
        }
        guard case .lead(let queued) = turn else { return }
        var failure: (any Error)?
        do { try await write([item] + queued.map(\.item)) } catch { failure = error }
        for entry in queued {
            if let failure { entry.waiter.resume(throwing: failure) } else { entry.waiter.resume(returning: .written) }
        }
        handOver()
        if let failure { throw failure }
    }

    /// Makes the oldest queued caller the next writer, or ends the writing when nobody waits.
    private func handOver() {
        let next: (lead: Entry, rest: [Entry])? = state.withLock { state in
            guard let first = state.queue.first else {
                state.writing = false
                return nil
            }
            let count = min(maxBatch, state.queue.count)
            let rest = Array(state.queue[1..<count])
            state.queue.removeFirst(count)
            return (first, rest)
        }
        if let next { next.lead.waiter.resume(returning: .lead(queued: next.rest)) }
    }
}
