/// The words couriers read.
extension Replies {
    func courierText(_ reply: CourierReply) -> String {
        switch reply {
        case .help:
            return pick(
                """
                骑手指令：
                · “任务”：查看配送中的订单
                · “取件 #单号”：已取餐
                · “送达 #单号”：已送达
                · 发送位置：更新您的位置（顾客的预计送达时间随之更新）
                · “解绑”：解除骑手绑定
                """,
                """
                Courier commands:
                · "deliveries": your deliveries in progress
                · "picked up #ID": you have the food
                · "delivered #ID": handed over
                · share your location: updates your position (and the customers' ETAs)
                · "unbind": stop working as a courier in this chat
                """)
        case .bound(let name): return pick("绑定成功！您现在是骑手 \(name)。", "You're bound as courier \(name).")
        case .staffBound(let username):
            return pick(
                "绑定成功！这个微信已绑定员工账号 \(username)，将收到您在控制台订阅的通知（新订单、日报）。在控制台“我的 Me”页面可开关订阅或解绑。",
                "Bound! This WeChat now belongs to staff account \(username) and gets the notices you subscribed to in the console (new orders, daily reports). Turn them on or off, or unbind, on the console's \"我的 Me\" page."
            )
        case .bindingFailed:
            return pick(
                "绑定码无效或已过期，请向管理员索取新的绑定码。", "That binding code is wrong or has expired. Ask your manager for a new one.")
        case .bindingLockedOut:
            return pick(
                "绑定码错误次数过多，请一小时后再试，或联系管理员。", "Too many wrong binding codes. Try again in an hour, or ask your manager.")
        case .unbound: return pick("已解除骑手绑定。", "You're no longer bound as a courier here.")
        case .deliveries(let orders):
            guard !orders.isEmpty else { return pick("目前没有配送中的订单。", "You have no deliveries in progress.") }
            return pick("配送中的订单：", "Your deliveries:") + orders.map { "\n" + delivery($0) }.joined()
        case .actionDone(.pickUp, let order):
            return pick(
                "订单 #\(order.id) 已取件，请送往：\(order.address.text)",
                "Order #\(order.id) picked up. Deliver to: \(order.address.text)")
        case .actionDone(.deliver, let order):
            return pick("订单 #\(order.id) 已送达，辛苦了！", "Order #\(order.id) delivered. Thank you!")
        case .notYours(let id): return pick("订单 #\(id) 不在您的配送任务中。", "Order #\(id) is not one of your deliveries.")
        case .refused(let action, let order):
            let verb = action == .pickUp ? pick("取件", "pick up") : pick("送达", "deliver")
            return pick(
                "订单 #\(order.id) \(status(order.status))，无法\(verb)。",
                "Order #\(order.id) is \(status(order.status)); you can't \(verb) it.")
        case .whichOrder(let action, let orders):
            let command = action == .pickUp ? pick("取件", "picked up") : pick("送达", "delivered")
            guard let first = orders.first else {
                return pick("没有可以\(command)的订单。", "There's no delivery to mark \(command).")
            }
            return pick(
                "您手上有 \(orders.count) 单，是哪一单？回复如“\(command) #\(first.id)”：",
                "You have \(orders.count) deliveries; which one? Reply like \"\(command) #\(first.id)\":")
                + orders.map { "\n" + delivery($0) }.joined()
        case .positionSaved(let count):
            return count == 0
                ? pick("位置已更新。", "Position updated.")
                : pick(
                    "位置已更新，\(count) 个订单的预计送达时间将随之刷新。",
                    "Position updated; the ETA of \(count) \(count == 1 ? "delivery" : "deliveries") will be refreshed."
                )
        case .invalidPosition: return pick("这个位置无效。", "That position isn't valid.")
        case .newDelivery(let order):
            return pick("新配送任务：\n", "New delivery:\n") + delivery(order)
                + pick("\n取餐后回复“取件 #\(order.id)”。", "\nReply \"picked up #\(order.id)\" once you have it.")
        }
    }

    /// "#1001 牛肉面 ×2 → 人民广场 13800138000 (待取件)，合计 ¥36.00": what a courier needs for one delivery.
    func delivery(_ order: Order) -> String {
        let merchant = catalog.merchant(id: order.merchantID)?.name(language) ?? order.merchantID
        let stage =
            order.pickedUpAt == nil ? pick("待取件：\(merchant)", "to pick up at \(merchant)") : pick("配送中", "on the way")
        // The courier reading it is the order's own (their deliveries, their new delivery): the rule decides.
        // What to collect (cash on delivery): the total, with the delivery fee it includes; and the order's note.
        let fee =
            order.deliveryFee == .zero
            ? "" : pick("（含配送费 \(order.deliveryFee)）", " (incl. \(order.deliveryFee) delivery)")
        return
            "· #\(order.id) \(lines(order.lines))\(orderNote(order.note)) → \(order.address.text) \(order.phone(shownTo: .courier(id: order.courierID))) (\(stage))"
            + pick("，合计 \(order.total)\(fee)", ", total \(order.total)\(fee)")
    }
}
