import DropMateCore

/// A test store that wraps the real one and changes one or two behaviours: everything it does not override goes to
/// `base`. A new `ConversationStore` requirement is forwarded here once, not in every wrapper.
protocol ForwardingConversationStore: ConversationStore {
    var base: any ConversationStore { get }
}

extension ForwardingConversationStore {
    func load(
        customer: String, dedupeKey: String?
    ) async throws -> (state: ConversationState?, handled: RecordedAnswer?) {
        try await base.load(customer: customer, dedupeKey: dedupeKey)
    }
    func handled(dedupeKey: String) async throws -> RecordedAnswer? { try await base.handled(dedupeKey: dedupeKey) }
    func recentlyHandledKeys(since: Int64, limit: Int) async throws -> [(key: String, at: Int64)] {
        try await base.recentlyHandledKeys(since: since, limit: limit)
    }
    func recentOrders(customer: String, limit: Int) async throws -> [Order] {
        try await base.recentOrders(customer: customer, limit: limit)
    }
    func order(id: Int64) async throws -> Order? { try await base.order(id: id) }
    func publicBoard(limit: Int) async throws -> [BoardPost] { try await base.publicBoard(limit: limit) }
    func boardHoldsPosts() async throws -> Bool { try await base.boardHoldsPosts() }
    func nextOrderID() async throws -> Int64 { try await base.nextOrderID() }
    func catalog(at now: Int64) async throws -> Catalog { try await base.catalog(at: now) }
    func deliveries(courierID: Int64) async throws -> [Order] { try await base.deliveries(courierID: courierID) }
    func courier(id: Int64) async throws -> Courier? { try await base.courier(id: id) }
    func attemptBinding(
        code: String, openID: String, now: Int64, policy: BindingCodePolicy
    ) async throws -> BindingAttempt {
        try await base.attemptBinding(code: code, openID: openID, now: now, policy: policy)
    }
    func ordersInProgress(limit: Int) async throws -> [Int64] { try await base.ordersInProgress(limit: limit) }
    func customersWithExpiredDrafts(now: Int64, limit: Int) async throws -> [String] {
        try await base.customersWithExpiredDrafts(now: now, limit: limit)
    }
    func pruneHandled(before cutoff: Int64) async throws { try await base.pruneHandled(before: cutoff) }
    func recordAnswer(_ unit: UnitOfWork) { base.recordAnswer(unit) }
    func encodeState(_ state: ConversationState, customer: String) throws -> String {
        try base.encodeState(state, customer: customer)
    }
    func commit(_ unit: UnitOfWork) async throws { try await base.commit(unit) }
}
