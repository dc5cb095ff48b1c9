import DropMateCore

/// Couriers at work: dispatch to a courier, "取件 / 送达" from their chat, positions and live ETAs.
extension ConversationEngine {
    /// Dispatches order `orderID` to courier `courierID` (or hands it over to them); the customer is told by push.
    @discardableResult
    public func assign(orderID: Int64, courierID: Int64, audit: AuditEntry? = nil) async throws -> Order {
        guard let courier = try await store.courier(id: courierID) else { throw EngineError.courierNotFound(courierID) }
        guard courier.active else { throw EngineError.courierInactive(courierID) }
        if let reason = unreachable(courier) {
            throw EngineError.courierUnreachable(courierID: courier.id, name: courier.name, reason: reason)
        }
        let renderer = renderer, catalog = catalog
        // The courier reads it in the language they last wrote in.
        var courierLanguage = Language.zh
        if let openID = courier.openID, let state = try await store.load(customer: openID, dedupeKey: nil).state {
            courierLanguage = state.language
        }
        let language = courierLanguage
        return try await apply(
            .assign(courierID: courier.id, courierName: courier.name), toOrder: orderID,
            check: { order in
                if let openID = courier.openID, openID == order.customer {
                    throw EngineError.ownOrder(orderID: orderID, courierID: courierID)
                }
            },
            alsoQueue: { order, now in
                try Self.newDeliveryNotice(
                    order, for: courier, language: language, renderer: renderer, catalog: catalog, now: now)
            }, audit: audit)
    }

    /// Why nothing would tell `courier` about a delivery (nil: WeChat or SMS reaches them). The customer would be
    /// told a courier is on the way who never hears of it, so such a dispatch is refused.
    public func unreachable(_ courier: Courier) -> String? {
        guard courier.openID == nil else { return nil }
        guard courier.phone != nil else { return "their WeChat is not bound and they have no phone number" }
        return courierSMS ? nil : "their WeChat is not bound and no SMS provider is configured (SMS_PROVIDER)"
    }

    /// Tells the courier about a new delivery: in WeChat once they are bound (an SMS if WeChat cannot reach them),
    /// else by SMS when their phone is known.
    static func newDeliveryNotice(
        _ order: Order, for courier: Courier, language: Language, renderer: ReplyRenderer, catalog: Catalog, now: Int64
    ) throws -> [NewJob] {
        let key = "courier:\(courier.id):order:\(order.id):\(now)"
        let phone = courier.phone.map { "+86" + $0.digits }
        guard let message = renderer.render([.courier(.newDelivery(order))], language: language, catalog: catalog)
        else { return [] }
        if let openID = courier.openID {
            return [try PushJob(openID: openID, message: message, phone: phone).job(key: key, now: now)]
        }
        guard let phone, case .text(let text) = message else { return [] }
        return [try SMSJob(phone: phone, text: text).job(key: key, now: now)]
    }

    /// A courier's "取件 / 送达" on order `orderID`, checked to be theirs. Runs under the order's customer's lock
    /// while the courier's own turn holds theirs: a courier never acts on their own order, so the two never meet.
    /// The turn has checked the courier record (`checkingCourierRights`); the order's courier is checked under the
    /// customer's lock, on the order as it stands there.
    func perform(
        _ action: CourierAction, orderID: Int64, courierID: Int64, courierOpenID: String
    ) async throws -> CourierActionResult {
        guard let found = try await store.order(id: orderID) else { return .notFound(orderID: orderID) }
        guard found.courierID == courierID, found.customer != courierOpenID else { return .notYours(orderID: orderID) }
        do {
            let order = try await apply(
                action.command, toOrder: orderID, check: Self.assigned(to: courierID, orderID: orderID))
            return .done(action, order)
        } catch EngineError.transition {
            return .refused(action, try await store.order(id: orderID) ?? found)
        } catch EngineError.notTheCourier {
            return .notYours(orderID: orderID)
        }
    }

    /// Courier `courierID` marks order `orderID` delivered through the staff API. Whether the order is theirs is
    /// decided under the customer's lock, on the order as it stands there: a check made before the lock could be
    /// overtaken by staff handing the order to another courier.
    public func deliver(orderID: Int64, asCourier courierID: Int64) async throws -> Order {
        try await apply(.deliver, toOrder: orderID, check: Self.assigned(to: courierID, orderID: orderID))
    }

    /// The check of a courier's action: the order is assigned to them.
    package static func assigned(to courierID: Int64, orderID: Int64) -> @Sendable (Order) throws -> Void {
        { order in
            guard order.courierID == courierID else {
                throw EngineError.notTheCourier(orderID: orderID, courierID: courierID)
            }
        }
    }

    /// A position from a courier's app (the REST endpoint): stored, and their deliveries' ETAs refreshed.
    /// Returns how many deliveries will be refreshed.
    @discardableResult
    public func updatePosition(courierID: Int64, coordinate: Coordinate) async throws -> Int {
        let now = clock()
        var unit = UnitOfWork(customer: "courier:\(courierID)", now: now)
        unit.couriers.append(.position(courierID: courierID, CourierPosition(coordinate: coordinate, at: now)))
        unit.jobs = try await store.deliveries(courierID: courierID).map {
            try ETARefreshJob(orderID: $0.id).job(reason: .courierMoved, now: now)
        }
        try await store.commit(unit)
        return unit.jobs.count
    }

    /// Works out order `orderID`'s arrival again and lets the machine decide whether the customer hears of it.
    /// Safe to run twice: the second run finds the customer already told.
    public func refreshETA(orderID id: Int64) async throws {
        guard let order = try await store.order(id: id), order.status == .confirmed || order.status == .dispatched,
            let merchant = catalog.merchant(id: order.merchantID)
        else { return }
        guard let arrival = try await estimateArrival(of: order, merchant: merchant, now: clock()) else { return }
        try await withCustomer(order.customer) { state in
            // The order may have moved on while the route was measured: then this estimate is stale.
            guard let current = try await store.order(id: id), current.status == order.status,
                current.pickedUpAt == order.pickedUpAt,
                current.courierID == order.courierID
            else { return ((), nil) }
            let outcome = try await run(
                customer: current.customer, state: state, input: .etaRefreshed(current, eta: arrival), now: clock(),
                pushKey: "eta:\(id):\(arrival)")
            guard !outcome.unit.orders.isEmpty || !outcome.unit.jobs.isEmpty || outcome.unit.state != nil else {
                return ((), nil)
            }
            try await commit(outcome.unit)
            return ((), outcome.state)
        }
    }

    /// From the courier's fresh position when there is one (road metres from the map service if configured),
    /// else the built-in estimate.
    func estimateArrival(of order: Order, merchant: Merchant, now: Int64) async throws -> Int64? {
        guard order.status == .dispatched, let courierID = order.courierID,
            let courier = try await store.courier(id: courierID),
            let position = courier.position, position.isFresh(at: now)
        else {
            return eta.arrival(of: order, merchant: merchant, now: now)
        }
        var route = eta.remainingRoute(of: order, merchant: merchant, courierAt: position.coordinate)
        if let routes {
            if order.pickedUpAt == nil {
                route.toMerchantMetres =
                    await routes.roadMetres(from: position.coordinate, to: merchant.location) ?? route.toMerchantMetres
            } else if let destination = order.address.coordinate {
                route.toCustomerMetres =
                    await routes.roadMetres(from: position.coordinate, to: destination) ?? route.toCustomerMetres
            }
        }
        return eta.arrival(of: order, merchant: merchant, route: route, now: now)
    }

    /// Queues a refresh for every order in progress (the periodic sweep; replicas sweeping together queue each once).
    @discardableResult
    public func scheduleETARefreshes(every period: Int64) async throws -> Int {
        let now = clock()
        let ids = try await store.ordersInProgress(limit: 5_000)
        guard !ids.isEmpty else { return 0 }
        var unit = UnitOfWork(customer: "eta-sweep", now: now)
        unit.jobs = try ids.map { try ETARefreshJob(orderID: $0).job(reason: .schedule(every: period), now: now) }
        try await store.commit(unit)
        return ids.count
    }
}
