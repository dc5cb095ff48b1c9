/// An order event as a template message can show it: which event, and its values as text.
public struct OrderEventNotice: Sendable, Hashable, Codable {
    /// The events template messages exist for.
    public enum Event: String, Sendable, Hashable, Codable, CaseIterable {
        case confirmed, dispatched
        case etaChanged = "eta_changed"
        case delivered, cancelled
    }

    /// The values a template field can show.
    public enum Value: String, Sendable, Hashable, Codable, CaseIterable {
        case orderID = "order_id"
        case status, eta, total, merchant, items, reason
    }

    public var event: Event
    public var orderID: Int64
    public var values: [String: String]

    public init(event: Event, orderID: Int64, values: [String: String]) {
        self.event = event
        self.orderID = orderID
        self.values = values
    }
}

extension ReplyRenderer {
    /// The order event a push is about, if it is about one: its first reply that names an order.
    public func orderEvent(in replies: [Reply], language: Language, catalog: Catalog) -> OrderEventNotice? {
        for reply in replies {
            let found: (OrderEventNotice.Event, Order, Int64?)?
            switch reply {
            case .orderConfirmed(let order, let eta): found = (.confirmed, order, eta)
            case .orderExpired(let order), .orderCancelled(let order): found = (.cancelled, order, nil)
            case .etaChanged(let order, let eta): found = (.etaChanged, order, eta)
            case .statusChanged(let order, let eta):
                switch order.status {
                case .confirmed: found = (.etaChanged, order, eta)
                case .dispatched: found = (.dispatched, order, eta)
                case .delivered: found = (.delivered, order, nil)
                case .cancelled: found = (.cancelled, order, nil)
                case .awaitingConfirmation: found = nil
                }
            default: found = nil
            }
            guard let (event, order, eta) = found else { continue }
            let replies = Replies(language: language, catalog: catalog, renderer: self)
            var values: [String: String] = [
                OrderEventNotice.Value.orderID.rawValue: "\(order.id)",
                OrderEventNotice.Value.status.rawValue: replies.stage(order),
                OrderEventNotice.Value.total.rawValue: "\(order.total)",
                OrderEventNotice.Value.merchant.rawValue: catalog.merchant(id: order.merchantID)?.name(language)
                    ?? order.merchantID,
                OrderEventNotice.Value.items.rawValue: replies.lines(order.lines),
                OrderEventNotice.Value.eta.rawValue: (eta ?? order.promisedAt).map(clockTime) ?? "",
            ]
            if let reason = order.cancelReason { values[OrderEventNotice.Value.reason.rawValue] = reason }
            return OrderEventNotice(event: event, orderID: order.id, values: values)
        }
        return nil
    }
}
