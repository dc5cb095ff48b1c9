import DropMateCore
import DropMateTelemetry

extension ConversationEngine {
    /// Commits `unit` (a `store` span when tracing) and counts the order events it carries in `dropmate_orders_total`.
    func commit(_ unit: UnitOfWork) async throws {
        try await telemetry.withSpan("store") { try await store.commit(unit) }
        countOrderEvents(in: unit)
        if !unit.orders.isEmpty { orderFeed.publish(unit.orders.lazy.map(\.order.id)) }
    }

    /// An order event is counted once, when the write that makes it happen is committed: a new order is `created`;
    /// a status change is counted when its own timestamp is this unit's time (so a pick-up or a reassignment,
    /// which keep the status `dispatched`, count nothing).
    func countOrderEvents(in unit: UnitOfWork) {
        guard !unit.orders.isEmpty else { return }
        var counted: [(Int64, AppMetrics.OrderEvent)] = []
        for write in unit.orders where write.logsEvent {
            let order = write.order
            let event: AppMetrics.OrderEvent?
            if write.isNew {
                event = .created
            } else {
                switch order.status {
                case .confirmed where order.confirmedAt == unit.now: event = .confirmed
                case .dispatched where order.dispatchedAt == unit.now: event = .dispatched
                case .delivered where order.deliveredAt == unit.now: event = .delivered
                case .cancelled where order.cancelledAt == unit.now: event = .cancelled
                default: event = nil
                }
            }
            guard let event, !counted.contains(where: { $0 == (order.id, event) }) else { continue }
            counted.append((order.id, event))
            telemetry.metrics.order(event)
        }
    }
}
