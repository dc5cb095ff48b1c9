import DropMateCore
import Synchronization

/// In-memory memory of WeChat messages: answered ones (with their reply) and ones still being handled.
///
/// A retry of an answered message gets the stored reply; a retry of one in flight waits for the
/// same work instead of starting it again. Keys older than `horizon` may have been forgotten, so
/// those are checked against the store.
final class HandledMessages: Sendable {
    private struct State {
        var done: BoundedCache<(reply: OutgoingMessage?, at: Int64)>
        var inFlight: [String: Task<OutgoingMessage?, any Error>] = [:]
        var late: Set<String> = []
        /// Messages created after this (Unix seconds) are known to memory if they were handled.
        var horizon: Int64
    }

    enum Lookup {
        case answered(OutgoingMessage?)
        case inFlight(Task<OutgoingMessage?, any Error>)
        case started(Task<OutgoingMessage?, any Error>)
    }

    private let state: Mutex<State>
    /// Clock skew allowed between WeChat's CreateTime and our clock.
    static let skew: Int64 = 120

    init(capacity: Int, horizon: Int64) {
        state = Mutex(State(done: BoundedCache(capacity: capacity), horizon: horizon))
    }

    /// Loads answers from the store (after a restart).
    func warm(_ entries: [(key: String, at: Int64, message: HandledMessage)]) {
        state.withLock { state in
            for entry in entries.reversed() { state.done.set(entry.key, (entry.message.reply, entry.at)) }
        }
    }

    /// Whether memory alone can tell that a message created at `createTime` was never handled.
    func knowsAbout(createTime: Int64) -> Bool {
        state.withLock { createTime > $0.horizon + Self.skew }
    }

    /// The stored answer, the work in flight, or newly started work (`work` runs once per key).
    func lookup(_ key: String, orStart work: @escaping @Sendable () async throws -> OutgoingMessage?) -> Lookup {
        state.withLock { state in
            if let done = state.done[key] { return .answered(done.reply) }
            if let task = state.inFlight[key] { return .inFlight(task) }
            let task = Task { try await work() }
            state.inFlight[key] = task
            return .started(task)
        }
    }

    /// Records the answer for `key`. Returns true when the caller gave up waiting (`markLate`), so the answer must go out as a push.
    func finish(_ key: String, reply: OutgoingMessage?, at now: Int64) -> Bool {
        state.withLock { state in
            state.inFlight[key] = nil
            let late = state.late.remove(key) != nil
            if let evicted = state.done.set(key, (late ? nil : reply, now)) {
                state.horizon = max(state.horizon, evicted.value.at)
            }
            return late
        }
    }

    /// Forgets in-flight work that failed, so a retry can try again.
    func abandon(_ key: String) {
        state.withLock { state in
            state.inFlight[key] = nil
            state.late.remove(key)
        }
    }

    /// The HTTP answer went out without a reply (the 5-second window); deliver it later instead.
    func markLate(_ key: String) {
        state.withLock { state in
            if state.inFlight[key] != nil { state.late.insert(key) }
        }
    }
}
