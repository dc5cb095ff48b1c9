/// The conversation engine's port to durable storage: what answering one message exactly once reads (the customer's
/// state, recorded answers) and writes.
///
/// Everything one message changes is committed together in one `UnitOfWork`, so a crash
/// never leaves an order without its notification job or a reply without its dedupe record.
public protocol ConversationWrites: Sendable {
    /// The customer's saved state (nil for a new customer) and, when `dedupeKey` was already handled, its reply.
    func load(
        customer: String, dedupeKey: String?
    ) async throws -> (state: ConversationState?, handled: RecordedAnswer?)
    /// Whether a WeChat message or event key was already handled, and what was answered.
    func handled(dedupeKey: String) async throws -> RecordedAnswer?
    /// Keys handled at or after `since` (newest first, at most `limit`), to warm the in-memory dedupe after a restart.
    func recentlyHandledKeys(since: Int64, limit: Int) async throws -> [(key: String, at: Int64)]
    /// A fresh order number, never handed out before.
    func nextOrderID() async throws -> Int64
    /// Tries binding code `code` for WeChat user `openID` under `policy`, counting the attempt at once (against the
    /// user and against every outstanding code) so that guesses spread over many users and replicas still add up.
    func attemptBinding(
        code: String, openID: String, now: Int64, policy: BindingCodePolicy
    ) async throws -> BindingAttempt
    /// Forgets answers to messages handled before `cutoff` (retries come within seconds; old keys only cost space),
    /// and courier binding failures counted before it.
    func pruneHandled(before cutoff: Int64) async throws
    /// A state as the store keeps it (sealed JSON), encoded once for the store and any cache.
    func encodeState(_ state: ConversationState, customer: String) throws -> String
    /// Commits everything one step changed, atomically, and returns once it is durable.
    func commit(_ unit: UnitOfWork) async throws
    /// Queues a unit that only records an answer (`onlyRecordsAnAnswer`) and returns at once; it is
    /// committed with the next batch. Losing it in a crash is harmless: a retry then runs the same step
    /// on the same stored state, gets the same answer, and nothing is created twice.
    func recordAnswer(_ unit: UnitOfWork)
}

/// Everything the conversation engine stores and reads: its write port and the read models the machine's facts
/// come from (`ReadModels.swift`).
public protocol ConversationStore: ConversationWrites, OrderReads, BoardReads, CourierReads, CatalogReads {}

/// The answer recorded for a WeChat message (in the database, Redis or a replica's memory), so a retry gets the
/// same answer.
public struct RecordedAnswer: Sendable, Hashable, Codable {
    /// The passive reply, or nil for a plain `success`.
    public var reply: OutgoingMessage?

    public init(reply: OutgoingMessage?) { self.reply = reply }
}

/// Everything one conversation step changed.
public struct UnitOfWork: Sendable {
    public var customer: String
    public var state: ConversationState?
    /// `state` already encoded as JSON by whoever needed it first, so it is not encoded twice.
    public var encodedState: String?
    /// When the state's draft lapses (for the expiry sweep).
    public var expiresAt: Int64?
    /// The WeChat message key and its answer.
    public var handled: (key: String, message: RecordedAnswer)?
    public var orders: [OrderWrite]
    public var posts: [NewBoardPost]
    public var jobs: [NewJob]
    /// Courier bindings and positions.
    public var couriers: [CourierWrite] = []
    /// Staff actions this unit carries out, for the audit log (written in the same transaction).
    public var audit: [AuditEntry] = []
    public var now: Int64

    public init(
        customer: String, now: Int64, state: ConversationState? = nil, expiresAt: Int64? = nil,
        handled: (key: String, message: RecordedAnswer)? = nil, orders: [OrderWrite] = [], posts: [NewBoardPost] = [],
        jobs: [NewJob] = []
    ) {
        self.customer = customer
        self.now = now
        self.state = state
        self.expiresAt = expiresAt
        self.handled = handled
        self.orders = orders
        self.posts = posts
        self.jobs = jobs
    }
}

extension UnitOfWork {
    /// Nothing but the dedupe record: no state, order, post or job.
    public var onlyRecordsAnAnswer: Bool {
        state == nil && orders.isEmpty && posts.isEmpty && jobs.isEmpty && couriers.isEmpty && audit.isEmpty
    }
}

/// A new or changed order, with the event for its history.
public struct OrderWrite: Sendable, Hashable {
    public var order: Order
    public var isNew: Bool
    /// Whether the write is a step in the order's history (a status change) rather than bookkeeping (an ETA).
    public var logsEvent: Bool

    public init(order: Order, isNew: Bool, logsEvent: Bool = true) {
        self.order = order
        self.isNew = isNew
        self.logsEvent = logsEvent
    }
}

/// A change to a courier record that a conversation step makes.
public enum CourierWrite: Sendable, Hashable {
    /// WeChat user `openID` now works as the courier (their binding code is used up).
    case binding(courierID: Int64, openID: String, code: String)
    /// WeChat user `openID` becomes staff member `staffID`'s WeChat for notices (their binding code is used up).
    case staffBinding(staffID: Int64, username: String, openID: String, code: String)
    /// WeChat user `openID` stops working as the courier; nothing happens when they are not its binding (any more).
    case unbinding(courierID: Int64, openID: String)
    /// The courier reported a position.
    case position(courierID: Int64, CourierPosition)
}

/// A board post to store; the store assigns its id.
public struct NewBoardPost: Sendable, Hashable {
    public var customer: String
    public var orderID: Int64?
    public var body: String
    public var createdAt: Int64
    /// Held for review: stored hidden until staff approve it.
    public var held: Bool

    public init(customer: String, orderID: Int64?, body: String, createdAt: Int64, held: Bool = false) {
        self.customer = customer
        self.orderID = orderID
        self.body = body
        self.createdAt = createdAt
        self.held = held
    }
}
