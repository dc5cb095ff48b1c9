import DropMateCore
import SQLKit

/// A staff member's own WeChat for notices: a one-time binding code (sent in chat as "绑定 CODE", counted and
/// used up by `SQLConversationStore.attemptBinding` under the courier codes' rules), what they subscribe to, and
/// unbinding. Each write carries its audit entry in the same transaction.
extension SQLStaffStore {
    /// Gives staff member `staffID` a fresh binding code (any earlier one stops working). False when there is no
    /// such active office account (couriers bind as couriers).
    public func issueBindingCode(
        staffID: Int64, code: String, expiresAt: Int64, now: Int64, audit: AuditEntry
    ) async throws -> Bool {
        try await backend.transaction { db in
            let found =
                try await db.raw(
                    """
                    UPDATE staff SET binding_code = \(bind: code), binding_expires_at = \(bind: expiresAt), binding_failures = 0, updated_at = \(bind: now)
                    WHERE id = \(bind: staffID) AND active = 1 AND role <> 'courier' RETURNING id
                    """
                ).first() != nil
            if found { try await Self.append(audit, in: db) }
            return found
        }
    }

    /// What staff member `staffID` hears about in WeChat, leaving their binding as it is.
    public func setSubscriptions(
        staffID: Int64, notifyOrders: Bool, notifyReports: Bool, now: Int64, audit: AuditEntry
    ) async throws -> Bool {
        try await backend.transaction { db in
            let found =
                try await db.raw(
                    """
                    UPDATE staff SET notify_orders = \(bind: notifyOrders ? 1 : 0), notify_reports = \(bind: notifyReports ? 1 : 0), updated_at = \(bind: now)
                    WHERE id = \(bind: staffID) RETURNING id
                    """
                ).first() != nil
            if found { try await Self.append(audit, in: db) }
            return found
        }
    }

    /// Drops staff member `staffID`'s WeChat binding and any outstanding code: nothing is pushed to them any more.
    public func unbindWeChat(staffID: Int64, now: Int64, audit: AuditEntry) async throws -> Bool {
        try await backend.transaction { db in
            let found =
                try await db.raw(
                    """
                    UPDATE staff SET wechat_openid = NULL, binding_code = NULL, binding_expires_at = NULL, updated_at = \(bind: now)
                    WHERE id = \(bind: staffID) RETURNING id
                    """
                ).first() != nil
            if found { try await Self.append(audit, in: db) }
            return found
        }
    }

    /// Active office staff with a bound WeChat who asked to hear of new orders.
    public func orderSubscribers() async throws -> [StaffAccount] {
        try await backend.reader.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM staff WHERE active = 1 AND notify_orders = 1 AND role <> 'courier' AND wechat_openid IS NOT NULL ORDER BY id
            """
        ).all().map(Self.account)
    }

    /// When staff member `staffID`'s outstanding binding code expires (nil: none outstanding).
    public func bindingCodeExpiry(staffID: Int64, now: Int64) async throws -> Int64? {
        try await backend.reader.raw(
            """
            SELECT binding_expires_at FROM staff WHERE id = \(bind: staffID) AND binding_code IS NOT NULL AND binding_expires_at > \(bind: now)
            """
        ).first()?.decode(column: "binding_expires_at", as: Int64?.self)
    }
}
