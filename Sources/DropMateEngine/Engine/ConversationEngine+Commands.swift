import DropMateCore

/// Why the engine refused a command from staff or a web page.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case orderNotFound(Int64)
    case transition(OrderTransitionError)
    case courierNotFound(Int64)
    case courierInactive(Int64)
    /// The order is assigned to another courier (or to none).
    case notTheCourier(orderID: Int64, courierID: Int64)
    /// A courier cannot deliver their own order (their chat is a courier's, and one turn cannot wait on itself).
    case ownOrder(orderID: Int64, courierID: Int64)
    /// Payment is required and the order is not paid yet.
    case unpaid(Int64)
    /// Nothing would tell the courier about a delivery: no WeChat bound, and no phone number or no SMS provider.
    case courierUnreachable(courierID: Int64, name: String, reason: String)

    public var description: String {
        switch self {
        case .orderNotFound(let id): "order #\(id) does not exist"
        case .transition(let error): error.description
        case .courierNotFound(let id): "courier \(id) does not exist"
        case .courierInactive(let id): "courier \(id) is inactive"
        case .notTheCourier(let order, let courier): "order #\(order) is not assigned to courier \(courier)"
        case .ownOrder(let order, let courier): "order #\(order) was placed by courier \(courier) themselves"
        case .unpaid(let order):
            "order #\(order) is not paid yet: it goes out once the customer has paid with WeChat Pay"
        case .courierUnreachable(let id, let name, let reason):
            "courier \(name) (#\(id)) cannot be told about a delivery: \(reason). Bind their WeChat (a binding code) or give them a phone number first"
        }
    }
}

extension ConversationEngine {
    /// A staff action on an order (dispatch, deliver, cancel). Idempotent; the customer is told by push.
    /// `check` vets the order as it stands under the customer's lock (a courier's action checks it is theirs).
    @discardableResult
    /// `alsoQueue` adds jobs to the same commit (a courier's new-delivery message); `audit` records the staff member
    /// who did it, in the same transaction (nothing is recorded when the command changes nothing).
    public func apply(
        _ command: OrderCommand, toOrder id: Int64, check: @Sendable (Order) throws -> Void = { _ in },
        alsoQueue: @Sendable (Order, Int64) throws -> [NewJob] = { _, _ in [] }, audit: AuditEntry? = nil,
        replacingPushes: Bool = false
    ) async throws -> Order {
        guard let found = try await store.order(id: id) else { throw EngineError.orderNotFound(id) }
        return try await withCustomer(found.customer) { state in
            let now = clock()
            guard let order = try await store.order(id: id) else { throw EngineError.orderNotFound(id) }
            try check(order)
            if let payments, command.sendsOut, order.status == .confirmed { try await payments.allowDispatch(order) }
            let transition: Order.Transition
            do throws(OrderTransitionError) { transition = try order.applying(command, at: now) } catch {
                throw EngineError.transition(error)
            }
            guard case .changed(let changed) = transition else { return (order, nil) }
            var outcome = try await run(
                customer: order.customer, state: state, input: .orderChanged(changed), now: now,
                pushKey: "order:\(id):\(command.name):\(now)")
            // The machine saves the order with what it told the customer; otherwise the change is saved as it is.
            if !outcome.unit.orders.contains(where: { $0.order.id == id }) {
                outcome.unit.orders.insert(OrderWrite(order: changed, isNew: false), at: 0)
            }
            // The caller tells the customer itself (an unpaid order timed out: not "cancelled by the shop").
            if replacingPushes { outcome.unit.jobs.removeAll { $0.kind == PushJob.kind } }
            outcome.unit.jobs += try alsoQueue(changed, now)
            if let audit { outcome.unit.audit.append(audit) }
            try await commit(outcome.unit)
            logger.info(
                "order changed by staff",
                metadata: ["dropmate.order_id": "\(id)", "dropmate.status": "\(changed.status.rawValue)"])
            return (changed, outcome.state)
        }
    }

    /// The customer confirmed on the signed link's page. Returns the order as it now stands.
    public func confirmThroughLink(orderID id: Int64) async throws -> Order {
        guard let found = try await store.order(id: id) else { throw EngineError.orderNotFound(id) }
        return try await withCustomer(found.customer) { state in
            let now = clock()
            guard let order = try await store.order(id: id) else { throw EngineError.orderNotFound(id) }
            guard order.status == .awaitingConfirmation else { return (order, nil) }
            let outcome = try await run(
                customer: order.customer, state: state, input: .confirmationLinkUsed(orderID: id), now: now,
                pushKey: "confirm-link:\(id)")
            try await commit(outcome.unit)
            let updated = outcome.unit.orders.first { $0.order.id == id }?.order ?? order
            return (updated, outcome.state)
        }
    }

    /// Lets idle drafts lapse, telling each customer by push. Returns how many lapsed.
    @discardableResult
    public func expireIdleDrafts() async throws -> Int {
        let now = clock()
        let customers = try await store.customersWithExpiredDrafts(now: now, limit: 500)
        for customer in customers {
            try await withCustomer(customer) { state in
                guard let expiresAt = state.expiresAt(ttl: rules.draftTTL), expiresAt <= now else { return ((), nil) }
                let outcome = try await run(
                    customer: customer, state: state, input: .tick, now: now, pushKey: "expire:\(customer):\(expiresAt)"
                )
                try await commit(outcome.unit)
                return ((), outcome.state)
            }
        }
        return customers.count
    }

    /// Forgets dedupe records older than `retention` seconds. A day: WeChat retries within seconds and a signed request
    /// cannot come back after its timestamp window (minutes), so older records are never read; a week of them was
    /// most of PostgreSQL's growth in the soak (50 MB a minute at 1,900 messages a second).
    public func pruneHandledMessages(olderThan retention: Int64 = 86_400) async throws {
        try await store.pruneHandled(before: clock() - retention)
    }

    /// A courier (for pages).
    public func courier(id: Int64) async throws -> Courier? { try await store.courier(id: id) }

    /// The latest visible public board posts (for the board page).
    public func publicBoard(limit: Int) async throws -> [BoardPost] { try await store.publicBoard(limit: limit) }

    /// Looks an order up (for pages and tests).
    public func order(id: Int64) async throws -> Order? { try await store.order(id: id) }
}
