import DropMateCore
import DropMateStorage
import Foundation

/// What the conversation engine does about payment, and only when payment is on (the engine holds nil otherwise,
/// so a webhook message costs one nil check): a confirmation gets the pay link and its follow-up jobs, a
/// cancellation settles the payment, and with `required` an unpaid order is not dispatched.
public struct PaymentGate: Sendable {
    public let mode: PaymentConfig.Mode
    public let timeoutSeconds: Int64
    let payments: SQLPaymentStore
    let signer: LinkSigner
    let baseURL: String

    public init(config: PaymentConfig, payments: SQLPaymentStore, signer: LinkSigner, baseURL: String) {
        mode = config.mode
        timeoutSeconds = config.timeoutSeconds
        self.payments = payments
        self.signer = signer
        self.baseURL = baseURL
    }

    /// The signed pay link, valid until the payment times out.
    public func payLink(_ order: Order) -> String {
        let expires = (order.confirmedAt ?? order.createdAt) + timeoutSeconds
        return "\(baseURL)/pay/\(order.id)?exp=\(expires)&sig=\(signer.signature(purpose: "pay", id: "\(order.id)", expires: expires))"
    }

    /// Looks at the orders a step wrote: confirmed now → pay link in the reply, a check and (required) the timeout;
    /// cancelled now → settle the payment (refund or close). A status answer ("到哪了") says whether each order is paid.
    func adjust(_ unit: inout UnitOfWork, reply: inout OutgoingMessage?, replies: [Reply], language: Language, now: Int64) async throws {
        try await addPaymentStatus(to: &reply, replies: replies, language: language)
        for write in unit.orders where write.logsEvent {
            let order = write.order
            if order.status == .confirmed, order.confirmedAt == now {
                let line = PaymentReplies.payLink(payLink(order), total: order.total, minutes: timeoutSeconds / 60, required: mode == .required, language: language)
                if case .text(let text)? = reply { reply = .text(text + "\n\n" + line) } else if reply == nil { reply = .text(line) }
                unit.jobs.append(try PaymentJob(action: .check, orderID: order.id).job(runAt: now + PaymentJob.checkDelay(attempt: 1)))
                if mode == .required { unit.jobs.append(try PaymentJob(action: .expire, orderID: order.id).job(runAt: now + timeoutSeconds)) }
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
            let payment = found[order.id] ?? (order.status == .confirmed ? OrderPayment(amount: order.total, outTradeNo: "", openedAt: 0) : nil)
            guard let status = PaymentReplies.status(payment, language: language) else { continue }
            let link = order.status == .confirmed && payment?.isPaid == false && payment?.status != .closed ? " " + payLink(order) : ""
            lines.append((language == .zh ? "付款：#\(order.id) " : "Payment: #\(order.id) ") + status + link)
        }
        if !lines.isEmpty { reply = .text(text + "\n" + lines.joined(separator: "\n")) }
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
