/// Questions answered at any step without losing the draft, a person when the customer asks for one, and the
/// yes a confirmed order's cancel needs.
extension StepInProgress {
    /// The step's prompt again after an answer: the address or phone it waits for, else where the customer left off.
    mutating func reprompt() {
        if isAwaitingAddress {
            say(.askAddress(previous: state.profile.lastAddress))
        } else if isAwaitingPhone {
            say(.askPhone)
        } else {
            remind()
        }
    }

    mutating func answer(_ question: CustomerQuestion, text: String) {
        let active = facts.orders.filter { !$0.status.isFinal }
        switch question {
        case .deliveryTime:
            if track(nil) { reprompt() }
            return
        case .hurry:
            guard !active.isEmpty else {
                if track(nil) { reprompt() }
                return
            }
            say(.orderStatus(active.map(statusLine)))
            if let told = state.hurriedAt, facts.now - told < facts.rules.hurryRepeat {
                say(.answer(.hurriedAlready))
            } else {
                state.hurriedAt = facts.now
                say(.answer(.hurried))
                notifyStaff(.hurry, message: text, orders: active)
            }
        case .courierPhone:
            if let order = active.first(where: { $0.status == .dispatched }) {
                say(.answer(.courierWillCall(order, phone: order.phone)))
            } else if active.isEmpty, state.draft == nil {
                say(.noOrders)
            } else {
                say(.answer(.noCourierYet))
            }
        case .price(let itemIDs):
            let items = itemIDs.compactMap { facts.catalog.item(id: $0) }
            if !items.isEmpty {
                say(.answer(.itemPrices(items)))
            } else if let draft = state.draft {
                say(.answer(.draftTotal(draft)))
            } else if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
                say(.answer(.orderTotal(order)))
            } else if let order = active.first {
                say(.answer(.orderTotal(order)))
            } else {
                say(.answer(.menuPrices))
            }
        case .openingHours:
            let catalog = facts.catalog
            say(
                .answer(
                    .openingHours(
                        catalog.merchantsInAdOrder.filter { merchant in
                            catalog.items.contains { $0.merchantID == merchant.id }
                        })))
        case .payment: say(.answer(.payment))
        case .recommendations:
            let featured = facts.catalog.items.filter(\.isFeatured)
            say(.answer(.recommendations(featured.isEmpty ? facts.catalog.featured.map { [$0] } ?? [] : featured)))
        case .thanks: say(.answer(.thanks))
        case .human:
            startHandoff(.handoff, message: text)
            return say(.answer(.handoffStarted(minutes: facts.rules.handoff / 60)))
        case .refund, .invoice:
            startHandoff(question == .refund ? .refund : .invoice, message: text)
            return say(.answer(.personHandles(refund: question == .refund, minutes: facts.rules.handoff / 60)))
        }
        reprompt()
    }

    mutating func notifyStaff(_ reason: StaffNotice.Reason, message: String, orders: [Order]? = nil) {
        effects.append(
            .notifyStaff(
                StaffNotice(
                    reason: reason, customer: customer, message: message, draft: state.draft,
                    orders: orders ?? facts.orders.filter { !$0.status.isFinal }, phone: state.profile.phone,
                    // during a handoff the person already has the conversation
                    recent: reason == .message ? [] : state.recent ?? []
                )))
    }

    /// Staff are told, and the bot keeps out of the way for `rules.handoff` seconds (the draft is kept).
    mutating func startHandoff(_ reason: StaffNotice.Reason, message: String) {
        state.handoffUntil = facts.now + facts.rules.handoff
        state.handoffAcknowledged = nil
        notifyStaff(reason, message: message)
    }

    /// While a person handles the chat, the bot keeps out of the way: what the customer writes or sends goes to
    /// staff, "已转人工，请稍候" is said once, and nothing else is answered; "结束人工 / back to bot" ends it early.
    /// Menu clicks and events are the bot's as usual. True when `input` was handled so.
    mutating func keepOutOfTheWay(_ input: ConversationInput) -> Bool {
        guard let until = state.handoffUntil else { return false }
        guard facts.now < until else {
            state.handoffUntil = nil
            state.handoffAcknowledged = nil
            return false
        }
        let words: String
        switch input {
        case .text(let text):
            if Self.endHandoffWords.contains(TextNormalizer.trimPunctuation(TextNormalizer.normalize(text))) {
                state.handoffUntil = nil
                state.handoffAcknowledged = nil
                say(.answer(.handoffEnded))
                remind()
                return true
            }
            words = text
        case .location(_, let label): words = "[位置 location] \(label)"
        case .unsupported(let kind): words = "[\(kind)]"
        default: return false
        }
        notifyStaff(.message, message: words)
        if state.handoffAcknowledged != true {
            state.handoffAcknowledged = true
            say(.answer(.handoffWaiting))
        }
        return true
    }

    /// Staff wrote to the customer: the words are pushed. A handoff in progress carries on for another
    /// `rules.handoff` from now, since a person is talking (without "请稍候" again), unless staff end it.
    mutating func staffMessage(_ text: String, endsHandoff: Bool) {
        effects.append(.push([.answer(.fromStaff(text, handoffEnded: endsHandoff && state.handoffUntil != nil))]))
        if endsHandoff {
            state.handoffUntil = nil
            state.handoffAcknowledged = nil
        } else if state.handoffUntil != nil {
            state.handoffUntil = facts.now + facts.rules.handoff
            state.handoffAcknowledged = true
        }
    }

    static let endHandoffWords: Set<String> = [
        "结束人工", "退出人工", "取消人工", "返回机器人", "机器人", "back to bot", "bot", "end handoff", "stop human",
    ]

    /// The customer's next message after "确定取消订单 #… 吗？": a yes cancels (and staff are told); anything else keeps
    /// the order and, unless it was a no, is then handled as usual. True when nothing more is to be done.
    mutating func answersCancelQuestion(_ text: String) -> Bool {
        guard let asked = state.cancelAsked else { return false }
        state.cancelAsked = nil
        guard facts.now - asked.askedAt <= CancelQuestion.validFor, let order = facts.order(id: asked.orderID) else {
            return false
        }
        let intent = IntentParser(catalog: facts.catalog).parse(text)
        if intent == .confirm || YesNo.read(text) == .yes {
            guard order.isCancellableByCustomer,
                case .changed(let cancelled)? = try? order.applying(.cancel(reason: "customer"), at: facts.now)
            else {
                say(order.status == .cancelled ? .orderCancelled(order) : .cannotCancel(order))
                return true
            }
            effects.append(.saveOrder(cancelled))
            say(.orderCancelled(cancelled))
            notifyStaff(.cancelled, message: "", orders: [cancelled])
            return true
        }
        say(.answer(.cancelKept(order)))
        switch intent {
        case .cancel(orderID: nil), .other: return true
        default: return false
        }
    }

    /// Sets the reply language from `text` when it is written with intent (or before the customer ever did).
    mutating func noteLanguage(_ text: String) {
        if let intended = Language.intended(text) {
            state.language = intended
            state.languageSettled = true
        } else if state.languageSettled != true, let guess = Language.detect(text) {
            state.language = guess
        }
    }
}
