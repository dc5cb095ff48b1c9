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
    private let states: Mutex<BoundedCache<String, ConversationState>>
    let handledMessages: HandledMessages

    /// An engine over `store`. Call `warmUp()` once before serving.
    public init(store: any ConversationStore, catalog: Catalog, renderer: ReplyRenderer, clock: @escaping @Sendable () -> Int64,
                rules: ConversationRules = .init(), eta: ETAEstimator = .init(), cacheCapacity: Int = 100_000, logger: Logger) {
        self.store = store
        self.renderer = renderer
        self.clock = clock
        self.rules = rules
        self.eta = eta
        self.logger = logger
        self.catalogValue = Mutex(catalog)
        self.states = Mutex(BoundedCache(capacity: cacheCapacity))
        self.handledMessages = HandledMessages(capacity: 1_000_000, horizon: clock())
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
        let since = clock() - 600, limit = 1_000_000
        let recent = try await store.recentlyHandledKeys(since: since, limit: limit)
        handledMessages.warm(recent, since: since, complete: recent.count < limit)
        try await reloadCatalog()
    }

    /// Handles one WeChat message exactly once and returns the passive reply (nil: answer `success`).
    ///
    /// Throws `HandledMessages.DeadlinePassed` when the reply is not ready within `deadline`; the work
    /// goes on and its reply is pushed to the customer instead (unless a retry is there to take it).
    public func handle(_ message: IncomingChat, deadline: Duration = .seconds(4)) async throws -> OutgoingMessage? {
        do {
            return try await answer(message, deadline: deadline, trustingMemory: true)
        } catch is HandledMessages.AnsweredBefore {
            // A retry: answer what was answered (nil when the reply went out as a push).
            if let stored = try await store.handled(dedupeKey: message.dedupeKey) { return stored.reply }
            // Not in the store after all (two keys sharing a hash): handle it like any new message.
            return try await answer(message, deadline: deadline, trustingMemory: false)
        }
    }

    private func answer(_ message: IncomingChat, deadline: Duration, trustingMemory: Bool) async throws -> OutgoingMessage? {
        try await handledMessages.reply(
            for: message.dedupeKey, trustingMemory: trustingMemory, deadline: deadline, now: clock,
            work: { [self] in try await process(message) },
            push: { [self] reply in await pushLate(reply, for: message) }
        )
    }

    private func pushLate(_ reply: OutgoingMessage, for message: IncomingChat) async {
        do {
            let job = try PushJob(openID: message.customer, message: reply).job(key: "late:\(message.dedupeKey)", now: clock())
            // The stored answer becomes `success`, so a later retry does not deliver the reply twice.
            try await store.commit(UnitOfWork(customer: message.customer, now: clock(), handled: (message.dedupeKey, HandledMessage(reply: nil)), jobs: [job]))
        } catch {
            logger.error("could not queue a late reply", metadata: ["dropmate.msg_key": "\(message.dedupeKey)", "dropmate.error": "\(error)"])
        }
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
            if outcome.unit.onlyRecordsAnAnswer {
                store.recordAnswer(outcome.unit)  // nothing to lose: see ConversationStore.recordAnswer
            } else {
                try await store.commit(outcome.unit)
            }
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
