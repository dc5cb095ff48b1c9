import DropMateCore
import SQLKit

/// The reads that may be a little stale: staff lists and searches, the console's lists, the daily report, the
/// public board page and the staff API's lists of merchants and ads.
///
/// They go to the read replica (`DATABASE_READ_URL`) while it answers and keeps within
/// `DROPMATE_READ_MAX_LAG_SECONDS` of the primary, else to the primary (`SQLBackend.laggingReader`). What must be
/// fresh is not here and cannot be read through it: a turn's state and dedupe, an order just written, whatever a
/// write follows (dispatch, moderation, idempotent answers), staff sign-in and tokens read the stores, which read the
/// primary. On SQLite, or PostgreSQL without a replica, both read the same database.
public struct SQLReadModel: Sendable {
    let backend: any SQLBackend
    let sealer: PIISealer

    public init(backend: any SQLBackend, sealer: PIISealer) {
        self.backend = backend
        self.sealer = sealer
    }

    private var db: any SQLDatabase { backend.laggingReader }

    // MARK: Orders

    /// One page of matching orders, newest first, and how many match in all.
    public func orders(
        matching filter: SQLConversationStore.OrderFilter, limit: Int, offset: Int
    ) async throws -> (orders: [Order], total: Int) {
        try await SQLConversationStore.orders(matching: filter, limit: limit, offset: offset, sealer: sealer, in: db)
    }

    /// Up to `limit` orders placed in `[from, to)` after `cursor`, in placing order (the daily report's pages).
    public func ordersPlaced(
        from: Int64, to: Int64, after cursor: SQLConversationStore.PlacedCursor?,
        limit: Int
    ) async throws -> (orders: [Order], next: SQLConversationStore.PlacedCursor?) {
        try await SQLConversationStore.ordersPlaced(
            from: from, to: to, after: cursor, limit: limit, sealer: sealer, in: db)
    }

    // MARK: The board

    /// Posts newest first, as staff moderate them. `state`: "visible", "hidden", "removed" or nil for all.
    public func boardPosts(
        state: String?, orderID: Int64?, limit: Int, offset: Int
    ) async throws -> [SQLConversationStore.ModeratedPost] {
        try await SQLConversationStore.boardPosts(state: state, orderID: orderID, limit: limit, offset: offset, in: db)
    }

    /// The newest visible posts not about an order (the public board page).
    public func publicBoard(limit: Int) async throws -> [BoardPost] {
        try await SQLConversationStore.publicBoard(limit: limit, in: db)
    }

    // MARK: Staff lists

    /// The audit log, newest first, before `beforeID`.
    public func audit(limit: Int, beforeID: Int64?) async throws -> [(id: Int64, entry: AuditEntry)] {
        try await SQLStaffStore.audit(limit: limit, beforeID: beforeID, in: db)
    }

    /// Every merchant, archived ones too.
    public func merchants() async throws -> [(merchant: Merchant, active: Bool)] {
        try await SQLCatalogStore.merchants(in: db)
    }

    /// Every ad.
    public func ads() async throws -> [SQLCatalogStore.Ad] {
        try await SQLCatalogStore.ads(in: db)
    }

    // MARK: Reports

    /// Recorded reports with `from ≤ date ≤ to` (either bound optional), newest first.
    public func reports(from: String?, to: String?, limit: Int) async throws -> [ReportRecord] {
        try await SQLReportStore.reports(from: from, to: to, limit: limit, in: db)
    }

    /// Pushes, text messages, board posts and dead jobs in `[from, to)`.
    public func activity(from: Int64, to: Int64) async throws -> DayActivity {
        try await SQLReportStore.activity(from: from, to: to, in: db)
    }

    /// The payments of the orders placed in `[from, to)`, in the order they were placed.
    public func payments(ofOrdersPlacedFrom from: Int64, to: Int64) async throws -> [DayPayment] {
        try await SQLReportStore.payments(ofOrdersPlacedFrom: from, to: to, in: db)
    }
}
