import DropMateCore
import NIOCore
import NIOPosix
import Synchronization

/// In-memory memory of WeChat messages: answered ones (with their reply) and ones still being handled.
///
/// The work for a key runs once. Every HTTP request for the key (the original and WeChat's retries)
/// waits for it with its own deadline. When the work finishes, the requests still waiting get the
/// reply; if every one of them had to give up first, the reply is pushed instead and later retries
/// get `success`, so the customer hears it exactly once. Keys older than `horizon` may have been
/// forgotten, so those are checked against the store.
final class HandledMessages: Sendable {
    /// A request waiting for a reply.
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<OutgoingMessage?, any Error>
        var timer: Scheduled<Void>?
    }

    private struct InFlight {
        var waiters: [Waiter] = []
        /// Some request gave up waiting: if nobody is left when the reply is ready, push it.
        var someoneGaveUp = false
    }

    private struct State {
        var done: BoundedCache<(reply: OutgoingMessage?, at: Int64)>
        var inFlight: [String: InFlight] = [:]
        var nextWaiter: UInt64 = 0
        /// Messages created after this (Unix seconds) are known to memory if they were handled.
        var horizon: Int64
    }

    /// The reply could not be ready before the request's deadline.
    struct DeadlinePassed: Error {}

    private let state: Mutex<State>
    private let eventLoops: any EventLoopGroup
    /// Clock skew allowed between WeChat's CreateTime and our clock.
    static let skew: Int64 = 120

    init(capacity: Int, horizon: Int64, eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        state = Mutex(State(done: BoundedCache(capacity: capacity), horizon: horizon))
        self.eventLoops = eventLoops
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

    /// The reply for `key`: remembered, awaited from work in flight, or from `work` started now.
    /// Throws `DeadlinePassed` after `deadline`; the work carries on and `push` delivers its reply if nobody waits any more.
    func reply(
        for key: String, deadline: Duration, now: @escaping @Sendable () -> Int64,
        work: @escaping @Sendable () async throws -> OutgoingMessage?,
        push: @escaping @Sendable (OutgoingMessage) async -> Void
    ) async throws -> OutgoingMessage? {
        try await withCheckedThrowingContinuation { continuation in
            enum Next { case answered(OutgoingMessage?), wait(UInt64), start(UInt64) }
            let next: Next = state.withLock { state in
                if let done = state.done[key] { return .answered(done.reply) }
                state.nextWaiter += 1
                let id = state.nextWaiter
                let waiter = Waiter(id: id, continuation: continuation, timer: nil)
                if state.inFlight[key] != nil {
                    state.inFlight[key]!.waiters.append(waiter)
                    return .wait(id)
                }
                state.inFlight[key] = InFlight(waiters: [waiter])
                return .start(id)
            }
            let waiterID: UInt64
            switch next {
            case .answered(let reply):
                continuation.resume(returning: reply)
                return
            case .wait(let id):
                waiterID = id
            case .start(let id):
                waiterID = id
                Task {
                    do {
                        let reply = try await work()
                        if let late = finish(key, with: .success(reply), at: now()) { await push(late) }
                    } catch {
                        _ = finish(key, with: .failure(error), at: now())
                    }
                }
            }
            let timer = eventLoops.any().scheduleTask(in: .nanoseconds(Int64(deadline.components.seconds) * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000)) {
                self.giveUp(key, waiterID)
            }
            let attached = state.withLock { state in
                guard let index = state.inFlight[key]?.waiters.firstIndex(where: { $0.id == waiterID }) else { return false }
                state.inFlight[key]!.waiters[index].timer = timer
                return true
            }
            if !attached { timer.cancel() }  // already answered
        }
    }

    private func giveUp(_ key: String, _ waiterID: UInt64) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.inFlight[key]?.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
            state.inFlight[key]!.someoneGaveUp = true
            return state.inFlight[key]!.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: DeadlinePassed())
    }

    /// Ends the work for `key`. Returns the reply to push when every request had given up on it.
    private func finish(_ key: String, with result: Result<OutgoingMessage?, any Error>, at now: Int64) -> OutgoingMessage? {
        let (waiters, pushed): ([Waiter], OutgoingMessage?) = state.withLock { state in
            let entry = state.inFlight.removeValue(forKey: key) ?? InFlight()
            guard case .success(let reply) = result else { return (entry.waiters, nil) }  // failed: a retry may try again
            let pushed = entry.waiters.isEmpty && entry.someoneGaveUp ? reply : nil
            if let evicted = state.done.set(key, (pushed == nil ? reply : nil, now)) {
                state.horizon = max(state.horizon, evicted.value.at)
            }
            return (entry.waiters, pushed)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(with: result)
        }
        return pushed
    }
}
