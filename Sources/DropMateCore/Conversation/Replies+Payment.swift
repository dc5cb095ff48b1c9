/// What customers read about paying, in both languages (WeChat Pay, issue 19). Kept apart from `Replies.swift` so
/// payment copy is in one place and the conversation's own copy is untouched when payment is off.
public enum PaymentReplies {
    /// Appended to the confirmation: where to pay, and by when.
    public static func payLink(_ link: String, total: Money, minutes: Int64, required: Bool, language: Language) -> String {
        switch (language, required) {
        case (.zh, true): "请在 \(minutes) 分钟内用微信支付 \(total)，付款后才会安排配送：\(link)"
        case (.zh, false): "可以现在用微信支付 \(total)：\(link)（也可以货到付款）"
        case (.en, true): "Please pay \(total) with WeChat Pay within \(minutes) minutes; we send it out once paid: \(link)"
        case (.en, false): "You can pay \(total) now with WeChat Pay: \(link) (or pay on delivery)"
        }
    }

    public static func paid(orderID: Int64, total: Money, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 已收到付款 \(total)，谢谢！我们马上安排配送。"
        case .en: "Payment of \(total) received for order #\(orderID), thank you! We're sending it out."
        }
    }

    public static func expired(orderID: Int64, minutes: Int64, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 在 \(minutes) 分钟内没有付款，已自动取消。需要的话可以重新下单。"
        case .en: "Order #\(orderID) was not paid within \(minutes) minutes and has been cancelled. You're welcome to order again."
        }
    }

    public static func refundStarted(orderID: Int64, amount: Money, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 的 \(amount) 退款已提交，会原路退回到您的微信支付账户。"
        case .en: "A refund of \(amount) for order #\(orderID) is on its way back to your WeChat Pay account."
        }
    }

    public static func refunded(orderID: Int64, amount: Money, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 已退款 \(amount)。"
        case .en: "\(amount) has been refunded for order #\(orderID)."
        }
    }

    public static func refundFailed(orderID: Int64, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 的退款没有成功，我们的工作人员会尽快联系您。"
        case .en: "The refund for order #\(orderID) did not go through; our staff will contact you shortly."
        }
    }

    /// How "到哪了" and the tracking page say whether the order is paid.
    public static func status(_ payment: OrderPayment?, language: Language) -> String? {
        guard let payment else { return nil }
        switch (payment.status, language) {
        case (.notRequired, _): return nil
        case (.unpaid, .zh): return "未付款"
        case (.unpaid, .en): return "Not paid yet"
        case (.paid, .zh): return "已付款 \(payment.amount)"
        case (.paid, .en): return "Paid \(payment.amount)"
        case (.refunding, .zh): return "退款处理中"
        case (.refunding, .en): return "Refund in progress"
        case (.refunded, .zh): return "已退款 \(Money(fen: payment.refundedFen))"
        case (.refunded, .en): return "Refunded \(Money(fen: payment.refundedFen))"
        case (.partiallyRefunded, .zh): return "已付款 \(payment.amount)，已退 \(Money(fen: payment.refundedFen))"
        case (.partiallyRefunded, .en): return "Paid \(payment.amount), \(Money(fen: payment.refundedFen)) refunded"
        case (.closed, .zh): return "未付款（已关闭）"
        case (.closed, .en): return "Not paid (closed)"
        }
    }
}
