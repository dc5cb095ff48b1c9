import DropMateCore
import DropMateStorage
import Foundation

/// `DROPMATE_PAYMENT`: `optional` lets the customer choose 货到付款; `required` dispatches only paid orders.
public enum PaymentMode: String, Sendable { case optional, required }

/// What the conversation engine does about payment, and only when payment is on (the engine holds nil otherwise,
/// so a webhook message costs one nil check): a confirmation gets the pay link and its follow-up jobs, a
/// cancellation settles the payment, and with `required` an unpaid order is not dispatched.
public struct PaymentGate: Sendable {
    public let mode: PaymentMode
    public let timeoutSeconds: Int64
    let payments: SQLPaymentStore
    let signer: LinkSigner
    let baseURL: String

    public init(
        mode: PaymentMode, timeoutSeconds: Int64, payments: SQLPaymentStore, signer: LinkSigner, baseURL: String
    ) {
        self.mode = mode
        self.timeoutSeconds = timeoutSeconds
        self.payments = payments
        self.signer = signer
        self.baseURL = baseURL
    }

    /// The signed pay link, valid until the payment times out.
    public func payLink(_ order: Order) -> String {
        let expires = (order.confirmedAt ?? order.createdAt) + timeoutSeconds
        return
            "\(baseURL)/pay/\(order.id)?exp=\(expires)&sig=\(signer.signature(purpose: "pay", id: "\(order.id)", expires: expires))"
    }

    /// Looks at the orders a step wrote: confirmed now → pay link in the reply, a check and (required) the timeout;
    /// cancelled now → settle the payment (refund or close). A status answer ("到哪了") says whether each order is paid.
    func adjust(
        _ unit: inout UnitOfWork, reply: inout OutgoingMessage?, replies: [Reply], language: Language, now: Int64
    ) async throws {
        try await addPaymentStatus(to: &reply, replies: replies, language: language)
        for write in unit.orders where write.logsEvent {
            let order = write.order
            if order.status == .confirmed, order.confirmedAt == now {
                let line = PaymentReplies.payLink(
                    payLink(order), total: order.total, minutes: timeoutSeconds / 60, required: mode == .required,
                    language: language)
                if case .text(let text)? = reply {
                    reply = .text(text + "\n\n" + line)
                } else if reply == nil {
                    reply = .text(line)
                }
                unit.jobs.append(
                    try PaymentJob(action: .check, orderID: order.id).job(
                        runAt: now + PaymentJob.checkDelay(attempt: 1)))
                if mode == .required {
                    unit.jobs.append(
                        try PaymentJob(action: .expire, orderID: order.id).job(runAt: now + timeoutSeconds))
                }
            } else if order.status == .cancelled, order.cancelledAt == now {
                unit.jobs.append(try PaymentJob(action: .settleCancelled, orderID: order.id).job(runAt: now))
            }
        }
    }

    /// Appends "付款：#1001 已付款 ¥18.00" (and the pay link to an unpaid one) to a status answer; one query.
    func addPaymentStatus(to reply: inout OutgoingMessage?, replies: [Reply], language: Language) async throws {
        let orders = replies.flatMap { reply -> [Order] in
            guard case .orderStatus(let lines) = reply else { return [] }
            return lines.map(\.order).filter { $0.status != .awaitingConfirmation }
        }
        guard !orders.isEmpty, case .text(let text)? = reply else { return }
        let found = try await payments.payments(orderIDs: orders.map(\.id))
        var lines: [String] = []
        for order in orders {
            let payment =
                found[order.id]
                ?? (order.status == .confirmed ? OrderPayment(amount: order.total, outTradeNo: "", openedAt: 0) : nil)
            guard let status = PaymentReplies.status(payment, language: language) else { continue }
            let link = order.status == .confirmed && payment?.status == .unpaid ? " " + payLink(order) : ""
            lines.append((language == .zh ? "付款：#\(order.id) " : "Payment: #\(order.id) ") + status + link)
        }
        if !lines.isEmpty { reply = .text(text + "\n" + lines.joined(separator: "\n")) }
    }

    // MARK: - 货到付款

    /// What choosing cash on delivery for one order came to.
    package enum CashChoice: Sendable, Equatable {
        case chosen(OrderPayment)
        case alreadyPaid
        /// `required`: the shop takes payment first.
        case notOffered
        /// The order is not confirmed or out for delivery, or its payment was closed.
        case notPayable
    }

    /// The customer chose 货到付款 for `order` (in chat or on the pay page). Idempotent: choosing it again answers
    /// `.chosen` and changes nothing; an order already paid online stays paid. The WeChat Pay transaction, if one
    /// was opened, stays open: a customer who changes their mind and pays is recorded as paid.
    package func chooseCashOnDelivery(_ order: Order, now: Int64) async throws -> CashChoice {
        guard mode == .optional else { return .notOffered }
        guard order.status == .confirmed || order.status == .dispatched else { return .notPayable }
        _ = try await payments.open(
            orderID: order.id,
            payment: OrderPayment(
                amount: order.total, outTradeNo: OrderPayment.outTradeNo(orderID: order.id),
                openedAt: order.confirmedAt ?? now), now: now)
        switch try await payments.apply(.cashOnDelivery(at: now), orderID: order.id, now: now) {
        case .changed(let row), .unchanged(let row): return row.payment.isPaid ? .alreadyPaid : .chosen(row.payment)
        case .refused, .noPayment: return .notPayable
        }
    }

    /// The chat's answer to "货到付款" / "cash" (`request`), or nil to let the conversation handle the text (the
    /// customer is in the middle of an order and has nothing to pay yet). Several orders waiting for payment and no
    /// number given: the customer is asked which, never guessed for.
    func answer(
        _ request: CashOnDeliveryRequest, state: ConversationState, orders: [Order], now: Int64
    ) async throws -> String? {
        let language = state.language
        let ordering = state.draft != nil || state.pendingOrderID != nil
        let open = orders.filter { $0.status == .confirmed || $0.status == .dispatched }
        let found = try await payments.payments(orderIDs: open.map(\.id))
        let due = open.filter { order in found[order.id].map { !$0.isPaid && $0.status != .closed } ?? true }
        if mode == .required {
            guard !due.isEmpty || !ordering else { return nil }
            let target = request.orderID.flatMap { id in due.first { $0.id == id } } ?? due.first
            return PaymentReplies.cashOnDeliveryNotOffered(
                link: target.flatMap { $0.status == .confirmed ? payLink($0) : nil }, language: language)
        }
        let target: Order
        if let id = request.orderID {
            if found[id]?.isPaid == true {
                return PaymentReplies.cashOnDeliveryAlreadyPaid(orderID: id, language: language)
            }
            guard let order = due.first(where: { $0.id == id }) else {
                return PaymentReplies.cashOnDeliveryNoOrder(orderID: id, language: language)
            }
            target = order
        } else if due.count == 1 {
            target = due[0]
        } else if due.isEmpty {
            if let paid = open.first(where: { found[$0.id]?.isPaid == true }) {
                return PaymentReplies.cashOnDeliveryAlreadyPaid(orderID: paid.id, language: language)
            }
            return ordering ? nil : PaymentReplies.cashOnDeliveryNoOrder(orderID: nil, language: language)
        } else {
            return PaymentReplies.cashOnDeliveryWhich(orderIDs: due.map(\.id), language: language)
        }
        switch try await chooseCashOnDelivery(target, now: now) {
        case .chosen(let payment):
            return PaymentReplies.cashOnDeliveryChosen(orderID: target.id, total: payment.amount, language: language)
        case .alreadyPaid: return PaymentReplies.cashOnDeliveryAlreadyPaid(orderID: target.id, language: language)
        case .notOffered: return PaymentReplies.cashOnDeliveryNotOffered(link: nil, language: language)
        case .notPayable: return PaymentReplies.cashOnDeliveryNoOrder(orderID: target.id, language: language)
        }
    }

    /// With `required`, only a paid order goes out.
    func allowDispatch(_ order: Order) async throws {
        guard mode == .required else { return }
        let payment = try await payments.payment(orderID: order.id)?.payment
        guard let payment, payment.isPaid else { throw EngineError.unpaid(order.id) }
    }
}

extension OrderCommand {
    /// Commands that send an order out (and so need it paid when payment is required).
    var sendsOut: Bool {
        switch self {
        case .dispatch, .assign, .deliver: true
        default: false
        }
    }
}
