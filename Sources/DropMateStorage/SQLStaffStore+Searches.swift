import DropMateCore
import SQLKit

extension SQLStaffStore {
    /// Appends `entry` (a search staff made) to the audit log unless its actor already made `limit` searches of the
    /// same action in the `window` seconds before it; returns whether it was within the limit. The audit log is
    /// the count, so every replica sees the same one.
    public func recordSearch(_ entry: AuditEntry, limit: Int, window: Int64) async throws -> Bool {
        try await backend.transaction { db in
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS searches FROM audit_log
                WHERE at > \(bind: entry.at - window) AND actor = \(bind: entry.actor) AND action = \(bind: entry.action)
                """
            ).first()
            guard try row?.decode(column: "searches", as: Int64.self) ?? 0 < limit else { return false }
            try await Self.append(entry, in: db)
            return true
        }
    }
}
