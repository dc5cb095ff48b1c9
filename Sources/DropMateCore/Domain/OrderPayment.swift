/// Whether and how an order was paid in WeChat Pay, and its refunds. Orders placed while payment is off have none
/// (`Order.payment == nil`, shown as `not_required`): they are paid on delivery as before.
public struct OrderPayment: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nothing to pay in WeChat Pay: the customer chose to pay on delivery (`method` says so, with
        /// `DROPMATE_PAYMENT=optional`), or the order needed no payment.
        case notRequired = "not_required"
        case unpaid, paid, refunding, refunded
        case partiallyRefunded = "partially_refunded"
        /// Never paid, and the transaction was closed (the order timed out or was cancelled first).
        case closed
    }

    /// How the customer pays: chosen (cash on delivery) or done (WeChat Pay); nil while undecided.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        case wechatPay = "wechat_pay"
        /// 货到付款: paid to the courier at the door (`DROPMATE_PAYMENT=optional` only).
        case cashOnDelivery = "cash_on_delivery"
    }

    public var status: Status
    public var method: Method?
    /// What the customer is charged: the order's total when the payment was opened.
    public var amount: Money
    /// Our transaction number at WeChat Pay, the same on every retry.
    public var outTradeNo: String
    public var openedAt: Int64
    public var paidAt: Int64?
    /// WeChat Pay's transaction id, once paid.
    public var transactionID: String?
    public var refunds: [PaymentRefund]

    public init(amount: Money, outTradeNo: String, openedAt: Int64) {
        status = .unpaid
        self.amount = amount
        self.outTradeNo = outTradeNo
        self.openedAt = openedAt
        refunds = []
    }

    /// `DM` + the order number: unique per order, stable across retries, within WeChat Pay's 32 characters.
    public static func outTradeNo(orderID: Int64) -> String { "DM\(orderID)" }

    /// Fen refunded for good, and fen asked back but not yet settled.
    public var refundedFen: Int { refunds.filter { $0.status == .succeeded }.reduce(0) { $0 + $1.amount.fen } }
    public var pendingRefundFen: Int { refunds.filter { $0.status == .processing }.reduce(0) { $0 + $1.amount.fen } }
    /// What may still be refunded: paid minus refunded and pending.
    public var refundableFen: Int { transactionID == nil ? 0 : amount.fen - refundedFen - pendingRefundFen }
    public var isPaid: Bool { paidAt != nil }
    /// The customer chose to pay at the door and has not paid online since.
    public var isCashOnDelivery: Bool { status == .notRequired && method == .cashOnDelivery }
}

/// One refund of a payment, full or partial.
public struct PaymentRefund: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case processing
        case succeeded
        /// WeChat Pay closed it or it failed (`REFUND.CLOSED`, `REFUND.ABNORMAL`): the money was not returned.
        case failed
    }

    /// Our refund number, the same on every retry: `DM<order>R<n>`.
    public var outRefundNo: String
    public var amount: Money
    public var reason: String
    public var status: Status
    public var requestedAt: Int64
    public var finishedAt: Int64?

    public init(outRefundNo: String, amount: Money, reason: String, requestedAt: Int64) {
        self.outRefundNo = outRefundNo
        self.amount = amount
        self.reason = reason
        self.status = .processing
        self.requestedAt = requestedAt
    }
}

/// What can happen to a payment. Repeating an event that already took effect changes nothing.
public enum PaymentEvent: Sendable, Hashable {
    /// WeChat Pay says the transaction succeeded (a callback or a query), for this many fen.
    case paid(transactionID: String, amountFen: Int, at: Int64)
    /// The unpaid transaction was closed.
    case closed(at: Int64)
    case refundRequested(outRefundNo: String, amount: Money, reason: String, at: Int64)
    case refundFinished(outRefundNo: String, succeeded: Bool, at: Int64)
    /// The customer chose 货到付款 (pay the courier on delivery) instead of paying now.
    case cashOnDelivery(at: Int64)
}

/// Why a payment refused an event: never silently accepted, since each is about money.
public enum PaymentTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// WeChat Pay reports a different amount than the order's: nothing is marked paid.
    case wrongAmount(expectedFen: Int, reportedFen: Int)
    /// A second, different transaction for the same order.
    case alreadyPaid(transactionID: String)
    case notPaid
    case refundTooLarge(requestedFen: Int, refundableFen: Int)
    case unknownRefund(String)
    case invalidAmount
    /// The payment was closed (the order timed out or was cancelled): nothing can be chosen for it any more.
    case closed

    public var description: String {
        switch self {
        case .wrongAmount(let expected, let reported):
            "WeChat Pay reported \(Money(fen: reported)), the order is \(Money(fen: expected))"
        case .alreadyPaid: "the order was already paid by another transaction"
        case .notPaid: "the order is not paid"
        case .refundTooLarge(let requested, let refundable):
            "cannot refund \(Money(fen: requested)): only \(Money(fen: refundable)) is refundable"
        case .unknownRefund(let number): "no refund \(number) on this order"
        case .invalidAmount: "a refund must be more than ¥0.00"
        case .closed: "the payment is closed"
        }
    }
}

extension OrderPayment {
    /// The outcome of an event: the payment changed, or already was so.
    public enum Transition: Sendable, Hashable {
        case changed(OrderPayment)
        case unchanged(OrderPayment)

        public var payment: OrderPayment {
            switch self {
            case .changed(let payment), .unchanged(let payment): payment
            }
        }
    }

    /// Applies `event`; pure, so the same rules hold in the notify route, the query job and the tests.
    public func applying(_ event: PaymentEvent) throws(PaymentTransitionError) -> Transition {
        var next = self
        switch event {
        case .paid(let transactionID, let amountFen, let at):
            guard amountFen == amount.fen else { throw .wrongAmount(expectedFen: amount.fen, reportedFen: amountFen) }
            if let paid = self.transactionID {
                guard paid == transactionID else { throw .alreadyPaid(transactionID: paid) }
                return .unchanged(self)
            }
            // A payment that lands after we closed (the customer paid in the instant before the close) is still
            // money taken: it is recorded, and the caller refunds a cancelled order.
            next.transactionID = transactionID
            next.paidAt = at
            next.status = .paid
            next.method = .wechatPay
        case .closed:
            guard transactionID == nil else { return .unchanged(self) }  // paid first: nothing to close
            if status == .closed { return .unchanged(self) }
            next.status = .closed
        case .refundRequested(let number, let refund, let reason, let at):
            if refunds.contains(where: { $0.outRefundNo == number }) { return .unchanged(self) }
            guard transactionID != nil else { throw .notPaid }
            guard refund.fen > 0 else { throw .invalidAmount }
            guard refund.fen <= refundableFen else {
                throw .refundTooLarge(requestedFen: refund.fen, refundableFen: refundableFen)
            }
            next.refunds.append(PaymentRefund(outRefundNo: number, amount: refund, reason: reason, requestedAt: at))
        case .refundFinished(let number, let succeeded, let at):
            guard let index = refunds.firstIndex(where: { $0.outRefundNo == number }) else {
                throw .unknownRefund(number)
            }
            guard refunds[index].status == .processing else { return .unchanged(self) }
            next.refunds[index].status = succeeded ? .succeeded : .failed
            next.refunds[index].finishedAt = at
        case .cashOnDelivery:
            // Already paid online: nothing is collected at the door, and the choice changes nothing.
            guard transactionID == nil else { return .unchanged(self) }
            guard status != .closed else { throw .closed }
            next.status = .notRequired
            next.method = .cashOnDelivery
        }
        next.status = next.derivedStatus
        return next == self ? .unchanged(self) : .changed(next)
    }

    /// The status its refunds imply once paid.
    var derivedStatus: Status {
        guard transactionID != nil else { return status }
        if pendingRefundFen > 0 { return .refunding }
        if refundedFen == 0 { return .paid }
        return refundedFen >= amount.fen ? .refunded : .partiallyRefunded
    }

    /// The next refund number for this payment.
    public var nextRefundNo: String { "\(outTradeNo)R\(refunds.count + 1)" }
}
