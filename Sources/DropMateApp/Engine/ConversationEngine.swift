import DropMateCore
import Foundation
import Logging
import Synchronization

/// Runs the pure conversation machine for real: loads state, serialises each customer, dedupes
/// WeChat retries, performs effects and commits everything a step changed in one unit of work.
public final class ConversationEngine: Sendable {
    let store: any ConversationStore
    let machine = ConversationMachine()
    let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64
    let rules: ConversationRules
    let eta: ETAEstimator
    let logger: Logger
    private let catalogValue: Mutex<Catalog>
    private let locks = KeyedLock()
    private let states: Mutex<BoundedCache<ConversationState>>
    let handledMessages: HandledMessages

    /// An engine over `store`. Call `warmUp()` once before serving.
    public init(store: any ConversationStore, catalog: Catalog, renderer: ReplyRenderer, clock: @escaping @Sendable () -> Int64,
                rules: ConversationRules = .init(), eta: ETAEstimator = .init(), cacheCapacity: Int = 200_000, logger: Logger) {
        self.store = store
        self.renderer = renderer
        self.clock = clock
        self.rules = rules
        self.eta = eta
        self.logger = logger
        self.catalogValue = Mutex(catalog)
        self.states = Mutex(BoundedCache(capacity: cacheCapacity))
        self.handledMessages = HandledMessages(capacity: cacheCapacity, horizon: clock())
    }

    /// The catalog the conversation offers now.
    public var catalog: Catalog { catalogValue.withLock { $0 } }

    /// Reloads merchants and ads from the store.
    public func reloadCatalog() async throws {
        let catalog = try await store.catalog()
        catalogValue.withLock { $0 = catalog }
    }

    /// Loads the last ten minutes of answered messages so retries across a restart are still recognised.
    public func warmUp() async throws {
        let since = clock() - 600
        handledMessages.warm(try await store.recentlyHandled(since: since, limit: 200_000))
        try await reloadCatalog()
    }

    /// Handles one WeChat message exactly once and returns the passive reply (nil: answer `success`).
    public func handle(_ message: IncomingChat) async throws -> OutgoingMessage? {
        let key = message.dedupeKey
        let lookup = handledMessages.lookup(key) { [self] in
            do {
                let reply = try await process(message)
                return try await finish(message, reply: reply)
            } catch {
                handledMessages.abandon(key)
                throw error
            }
        }
        switch lookup {
        case .answered(let reply): return reply
        case .inFlight(let task), .started(let task): return try await task.value
        }
    }

    /// The HTTP answer for `message` had to go without waiting; its reply will be pushed instead.
    public func replyLater(_ message: IncomingChat) {
        handledMessages.markLate(message.dedupeKey)
    }

    private func finish(_ message: IncomingChat, reply: OutgoingMessage?) async throws -> OutgoingMessage? {
        let late = handledMessages.finish(message.dedupeKey, reply: reply, at: clock())
        guard late, let reply else { return reply }
        let job = try PushJob(openID: message.customer, message: reply).job(key: "late:\(message.dedupeKey)", now: clock())
        try await store.commit(UnitOfWork(customer: message.customer, now: clock(), jobs: [job]))
        return nil
    }

    private func process(_ message: IncomingChat) async throws -> OutgoingMessage? {
        try await locks.withLock(message.customer) {
            let now = clock()
            var state: ConversationState
            if let cached = states.withLock({ $0[message.customer] }) {
                if !handledMessages.knowsAbout(createTime: message.createTime), let handled = try await store.handled(dedupeKey: message.dedupeKey) {
                    return handled.reply
                }
                state = cached
            } else {
                let loaded = try await store.load(customer: message.customer, dedupeKey: message.dedupeKey)
                if let handled = loaded.handled { return handled.reply }
                state = loaded.state ?? .new(at: now)
            }
            guard let input = message.input else {
                try await store.commit(UnitOfWork(customer: message.customer, now: now, handled: (message.dedupeKey, HandledMessage(reply: nil))))
                return nil
            }
            var outcome = try await run(customer: message.customer, state: state, input: input, now: now, pushKey: message.dedupeKey)
            let reply = outcome.reply
            outcome.unit.handled = (message.dedupeKey, HandledMessage(reply: reply))
            try await store.commit(outcome.unit)
            states.withLock { _ = $0.set(message.customer, outcome.state) }
            return reply
        }
    }

    /// Loads the customer's state from the cache or the store.
    func state(of customer: String, now: Int64) async throws -> ConversationState {
        if let cached = states.withLock({ $0[customer] }) { return cached }
        return try await store.load(customer: customer, dedupeKey: nil).state ?? .new(at: now)
    }

    /// Runs `body` holding `customer`'s lock, then caches the state it committed.
    func withCustomer<T: Sendable>(_ customer: String, _ body: () async throws -> (T, ConversationState?)) async throws -> T {
        try await locks.withLock(customer) {
            let (result, state) = try await body()
            if let state { states.withLock { _ = $0.set(customer, state) } }
            return result
        }
    }
}
