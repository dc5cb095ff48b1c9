/// The words for changing an order after it was placed, and for answering "您是说…吗？".
extension Replies {
    func amendText(_ answer: CustomerAnswer) -> String {
        switch answer {
        case .suggestionDeclined:
            return pick(
                "好的，没有加入。请重新发送想点的菜，或发送“菜单”看看有什么。",
                "OK, nothing added. Send what you'd like again, or \"menu\" to see what's on offer.")
        case .orderVoided(let order):
            return pick(
                "好的，订单 #\(order.id) 作废，按修改后的内容重新下单，请再确认一次。",
                "OK, order #\(order.id) is void; the changed order replaces it. Please confirm it again.")
        case .offerReorder(let order, let asked):
            var change =
                lines(asked.draft.lines) + orderNote(asked.draft.note) + pick("，合计 ", ", total ")
                + "\(asked.draft.total)"
            if let address = asked.draft.address, address != order.address {
                change += pick("，送至：\(address.text)", ", to: \(address.text)")
            }
            if asked.draft.address == nil { change += pick("，新地址稍后发给我", ", new address to follow") }
            if let phone = asked.phone, phone != order.phone {
                change += pick("，电话：\(phone.masked)", ", phone: \(phone.masked)")
            }
            if asked.asksPhone == true { change += pick("，新电话稍后发给我", ", new number to follow") }
            return pick(
                "订单 #\(order.id) 已确认，我这边不能直接修改（已通知工作人员）。要取消 #\(order.id) 并按修改后的内容重新下单吗？修改后：\(change)。回复“确定”。",
                "Order #\(order.id) is confirmed, so I can't change it myself (our staff have been told). Cancel #\(order.id) and order it again as changed? Changed: \(change). Reply \"yes\"."
            )
        case .changeKept(let order):
            return pick("好的，订单 #\(order.id) 不变。", "OK, order #\(order.id) stays as it was.")
        case .tooLateToChange(let order):
            return pick(
                "订单 #\(order.id) \(stage(order))，已经来不及修改了。需要帮忙请发“人工客服”。",
                "Order #\(order.id): \(stage(order)); it's too late to change it. For help, send \"human\".")
        default:
            return ""
        }
    }
}
