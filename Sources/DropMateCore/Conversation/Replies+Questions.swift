/// The words for answers to customers' questions, handoffs to a person and cancel confirmations.
extension Replies {
    func answerText(_ answer: CustomerAnswer) -> String {
        switch answer {
        case .courierWillCall(let order, let phone):
            let courier = order.courierName.map { pick("骑手 \($0) ", "courier \($0)") } ?? pick("骑手", "the courier")
            let number =
                phone.map { pick("您留下的电话 \($0.masked) ", "the number you gave (\($0.masked))") }
                ?? pick("您留下的电话", "the number you gave")
            return pick(
                "订单 #\(order.id) 的\(courier)会通过\(number)联系您。为保护双方隐私，骑手的电话不对外提供；有急事请发“人工客服”。",
                "For order #\(order.id), \(courier) will call you on \(number). Couriers' numbers are not given out, for privacy; for anything urgent send \"human\"."
            )
        case .noCourierYet:
            return pick(
                "您的订单还没有派给骑手。派单后骑手会通过您留下的电话联系您。",
                "No courier has your order yet. Once one does, they will call you on the number you gave.")
        case .itemPrices(let items):
            let list = items.map { "\($0.name(language)) \($0.price)" }.joined(separator: pick("，", ", "))
            return pick("\(list)。", "\(list). ")
                + feeSentence(merchantID: Set(items.map(\.merchantID)).count == 1 ? items.first?.merchantID : nil)
        case .draftTotal(let draft):
            return pick(
                "您的订单：\(lines(draft.lines))，合计 \(draft.total)，",
                "Your order: \(lines(draft.lines)), total \(draft.total). ") + feeSentence(merchantID: draft.merchantID)
        case .orderTotal(let order):
            let fee =
                order.deliveryFee == .zero
                ? pick("不另收配送费", "No separate delivery fee")
                : pick("含配送费 \(order.deliveryFee)", "Delivery fee \(order.deliveryFee) included")
            return pick(
                "订单 #\(order.id)：\(lines(order.lines))，合计 \(order.total)，\(fee)。",
                "Order #\(order.id): \(lines(order.lines)), total \(order.total). \(fee).")
        case .menuPrices:
            return adList + "\n" + feeSentence(merchantID: nil)
        case .openingHours(let merchants):
            guard !merchants.isEmpty else { return pick("今天暂时没有可点的菜品。", "Nothing is on offer right now.") }
            if merchants.allSatisfy({ $0.rules?.hours == nil }) {
                let names = merchants.map { $0.name(language) }.joined(separator: pick("、", ", "))
                return pick("\(names)全天接单，随时可以点。", "\(names): orders are taken around the clock.")
            }
            return pick("营业时间：", "Opening hours:")
                + merchants.map { merchant in
                    "\n· \(merchant.name(language)) "
                        + (merchant.rules?.hours.map { Self.weeklyHours($0, language: language) }
                            ?? pick("全天接单", "around the clock"))
                }.joined()
        case .payment:
            return pick("目前只支持货到付款：送达时付给骑手。", "Cash on delivery only for now: pay the courier when your order arrives.")
        case .recommendations(let items):
            guard !items.isEmpty else { return pick("今天暂时没有可点的菜品。", "Nothing is on offer right now.") }
            return pick("今日推荐：", "Today's picks:") + items.map { "\n· \($0.name(language)) \($0.price)" }.joined()
                + pick("\n回复如“1 份\(items[0].name.zh)”下单。", "\nReply like \"order 1 \(items[0].name.en)\" to order.")
        case .thanks: return pick("不客气！", "You're welcome!")
        case .handoffStarted(let minutes):
            return pick(
                "好的，已为您转人工客服，工作人员会尽快联系您。接下来 \(minutes) 分钟内我先不打扰；发“结束人工”可以随时叫我回来。",
                "OK, I've asked a person to help you; they will be in touch soon. I'll stay out of the way for the next \(minutes) minutes; send \"back to bot\" to have me back."
            )
        case .handoffWaiting: return pick("已转人工，请稍候。", "A person will reply soon; please wait.")
        case .handoffEnded: return pick("好的，我回来了。有什么可以帮您？", "OK, I'm back. What can I do for you?")
        case .hurried: return pick("已通知工作人员帮您催单。", "I've asked our staff to hurry it along.")
        case .hurriedAlready:
            return pick("刚才已经帮您催过了，工作人员正在处理。", "I've already asked our staff to hurry it; they're on it.")
        case .personHandles(let refund, let minutes):
            let topic = refund ? pick("退款", "Refunds") : pick("发票", "Invoices")
            return pick(
                "\(topic)需要人工处理：已为您转人工客服，工作人员会尽快联系您。接下来 \(minutes) 分钟内我先不打扰；发“结束人工”可以随时叫我回来。",
                "\(topic) are handled by a person: I've passed you on, and they will be in touch soon. I'll stay out of the way for the next \(minutes) minutes; send \"back to bot\" to have me back."
            )
        case .confirmCancel(let order):
            return pick("确定取消订单 #\(order.id) 吗？回复“确定”取消。", "Cancel order #\(order.id)? Reply \"yes\" to cancel it.")
        case .cancelKept(let order):
            return pick("好的，订单 #\(order.id) 不取消。", "OK, order #\(order.id) stands.")
        case .fromStaff(let text, let ended):
            return pick("客服：\(text)", "Staff: \(text)")
                + (ended
                    ? pick(
                        "\n（人工服务已结束，有事可以直接跟我说。）",
                        "\n(The person has handed you back to me: just tell me what you need.)") : "")
        case .suggestionDeclined, .orderVoided, .offerReorder, .changeKept, .tooLateToChange:
            return amendText(answer)
        case .draftStatus(let draft, let minutes):
            let next = draft.address == nil ? pick("送餐地址", "the delivery address") : pick("手机号", "your mobile number")
            return pick(
                "您的订单还没下单：\(lines(draft.lines))，合计 \(draft.total)，还需要\(next)。",
                "Your order isn't placed yet: \(lines(draft.lines)), total \(draft.total); I still need \(next).")
                + (minutes.map { pick("现在下单，约 \($0) 分钟送达。", " Placed now, it would take about \($0) minutes.") } ?? "")
        }
    }

    /// "每天 10:00-22:00" when every day is the same, else each day's hours ("周一 10:00-14:00、17:00-21:00；周二 休息…").
    static func weeklyHours(_ hours: WeeklyHours, language: Language) -> String {
        func day(_ intervals: [OpeningInterval]) -> String {
            guard !intervals.isEmpty else { return language == .zh ? "休息" : "closed" }
            return intervals.map { interval in
                OpeningInterval.text(interval.opens) + "-" + OpeningInterval.text(interval.closes)
            }.joined(separator: language == .zh ? "、" : ", ")
        }
        let days = Weekday.allCases.map { hours[$0] }
        if days.allSatisfy({ $0 == days[0] }) { return (language == .zh ? "每天 " : "daily ") + day(days[0]) }
        let names =
            language == .zh
            ? ["周一", "周二", "周三", "周四", "周五", "周六", "周日"] : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return zip(names, days).map { "\($0) \(day($1))" }.joined(separator: language == .zh ? "；" : "; ")
    }
}
