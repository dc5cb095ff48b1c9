/// What customers read about paying, in both languages (WeChat Pay, issue 19). Kept apart from `Replies.swift` so
/// payment copy is in one place and the conversation's own copy is untouched when payment is off.
public enum PaymentReplies {
    /// Appended to the confirmation: where to pay, and by when.
    public static func payLink(
        _ link: String, total: Money, minutes: Int64, required: Bool, language: Language
    ) -> String {
        switch (language, required) {
        case (.zh, true): "请在 \(minutes) 分钟内用微信支付 \(total)，付款后才会安排配送：\(link)"
        case (.zh, false): "可以现在用微信支付 \(total)：\(link)\n或回复“货到付款”，送达时再付。"
        case (.en, true):
            "Please pay \(total) with WeChat Pay within \(minutes) minutes; we send it out once paid: \(link)"
        case (.en, false): "You can pay \(total) now with WeChat Pay: \(link)\nOr reply \"cash\" to pay on delivery."
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
        case .en:
            "Order #\(orderID) was not paid within \(minutes) minutes and has been cancelled. You're welcome to order again."
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

    // MARK: - 货到付款 (DROPMATE_PAYMENT=optional)

    /// The customer chose to pay on delivery (also the answer when they say it again).
    public static func cashOnDeliveryChosen(orderID: Int64, total: Money, language: Language) -> String {
        switch language {
        case .zh: "好的，订单 #\(orderID) 货到付款，送达时请付 \(total)。想改用微信支付，打开付款链接即可。"
        case .en:
            "OK, order #\(orderID) is cash on delivery: please pay \(total) when it arrives. To pay with WeChat Pay instead, open the pay link."
        }
    }

    /// Cash on delivery asked for where the shop takes payment first (`required`); `link` is where to pay, if any.
    public static func cashOnDeliveryNotOffered(link: String?, language: Language) -> String {
        switch (language, link) {
        case (.zh, let link?): "本店需要先用微信支付再配送，不支持货到付款。付款链接：\(link)"
        case (.zh, nil): "本店需要先用微信支付再配送，不支持货到付款。"
        case (.en, let link?):
            "This shop takes payment before delivery, so cash on delivery isn't available. Pay here: \(link)"
        case (.en, nil): "This shop takes payment before delivery, so cash on delivery isn't available."
        }
    }

    /// Cash on delivery asked for an order already paid online.
    public static func cashOnDeliveryAlreadyPaid(orderID: Int64, language: Language) -> String {
        switch language {
        case .zh: "订单 #\(orderID) 已经用微信支付付过款了，送达时不用再付。"
        case .en: "Order #\(orderID) is already paid with WeChat Pay; there's nothing to pay on delivery."
        }
    }

    /// Cash on delivery asked for with no confirmed, unpaid order (or not one of the customer's: `orderID`).
    public static func cashOnDeliveryNoOrder(orderID: Int64?, language: Language) -> String {
        switch (language, orderID) {
        case (.zh, let id?): "没有找到您待付款的订单 #\(id)。"
        case (.zh, nil): "您没有待付款的订单。确认下单后，可以回复“货到付款”。"
        case (.en, let id?): "I can't find an order #\(id) of yours waiting for payment."
        case (.en, nil):
            "You have no confirmed order waiting for payment. Once you confirm an order, you can reply \"cash\" to pay on delivery."
        }
    }

    /// Several orders wait for payment: which one is to be paid on delivery? (Never guessed: it is about money.)
    public static func cashOnDeliveryWhich(orderIDs: [Int64], language: Language) -> String {
        let list = orderIDs.map { "#\($0)" }
        return switch language {
        case .zh: "您有几个待付款的订单（\(list.joined(separator: "、"))），请带上订单号回复，例如“货到付款 \(list[0])”。"
        case .en:
            "You have several orders waiting for payment (\(list.joined(separator: ", "))); reply with the order number, e.g. \"cash \(list[0])\"."
        }
    }

    /// How "到哪了" and the tracking page say whether the order is paid.
    public static func status(_ payment: OrderPayment?, language: Language) -> String? {
        guard let payment else { return nil }
        switch (payment.status, language) {
        case (.notRequired, .zh) where payment.method == .cashOnDelivery: return "货到付款 \(payment.amount)"
        case (.notRequired, .en) where payment.method == .cashOnDelivery: return "Cash on delivery \(payment.amount)"
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
