import DropMateCore

extension PageRoutes {
    /// On the confirmation page of a confirmed, unpaid order (payment on): the way to pay, since a customer who
    /// confirmed here gets no chat reply carrying the pay link.
    func payButton(_ order: Order) async throws -> HTML {
        guard let payLink, let payments, order.status == .confirmed else { return .empty }
        if let payment = try await payments.payment(orderID: order.id)?.payment, payment.status != .unpaid { return .empty }
        return "<p><a href=\"\(url: payLink(order))\">微信支付 \(order.total) · Pay with WeChat Pay</a></p>"
    }

    /// "已付款 ¥18.00 / Paid ¥18.00" on the tracking page when payment is on; nothing otherwise.
    func paymentLine(_ order: Order) async throws -> HTML {
        guard let payments else { return .empty }
        let payment = try await payments.payment(orderID: order.id)?.payment
            ?? (order.status == .confirmed || order.status == .awaitingConfirmation ? OrderPayment(amount: order.total, outTradeNo: "", openedAt: 0) : nil)
        guard let zh = PaymentReplies.status(payment, language: .zh), let en = PaymentReplies.status(payment, language: .en) else { return .empty }
        return "<p>付款 Payment: \(zh)<br><small>\(en)</small></p>"
    }
}
