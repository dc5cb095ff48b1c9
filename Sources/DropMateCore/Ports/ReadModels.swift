/// Read models: narrow views of what is stored, each for the callers that need just that. The conversation engine
/// reads through some of them (as part of `ConversationStore`); the staff API reads and moderates through
/// `StaffConversationStore`, never through the engine's write port or a concrete SQL store.

/// Orders as the conversation, the worker's sweeps and staff read them.
public protocol OrderReads: Sendable {
    /// The customer's most recent orders, newest first.
    func recentOrders(customer: String, limit: Int) async throws -> [Order]
    func order(id: Int64) async throws -> Order?
    /// Courier `courierID`'s dispatched orders, oldest first.
    func deliveries(courierID: Int64) async throws -> [Order]
    /// Confirmed and dispatched orders (at most `limit`, oldest first): those whose ETA can still change.
    func ordersInProgress(limit: Int) async throws -> [Int64]
    /// Customers whose draft or unconfirmed order lapses at or before `now`.
    func customersWithExpiredDrafts(now: Int64, limit: Int) async throws -> [String]
}

/// The public message board as customers see it.
public protocol BoardReads: Sendable {
    /// Latest public board posts, newest first.
    func publicBoard(limit: Int) async throws -> [BoardPost]
    /// Whether the business holds public board posts for review before they show (a setting staff change).
    func boardHoldsPosts() async throws -> Bool
}

/// Couriers as the conversation and staff look them up.
public protocol CourierReads: Sendable {
    func courier(id: Int64) async throws -> Courier?
}

/// The merchants and ads on offer.
public protocol CatalogReads: Sendable {
    /// Every merchant, and the ads shown at `now` (switched on, inside their window, of an active merchant).
    func catalog(at now: Int64) async throws -> Catalog
}

/// An order's history and the board posts about it, as staff read an order.
public protocol OrderHistoryReads: Sendable {
    /// An order's status history, oldest first.
    func history(orderID: Int64) async throws -> [(status: String, at: Int64)]
    /// Every board post about one order, oldest first.
    func posts(orderID: Int64) async throws -> [BoardPost]
}

/// What staff need to know about a customer's conversation.
public protocol CustomerReads: Sendable {
    /// The language the customer chats in; nil for a customer with no saved conversation.
    func language(ofCustomer customer: String) async throws -> Language?
}

/// Whether a binding code (courier or staff) is outstanding, so a new one can be drawn unlike any other.
public protocol BindingCodeReads: Sendable {
    func bindingCodeInUse(_ code: String) async throws -> Bool
}

/// A board post with its moderation state ("hidden", "removed" or "held"; nil when visible) and reason.
public struct ModeratedPost: Sendable, Hashable {
    public var post: BoardPost
    public var moderation: String?
    public var reason: String?

    public init(post: BoardPost, moderation: String?, reason: String?) {
        self.post = post
        self.moderation = moderation
        self.reason = reason
    }
}

/// Staff moderating the board: a post with its moderation, hiding, removing or approving it, replying, and holding
/// new posts for review. Every change carries its audit entry, written in the same transaction.
public protocol BoardModeration: BoardReads {
    /// One post as moderation reads it before and after a change (fresh: the primary).
    func boardPost(id: Int64) async throws -> ModeratedPost?
    /// Hides or removes a post (nil: shows it again), with the reason. `onlyFrom`: change it only while it is in that
    /// state ("held": approving or rejecting a post waiting for review). False when no post changed.
    func moderate(
        postID: Int64, as moderation: String?, reason: String?, onlyFrom: String?, audit: AuditEntry
    ) async throws -> Bool
    /// Stores a staff reply and the push that carries it to the customer.
    func reply(
        toPost postID: Int64, staffID: Int64, body: String, push: NewJob, audit: AuditEntry, now: Int64) async throws
    /// Holds new public posts for review (or stops holding them).
    func setBoardHoldsPosts(_ hold: Bool, now: Int64, audit: AuditEntry) async throws
}

extension BoardModeration {
    /// `moderate` whatever state the post is in.
    public func moderate(postID: Int64, as moderation: String?, reason: String?, audit: AuditEntry) async throws -> Bool
    {
        try await moderate(postID: postID, as: moderation, reason: reason, onlyFrom: nil, audit: audit)
    }
}

/// Everything the staff API reads and changes in conversations, orders and the board (`SQLConversationStore` in
/// production): read models and moderation, not the engine's `ConversationWrites`.
public typealias StaffConversationStore = OrderReads & OrderHistoryReads & CustomerReads & BoardModeration
    & CourierReads
    & BindingCodeReads
