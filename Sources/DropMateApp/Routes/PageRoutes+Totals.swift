import DropMateCore

/// What an order costs as the pages show it, and whether the shop's rules still take an order awaiting confirmation.
extension PageRoutes {
    /// "配送费 ¥5.00 / 合计 ¥41.00" (or "Delivery ¥5.00 / Total ¥41.00"); free delivery is said as such.
    static func totals(_ order: Order, _ l: PageLanguage) -> HTML {
        let fee =
            order.deliveryFee == .zero ? l("免配送费", "Free delivery") : "\(l("配送费", "Delivery")) \(order.deliveryFee)"
        return "<p class=\"price\">\(fee)<br>\(l("合计", "Total")) \(order.total)</p>"
    }

    /// Why the shop would not take `order` now (paused, closed, sold out, too far, below the minimum, or a fee or
    /// opening time that changed since the summary), or nil when it would: the page then offers no button.
    func refusal(_ order: Order, _ l: PageLanguage) -> HTML? {
        guard order.status == .awaitingConfirmation,
            let verdict = engine.catalog.evaluate(
                merchantID: order.merchantID, lines: order.lines, destination: order.address.coordinate,
                at: clock(), in: engine.rules.businessTime)
        else { return nil }
        guard let problem = verdict.problems.first else {
            if verdict.deliveryFee != order.deliveryFee || verdict.forLaterAt != order.scheduledFor {
                return
                    "<p>\(l("店铺的配送费或营业时间已变更，请在聊天中重新下单。", "The shop's delivery fee or hours changed: please order again in the chat."))</p>"
            }
            return nil
        }
        let (zh, en): (String, String) =
            switch problem {
            case .paused: ("店铺暂停接单", "The shop has paused orders")
            case .closed: ("店铺现在休息", "The shop is closed now")
            case .soldOut: ("有菜品卖完了", "Something in it is sold out")
            case .beyondRadius: ("地址超出配送范围", "The address is beyond the delivery range")
            case .belowMinimum: ("未达起送金额", "It is below the minimum order")
            }
        return
            "<p>\(l("\(zh)，暂时无法确认；确认时会告诉您原因。", "\(en): it can't be confirmed now (the chat says why if you confirm)."))</p>"
    }
}
