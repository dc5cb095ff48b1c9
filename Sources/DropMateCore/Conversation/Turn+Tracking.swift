/// "到哪了 / where is my order": status and ETA of the customer's orders.
extension Turn {
    mutating func track(_ orderID: Int64?) {
        if let orderID {
            guard let order = facts.order(id: orderID) else { return say(.orderNotFound(orderID)) }
            return say(.orderStatus([statusLine(order)]))
        }
        let active = facts.orders.filter { !$0.status.isFinal }
        if !active.isEmpty {
            say(.orderStatus(active.map(statusLine)))
        } else if let latest = facts.orders.first {
            say(.orderStatus([statusLine(latest)]))
        } else {
            say(.noOrders)
        }
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
