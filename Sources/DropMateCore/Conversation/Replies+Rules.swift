/// What the shop's rules make DropMate say: closed, paused, sold out, too far, too little, and what changed before a
/// confirmation.
public enum RulesReply: Sendable, Hashable {
    /// Closed by its opening hours, taking no orders for later; `opensAt` nil: it has no opening ahead.
    case closed(shop: LocalizedText, opensAt: Int64?)
    /// Closed, and the merchant takes orders for later: this one is made when it opens.
    case forLater(shop: LocalizedText, opensAt: Int64)
    /// 暂停接单 until `until` (nil: until staff resume it); `reopensAt`: when it takes orders again by its hours.
    case paused(shop: LocalizedText, until: Int64?, reopensAt: Int64?)
    /// 估清: these items are sold out; `rest` is what the shop still has.
    case soldOut([LocalizedText], rest: [CatalogItem])
    /// The WeChat location is farther from the shop than it delivers.
    case beyondRadius(metres: Int, radiusMetres: Int)
    /// The items come to less than the shop's minimum order.
    case belowMinimum(missing: Money, minimum: Money)
    /// The order waiting for confirmation no longer holds the shop's rules: it is cancelled (the reason follows).
    case cannotConfirm(orderID: Int64)
    /// The delivery fee or the time it is made changed since the summary: that order is dropped, a new summary follows.
    case changedSinceSummary(orderID: Int64)
    /// The same, confirmed through the link: the customer orders again in chat.
    case termsChanged
    /// 再来一单 with no earlier order.
    case nothingToReorder
    /// 再来一单 while a draft is still open.
    case draftStillOpen
    /// 再来一单: these items of the last order are no longer on the menu.
    case noLongerOffered([LocalizedText])
    /// 再来一单: the new draft copies this order.
    case reordering(orderID: Int64)
}

extension Replies {
    func rulesText(_ reply: RulesReply) -> String {
        switch reply {
        case .closed(let shop, let opensAt?):
            return pick(
                "\(shop.zh)现在休息，\(moment(opensAt)) 开门，到时再来点吧。",
                "\(shop.en) is closed now; it opens \(moment(opensAt)). Please order then.")
        case .closed(let shop, nil):
            return pick("\(shop.zh)暂不营业。", "\(shop.en) is not taking orders.")
        case .forLater(let shop, let opensAt):
            return pick(
                "\(shop.zh)现在休息，\(moment(opensAt)) 开门。现在下单，开门后为您制作。",
                "\(shop.en) is closed now; it opens \(moment(opensAt)). Order now and it is made when it opens.")
        case .paused(let shop, let until, let reopensAt):
            let base = pick("\(shop.zh)暂停接单", "\(shop.en) has paused orders")
            if let back = reopensAt ?? until {
                return base + pick("，\(moment(back)) 恢复接单。", "; it takes orders again \(moment(back)).")
            }
            return base + pick("，恢复时间未定。", " for now; it has not said until when.")
        case .soldOut(let names, let rest):
            let sold = names.map { $0(language) }.joined(separator: pick("、", ", "))
            guard !rest.isEmpty else {
                return pick(
                    "\(sold)卖完了，这家店今天的菜都卖完了。", "\(sold): sold out, and so is everything else at this shop today.")
            }
            let others = rest.map { "\($0.name(language)) \($0.price)" }.joined(separator: pick("、", ", "))
            return pick("\(sold)卖完了。还可以点：\(others)。", "Sorry, \(sold): sold out. Still available: \(others).")
        case .beyondRadius(let metres, let radius):
            return pick(
                "这个位置离店 \(kilometres(metres)) 公里，超出配送范围（\(kilometres(radius)) 公里内）。请发送其他地址或位置。",
                "That place is \(kilometres(metres)) km from the shop, beyond its delivery range (\(kilometres(radius)) km). Send another address or location."
            )
        case .belowMinimum(let missing, let minimum):
            return pick(
                "还差 \(missing) 起送（满 \(minimum) 起送），再加点什么吧。",
                "\(missing) short of the \(minimum) minimum order: add something more.")
        case .cannotConfirm(let id):
            return pick("订单 #\(id) 无法确认，已取消：", "Order #\(id) can't be confirmed and is cancelled:")
        case .nothingToReorder:
            return pick(
                "您还没有下过单，没有可以再来的订单。发送“菜单”开始点餐。", "There's no earlier order to repeat. Send \"menu\" to start one.")
        case .draftStillOpen:
            return pick(
                "您还有一个没下完的订单：先完成它，或回复“取消”后再来一单。",
                "You have an order in progress: finish it, or reply \"cancel\" first, then reorder.")
        case .noLongerOffered(let names):
            return pick(
                "\(names.map(\.zh).joined(separator: "、"))已下架，这次没有加入。",
                "\(names.map(\.en).joined(separator: ", ")): no longer on the menu, left out.")
        case .reordering(let id):
            return pick("按订单 #\(id) 再来一单（今日价格）：", "Reordering order #\(id) at today's prices:")
        case .termsChanged:
            return pick(
                "下单后店铺的配送费或营业时间有变，请在对话中重新下单。",
                "The shop's delivery fee or hours changed since you ordered: please order again in the chat.")
        case .changedSinceSummary(let id):
            return pick(
                "订单 #\(id) 下单后店铺规则有变，已作废，请看新的订单：",
                "The shop's terms changed since order #\(id); it is dropped. Here is the order again:")
        }
    }

    /// "周四 10:00" / "Thursday at 10:00": a weekday and a clock time in the business time zone.
    func moment(_ unix: Int64) -> String {
        let day = BusinessTime(utcOffsetSeconds: renderer.utcOffsetSeconds).weekday(unix)
        let names =
            zh
            ? ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
            : ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return pick("\(names[day.rawValue]) \(time(unix))", "\(names[day.rawValue]) at \(time(unix))")
    }

    /// "2.5" kilometres from metres, one decimal, no trailing ".0".
    func kilometres(_ metres: Int) -> String {
        let tenths = (metres + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }

    /// The summary's fee line: "配送费：¥5.00", "配送费：免费"; with fee bands and no coordinate, that the first band
    /// was charged since the distance could not be measured.
    func deliveryFeeLine(_ order: Order) -> String {
        let fee = order.deliveryFee == .zero ? pick("免费", "free") : "\(order.deliveryFee)"
        var text = pick("配送费：\(fee)", "Delivery: \(fee)")
        if order.distanceMetres == nil, case .bands? = catalog.merchant(id: order.merchantID)?.rules?.deliveryFee {
            text += pick(
                "（地址无法测距，按最近一档计，以工作人员核实为准）", " (the address can't be measured: the nearest band, staff will check)")
        }
        return text
    }

    /// When the order arrives: a clock time, with the weekday for an order made when the shop next opens.
    func arrivalText(_ order: Order, eta: Int64) -> String {
        order.scheduledFor == nil ? time(eta) : moment(eta)
    }

    /// Why a shop takes no delivery fee or which: the answer to "配送费多少" for `merchantID`'s shop.
    func feeSentence(merchantID: String?) -> String {
        let fees =
            (merchantID.map { [catalog.rules(forMerchant: $0).deliveryFee] }
                ?? catalog.merchants.map { $0.rules?.deliveryFee ?? .free })
        if fees.allSatisfy({ $0 == .free }) { return pick("不另收配送费。", "No separate delivery fee.") }
        if fees.count == 1, case .flat(let fee) = fees[0] { return pick("配送费 \(fee)。", "Delivery fee \(fee).") }
        return pick(
            "配送费按店铺和距离计算，下单时显示。", "The delivery fee depends on the shop and distance; the order summary shows it.")
    }
}
