import DropMateCore
import SQLKit

/// Orders as staff look for them.
extension SQLConversationStore {
    /// Which orders a list shows.
    public struct OrderFilter: Sendable, Hashable {
        public var status: OrderStatus?
        /// Placed at or after (Unix seconds).
        public var from: Int64?
        /// Placed before.
        public var to: Int64?
        public var merchantID: String?
        public var courierID: Int64?
        /// Keyed hashes of the customer's phone number (one per key in the ring).
        public var phoneHashes: [String]?

        public init(
            status: OrderStatus? = nil, from: Int64? = nil, to: Int64? = nil, merchantID: String? = nil,
            courierID: Int64? = nil, phoneHashes: [String]? = nil
        ) {
            self.phoneHashes = phoneHashes
            self.status = status
            self.from = from
            self.to = to
            self.merchantID = merchantID
            self.courierID = courierID
        }
    }

    /// One page of matching orders, newest first, and how many match in all (staff lists: `SQLReadModel`).
    static func orders(
        matching filter: OrderFilter, limit: Int, offset: Int, sealer: PIISealer, in db: any SQLDatabase
    ) async throws -> (orders: [Order], total: Int) {
        let conditions = Self.conditions(filter)
        let total =
            try await db.raw("SELECT COUNT(*) AS n FROM orders WHERE \(conditions)").first()?.decode(
                column: "n", as: Int.self) ?? 0
        let rows = try await db.raw(
            "SELECT id, data FROM orders WHERE \(conditions) ORDER BY id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        ).all()
        return (try rows.map { try decodeOrder($0, sealer: sealer) }, total)
    }

    /// The filter as SQL. Every value is bound (`SQLQueryString` interpolation), never spliced in.
    static func conditions(_ filter: OrderFilter) -> SQLQueryString {
        var sql: SQLQueryString = "1 = 1"
        if let status = filter.status { sql = "\(sql) AND status = \(bind: status.rawValue)" }
        if let from = filter.from { sql = "\(sql) AND created_at >= \(bind: from)" }
        if let to = filter.to { sql = "\(sql) AND created_at < \(bind: to)" }
        if let merchant = filter.merchantID { sql = "\(sql) AND merchant_id = \(bind: merchant)" }
        if let courier = filter.courierID { sql = "\(sql) AND courier_id = \(bind: courier)" }
        if let hashes = filter.phoneHashes, !hashes.isEmpty {
            sql = "\(sql) AND phone_hash IN \(SQLGroupExpression(hashes.map { SQLBind($0) }))"
        }
        return sql
    }

    /// An order's status history, oldest first.
    public func history(orderID: Int64) async throws -> [(status: String, at: Int64)] {
        try await backend.reader.raw(
            "SELECT status, at FROM order_events WHERE order_id = \(bind: orderID) ORDER BY id"
        ).all().map {
            (try $0.decode(column: "status", as: String.self), try $0.decode(column: "at", as: Int64.self))
        }
    }
}
