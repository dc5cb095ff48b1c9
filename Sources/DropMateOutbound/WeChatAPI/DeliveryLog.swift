import DropMateStorage

/// Where the notifier records what became of each push (`SQLDeliveryLog` in production), so the notifier depends on
/// this port and not on the database.
public protocol DeliveryLog: Sendable {
    /// Records how one push went out (channel, and WeChat's msgid for template messages).
    func record(_ delivery: Delivery, now: Int64) async throws
}

extension SQLDeliveryLog: DeliveryLog {}
