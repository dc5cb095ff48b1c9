import DropMateCore
import DropMateEngine
import DropMateOutbound
import DropMateStorage
import DropMateWeChatPay
import Foundation
import Logging

/// WeChat Pay for orders: opens and reuses JSAPI transactions, believes callbacks and queries only after checking
/// them, and moves the payment through `SQLPaymentStore`'s compare-and-swap so every change happens once.
public struct PaymentService: Sendable {
    public let gate: PaymentGate
    let client: WeChatPayClient
    let cipher: PayResourceCipher
    let payments: SQLPaymentStore
    let engine: ConversationEngine
    let queue: SQLJobQueue
    let appID: String
    let notifyURL: String
    let sealer: PIISealer
    let clock: @Sendable () -> Int64
    let logger: Logger

    init(
        gate: PaymentGate, client: WeChatPayClient, cipher: PayResourceCipher, payments: SQLPaymentStore,
        engine: ConversationEngine,
        queue: SQLJobQueue, appID: String, notifyURL: String, sealer: PIISealer, clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        self.gate = gate
        self.client = client
        self.cipher = cipher
        self.payments = payments
        self.engine = engine
        self.queue = queue
        self.appID = appID
        self.notifyURL = notifyURL
        self.sealer = sealer
        self.clock = clock
        self.logger = logger
    }

    // MARK: - The pay page

    /// What the pay page shows.
    enum PageState: Sendable {
        /// The pay button; `cash` says whether 货到付款 is offered (`optional`) or already chosen.
        case pay(Order, JSAPIPaySheet, cash: CashOption)
        case settled(Order, OrderPayment)
        /// The order can no longer be paid (cancelled, or not confirmed).
        case notPayable(Order, OrderPayment?)
    }

    enum CashOption: Sendable, Equatable {
        /// `required`: pay now or not at all.
        case none
        case offered
        /// The customer chose it; paying online is still possible.
        case chosen
    }

    /// Opens the order's payment if needed and creates (or reuses) its JSAPI transaction. A customer who chose
    /// 货到付款 still gets the pay button (paying online instead is allowed).
    func page(for order: Order) async throws -> PageState {
        let now = clock()
        let existing = try await payments.payment(orderID: order.id)
        if let existing, existing.payment.status != .unpaid, !existing.payment.isCashOnDelivery {
            return .settled(order, existing.payment)
        }
        guard order.status == .confirmed else { return .notPayable(order, existing?.payment) }
        var row: SQLPaymentStore.Row
        if let existing {
            row = existing
        } else {
            row = try await payments.open(
                orderID: order.id,
                payment: OrderPayment(
                    amount: order.total, outTradeNo: OrderPayment.outTradeNo(orderID: order.id),
                    openedAt: order.confirmedAt ?? now), now: now)
        }
        // WeChat Pay keeps a prepay id for two hours; ours time out sooner, so a stored one is reused as it is.
        var prepayID = row.prepayID
        if prepayID == nil || (row.prepayAt ?? 0) < now - 6600 {
            let expires = row.payment.openedAt + gate.timeoutSeconds
            let request = JSAPIOrderRequest(
                appid: appID, mchid: client.mchID, description: Self.description(order),
                outTradeNo: row.payment.outTradeNo,
                timeExpire: Self.rfc3339(expires), notifyURL: notifyURL, totalFen: row.payment.amount.fen,
                openID: order.customer)
            let created = try await client.createJSAPI(request)
            try await payments.setPrepay(orderID: order.id, prepayID: created, at: now)
            prepayID = created
        }
        let cash: CashOption = gate.mode == .required ? .none : row.payment.isCashOnDelivery ? .chosen : .offered
        return .pay(
            order,
            JSAPIPaySheet(
                appID: appID, prepayID: prepayID!, timestamp: now, nonce: PayNonce.make(),
                merchant: client.signer.merchant), cash: cash)
    }

    /// "牛肉面×2 等" — WeChat Pay shows it on the receipt; at most 127 bytes.
    static func description(_ order: Order) -> String {
        var text = order.lines.map { "\($0.name.zh)×\($0.quantity)" }.joined(separator: " ")
        while text.utf8.count > 120 { text = String(text.dropLast()) }
        return text.isEmpty ? "DropMate #\(order.id)" : text
    }

    // MARK: - Callbacks

    /// The notify route's answer: 204 for success, else a status and message for `{"code":"FAIL","message":…}`.
    enum NotifyAnswer: Sendable, Equatable {
        case accepted
        case refused(status: Int, message: String)
    }

    func notification(headers: PaySignatureVerifier.Headers, body: String) async throws -> NotifyAnswer {
        do {
            try client.verifier.verify(headers: headers, body: body, now: clock())
        } catch {
            logger.warning("WeChat Pay callback refused", metadata: ["dropmate.reason": "\(error)"])
            return .refused(status: 401, message: "signature: \(error)")
        }
        guard let envelope = try? JSONDecoder().decode(PayNotification.self, from: Data(body.utf8)) else {
            return .refused(status: 400, message: "malformed notification")
        }
        let plaintext: Data
        do { plaintext = try cipher.decrypt(envelope.resource) } catch {
            logger.warning(
                "WeChat Pay callback refused",
                metadata: ["dropmate.reason": "\(error)", "dropmate.event": "\(envelope.id)"])
            return .refused(status: 400, message: "resource: \(error)")
        }
        switch envelope.eventType {
        case "TRANSACTION.SUCCESS":
            guard let transaction = try? JSONDecoder().decode(PayTransaction.self, from: plaintext) else {
                return .refused(status: 400, message: "malformed transaction")
            }
            return try await record(transaction, source: "callback")
        case "REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED":
            guard let refund = try? JSONDecoder().decode(PayRefund.self, from: plaintext) else {
                return .refused(status: 400, message: "malformed refund")
            }
            return try await record(refund)
        default:
            // An event we do not act on: acknowledged so WeChat Pay stops sending it.
            logger.info("WeChat Pay callback ignored", metadata: ["dropmate.event_type": "\(envelope.eventType)"])
            return .accepted
        }
    }

    /// A successful transaction from a callback or a query: checked against the order, then marked paid once.
    func record(_ transaction: PayTransaction, source: String) async throws -> NotifyAnswer {
        guard transaction.mchid == client.mchID, transaction.appid == appID else {
            return .refused(status: 400, message: "mchid or appid is not ours")
        }
        guard transaction.tradeState == "SUCCESS" || transaction.tradeState == "REFUND" else {
            return .refused(status: 400, message: "trade_state is not SUCCESS")
        }
        guard let transactionID = transaction.transactionID, let total = transaction.amount?.total else {
            return .refused(status: 400, message: "transaction_id or amount missing")
        }
        guard let row = try await payments.payment(outTradeNo: transaction.outTradeNo) else {
            return .refused(status: 400, message: "unknown out_trade_no")
        }
        let order = try await engine.order(id: row.orderID)
        let paidAt = Self.parseRFC3339(transaction.successTime) ?? clock()
        let outcome = try await payments.apply(
            .paid(transactionID: transactionID, amountFen: total, at: paidAt), orderID: row.orderID, now: clock()
        ) { _, payment in
            guard let order else { return [] }
            var jobs = [
                try PushJob(
                    openID: order.customer,
                    message: .text(
                        PaymentReplies.paid(orderID: order.id, total: payment.amount, language: order.language))
                )
                .job(key: "pay-push:\(order.id):paid", now: paidAt)
            ]
            // Paid after the order was cancelled (the customer paid in the last instant): the money goes back.
            if order.status == .cancelled {
                jobs.append(try PaymentJob(action: .settleCancelled, orderID: order.id).job(runAt: paidAt))
            }
            // With payment required, an order is staff's to dispatch once paid: that is when they hear of it.
            if gate.mode == .required, order.status == .confirmed {
                jobs.append(
                    try StaffNoticeJob.announcing(
                        order, renderer: engine.renderer, catalog: engine.catalog, paid: true, now: paidAt))
            }
            return jobs
        }
        let metadata: Logger.Metadata = ["dropmate.order_id": "\(row.orderID)", "dropmate.source": "\(source)"]
        switch outcome {
        case .changed:
            logger.info("order paid", metadata: metadata)
            engine.orderFeed.publish([row.orderID])  // open boards redraw the card as paid (and ring)
            return .accepted
        case .unchanged, .noPayment: return .accepted
        case .refused(let error, _):
            logger.error(
                "WeChat Pay reported a payment that does not match the order",
                metadata: metadata.merging(["dropmate.reason": "\(error)"]) { $1 })
            return .refused(status: 400, message: error.description)
        }
    }

    func record(_ refund: PayRefund) async throws -> NotifyAnswer {
        guard refund.mchid == nil || refund.mchid == client.mchID else {
            return .refused(status: 400, message: "mchid is not ours")
        }
        guard let outTradeNo = refund.outTradeNo, let row = try await payments.payment(outTradeNo: outTradeNo) else {
            return .refused(status: 400, message: "unknown out_trade_no")
        }
        // still processing
        guard let state = refund.state, ["SUCCESS", "CLOSED", "ABNORMAL"].contains(state) else { return .accepted }
        guard let mine = row.payment.refunds.first(where: { $0.outRefundNo == refund.outRefundNo }) else {
            return .refused(status: 400, message: "unknown out_refund_no")
        }
        if let amount = refund.amount?.refund, amount != mine.amount.fen {
            return .refused(status: 400, message: "refund amount does not match")
        }
        let order = try await engine.order(id: row.orderID)
        let now = clock()
        let outcome = try await payments.apply(
            .refundFinished(outRefundNo: refund.outRefundNo, succeeded: state == "SUCCESS", at: now),
            orderID: row.orderID, now: now
        ) { _, _ in
            guard let order else { return [] }
            let text =
                state == "SUCCESS"
                ? PaymentReplies.refunded(orderID: order.id, amount: mine.amount, language: order.language)
                : PaymentReplies.refundFailed(orderID: order.id, language: order.language)
            return [
                try PushJob(openID: order.customer, message: .text(text)).job(
                    key: "pay-push:\(order.id):refund:\(refund.outRefundNo)", now: now)
            ]
        }
        if case .refused(let error, _) = outcome { return .refused(status: 400, message: error.description) }
        if case .changed = outcome {
            logger.info(
                "refund finished",
                metadata: ["dropmate.order_id": "\(row.orderID)", "dropmate.refund_status": "\(state)"])
        }
        return .accepted
    }

    // MARK: - Refunds

    /// Asks for a refund of `amount` (nil: everything refundable) with `reason`; the money moves in a job.
    func requestRefund(
        orderID: Int64, amount: Money?, reason: String, audit: AuditEntry? = nil
    ) async throws -> SQLPaymentStore.Outcome {
        guard let row = try await payments.payment(orderID: orderID) else { return .noPayment }
        let now = clock()
        let refund = amount ?? Money(fen: row.payment.refundableFen)
        let number = row.payment.nextRefundNo
        let order = try await engine.order(id: orderID)
        return try await payments.apply(
            .refundRequested(outRefundNo: number, amount: refund, reason: reason, at: now), orderID: orderID, now: now,
            audit: audit
        ) { _, _ in
            var jobs = [try PaymentJob(action: .refund, orderID: orderID, refundNo: number).job(runAt: now)]
            if let order {
                jobs.append(
                    try PushJob(
                        openID: order.customer,
                        message: .text(
                            PaymentReplies.refundStarted(orderID: orderID, amount: refund, language: order.language))
                    )
                    .job(key: "pay-push:\(orderID):refund-started:\(number)", now: now))
            }
            return jobs
        }
    }

    // MARK: - Jobs

    func perform(_ job: PaymentJob) async throws {
        switch job.action {
        case .check: try await check(job)
        case .expire: try await expire(orderID: job.orderID)
        case .settleCancelled: try await settleCancelled(orderID: job.orderID)
        case .refund: try await sendRefund(orderID: job.orderID, refundNo: job.refundNo ?? "")
        }
    }

    /// Queries WeChat Pay; not paid yet and still in time: asks again later.
    /// A pay link not opened yet may still be: the checks go on while it is valid.
    func check(_ job: PaymentJob) async throws {
        let openedAt: Int64
        if let row = try await payments.payment(orderID: job.orderID) {
            // 货到付款 chosen, but a customer who opened the page may pay online after all: that is looked for too.
            guard row.payment.status == .unpaid || (row.payment.isCashOnDelivery && row.prepayID != nil) else { return }
            if try await queryAndRecord(row) { return }
            openedAt = row.payment.openedAt
        } else {
            guard let order = try await engine.order(id: job.orderID), order.status == .confirmed,
                let confirmedAt = order.confirmedAt
            else { return }
            openedAt = confirmedAt
        }
        let next = clock() + PaymentJob.checkDelay(attempt: job.attempt + 1)
        guard next < openedAt + gate.timeoutSeconds + 600 else { return }
        try await queue.enqueue(
            PaymentJob(action: .check, orderID: job.orderID, attempt: job.attempt + 1).job(runAt: next))
    }

    /// True when the query found it paid (and recorded it).
    func queryAndRecord(_ row: SQLPaymentStore.Row) async throws -> Bool {
        let transaction: PayTransaction
        do { transaction = try await client.queryTransaction(outTradeNo: row.payment.outTradeNo) } catch {
            guard case .rejected(_, "ORDER_NOT_EXIST", _) = error else { throw error }
            return false  // the customer never opened the pay page
        }
        guard transaction.tradeState == "SUCCESS" else { return false }
        if case .refused(_, let message) = try await record(transaction, source: "query") {
            throw PaymentJobError(reason: message)
        }
        return true
    }

    enum CloseOutcome { case closed, alreadyPaid }

    /// Closes an unpaid transaction; one WeChat Pay never opened counts as closed.
    func close(_ outTradeNo: String) async throws -> CloseOutcome {
        do { try await client.closeTransaction(outTradeNo: outTradeNo) } catch {
            switch error {
            case .rejected(_, "ORDERPAID", _): return .alreadyPaid
            case .rejected(_, "ORDER_NOT_EXIST", _): return .closed
            default: throw error
            }
        }
        return .closed
    }

    /// Unpaid past the timeout: a last query, then close the transaction and cancel the order with a push.
    /// A pay link never opened has no payment yet: one is opened here, so the order's payment reads `closed`
    /// (staff API, report) like any other that timed out, and a page opened at the same instant is closed too.
    func expire(orderID: Int64) async throws {
        guard let order = try await engine.order(id: orderID), order.status == .confirmed else { return }
        let row = try await paymentOpening(order)
        guard row.payment.status == .unpaid else { return }
        if try await queryAndRecord(row) { return }
        if try await close(row.payment.outTradeNo) == .alreadyPaid {
            _ = try await queryAndRecord(row)  // paid in the meantime: record it, keep the order
            return
        }
        _ = try await payments.apply(.closed(at: clock()), orderID: orderID, now: clock())
        let minutes = gate.timeoutSeconds / 60
        try await engine.apply(
            .cancel(reason: "未在 \(minutes) 分钟内付款 not paid within \(minutes) minutes"), toOrder: orderID,
            check: { current in
                guard current.status == .confirmed else {
                    throw EngineError.transition(.notAllowed(from: current.status, command: "expire"))
                }
            },
            alsoQueue: { order, now in
                [
                    try PushJob(
                        openID: order.customer,
                        message: .text(
                            PaymentReplies.expired(orderID: orderID, minutes: minutes, language: order.language))
                    )
                    .job(key: "pay-push:\(orderID):expired", now: now)
                ]
            }, replacingPushes: true)
        logger.info("unpaid order cancelled", metadata: ["dropmate.order_id": "\(orderID)"])
    }

    /// A cancelled order: refund what was paid; close an unpaid transaction so it cannot be paid any more.
    /// A confirmed order cancelled before its pay link was opened gets a closed payment (as `expire` does).
    func settleCancelled(orderID: Int64) async throws {
        var found = try await payments.payment(orderID: orderID)
        if found == nil, let order = try await engine.order(id: orderID), order.confirmedAt != nil {
            found = try await paymentOpening(order)
        }
        guard let row = found else { return }
        if row.payment.isPaid {
            guard row.payment.refundableFen > 0 else { return }
            _ = try await requestRefund(orderID: orderID, amount: nil, reason: "订单取消 order cancelled")
        } else if row.payment.status == .unpaid || row.payment.isCashOnDelivery {
            if try await close(row.payment.outTradeNo) == .alreadyPaid {
                _ = try await queryAndRecord(row)  // recording it queues this settlement again, which then refunds
                return
            }
            _ = try await payments.apply(.closed(at: clock()), orderID: orderID, now: clock())
        }
    }

    /// The order's payment, opened (unpaid, for the order's total) if it has none yet.
    func paymentOpening(_ order: Order) async throws -> SQLPaymentStore.Row {
        if let row = try await payments.payment(orderID: order.id) { return row }
        return try await payments.open(
            orderID: order.id,
            payment: OrderPayment(
                amount: order.total, outTradeNo: OrderPayment.outTradeNo(orderID: order.id),
                openedAt: order.confirmedAt ?? clock()), now: clock())
    }

    /// Sends a requested refund to WeChat Pay (the same out_refund_no on every retry).
    func sendRefund(orderID: Int64, refundNo: String) async throws {
        guard let row = try await payments.payment(orderID: orderID),
            let refund = row.payment.refunds.first(where: { $0.outRefundNo == refundNo }), refund.status == .processing
        else { return }
        let answer = try await client.refund(
            RefundRequest(
                outTradeNo: row.payment.outTradeNo, outRefundNo: refundNo, reason: String(refund.reason.prefix(80)),
                notifyURL: notifyURL, refundFen: refund.amount.fen, totalFen: row.payment.amount.fen))
        if let state = answer.state, state == "SUCCESS" || state == "CLOSED" || state == "ABNORMAL" {
            _ = try await record(answer)
        }
    }

    struct PaymentJobError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    // MARK: - Times

    static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func parseRFC3339(_ text: String?) -> Int64? {
        guard let text, let date = ISO8601DateFormatter().date(from: text) else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}

extension PaymentService {
    /// The service over the app's dependencies: the client talks to `WECHAT_PAY_API_BASE_URL` through the shared
    /// HTTP client; callbacks come to `PUBLIC_BASE_URL/wechat/pay/notify`.
    static func make(
        config: PaymentConfig, gate: PaymentGate, payments: SQLPaymentStore, dependencies: AppDependencies
    ) -> PaymentService {
        let clock = dependencies.clock
        let client = WeChatPayClient(
            baseURL: config.apiBaseURL, merchant: config.merchant,
            verifier: PaySignatureVerifier(platformKey: config.platformKey, window: 300),
            transport: HTTPPayTransport(http: dependencies.http), clock: clock)
        return PaymentService(
            gate: gate, client: client, cipher: PayResourceCipher(key: config.apiV3Key), payments: payments,
            engine: dependencies.engine,
            queue: dependencies.queue, appID: dependencies.config.wechatAppID,
            notifyURL: dependencies.config.publicBaseURL + "/wechat/pay/notify",
            sealer: dependencies.store.sealer, clock: clock, logger: dependencies.logger)
    }
}
