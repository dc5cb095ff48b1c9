import DropMateCore
import Synchronization

/// The embedded default's coordinator: one process owns every customer, so locks, cached states and
/// rate counters live in memory. Answered messages are remembered by the engine's `MessageMemory`; whether
/// a message is new is left to it (`DuplicateCheck`).
package final class LocalCoordinator: CustomerCoordinator {
    private let locks = KeyedLock()
    private let states: Mutex<BoundedCache<String, ConversationState>>
    private let counters: Mutex<BoundedCache<String, (window: Int64, count: Int)>>
    private let rateLimit: RateLimit

    package init(rateLimit: RateLimit, cacheCapacity: Int = 100_000) {
        self.rateLimit = rateLimit
        self.states = Mutex(BoundedCache(capacity: cacheCapacity))
        self.counters = Mutex(BoundedCache(capacity: cacheCapacity))
    }

    package var keepsAnswers: Bool { false }
    package var servesAlone: Bool { true }

    package func withTurn<Value: Sendable>(
        of customer: String, message: IncomingChat?, now: Int64,
        _ body: (TurnStart) async throws -> TurnEnd<Value>
    ) async throws -> Value {
        try await locks.withLock(customer) {
            let cached = states.withLock { $0[customer] }
            // Only the engine's memory can tell a new message from an answered one here (`DuplicateCheck`).
            let turn = TurnStart(
                cachedState: cached, message: message == nil ? nil : .unknown,
                overRateLimit: message != nil && countMessage(from: customer, now: now))
            let outcome = try await body(turn)
            if let state = outcome.state { states.withLock { _ = $0.set(customer, state) } }
            return outcome.value
        }
    }

    /// Memory and the store already know (see `MessageMemory` and `ConversationEngine.pushLate`).
    package func remember(_ answer: RecordedAnswer, for message: IncomingChat) async throws {}

    /// Counts one message; true when it is over the limit.
    private func countMessage(from customer: String, now: Int64) -> Bool {
        guard rateLimit.messages > 0 else { return false }
        let window = rateLimit.window(at: now)
        return counters.withLock { counters in
            var entry = counters[customer] ?? (window, 0)
            if entry.window != window { entry = (window, 0) }
            entry.count += 1
            counters.set(customer, entry)
            return entry.count > rateLimit.messages
        }
    }
}
