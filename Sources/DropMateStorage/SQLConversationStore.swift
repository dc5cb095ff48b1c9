import DropMateCore
import Foundation
import SQLKit
import Synchronization

/// `ConversationStore` over any `SQLBackend`: the same SQL on SQLite and PostgreSQL.
public final class SQLConversationStore: ConversationStore, OrderHistoryReads, CustomerReads, BoardModeration,
    BindingCodeReads
{
    let backend: any SQLBackend
    /// Seals orders, states and answers at rest.
    public let sealer: PIISealer
    private let committer: GroupCommitter<UnitOfWork>
    private let orderIDs: Mutex<Int64>

    /// A store over a migrated backend. Order numbers continue after the highest stored one.
    public static func open(_ backend: any SQLBackend, sealer: PIISealer) async throws -> SQLConversationStore {
        let row = try await backend.reader.raw("SELECT MAX(id) AS id FROM orders").first()
        let highest = try row?.decode(column: "id", as: Int64?.self) ?? nil
        return SQLConversationStore(backend: backend, sealer: sealer, lastOrderID: highest ?? 1000)
    }

    private init(backend: any SQLBackend, sealer: PIISealer, lastOrderID: Int64) {
        self.backend = backend
        self.sealer = sealer
        self.orderIDs = Mutex(lastOrderID)
        self.committer = GroupCommitter { units in
            if units.allSatisfy(\.onlyRecordsAnAnswer) {
                // The common case (chit-chat): one multi-row INSERT, atomic without BEGIN/COMMIT.
                try await backend.batchStatement { db in try await Self.write(units, sealer: sealer, to: db) }
            } else {
                try await backend.batchTransaction { db in try await Self.write(units, sealer: sealer, to: db) }
            }
        }
    }

    /// An order from a row of `orders` with its `id` and `data` columns (the document is sealed to its number).
    func decodeOrder(_ row: any SQLRow) throws -> Order { try Self.decodeOrder(row, sealer: sealer) }

    static func decodeOrder(_ row: any SQLRow, sealer: PIISealer) throws -> Order {
        try sealer.decode(
            Order.self, from: try row.decode(column: "data", as: String.self),
            as: .order(try row.decode(column: "id", as: Int64.self)))
    }

    /// A state as it is stored and cached (sealed JSON, bound to the customer).
    public func encodeState(_ state: ConversationState, customer: String) throws -> String {
        try sealer.encode(state, as: .customerState(customer))
    }

    public func load(
        customer: String, dedupeKey: String?
    ) async throws -> (state: ConversationState?, handled: RecordedAnswer?) {
        let row = try await backend.reader.raw(
            """
            SELECT (SELECT state FROM customers WHERE openid = \(bind: customer)) AS state,
                   (SELECT reply FROM handled_messages WHERE key = \(bind: dedupeKey ?? "")) AS reply
            """
        ).first()
        let state = try row?.decode(column: "state", as: String?.self).map {
            try sealer.decode(ConversationState.self, from: $0, as: .customerState(customer))
        }
        let handled = try row?.decode(column: "reply", as: String?.self).map {
            try ReplyColumn.decode(try sealer.open($0, as: .answer(dedupeKey ?? "")))
        }
        return (state, handled)
    }

    public func language(ofCustomer customer: String) async throws -> Language? {
        try await load(customer: customer, dedupeKey: nil).state?.language
    }

    public func handled(dedupeKey: String) async throws -> RecordedAnswer? {
        let row = try await backend.reader.raw("SELECT reply FROM handled_messages WHERE key = \(bind: dedupeKey)")
            .first()
        return try row.map {
            try ReplyColumn.decode(try sealer.open($0.decode(column: "reply", as: String.self), as: .answer(dedupeKey)))
        }
    }

    public func recentlyHandledKeys(since: Int64, limit: Int) async throws -> [(key: String, at: Int64)] {
        try await backend.reader.raw(
            "SELECT key, created_at FROM handled_messages WHERE created_at >= \(bind: since) ORDER BY created_at DESC LIMIT \(bind: limit)"
        )
        .all().map { row in
            (try row.decode(column: "key", as: String.self), try row.decode(column: "created_at", as: Int64.self))
        }
    }

    public func recentOrders(customer: String, limit: Int) async throws -> [Order] {
        try await backend.reader.raw(
            "SELECT id, data FROM orders WHERE customer = \(bind: customer) ORDER BY id DESC LIMIT \(bind: limit)"
        )
        .all().map(decodeOrder)
    }

    public func order(id: Int64) async throws -> Order? {
        let row = try await backend.reader.raw("SELECT id, data FROM orders WHERE id = \(bind: id)").first()
        return try row.map(decodeOrder)
    }

    /// The newest visible posts not about an order, as a turn shows them (fresh: the primary). Pages read them
    /// through `SQLReadModel`.
    public func publicBoard(limit: Int) async throws -> [BoardPost] {
        try await Self.publicBoard(limit: limit, in: backend.reader)
    }

    static func publicBoard(limit: Int, in db: any SQLDatabase) async throws -> [BoardPost] {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.boardPostColumns) FROM board_posts WHERE order_id IS NULL AND hidden = 0 ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).all().map(Self.boardPost)
    }

    /// Every board post about one order, oldest first (for staff and tests).
    public func posts(orderID: Int64) async throws -> [BoardPost] {
        try await backend.reader.raw(
            "SELECT \(unsafeRaw: Self.boardPostColumns) FROM board_posts WHERE order_id = \(bind: orderID) ORDER BY id"
        )
        .all().map(Self.boardPost)
    }

    static let boardPostColumns = "id, customer, order_id, body, created_at"

    /// A post from a row holding `boardPostColumns`.
    static func boardPost(_ row: any SQLRow) throws -> BoardPost {
        BoardPost(
            id: try row.decode(column: "id", as: Int64.self),
            customer: try row.decode(column: "customer", as: String.self),
            orderID: try row.decode(column: "order_id", as: Int64?.self),
            body: try row.decode(column: "body", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    public func nextOrderID() async throws -> Int64 {
        guard backend.isSQLite else {
            let row = try await backend.reader.raw("SELECT nextval('order_numbers') AS id").first()
            return try row!.decode(column: "id", as: Int64.self)
        }
        return orderIDs.withLock { last in
            last += 1
            return last
        }
    }

    public func catalog(at now: Int64) async throws -> Catalog {
        let merchants = try await backend.reader.raw(
            """
            SELECT m.data, r.data AS rules, r.paused, r.paused_until FROM merchants m LEFT JOIN merchant_rules r ON r.merchant_id = m.id ORDER BY m.id
            """
        ).all()
            .map { row in
                var merchant = try JSONColumn.decode(Merchant.self, from: row.decode(column: "data", as: String.self))
                merchant.rules = try SQLCatalogStore.rules(row)
                return merchant
            }
        // Ads of active merchants, switched on, inside their window. Archived merchants stay listed: old orders name them.
        let items = try await backend.reader.raw(
            """
            SELECT c.data, c.sold_out FROM catalog_items c JOIN merchants m ON m.id = c.merchant_id
            WHERE c.active = 1 AND m.active = 1 AND (c.starts_at IS NULL OR c.starts_at <= \(bind: now)) AND (c.ends_at IS NULL OR c.ends_at > \(bind: now))
            ORDER BY c.position, c.id
            """
        ).all()
            .map(SQLCatalogStore.item)
        return Catalog(merchants: merchants, items: items)
    }

    /// Stores `catalog` when the database has no merchants yet (the embedded default's demo data).
    /// Several processes starting at once on an empty database may all try: rows another one stored first are kept.
    public func seedIfEmpty(_ catalog: Catalog, now: Int64) async throws {
        try await backend.transaction { db in
            guard try await db.raw("SELECT id FROM merchants LIMIT 1").first() == nil else { return }
            for merchant in catalog.merchants {
                var stored = merchant
                stored.rules = nil
                try await db.raw(
                    """
                    INSERT INTO merchants (id, data, updated_at) VALUES (\(bind: merchant.id), \(bind: try JSONColumn.encode(stored)), \(bind: now))
                    ON CONFLICT (id) DO NOTHING
                    """
                ).run()
                if let rules = merchant.rules {
                    try await db.raw(
                        """
                        INSERT INTO merchant_rules (merchant_id, data, paused, updated_at) VALUES (\(bind: merchant.id), \(bind: try SQLCatalogStore.rulesData(rules)), 0, \(bind: now))
                        ON CONFLICT (merchant_id) DO NOTHING
                        """
                    ).run()
                }
            }
            for item in catalog.items {
                try await db.raw(
                    """
                    INSERT INTO catalog_items (id, merchant_id, position, active, data, updated_at)
                    VALUES (\(bind: item.id), \(bind: item.merchantID), \(bind: item.position), 1, \(bind: try JSONColumn.encode(item)), \(bind: now))
                    ON CONFLICT (id) DO NOTHING
                    """
                ).run()
            }
        }
    }

    public func customersWithExpiredDrafts(now: Int64, limit: Int) async throws -> [String] {
        try await backend.reader.raw(
            "SELECT openid FROM customers WHERE expires_at IS NOT NULL AND expires_at <= \(bind: now) ORDER BY expires_at LIMIT \(bind: limit)"
        )
        .all().map { try $0.decode(column: "openid", as: String.self) }
    }

    public func commit(_ unit: UnitOfWork) async throws {
        try await committer.commit(unit)
    }

    /// Waits until every answer queued with `recordAnswer` so far is written (call before shutting down).
    public func flush() async {
        await committer.flush()
    }

    public func recordAnswer(_ unit: UnitOfWork) {
        precondition(unit.onlyRecordsAnAnswer, "only answer records may be written behind")
        committer.enqueue(unit)
    }

    /// Forgets handled-message keys older than `cutoff` (WeChat retries within seconds; the worker keeps a day unless
    /// `DROPMATE_DEDUPE_RETENTION_SECONDS` says otherwise).
    /// On PostgreSQL one process prunes at a time: every worker runs the sweep, and two deleting the same rows at
    /// once made one fail now and then (the soak's logs); the other skips its turn.
    public func pruneHandled(before cutoff: Int64) async throws {
        let sqlite = backend.isSQLite
        try await backend.transaction { db in
            if !sqlite {
                let taken = try await db.raw(
                    "SELECT pg_try_advisory_xact_lock(\(bind: Self.pruneLockKey)) AS taken"
                ).first()?.decode(column: "taken", as: Bool.self)
                guard taken == true else { return }
            }
            try await db.raw("DELETE FROM handled_messages WHERE created_at < \(bind: cutoff)").run()
            // Binding failures count for an hour: they go an hour after the dedupe records (whose retention may be
            // as short as ten minutes), never while they still count.
            try await db.raw("DELETE FROM courier_binding_attempts WHERE window_start < \(bind: cutoff - 3600)").run()
        }
    }

    /// The advisory lock the prune takes for its transaction ("dmprune" in ASCII; any constant no other lock uses).
    static let pruneLockKey: Int64 = 0x646D_7072_756E_65
}
