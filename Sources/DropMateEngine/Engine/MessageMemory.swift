import DropMateCore
import NIOCore
import NIOPosix
import Synchronization

/// This process's memory of recent WeChat messages: which were answered (hashes only, no replies) and which are
/// still being handled (their waiting requests). It answers with
/// a `Wait` value; `DuplicateCheck` decides what each one means for the request.
///
/// Answered keys are kept as 64-bit hashes with the time they were handled (about 16 bytes each),
/// enough to tell "never seen" without asking the store; a hit (a real retry, or a rare hash
/// collision) is resolved against the stored reply. The work for a key runs once. Every HTTP request for the key (the original and WeChat's retries)
/// waits for it with its own deadline. When the work finishes, the requests still waiting get the
/// reply; if every one of them had to give up first, the reply is pushed instead and later retries
/// get `success`, so the customer hears it exactly once. Keys older than `horizon` may have been
/// forgotten, so those are checked against the store.
///
/// Deadlines share one timer: it is set for the earliest deadline of any waiting request and, when it fires,
/// gives up on every request past its deadline and sets itself for the next. Under steady load each request
/// is answered in milliseconds against a 4.5-second deadline, so the timer rarely fires (a timer per request
/// cost a schedule and a cancel on the event loop for every message).
package final class MessageMemory: Sendable {
    /// A request waiting for a reply.
    private struct Waiter {
        var continuation: CheckedContinuation<Wait, any Error>
        var deadline: NIODeadline
        /// It joined work another request started (a retry while the first is still being handled).
        var joined: Bool
    }

    private struct InFlight {
        var waiters: [Waiter] = []
        /// Some request gave up waiting: if nobody is left when the reply is ready, push it.
        var someoneGaveUp = false
    }

    private struct State {
        var done: BoundedCache<Int64, Int64>
        var inFlight: [String: InFlight] = [:]
        /// Messages created after this (Unix seconds) are known to memory if they were handled.
        var horizon: Int64
        /// When the deadline timer fires next, and the timer (nil while nobody waits).
        var sweepAt: NIODeadline?
        var sweep: Scheduled<Void>?
    }

    /// What one request for a key's reply came to.
    enum Wait: Sendable, Equatable {
        /// The work's result. `joined`: this request joined work that another request for the key started.
        case finished(HandledResult, joined: Bool)
        /// Memory says the key was answered before (look the answer up: memory keeps no replies).
        case answeredBefore
        /// The deadline passed first. The work goes on; its reply is pushed if nobody waits for it any more.
        case late(joined: Bool)
    }

    private let state: Mutex<State>
    private let eventLoops: any EventLoopGroup
    /// How far our clock may run behind WeChat's CreateTime.
    package static let skew: Int64 = 30

    /// `capacity` answered keys are remembered; at N messages/s that covers capacity/N seconds (keep it above `skew`).
    init(capacity: Int, horizon: Int64, eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        state = Mutex(State(done: BoundedCache(capacity: capacity, reserve: true), horizon: horizon))
        self.eventLoops = eventLoops
    }

    static func hash(_ key: String) -> Int64 {
        var hasher = Hasher()
        hasher.combine(key)
        return Int64(hasher.finalize())
    }

    /// Loads the answers the store has since `since` (after a restart), newest first as given.
    /// When `complete`, memory now knows every message handled since then, so newer ones need no store lookup.
    func warm(_ entries: [(key: String, at: Int64)], since: Int64, complete: Bool) {
        state.withLock { state in
            for entry in entries.reversed() { state.done.set(Self.hash(entry.key), entry.at) }
            state.horizon = complete ? since : max(since, entries.last?.at ?? since)
        }
    }

    /// Whether memory alone can tell that a message created at `createTime` was never handled.
    func knowsAbout(createTime: Int64) -> Bool {
        state.withLock { createTime > $0.horizon + Self.skew }
    }

    /// The result for `key`: awaited from work in flight, or from `work` started now; `.answeredBefore` when memory
    /// says the key was answered, `.late` after `deadline` (the work carries on, and `push` delivers its reply if
    /// nobody waits any more). Throws only what `work` throws.
    func reply(
        for key: String, trustingMemory: Bool = true, deadline: Duration, now: @escaping @Sendable () -> Int64,
        work: @escaping @Sendable () async throws -> HandledResult,
        push: @escaping @Sendable (OutgoingMessage) async -> Void
    ) async throws -> Wait {
        try await withCheckedThrowingContinuation { continuation in
            enum Next { case answered, wait, start }
            let hash = Self.hash(key)
            let deadlineAt = NIODeadline.now() + TimeAmount(deadline)
            let next: Next = state.withLock { state in
                if trustingMemory, state.done[hash] != nil { return .answered }
                if state.sweepAt.map({ deadlineAt < $0 }) ?? true { scheduleSweep(at: deadlineAt, in: &state) }
                if state.inFlight[key] != nil {
                    state.inFlight[key]!.waiters.append(
                        Waiter(continuation: continuation, deadline: deadlineAt, joined: true))
                    return .wait
                }
                state.inFlight[key] = InFlight(waiters: [
                    Waiter(continuation: continuation, deadline: deadlineAt, joined: false)
                ])
                return .start
            }
            switch next {
            case .answered:
                continuation.resume(returning: .answeredBefore)
            case .wait:
                break
            case .start:
                Task {
                    do {
                        let result = try await work()
                        if let late = finish(key, with: .success(result), at: now()) {
                            await push(late)
                            settleAfterPush(key, at: now())
                        }
                    } catch {
                        _ = finish(key, with: .failure(error), at: now())
                    }
                }
            }
        }
    }

    /// Sets the deadline timer for `at` (replacing a later one).
    private func scheduleSweep(at deadline: NIODeadline, in state: inout State) {
        state.sweep?.cancel()
        state.sweepAt = deadline
        state.sweep = eventLoops.any().scheduleTask(deadline: deadline) { [weak self] in self?.giveUpOnLateWaiters() }
    }

    /// Gives up on every request past its deadline, and sets the timer for the earliest deadline left.
    private func giveUpOnLateWaiters() {
        let now = NIODeadline.now()
        let late: [Waiter] = state.withLock { state in
            state.sweepAt = nil
            state.sweep = nil
            var late: [Waiter] = []
            var earliest: NIODeadline?
            for key in Array(state.inFlight.keys) {
                var entry = state.inFlight[key]!
                let before = entry.waiters.count
                entry.waiters.removeAll { waiter in
                    if waiter.deadline <= now { late.append(waiter); return true }
                    earliest = min(earliest ?? waiter.deadline, waiter.deadline)
                    return false
                }
                guard entry.waiters.count != before else { continue }
                entry.someoneGaveUp = true
                state.inFlight[key] = entry
            }
            if let earliest { scheduleSweep(at: earliest, in: &state) }
            return late
        }
        for waiter in late { waiter.continuation.resume(returning: .late(joined: waiter.joined)) }
    }

    /// Ends the work for `key`. Returns the reply to push when every request had given up on it; the key then
    /// stays in flight (newcomers wait) until `settleAfterPush`, so nobody gets the reply both ways.
    private func finish(_ key: String, with result: Result<HandledResult, any Error>, at now: Int64) -> OutgoingMessage?
    {
        let (waiters, pushed): ([Waiter], OutgoingMessage?) = state.withLock { state in
            guard let entry = state.inFlight[key] else { return ([], nil) }
            // Failed (a retry may try again), or a replay (whoever answered first remembers it): nothing to remember.
            guard case .success(let handled) = result, handled.isNewAnswer else {
                state.inFlight[key] = nil
                return (entry.waiters, nil)
            }
            if entry.waiters.isEmpty, entry.someoneGaveUp, let reply = handled.replyToPush {
                state.inFlight[key]!.someoneGaveUp = false
                return ([], reply)
            }
            state.inFlight[key] = nil
            remember(key, at: now, in: &state)
            return (entry.waiters, nil)
        }
        switch result {
        case .success(let handled):
            for waiter in waiters { waiter.continuation.resume(returning: .finished(handled, joined: waiter.joined)) }
        case .failure(let error): for waiter in waiters { waiter.continuation.resume(throwing: error) }
        }
        return pushed
    }

    /// The late reply is queued as a push: whoever waits now gets `success`.
    private func settleAfterPush(_ key: String, at now: Int64) {
        let waiters: [Waiter] = state.withLock { state in
            let entry = state.inFlight.removeValue(forKey: key) ?? InFlight()
            remember(key, at: now, in: &state)
            return entry.waiters
        }
        // They came while the reply was being pushed: retries, answered `success` as the first delivery now is.
        for waiter in waiters { waiter.continuation.resume(returning: .finished(.fresh(nil), joined: waiter.joined)) }
    }

    private func remember(_ key: String, at now: Int64, in state: inout State) {
        if let evicted = state.done.set(Self.hash(key), now) {
            state.horizon = max(state.horizon, evicted.value)
        }
    }
}
