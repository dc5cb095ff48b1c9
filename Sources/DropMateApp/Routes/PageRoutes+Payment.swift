import DropMateCore

extension PageRoutes {
    /// On the confirmation page of a confirmed, unpaid order (payment on): the way to pay, since a customer who
    /// confirmed here gets no chat reply carrying the pay link. The pay page keeps the language this page speaks.
    func payButton(_ order: Order, _ l: PageLanguage) async throws -> HTML {
        guard let payLink, let payments, order.status == .confirmed else { return .empty }
        if let payment = try await payments.payment(orderID: order.id)?.payment, payment.status != .unpaid {
            return .empty
        }
        return
            "<p><a href=\"\(url: payLink(order) + "&lang=\(l.language.rawValue)")\">\(l("微信支付", "Pay with WeChat Pay")) \(order.total)</a></p>"
    }

    /// "付款：已付款 ¥18.00" / "Payment: Paid ¥18.00" on the tracking page when payment is on; nothing otherwise.
    func paymentLine(_ order: Order, _ l: PageLanguage) async throws -> HTML {
        guard let payments else { return .empty }
        let payment =
            try await payments.payment(orderID: order.id)?.payment
            ?? (order.status == .confirmed || order.status == .awaitingConfirmation
                ? OrderPayment(amount: order.total, outTradeNo: "", openedAt: 0) : nil)
        guard let status = PaymentReplies.status(payment, language: l.language) else { return .empty }
        return "<p>\(l("付款：", "Payment: "))\(status)</p>"
    }
}
