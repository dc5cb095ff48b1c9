import Foundation

/// Whether the shop takes WeChat Pay, as the report needs to know it: with `off` and no payments recorded the
/// Payments sheet only says so, and the Summary is what it was before payments existed; only `required` makes a
/// delivered order that was never paid a problem (with `optional` the customer may have paid cash at the door).
public enum ReportPaymentMode: String, Sendable, Hashable {
    case off, optional, required
}

/// One order's WeChat Pay payment (the `payments` row), as the caller reads it: all money in integer fen.
public struct ReportPayment: Sendable, Hashable {
    /// Where the order ended up, which decides whether its payment needs attention.
    public enum OrderOutcome: String, Sendable, Hashable {
        case open, delivered, cancelled
    }

    /// The order's public id (shown as text).
    public var orderID: String
    public var merchantName: String
    /// The payment's status word (`unpaid`, `paid`, `refunding`, `refunded`, `partially_refunded`, `closed`).
    public var status: String
    /// What the customer is charged.
    public var amountFen: Int
    /// When WeChat Pay took the money; `nil` while unpaid or after the transaction was closed unpaid.
    public var paidAt: Date?
    public var transactionID: String?
    /// Refunds WeChat Pay settled.
    public var refundedFen: Int
    /// Refunds asked for and not settled yet.
    public var refundingFen: Int
    public var order: OrderOutcome

    public init(
        orderID: String, merchantName: String, status: String, amountFen: Int, paidAt: Date? = nil,
        transactionID: String? = nil, refundedFen: Int = 0, refundingFen: Int = 0, order: OrderOutcome
    ) {
        self.orderID = orderID
        self.merchantName = merchantName
        self.status = status
        self.amountFen = amountFen
        self.paidAt = paidAt
        self.transactionID = transactionID
        self.refundedFen = refundedFen
        self.refundingFen = refundingFen
        self.order = order
    }

    /// Money taken: the amount once paid, else 0.
    public var paidFen: Int { paidAt == nil ? 0 : amountFen }
    /// Paid minus refunded (refunds still processing are not subtracted until settled).
    public var netFen: Int { paidFen - refundedFen }

    /// What is wrong with this payment, if anything, under `mode`.
    public func flag(mode: ReportPaymentMode) -> PaymentFlag? {
        if order == .delivered, paidAt == nil, mode == .required, status == "unpaid" || status == "closed" {
            return .deliveredUnpaid
        }
        if order == .cancelled, paidAt != nil, refundedFen == 0, refundingFen == 0 { return .cancelledPaidNotRefunded }
        return nil
    }
}

/// A payment the shop must look at.
public enum PaymentFlag: String, Sendable, Hashable, CaseIterable {
    /// Delivered, but WeChat Pay never took the money although payment was required.
    case deliveredUnpaid = "delivered, not paid 已送达未付款"
    /// Paid, then cancelled, and no refund settled or in progress: the customer's money is still with the shop.
    case cancelledPaidNotRefunded = "cancelled, paid, not refunded 已取消已付款未退款"
}

/// One merchant's payments of the day.
public struct MerchantPayments: Sendable, Hashable {
    public var name: String
    public var paidFen = 0
    public var refundedFen = 0
    public var netFen: Int { paidFen - refundedFen }

    public init(name: String, paidFen: Int = 0, refundedFen: Int = 0) {
        self.name = name
        self.paidFen = paidFen
        self.refundedFen = refundedFen
    }
}

/// The day's payments at a glance (Summary sheet and Payments sheet totals).
public struct PaymentTotals: Sendable, Hashable {
    public var payments = 0
    public var paidFen = 0
    public var refundedFen = 0
    /// Payments with a ``PaymentFlag``.
    public var needingAttention = 0
    public var netFen: Int { paidFen - refundedFen }

    public init(payments: Int = 0, paidFen: Int = 0, refundedFen: Int = 0, needingAttention: Int = 0) {
        self.payments = payments
        self.paidFen = paidFen
        self.refundedFen = refundedFen
        self.needingAttention = needingAttention
    }
}

/// Folds the day's payments, one at a time, into per-merchant sums, a day total and the flagged payments.
/// Integer fen throughout, so the sums are exact.
public struct PaymentTally: Sendable {
    public let mode: ReportPaymentMode
    public private(set) var totals = PaymentTotals()
    private var merchants: [String: MerchantPayments] = [:]
    /// Flagged payments in the order they were added.
    public private(set) var flagged: [(payment: ReportPayment, flag: PaymentFlag)] = []

    public init(mode: ReportPaymentMode) { self.mode = mode }

    /// Counts one payment and returns its flag, if any.
    @discardableResult
    public mutating func add(_ payment: ReportPayment) -> PaymentFlag? {
        totals.payments += 1
        totals.paidFen += payment.paidFen
        totals.refundedFen += payment.refundedFen
        var merchant = merchants[payment.merchantName] ?? MerchantPayments(name: payment.merchantName)
        merchant.paidFen += payment.paidFen
        merchant.refundedFen += payment.refundedFen
        merchants[payment.merchantName] = merchant
        let flag = payment.flag(mode: mode)
        if let flag {
            totals.needingAttention += 1
            flagged.append((payment, flag))
        }
        return flag
    }

    /// Highest net first, then by name.
    public var merchantPayments: [MerchantPayments] {
        merchants.values.sorted { ($0.netFen, $1.name) > ($1.netFen, $0.name) }
    }

    /// Whether the report shows payment figures at all: payment is on, or payments were recorded anyway
    /// (payment was switched off after some orders were paid).
    public var isShown: Bool { mode != .off || totals.payments > 0 }
}
