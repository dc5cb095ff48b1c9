import DropMateCore
import Foundation
import SQLKit

/// Orders' WeChat Pay state (`payments`). Every change is a compare-and-swap on the row's version inside one
/// transaction with the jobs it causes, so a callback delivered three times at once to two replicas changes the
/// payment once and queues its push once.
public struct SQLPaymentStore: Sendable {
    let backend: any SQLBackend
    let sealer: PIISealer?

    public init(backend: any SQLBackend, sealer: PIISealer? = nil) {
        self.backend = backend
        self.sealer = sealer
    }

    /// A stored payment with the prepay id of its open JSAPI transaction (reused while WeChat Pay keeps it).
    public struct Row: Sendable, Equatable {
        public var orderID: Int64
        public var payment: OrderPayment
        public var prepayID: String?
        public var prepayAt: Int64?
        public var version: Int64
    }

    /// The outcome of `apply`: what happened is an answer, not an error.
    public enum Outcome: Sendable, Equatable {
        case changed(Row)
        case unchanged(Row)
        case refused(PaymentTransitionError, Row)
        case noPayment
    }

    public func payment(orderID: Int64) async throws -> Row? {
        try await Self.read("order_id", orderID, in: backend.reader)
    }

    public func payment(outTradeNo: String) async throws -> Row? {
        try await Self.read("out_trade_no", outTradeNo, in: backend.reader)
    }

    /// Payments of these orders (staff lists), by order id.
    public func payments(orderIDs: [Int64]) async throws -> [Int64: OrderPayment] {
        guard !orderIDs.isEmpty else { return [:] }
        let rows = try await backend.reader.raw(
            """
            SELECT order_id, data, version, prepay_id, prepay_at FROM payments WHERE order_id IN (\(binds: orderIDs.map { $0 as any Encodable & Sendable }))
            """
        ).all()
        var found: [Int64: OrderPayment] = [:]
        for row in rows { if let decoded = try? Self.decode(row) { found[decoded.orderID] = decoded.payment } }
        return found
    }

    /// Unpaid payments opened before `cutoff` (the timeout job's work).
    public func unpaid(openedBefore cutoff: Int64, limit: Int = 100) async throws -> [Row] {
        let rows = try await backend.reader.raw(
            """
            SELECT order_id, data, version, prepay_id, prepay_at FROM payments WHERE status = 'unpaid' AND opened_at < \(bind: cutoff)
            ORDER BY opened_at LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map(Self.decode)
    }

    /// Payments opened in `[from, to)` (reconciliation).
    public func opened(from: Int64, to: Int64) async throws -> [Row] {
        try await backend.reader.raw(
            """
            SELECT order_id, data, version, prepay_id, prepay_at FROM payments WHERE opened_at >= \(bind: from) AND opened_at < \(bind: to) ORDER BY opened_at
            """
        ).all().map(Self.decode)
    }

    /// Opens the payment of an order if it has none (the first of several replicas wins; the rest get its row).
    public func open(orderID: Int64, payment: OrderPayment, now: Int64) async throws -> Row {
        let data = try Self.encode(payment)
        try await backend.transaction { db in
            try await db.raw(
                """
                INSERT INTO payments (order_id, out_trade_no, status, amount_fen, data, version, opened_at, updated_at)
                VALUES (\(bind: orderID), \(bind: payment.outTradeNo), \(bind: payment.status.rawValue), \(bind: payment.amount.fen), \(bind: data), 1, \(bind: payment.openedAt), \(bind: now))
                ON CONFLICT (order_id) DO NOTHING
                """
            ).run()
        }
        guard let row = try await Self.read("order_id", orderID, in: backend.reader) else {
            throw MissingPayment(orderID: orderID)
        }
        return row
    }

    /// Remembers the open transaction's prepay id.
    public func setPrepay(orderID: Int64, prepayID: String, at: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw(
                "UPDATE payments SET prepay_id = \(bind: prepayID), prepay_at = \(bind: at), updated_at = \(bind: at) WHERE order_id = \(bind: orderID)"
            ).run()
        }
    }

    /// Applies `event` with a compare-and-swap: when the payment changes, `jobs(old, new)` are queued in the same
    /// transaction (a lost race retries on the fresh row, so they are queued by the one writer that changed it).
    /// `audit` is recorded in the same transaction, and only when the payment changed.
    public func apply(
        _ event: PaymentEvent, orderID: Int64, now: Int64, audit: AuditEntry? = nil,
        jobs: @escaping @Sendable (OrderPayment, OrderPayment) throws -> [NewJob] = { _, _ in [] }
    ) async throws -> Outcome {
        for _ in 0..<16 {
            guard let row = try await backend.transaction({ db in try await Self.read("order_id", orderID, in: db) })
            else { return .noPayment }
            let transition: OrderPayment.Transition
            do { transition = try row.payment.applying(event) } catch { return .refused(error, row) }
            guard case .changed(let next) = transition else { return .unchanged(row) }
            let data = try Self.encode(next)
            let queued = try jobs(row.payment, next)
            let sealer = self.sealer
            let won: Bool = try await backend.transaction { db in
                let updated = try await db.raw(
                    """
                    UPDATE payments SET data = \(bind: data), status = \(bind: next.status.rawValue), version = version + 1, updated_at = \(bind: now)
                    WHERE order_id = \(bind: orderID) AND version = \(bind: row.version) RETURNING order_id
                    """
                ).first()
                guard updated != nil else { return false }
                for job in queued { try await SQLJobQueue.insert(job, now: now, in: db, sealer: sealer) }
                if let audit { try await SQLStaffStore.append(audit, in: db) }
                return true
            }
            if won {
                return .changed(
                    Row(
                        orderID: orderID, payment: next, prepayID: row.prepayID, prepayAt: row.prepayAt,
                        version: row.version + 1))
            }
        }
        throw PaymentContention(orderID: orderID)
    }

    static func read(_ column: String, _ value: any Encodable & Sendable, in db: any SQLDatabase) async throws -> Row? {
        guard
            let row = try await db.raw(
                """
                SELECT order_id, data, version, prepay_id, prepay_at FROM payments WHERE \(ident: column) = \(bind: value)
                """
            ).first()
        else { return nil }
        return try decode(row)
    }

    static func decode(_ row: any SQLRow) throws -> Row {
        let data = try row.decode(column: "data", as: String.self)
        return Row(
            orderID: try row.decode(column: "order_id", as: Int64.self),
            payment: try JSONDecoder().decode(OrderPayment.self, from: Data(data.utf8)),
            prepayID: try row.decode(column: "prepay_id", as: String?.self),
            prepayAt: try row.decode(column: "prepay_at", as: Int64?.self),
            version: try row.decode(column: "version", as: Int64.self))
    }

    static func encode(_ payment: OrderPayment) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(payment), as: UTF8.self)
    }

    public struct MissingPayment: Error, Sendable { public var orderID: Int64 }
    /// Sixteen lost races in a row: something else rewrites the row in a loop.
    public struct PaymentContention: Error, Sendable { public var orderID: Int64 }
}
