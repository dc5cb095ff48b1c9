import DropMateCore
import SQLKit

/// Orders by the time they were placed, a page at a time (the daily report streams a whole day through these,
/// from `SQLReadModel`).
extension SQLConversationStore {
    /// Where a walk through a day's orders has got to: the last order read.
    public struct PlacedCursor: Sendable, Hashable {
        public var createdAt: Int64
        public var id: Int64

        public init(createdAt: Int64, id: Int64) {
            self.createdAt = createdAt
            self.id = id
        }
    }

    /// Up to `limit` orders placed in `[from, to)` (Unix seconds) after `cursor`, in placing order (then id).
    /// Keyset paging over the `(created_at, id)` index: each page starts its range scan at the cursor (a plain lower
    /// bound both SQLite and PostgreSQL use), so a page costs the same however deep the walk is.
    static func ordersPlaced(
        from: Int64, to: Int64, after cursor: PlacedCursor?, limit: Int, sealer: PIISealer,
        in db: any SQLDatabase
    ) async throws -> (orders: [Order], next: PlacedCursor?) {
        let after = cursor ?? PlacedCursor(createdAt: from, id: Int64.min)
        let rows = try await db.raw(
            """
            SELECT id, created_at, data FROM orders
            WHERE created_at >= \(bind: max(from, after.createdAt)) AND created_at < \(bind: to)
              AND (created_at > \(bind: after.createdAt) OR id > \(bind: after.id))
            ORDER BY created_at, id LIMIT \(bind: limit)
            """
        ).all()
        var orders: [Order] = []
        orders.reserveCapacity(rows.count)
        var next: PlacedCursor?
        for row in rows {
            // Through the store's own decoding: orders are sealed at rest.
            orders.append(try decodeOrder(row, sealer: sealer))
            next = PlacedCursor(
                createdAt: try row.decode(column: "created_at", as: Int64.self),
                id: try row.decode(column: "id", as: Int64.self))
        }
        return (orders, rows.count < limit ? nil : next)
    }
}
