import DropMateCore
import DropMateDataProtection

/// What one input did: the next state, the rendered reply and everything to commit.
struct StepOutcome: Sendable {
    var state: ConversationState
    var reply: OutgoingMessage?
    var unit: UnitOfWork
}

extension ConversationEngine {
    /// Courier rights come from the courier record, never from the chat's saved state alone: a chat stays a
    /// courier's only while this WeChat user is the courier's current binding and the courier is active. A chat
    /// that lost it (staff re-issued the code and someone else bound, or deactivated the courier) is a customer's
    /// again from this turn on: no deliveries listed, no orders marked, no positions taken, no unbinding.
    func checkingCourierRights(_ state: ConversationState, customer: String) async throws -> ConversationState {
        guard let courierID = state.courierID else { return state }
        if let courier = try await store.courier(id: courierID), courier.active, courier.openID == customer {
            return state
        }
        logger.notice(
            "a chat's courier binding is no longer current", metadata: ["dropmate.courier_id": "\(courierID)"])
        var customerAgain = state
        customerAgain.courierID = nil
        return customerAgain
    }

    /// Whether a step's state must be written: `ConversationState.needsSaving` (the machine keeps its recent lines
    /// only on steps this says are written, so both must use the one rule).
    static func needsSaving(_ new: ConversationState, comparedWith old: ConversationState) -> Bool {
        new.needsSaving(comparedWith: old)
    }

    /// Steps the machine for `input` and performs its effects, feeding results back, into one unit of work.
    func run(
        customer: String, state loaded: ConversationState, input: ConversationInput, now: Int64, pushKey: String
    ) async throws -> StepOutcome {
        let state = try await checkingCourierRights(loaded, customer: customer)
        // "货到付款" / "cash" is about payment, which the machine knows nothing of: the payment gate answers it.
        if let payments, state.courierID == nil, case .text(let text) = input,
            let request = CashOnDeliveryRequest.parse(text),
            let answer = try await payments.answer(
                request, state: state, orders: try await store.recentOrders(customer: customer, limit: 10), now: now)
        {
            return StepOutcome(state: loaded, reply: .text(answer), unit: UnitOfWork(customer: customer, now: now))
        }
        let needs = ConversationMachine.needs(input, state: state)
        var facts = ConversationFacts(
            now: now, catalog: catalog,
            orders: needs.orders ? try await store.recentOrders(customer: customer, limit: 10) : [],
            board: needs.board ? try await store.publicBoard(limit: 5) : [],
            rules: rules, eta: eta,
            deliveries: needs.deliveries ? try await store.deliveries(courierID: state.courierID ?? 0) : [],
            geocodes: routes?.geocoder != nil
        )
        if needs.boardModeration { facts.boardHoldsPosts = try await store.boardHoldsPosts() }
        // Map calls (a geocode, then a road distance) share one deadline so the turn still answers within WeChat's 5 s.
        let mapsDeadline = ContinuousClock.now + RouteLookup.turnBudget
        if case .orderChanged(let order) = input, let index = facts.orders.firstIndex(where: { $0.id == order.id }) {
            facts.orders[index] = order
        }
        var step = machine.step(customer: customer, state: state, input: input, facts: facts)
        var unit = UnitOfWork(customer: customer, now: now)
        var replies = step.replies
        var effects = step.effects
        var pushes = 0, staffNotices = 0
        /// Feeds an effect's result back into the machine.
        func feed(_ input: ConversationInput) {
            let next = machine.step(customer: customer, state: step.state, input: input, facts: facts)
            step.state = next.state
            replies += next.replies
            effects += next.effects
        }
        while !effects.isEmpty {
            switch effects.removeFirst() {
            case .placeOrder(let request):
                var order = request.order(id: try await store.nextOrderID(), createdAt: now)
                if let routes, let destination = order.address.coordinate,
                    let merchant = facts.catalog.merchant(id: order.merchantID)
                {
                    order.routeMetres = await routes.roadMetres(
                        from: merchant.location, to: destination, deadline: mapsDeadline)
                }
                unit.orders.append(OrderWrite(order: order, isNew: true))
                facts.orders.insert(order, at: 0)
                feed(.orderPlaced(order))
            case .saveOrder(let order):
                if let index = unit.orders.firstIndex(where: { $0.order.id == order.id }) {
                    unit.orders[index].order = order
                } else {
                    unit.orders.append(OrderWrite(order: order, isNew: false))
                }
            case .noteETA(let order):
                unit.orders.append(OrderWrite(order: order, isNew: false, logsEvent: false))
            case .post(let request):
                unit.posts.append(
                    NewBoardPost(
                        customer: request.customer, orderID: request.orderID, body: request.body, createdAt: now,
                        held: request.held))
            case .push(let notice):
                guard let message = renderer.render(notice, language: step.state.language, catalog: facts.catalog)
                else { continue }
                pushes += 1
                let phone = step.state.profile.phone.map { "+86" + $0.digits }
                let event = renderer.orderEvent(in: notice, language: step.state.language, catalog: facts.catalog)
                unit.jobs.append(
                    try PushJob(openID: customer, message: message, phone: phone, event: event).job(
                        key: "\(pushKey)#\(pushes)", now: now))
            case .notifyStaff(let notice):
                staffNotices += 1
                let text = PIIMask.phoneNumbers(in: renderer.staffText(notice, catalog: facts.catalog))
                unit.jobs.append(
                    try StaffNoticeJob(text: text, reason: notice.reason.rawValue, customer: customer)
                        .job(key: "\(pushKey)#staff\(staffNotices)", now: now))
            case .bindCourier(let code):
                let attempt = try await store.attemptBinding(code: code, openID: customer, now: now, policy: .standard)
                if attempt == .refused || attempt == .lockedOut {
                    logger.notice(
                        "courier binding code refused",
                        metadata: ["dropmate.binding": "\(attempt == .lockedOut ? "locked_out" : "wrong_code")"])
                }
                feed(.courierBound(attempt, code: code))
            case .saveCourierBinding(let courierID, let code):
                unit.couriers.append(.binding(courierID: courierID, openID: customer, code: code))
            case .saveStaffBinding(let staffID, let username, let code):
                unit.couriers.append(.staffBinding(staffID: staffID, username: username, openID: customer, code: code))
            case .unbindCourier(let courierID):
                unit.couriers.append(.unbinding(courierID: courierID, openID: customer))
            case .courierAction(let orderID, let action):
                feed(
                    .courierActionDone(
                        try await perform(
                            action, orderID: orderID, courierID: step.state.courierID ?? 0, courierOpenID: customer)))
            case .geocode(let text):
                let coordinate = await routes?.locate(text, deadline: mapsDeadline)
                feed(.addressGeocoded(text: text, coordinate))
            case .courierMoved(let courierID, let coordinate):
                unit.couriers.append(.position(courierID: courierID, CourierPosition(coordinate: coordinate, at: now)))
                let deliveries = needs.deliveries ? facts.deliveries : try await store.deliveries(courierID: courierID)
                unit.jobs += try deliveries.map {
                    try ETARefreshJob(orderID: $0.id).job(reason: .courierMoved, now: now)
                }
            }
        }
        if Self.needsSaving(step.state, comparedWith: loaded) {
            unit.state = step.state
            unit.expiresAt = step.state.expiresAt(ttl: rules.draftTTL)
        } else {
            step.state = loaded  // what is stored stays what is cached
        }
        // Staff hear of an order once it is theirs to dispatch: when confirmed, or (payment required) when paid.
        if payments?.mode != .required {
            for write in unit.orders
            where write.logsEvent && write.order.status == .confirmed && write.order.confirmedAt == now {
                unit.jobs.append(
                    try StaffNoticeJob.announcing(
                        write.order, renderer: renderer, catalog: facts.catalog, paid: false, now: now))
            }
        }
        var reply = renderer.render(replies, language: step.state.language, catalog: facts.catalog)
        if let payments {
            try await payments.adjust(&unit, reply: &reply, replies: replies, language: step.state.language, now: now)
        }
        return StepOutcome(state: step.state, reply: reply, unit: unit)
    }
}
