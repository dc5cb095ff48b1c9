/// The words DropMate says, in Chinese and English.
struct Replies {
    let language: Language
    let catalog: Catalog
    let renderer: ReplyRenderer

    var zh: Bool { language == .zh }
    func pick(_ chinese: String, _ english: String) -> String { zh ? chinese : english }

    func text(for reply: Reply) -> String {
        switch reply {
        case .welcome:
            return pick("欢迎关注！我是 DropMate 外卖助手。\n", "Welcome! I'm DropMate, your delivery assistant.\n") + help
        case .help: return help
        case .greeting: return pick("你好！我是 DropMate 外卖助手。\n", "Hello! I'm DropMate, your delivery assistant.\n") + help
        case .fallback:
            return pick(
                "抱歉，我没听懂。发送“菜单”看看有什么，或发“帮助”查看用法。",
                "Sorry, I didn't get that. Send \"menu\" to see what's on offer, or \"help\" for what I can do.")
        case .emptyMessage:
            return pick("您发送了一条空消息。发送“帮助”查看用法。", "That message was empty. Send \"help\" to see what I can do.")
        case .unsupportedMessage:
            return pick("暂时只能看懂文字和位置消息。", "I can only read text and location messages for now.")
        case .adList: return adList
        case .menuPage(let customer, let at):
            // The page speaks the chat's language (`lang` is not signed: the switch on the page changes it).
            guard let link = renderer.menuLink(customer, at).map({ $0 + "&lang=\(language.rawValue)" }) else {
                return ""
            }
            return pick("看图点餐：\(link)", "Order from the menu with photos: \(link)")
        case .featuredAd(let item): return "\(item.name(language)) \(item.price)"
        case .noAds: return pick("今天暂时没有可点的菜品。", "Nothing is on offer right now.")
        case .unknownItems(let names):
            if names.isEmpty {
                return pick("想点什么呢？例如“2 份牛肉面”。", "What would you like? For example \"order 2 beef noodles\".")
            }
            return pick(
                "没看懂：\(names.joined(separator: "、"))。发送“菜单”查看可点的菜品。",
                "I didn't understand: \(names.joined(separator: ", ")). Send \"menu\" to see what's on offer.")
        case .didYouMean(let suggestions, let adding):
            let names = suggestions.map { $0.item.name(language) }.joined(separator: pick("、", ", "))
            return pick(
                "您是说\(names)吗？回复“是”加入：\(lines(adding))；不是的话请重新发送。",
                "Did you mean \(names)? Reply \"yes\" to add \(lines(adding)); if not, send your order again.")
        case .draftChanged(let draft):
            return pick("已修改订单：", "Updated your order: ") + lines(draft.lines) + orderNote(draft.note)
                + pick("，合计 ", ", total ") + "\(draft.total)"
        case .understoodAs(let typed, let item):
            return pick("（“\(typed)”按\(item.zh)下单）", "(Taking \"\(typed)\" as \(item.en).)")
        case .nothingToEdit:
            return pick("现在没有可以修改的订单。发送“菜单”开始点餐。", "There's no open order to change. Send \"menu\" to start one.")
        case .itemNotInOrder(let item): return pick("订单里没有\(item.zh)。", "There's no \(item.en) in your order.")
        case .whichItemToChange(let quantity, let items):
            let names = items.map { $0(language) }.joined(separator: pick("、", ", "))
            let example = items.first.map { $0(language) } ?? ""
            return pick(
                "订单里有\(names)，要把哪一样改成 \(quantity) 份？请这样回复：“\(example)改成\(quantity)份”。",
                "Your order has \(names). Which one should be \(quantity)? Reply like \"make it \(quantity) \(example)\"."
            )
        case .quantityOutOfRange(let item, let quantity, let max):
            return pick(
                "\(item.zh)的数量 \(quantity) 不行哦，每样可点 1 到 \(max) 份。",
                "\(quantity) × \(item.en) won't work: order between 1 and \(max) of each item.")
        case .oneMerchantPerOrder:
            return pick("一个订单只能来自同一家店，请分开下单。", "One order can only come from one shop; please order separately.")
        case .draftSummary(let draft):
            return pick("已加入订单：", "Added to your order: ") + lines(draft.lines) + orderNote(draft.note)
                + pick("，合计 ", ", total ") + "\(draft.total)"
        case .askAddress(let previous):
            let base = pick(
                "请发送送餐地址，或直接发送微信位置。", "Where should we deliver? Send the address, or share your WeChat location.")
            guard let previous else { return base }
            return base
                + pick("回复“同上”使用上次的地址：\(previous.text)", " Reply \"same\" for last time's address: \(previous.text)")
        case .addressTooShort:
            return pick(
                "这个地址太短了，请发送详细地址（如“人民大道200号3楼”），或发送位置。",
                "That address is too short. Send the full address (like \"200 People's Ave, 3F\") or share your location."
            )
        case .addressSaved(let address): return pick("送餐地址：\(address.text)", "Delivering to: \(address.text)")
        case .askPhone: return pick("请留下手机号，方便骑手联系您。", "What's your mobile number, so the courier can reach you?")
        case .invalidPhone:
            return pick(
                "手机号格式不对，请发送 11 位手机号，如 13800138000。",
                "That doesn't look like a mobile number. Send 11 digits, like 13800138000.")
        case .phoneSaved(let phone): return pick("已记下手机号 \(phone.masked)。", "Saved your number \(phone.masked).")
        case .locationSaved(let address):
            return pick(
                "已记下您的位置：\(address.text)。下单时会用到。", "Got your location: \(address.text). I'll use it when you order.")
        case .orderSummary(let order, let eta): return summary(order, eta: eta)
        case .orderConfirmed(let order, let eta):
            return pick(
                "订单 #\(order.id) 已确认！预计 \(arrivalText(order, eta: eta)) 送达。发送“到哪了”随时查看进度。",
                "Order #\(order.id) is confirmed! Expected \(order.scheduledFor == nil ? "at " : "")\(arrivalText(order, eta: eta)). Send \"where is my order\" any time."
            )
        case .orderCancelled(let order): return pick("订单 #\(order.id) 已取消。", "Order #\(order.id) is cancelled.")
        case .draftCancelled: return pick("好的，已取消这次点单。", "OK, I've dropped that order.")
        case .nothingToCancel: return pick("没有可以取消的订单。", "There's nothing to cancel.")
        case .nothingToConfirm:
            return pick(
                "没有待确认的订单。发送“菜单”开始点餐。", "There's no order waiting for confirmation. Send \"menu\" to start one.")
        case .cannotCancel(let order):
            return pick(
                "订单 #\(order.id) \(stage(order))，无法取消。如有问题请留言。",
                "Order #\(order.id): \(stage(order)); it can't be cancelled now. Post a message if something's wrong.")
        case .orderStatus(let statusLines): return statusLines.map(statusLine).joined(separator: "\n")
        case .noOrders: return pick("您还没有订单。发送“菜单”开始点餐。", "You have no orders yet. Send \"menu\" to start one.")
        case .orderNotFound(let id): return pick("没有找到订单 #\(id)。", "I couldn't find order #\(id).")
        case .draftReminder(let draft):
            let minimum = catalog.rules(forMerchant: draft.merchantID).minimumOrder
            let next =
                draft.total < minimum
                ? pick(
                    "再加 \(Money(fen: minimum.fen - draft.total.fen)) 才够起送",
                    "\(Money(fen: minimum.fen - draft.total.fen)) more to reach the minimum order")
                : draft.address == nil ? pick("送餐地址", "the delivery address") : pick("手机号", "your mobile number")
            return pick(
                "（您的订单还在：\(lines(draft.lines))，还需要\(next)。）",
                "(Your order is still open: \(lines(draft.lines)); I still need \(next).)")
        case .pendingReminder(let id):
            return pick("（订单 #\(id) 等待确认：回复“确认”或“取消”。）", "(Order #\(id) is waiting: reply \"confirm\" or \"cancel\".)")
        case .boardPosted(let orderID):
            if let orderID {
                // Such a post goes to staff with the order, never to the public board: say so, or "留言板" looks empty by mistake.
                return pick(
                    "留言已收到，已随订单 #\(orderID) 转给工作人员（不会公开显示在留言板上），工作人员会尽快回复。",
                    "Thanks! Your message went to our staff with order #\(orderID) (it is not shown on the public board); they will reply soon."
                )
            }
            return pick("留言已发布到留言板，谢谢！", "Posted on the message board. Thanks!")
        case .boardPostHeld:
            return pick(
                "留言已收到，工作人员审核通过后会显示在留言板上，谢谢！",
                "Thanks! Your post will appear on the message board once our staff have reviewed it.")
        case .boardPostEmpty:
            return pick("留言内容是空的，请在“留言”后面写上内容。", "Your post is empty: write something after \"post\".")
        case .boardPostTooLong(let max):
            return pick("留言太长了，最多 \(max) 个字。", "That post is too long: at most \(max) characters.")
        case .board(let posts): return board(posts)
        case .boardReply(let text): return pick("客服回复您的留言：\(text)", "Staff replied to your post: \(text)")
        case .draftExpired:
            return pick(
                "您的订单草稿超过 30 分钟未完成，已自动取消。想点单时再发给我。",
                "Your unfinished order expired after 30 minutes. Just message me when you'd like to order again.")
        case .orderExpired(let order):
            return pick(
                "订单 #\(order.id) 超时未确认，已自动取消。", "Order #\(order.id) wasn't confirmed in time and has been cancelled.")
        case .statusChanged(let order, let eta): return statusChanged(order, eta: eta)
        case .etaChanged(let order, let eta):
            return pick(
                "订单 #\(order.id) 的预计送达时间更新为 \(time(eta))。", "Order #\(order.id) is now expected at \(time(eta)).")
        case .courier(let reply): return courierText(reply)
        case .answer(let answer): return answerText(answer)
        case .rules(let reply): return rulesText(reply)
        case .slowDown:
            return pick(
                "您发消息太快了，请稍等一分钟再发。刚才这条没有处理。",
                "You're sending messages too quickly. Please wait a minute and send that again.")
        }
    }

    var help: String {
        pick(
            """
            您可以这样跟我说：
            · “菜单”：看看有什么
            · “2 份牛肉面”：下单
            · “到哪了”：查订单进度
            · “留言 …”：给我们留言
            · “取消”：取消订单
            """,
            """
            Here's what you can say:
            · "menu": see what's on offer
            · "order 2 beef noodles": place an order
            · "where is my order": track it
            · "post …": leave us a message
            · "cancel": cancel an order
            """)
    }

    var adList: String {
        var text = pick("今日菜单：", "Today's menu:")
        for merchant in catalog.merchantsInAdOrder {
            let items = catalog.items.filter { $0.merchantID == merchant.id }
            guard !items.isEmpty else { continue }
            text += "\n【\(merchant.name(language))】"
            for item in items {
                text +=
                    "\n· \(item.name(language)) \(item.price)"
                    + (item.isSoldOut
                        ? pick("（卖完了）", " (sold out)") : item.isFeatured ? pick(" ★推荐", " ★ special") : "")
            }
        }
        return text + pick("\n回复如“2 份牛肉面”下单。", "\nReply like \"order 2 beef noodles\" to order.")
    }

    func lines(_ lines: [OrderLine]) -> String {
        lines.map { "\($0.name(language)) ×\($0.quantity)" + lineNote($0.note) }.joined(separator: pick("、", ", "))
    }

    /// "（不要香菜）" after a line, as the customer wrote it.
    func lineNote(_ note: String?) -> String { note.map { pick("（\($0)）", " (\($0))") } ?? "" }

    func orderNote(_ note: String?) -> String { note.map { pick("，备注：\($0)", ", note: \($0)") } ?? "" }

    func time(_ unixSeconds: Int64) -> String { renderer.clockTime(unixSeconds) }

    func summary(_ order: Order, eta: Int64) -> String {
        let shop = catalog.merchant(id: order.merchantID)?.name(language) ?? order.merchantID
        var text = pick("订单 #\(order.id)（\(shop)）\n", "Order #\(order.id) (\(shop))\n")
        for line in order.lines {
            text += "· \(line.name(language)) ×\(line.quantity)\(lineNote(line.note))  \(line.total)\n"
        }
        if let note = order.note { text += pick("备注：\(note)\n", "Note: \(note)\n") }
        text += deliveryFeeLine(order) + "\n"  // Replies+Rules
        if let opensAt = order.scheduledFor {
            text += pick("开门后制作：\(moment(opensAt))\n", "Made when the shop opens: \(moment(opensAt))\n")
        }
        text += pick(
            "合计：\(order.total)\n送至：\(order.address.text)\n电话：\(order.phone.masked)\n预计 \(arrivalText(order, eta: eta)) 送达\n回复“确认”下单，或“取消”。",
            "Total: \(order.total)\nTo: \(order.address.text)\nPhone: \(order.phone.masked)\nExpected \(order.scheduledFor == nil ? "at " : "")\(arrivalText(order, eta: eta))\nReply \"confirm\" to place it, or \"cancel\"."
        )
        if let link = renderer.confirmationLink(order) {
            text += pick("\n也可以点击确认：\(link)", "\nOr confirm here: \(link)")
        }
        return text
    }

    func status(_ status: OrderStatus) -> String {
        switch status {
        case .awaitingConfirmation: pick("待确认", "awaiting confirmation")
        case .confirmed: pick("已确认，正在备餐", "confirmed and being prepared")
        case .dispatched: pick("骑手已出发", "on its way")
        case .delivered: pick("已送达", "delivered")
        case .cancelled: pick("已取消", "cancelled")
        }
    }

    /// The status, with the courier's progress once there is a courier: the one wording of an order's state, used by
    /// "到哪了", the dispatch and pickup pushes, the tracking page, template messages and staff notices.
    func stage(_ order: Order) -> String {
        if order.status == .confirmed, order.scheduledFor != nil {
            return pick("已确认，开门后制作", "confirmed, to be made when the shop opens")
        }
        guard order.status == .dispatched, let courier = order.courierName else { return status(order.status) }
        return order.pickedUpAt == nil
            ? pick("骑手 \(courier) 正在取餐", "courier \(courier) is on the way to the shop")
            : pick("骑手 \(courier) 已取餐，正在配送", "picked up by \(courier) and on its way")
    }

    func statusLine(_ line: OrderStatusLine) -> String {
        var text = pick("订单 #\(line.order.id)：\(stage(line.order))", "Order #\(line.order.id): \(stage(line.order))")
        // An order made when the shop next opens may arrive another day: its weekday is said too.
        if let eta = line.eta {
            text += pick(
                "，预计 \(arrivalText(line.order, eta: eta)) 送达",
                ", expected \(line.order.scheduledFor == nil ? "at " : "")\(arrivalText(line.order, eta: eta))")
        }
        if line.order.status == .delivered, let at = line.order.deliveredAt {
            text += pick("（\(time(at))）", " (\(time(at)))")
        }
        return text + pick("。", ".")
    }

    func board(_ posts: [BoardPost]) -> String {
        guard !posts.isEmpty else {
            return pick(
                "公开留言板还是空的（关于订单的留言只给工作人员看）。发送“留言 …”来写第一条吧！",
                "The public board is empty (messages about an order go to staff only). Send \"post …\" to write the first message!"
            )
        }
        // Posts may be days old: each says its date as well as its time.
        return pick("最新留言：", "Latest posts:")
            + posts.map { "\n· \(renderer.monthDay($0.createdAt)) \(time($0.createdAt)) \($0.body)" }.joined()
    }

    func statusChanged(_ order: Order, eta: Int64?) -> String {
        switch order.status {
        case .dispatched where order.pickedUpAt != nil:
            return statusLine(OrderStatusLine(order: order, eta: eta))
        case .dispatched:
            // The same line as "到哪了" and the tracking page say for this state (`stage`), with the page's link.
            return statusLine(OrderStatusLine(order: order, eta: eta))
                + (renderer.trackingLink(order).map { pick("\n实时跟踪：\($0)", "\nTrack it: \($0)") } ?? "")
        case .delivered:
            return pick("订单 #\(order.id) 已送达，祝您用餐愉快！", "Order #\(order.id) has been delivered. Enjoy your meal!")
        case .cancelled:
            return pick("很抱歉，订单 #\(order.id) 已被商家取消。", "Sorry, order #\(order.id) was cancelled by the shop.")
                + (order.cancelReason.map { pick("原因：\($0)", " Reason: \($0)") } ?? "")
        case .confirmed:
            return pick("订单 #\(order.id) 已确认", "Order #\(order.id) is confirmed")
                + (eta.map { pick("，预计 \(time($0)) 送达。", ", expected at \(time($0)).") } ?? pick("。", "."))
        case .awaitingConfirmation:
            return pick("订单 #\(order.id) 等待确认。", "Order #\(order.id) is waiting for confirmation.")
        }
    }
}
