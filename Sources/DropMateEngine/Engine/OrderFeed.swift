import Foundation
import Synchronization

/// Tells open consoles that orders changed, within the process: the engine publishes the ids of the orders each
/// committed unit wrote; every connected event stream gets them. Publishing is O(1) in the number of orders and
/// never waits (a lock held for a few assignments, then `yield` on each subscriber's buffered stream): with no
/// browser connected it costs the commit path a counter increment and a ring-buffer write.
///
/// Events carry only order ids and a sequence number, never order contents: each stream reads the order again
/// with its own session's rights (see `ConsoleRoutes`).
public final class OrderFeed: Sendable {
    /// One change: order `orderID` was written; `sequence` orders the changes of this process.
    public struct Event: Sendable, Hashable {
        public var sequence: Int64
        public var orderID: Int64
    }

    /// Where a reconnecting stream resumes.
    public enum CatchUp: Sendable, Equatable {
        /// The events after the given one (possibly none).
        case events([Event])
        /// The given id is from another process or too old: the client must reload the whole board.
        case reload
    }

    private struct State {
        var sequence: Int64 = 0
        var recent: [Event] = []
        var next = 0
        var subscribers: [UInt64: AsyncStream<Event>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        /// Hands this process's changes to other replicas (`OrderFeedRelay`); must return at once.
        var forward: (@Sendable ([Int64]) -> Void)?
    }

    /// Events kept for `Last-Event-ID` catch-up.
    package let capacity: Int
    /// Identifies this process's sequence: ids from another process (a restart, another replica) mean "reload".
    public let epoch: String
    private let state = Mutex(State())

    public init(capacity: Int = 1_024, epoch: String = String(UInt32.random(in: 0...UInt32.max), radix: 36)) {
        self.capacity = capacity
        self.epoch = epoch
    }

    /// Records that `orderIDs` changed and hands the events to every subscriber (and, unless `relayed` from another
    /// replica already, to the relay).
    public func publish(_ orderIDs: some Sequence<Int64>, relayed: Bool = false) {
        let forward = state.withLock { state -> (@Sendable ([Int64]) -> Void)? in
            for id in orderIDs {
                state.sequence += 1
                let event = Event(sequence: state.sequence, orderID: id)
                if state.recent.count < capacity {
                    state.recent.append(event)
                } else {
                    state.recent[state.next] = event
                }
                state.next = (state.next + 1) % capacity
                for continuation in state.subscribers.values { continuation.yield(event) }
            }
            return relayed ? nil : state.forward
        }
        forward?(Array(orderIDs))
    }

    /// Sends every change published here (not relayed ones) to `forward` as well.
    package func forward(to forward: @escaping @Sendable ([Int64]) -> Void) {
        state.withLock { $0.forward = forward }
    }

    /// A stream of every event published from now on (a slow reader keeps at most `capacity` of them; older ones
    /// are dropped, and the client catches up by id). It ends its subscription when the consumer stops.
    public func subscribe() -> (events: AsyncStream<Event>, after: Int64) {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let (key, sequence) = state.withLock { state in
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return (state.nextSubscriber, state.sequence)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return (stream, sequence)
    }

    /// Streams connected now.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// The last sequence number published.
    public var sequence: Int64 { state.withLock { $0.sequence } }

    /// The events after `lastID` (an SSE id, "epoch-sequence") up to `until`.
    public func events(after lastID: String, until: Int64) -> CatchUp {
        let parts = lastID.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0] == epoch, let last = Int64(parts[1]), last <= until else { return .reload }
        return state.withLock { state in
            let kept = state.recent.filter { $0.sequence > last && $0.sequence <= until }.sorted {
                $0.sequence < $1.sequence
            }
            // Everything after `last` must still be here, or some were overwritten.
            let oldest = state.recent.map(\.sequence).min() ?? (state.sequence + 1)
            if last + 1 < oldest, last < until { return .reload }
            return .events(kept)
        }
    }

    /// The SSE id of an event.
    public func id(_ sequence: Int64) -> String { "\(epoch)-\(sequence)" }
}
