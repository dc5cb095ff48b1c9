import DropMateCore
import DropMateTelemetry
import Logging
import Synchronization

/// Runs the pure conversation machine for real: loads state, serialises each customer, dedupes
/// WeChat retries, performs effects and commits everything a step changed in one unit of work.
public final class ConversationEngine: Sendable {
    package let store: any ConversationStore
    let machine = ConversationMachine()
    package let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64
    package let rules: ConversationRules
    package let eta: ETAEstimator
    let logger: Logger
    /// A map service's road distances for new orders (nil: the built-in estimate alone).
    let routes: RouteLookup?
    private let catalogValue: Mutex<Catalog>
    private let coordinator: any CustomerCoordinator
    let messageMemory: MessageMemory
    /// Metrics (order events) and spans (`machine`, `store`).
    let telemetry: Telemetry
    /// WeChat Pay's part in the conversation and in dispatch; nil when payment is off.
    let payments: PaymentGate?
    /// Tells open staff consoles which orders each commit wrote (`/console/events`).
    public let orderFeed = OrderFeed()
    /// Whether an SMS can reach a courier's phone: a real provider is configured (or, in dev mode, the log
    /// provider stands in for one, as the dev outbox does for WeChat). Dispatch refuses a courier nothing reaches.
    public let courierSMS: Bool

    /// An engine over `store`. Call `warmUp()` once before serving.
    ///
    /// `coordinator` says who else serves these customers: nobody (`LocalCoordinator`, the embedded default) or other
    /// replicas (`RedisCoordinator`: Redis then carries the locks, cached states and answers); `Coordination` makes one.
    package init(
        store: any ConversationStore, catalog: Catalog, renderer: ReplyRenderer, clock: @escaping @Sendable () -> Int64,
        rules: ConversationRules = .init(), eta: ETAEstimator = .init(),
        coordinator: any CustomerCoordinator = LocalCoordinator(rateLimit: .off),
        routes: RouteLookup? = nil, telemetry: Telemetry = .disabled, payments: PaymentGate? = nil,
        courierSMS: Bool = true, logger: Logger
    ) {
        self.courierSMS = courierSMS
        self.routes = routes
        self.payments = payments
        self.telemetry = telemetry
        self.store = store
        self.renderer = renderer
        self.clock = clock
        self.rules = rules
        self.eta = eta
        self.logger = logger
        self.catalogValue = Mutex(catalog)
        self.messageMemory = MessageMemory(capacity: 1_000_000, horizon: clock())
        self.coordinator = coordinator
    }

    /// The catalog the conversation offers now.
    public var catalog: Catalog { catalogValue.withLock { $0 } }

    /// Reloads merchants and ads from the store.
    public func reloadCatalog() async throws {
        let catalog = try await store.catalog(at: clock())
        catalogValue.withLock { $0 = catalog }
    }

    /// Loads the last ten minutes of answered messages so retries across a restart are still recognised.
    public func warmUp() async throws {
        let since = clock() - 600, limit = 1_000_000
        let recent = try await store.recentlyHandledKeys(since: since, limit: limit)
        messageMemory.warm(recent, since: since, complete: recent.count < limit)
        try await reloadCatalog()
    }

    /// Handles one WeChat message exactly once: the passive reply and what became of the message (a retry gets the
    /// first answer, a message over the rate limit a request to slow down; one not ready within `deadline` is `.late`,
    /// its work goes on and its reply is pushed instead, unless a retry is there to take it). `DuplicateCheck` says how
    /// retries are told. Throws only for failures (the database or Redis away, a replayed signed request).
    public func handle(_ message: IncomingChat, deadline: Duration = .seconds(4)) async throws -> WebhookAnswer {
        var check = DuplicateCheck(coordinatorKeepsAnswers: coordinator.keepsAnswers)
        var next = check.memory(try await wait(for: message, deadline: deadline, trustingMemory: true))
        while true {
            switch next {
            case .answer(let answer): return answer
            case .lookUpStoredAnswer: next = check.stored(try await store.handled(dedupeKey: message.dedupeKey))
            case .askAgainIgnoringMemory:
                next = check.memory(
                    try await wait(for: message, deadline: deadline, trustingMemory: check.trustsMemory))
            }
        }
    }

    /// Waits for the message's work: started now, or joined when a request for it already started it.
    private func wait(
        for message: IncomingChat, deadline: Duration, trustingMemory: Bool
    ) async throws -> MessageMemory.Wait {
        try await messageMemory.reply(
            for: message.dedupeKey, trustingMemory: trustingMemory, deadline: deadline, now: clock,
            work: { [self] in try await process(message) },
            push: { [self] reply in await pushLate(reply, for: message) }
        )
    }

    private func pushLate(_ reply: OutgoingMessage, for message: IncomingChat) async {
        do {
            let job = try PushJob(openID: message.customer, message: reply).job(
                key: "late:\(message.dedupeKey)", now: clock())
            // The stored answer becomes `success`, so a later retry does not deliver the reply twice.
            try await store.commit(
                UnitOfWork(
                    customer: message.customer, now: clock(), handled: (message.dedupeKey, RecordedAnswer(reply: nil)),
                    jobs: [job]))
            try await coordinator.remember(RecordedAnswer(reply: nil), for: message)
        } catch {
            logger.error(
                "could not queue a late reply",
                metadata: ["dropmate.msg_key": "\(message.dedupeKey)", "dropmate.error": "\(error)"])
        }
    }

    /// The message's customer turn: replays a stored answer, or runs the machine and commits what it did.
    private func process(_ message: IncomingChat) async throws -> HandledResult {
        try await coordinator.withTurn(of: message.customer, message: message, now: clock()) { turn in
            let now = clock()
            var state = turn.cachedState
            var start = DuplicateCheck.turnStarts(
                status: turn.message, stateCached: state != nil, coordinatorServesAlone: coordinator.servesAlone,
                memorySawEverything: messageMemory.knowsAbout(createTime: message.createTime))
            switch start {
            case .loadStateAndAnswer:
                let loaded = try await store.load(customer: message.customer, dedupeKey: message.dedupeKey)
                state = loaded.state
                start = DuplicateCheck.storeSays(loaded.handled)
            case .lookUpAnswer:
                start = DuplicateCheck.storeSays(try await store.handled(dedupeKey: message.dedupeKey))
            case .run:
                if state == nil { state = try await store.load(customer: message.customer, dedupeKey: nil).state }
            case .replay:
                break
            }
            // A replay changes nothing; a state just loaded is cached for the next turn.
            if case .replay(let handled) = start {
                return TurnEnd(value: .replayed(handled), state: turn.cachedState == nil ? state : nil)
            }
            let current = state ?? .new(at: now)
            guard let input = message.input else {
                try await commit(
                    UnitOfWork(
                        customer: message.customer, now: now, handled: (message.dedupeKey, RecordedAnswer(reply: nil))))
                return TurnEnd(value: .fresh(nil), state: state, answer: RecordedAnswer(reply: nil))
            }
            if turn.overRateLimit {
                let reply = renderer.render([.slowDown], language: current.language, catalog: catalog)
                if !coordinator.keepsAnswers {
                    store.recordAnswer(
                        UnitOfWork(
                            customer: message.customer, now: now,
                            handled: (message.dedupeKey, RecordedAnswer(reply: reply))))
                }
                return TurnEnd(value: .rateLimited(reply), state: state, answer: RecordedAnswer(reply: reply))
            }
            var outcome = try await telemetry.withSpan("machine") {
                try await run(
                    customer: message.customer, state: current, input: input, now: now, pushKey: message.dedupeKey)
            }
            let reply = outcome.reply
            outcome.unit.handled = (message.dedupeKey, RecordedAnswer(reply: reply))
            if let saved = outcome.unit.state {
                outcome.unit.encodedState = try store.encodeState(saved, customer: outcome.unit.customer)
            }  // once, for the store and the cache
            if outcome.unit.onlyRecordsAnAnswer {
                // Nothing to lose (see ConversationStore.recordAnswer); with Redis keeping answers, not even written.
                if !coordinator.keepsAnswers { store.recordAnswer(outcome.unit) }
            } else {
                try await commit(outcome.unit)
            }
            // A cached state the step left as it was needs no re-caching (saves encoding it for Redis).
            let changed = turn.cachedState == nil || outcome.unit.state != nil
            return TurnEnd(
                value: .fresh(reply), state: changed ? outcome.state : nil, encodedState: outcome.unit.encodedState,
                answer: RecordedAnswer(reply: reply))
        }
    }

    /// Runs `body` holding `customer`'s lock (across replicas in production). `body` gets the customer's current
    /// state and returns its result and the state it committed (nil: unchanged).
    func withCustomer<T: Sendable>(
        _ customer: String, _ body: (ConversationState) async throws -> (T, ConversationState?)
    ) async throws -> T {
        try await coordinator.withTurn(of: customer, message: nil, now: clock()) { turn in
            var state = turn.cachedState
            if state == nil { state = try await store.load(customer: customer, dedupeKey: nil).state }
            let (result, committed) = try await body(state ?? .new(at: clock()))
            return TurnEnd(value: result, state: committed ?? state)
        }
    }
}
