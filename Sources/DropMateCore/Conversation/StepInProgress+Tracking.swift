/// "到哪了 / where is my order": status and ETA of the customer's orders.
extension StepInProgress {
    /// Says where the orders are; false when it said where the draft is (nothing left to remind of).
    @discardableResult
    mutating func track(_ orderID: Int64?) -> Bool {
        if let orderID {
            guard let order = facts.order(id: orderID) else { say(.orderNotFound(orderID)); return true }
            say(.orderStatus([statusLine(order)]))
            return true
        }
        let active = facts.orders.filter { !$0.status.isFinal }
        if !active.isEmpty {
            say(.orderStatus(active.map(statusLine)))
        } else if let draft = state.draft {
            // Not an order yet: say what it has and what it lacks, not "no orders".
            say(.answer(.draftStatus(draft, minutes: minutesIfPlacedNow(draft))))
            return false
        } else if let latest = facts.orders.first {
            say(.orderStatus([statusLine(latest)]))
        } else {
            say(.noOrders)
        }
        return true
    }

    /// About how long the draft would take if placed now: preparation, pickup and the ride (to its address, or an
    /// assumed distance while it has none).
    func minutesIfPlacedNow(_ draft: OrderDraft) -> Int? {
        guard let merchant = facts.catalog.merchant(id: draft.merchantID) else { return nil }
        let ride = facts.eta.travelMinutes(
            metres: facts.eta.roadDistance(from: merchant, to: draft.address ?? DeliveryAddress(text: "")))
        return merchant.preparationMinutes + facts.eta.pickupMinutes + ride
    }

    func statusLine(_ order: Order) -> OrderStatusLine {
        OrderStatusLine(order: order, eta: arrival(of: order))
    }

    /// A refresh worked out a new arrival: keep it, and push it when it moved enough since the customer last heard.
    mutating func etaRefreshed(_ order: Order, eta: Int64) {
        var updated = order
        updated.latestETA = order.status == .dispatched ? eta : nil
        if facts.rules.etaPush.shouldNotify(order, eta: eta, now: facts.now) {
            effects.append(.push([.etaChanged(order, eta: eta)]))
            updated.notifiedETA = eta
            updated.notifiedAt = facts.now
        }
        guard updated != order else { return }
        effects.append(.noteETA(updated))
    }
}
