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
}
