import DropMateCore
import DropMateStorage
import Foundation

/// An order's WeChat Pay state as the staff API shows it (`payment` on an order; absent when payment is off).
struct PaymentView: Encodable {
    struct Refund: Encodable {
        var outRefundNo: String
        var amountFen: Int
        var reason: String
        var status: String
        var requestedAt: String?
        var finishedAt: String?
    }

    var status: String
    /// `wechat_pay` once paid online, `cash_on_delivery` when the customer chose 货到付款 (status `not_required`).
    var method: String?
    var amountFen: Int
    var paidAt: String?
    var transactionId: String?
    var refunds: [Refund]

    init(_ payment: OrderPayment?, order: Order, utcOffset: Int) {
        guard let payment else {
            // No payment opened yet: an order still to be paid is unpaid, an older or delivered one needed none.
            let due = order.status == .awaitingConfirmation || order.status == .confirmed
            status = due ? OrderPayment.Status.unpaid.rawValue : OrderPayment.Status.notRequired.rawValue
            amountFen = order.total.fen
            refunds = []
            return
        }
        status = payment.status.rawValue
        method = payment.method?.rawValue
        amountFen = payment.amount.fen
        paidAt = APIJSON.time(payment.paidAt, utcOffset: utcOffset)
        transactionId = payment.transactionID
        refunds = payment.refunds.map {
            Refund(
                outRefundNo: $0.outRefundNo, amountFen: $0.amount.fen, reason: $0.reason, status: $0.status.rawValue,
                requestedAt: APIJSON.time($0.requestedAt, utcOffset: utcOffset),
                finishedAt: APIJSON.time($0.finishedAt, utcOffset: utcOffset))
        }
    }
}

extension StaffAPI {
    struct RefundBody: Decodable {
        var amountFen: Int
        var reason: String
    }

    func addPaymentRoutes(_ api: APIRouter) {
        api.on(
            .post, "/orders/:id/refund", roles: Self.admins, idempotent: true, maxBody: 4096,
            doc: APIDoc(
                "Refund part or all of a WeChat Pay payment with a reason (audited); the customer is told. 409 when payment is off or the order was not paid.",
                body: .json("Refund"),
                answer: .ok("The order with its payment.", "Order"),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let body = try APIJSON.decode(RefundBody.self, from: call.body)
            let reason = try Validate.text(body.reason, field: "reason", max: 80)
            guard body.amountFen > 0 else {
                throw APIError.badRequest("\"amount_fen\" must be a positive number of fen")
            }
            guard let payments else {
                throw APIError.conflict("WeChat Pay is not configured: there is nothing to refund", code: "payment_off")
            }
            guard let order = try await store.order(id: id) else { throw APIError.notFound("order #\(id)") }
            let audit = call.identity.audit(
                "order.refund", target: "order:\(id)", before: nil,
                after: "refund \(Money(fen: body.amountFen)): \(reason)", at: clock())
            switch try await payments.requestRefund(
                orderID: id, amount: Money(fen: body.amountFen), reason: reason, audit: audit)
            {
            case .noPayment: throw APIError.conflict("order #\(id) was not paid with WeChat Pay", code: "not_paid")
            case .refused(let error, _): throw APIError.conflict(error.description, code: "refund_refused")
            case .changed(let row), .unchanged(let row):
                var view = OrderView(order, for: call.identity, utcOffset: utcOffset)
                view.payment = PaymentView(row.payment, order: order, utcOffset: utcOffset)
                return try .json(view)
            }
        }
    }

    /// `views` with their orders' payments, when payment is on (one query for the lot).
    func withPayments(_ views: [OrderView], orders: [Order]) async throws -> [OrderView] {
        guard let payments else { return views }
        let found = try await payments.payments.payments(orderIDs: orders.map(\.id))
        return zip(views, orders).map { view, order in
            var view = view
            view.payment = PaymentView(found[order.id], order: order, utcOffset: utcOffset)
            return view
        }
    }
}
