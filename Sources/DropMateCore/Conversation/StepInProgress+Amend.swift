/// Changing an order after it was placed, and the yes to "您是说牛肉面吗？".
///
/// - Awaiting confirmation (the summary step): a change applies at once. The order becomes a draft again, the change
///   is applied, and the changed draft is placed as a new order to confirm; the old one is void (cancelled, "changed").
/// - Confirmed, not dispatched: the bot cannot change it, so it offers once to cancel it and order it again as changed
///   (staff are told of the request); a yes cancels it (staff are told, as for any customer cancel) and places the
///   changed draft for confirmation, anything else leaves it as it was.
/// - With a courier: too late; a person can help ("人工客服").
extension StepInProgress {
    /// `order` (awaiting confirmation) changed by `apply`, which sees it as the draft it was made from. When nothing
    /// changed (the change could not apply, and the reason was said), the order still waits for its confirmation.
    mutating func revise(_ order: Order, _ apply: (inout StepInProgress) -> Void) {
        let reopened = OrderDraft(
            merchantID: order.merchantID, lines: order.lines, note: order.note, address: order.address)
        let phone = state.profile.phone
        let (replyStart, effectStart) = (replies.count, effects.count)
        state.pendingOrderID = nil
        state.draft = reopened
        state.profile.phone = order.phone
        apply(&self)
        let emptied = state.draft == nil
        if !emptied, state.draft == reopened, state.profile.phone == order.phone {
            // Nothing changed: the order stands, and the customer is reminded it waits for them.
            state.draft = nil
            state.pendingOrderID = order.id
            state.profile.phone = phone
            effects.removeSubrange(effectStart...)
            let said = replies[replyStart...].compactMap { reply -> Reply? in
                switch reply {
                case .draftReminder: .pendingReminder(orderID: order.id)
                case .draftChanged, .draftSummary, .addressSaved, .phoneSaved: nil
                default: reply
                }
            }
            replies.replaceSubrange(replyStart..., with: said.isEmpty ? [.pendingReminder(orderID: order.id)] : said)
            return
        }
        guard
            case .changed(let void)? = try? order.applying(
                .cancel(reason: emptied ? "customer" : "changed"), at: facts.now)
        else { return }
        effects.insert(.saveOrder(void), at: effectStart)
        if emptied {
            // "去掉牛肉面" took the last item away: that is cancelling the order.
            replies = replies.map { $0 == .draftCancelled ? .orderCancelled(void) : $0 }
        } else {
            replies.insert(.answer(.orderVoided(order)), at: replyStart)
        }
    }

    /// A change (`parsed`'s edits, lines, address or phone) with no draft and no order awaiting confirmation: it is
    /// about the customer's latest open order. False when there is none (the caller carries on as before).
    mutating func offerAmend(_ parsed: ParsedOrder) -> Bool {
        guard state.draft == nil, state.pendingOrderID == nil,
            let order = facts.orders.first(where: { !$0.status.isFinal })
        else { return false }
        switch order.status {
        case .awaitingConfirmation:
            revise(order) { turn in
                if parsed.lines.isEmpty, parsed.address == nil, parsed.phone == nil {
                    turn.edit(parsed.edits)
                } else {
                    turn.order(parsed)
                }
            }
            return true
        case .confirmed:
            break
        case .dispatched, .delivered, .cancelled:
            say(.answer(.tooLateToChange(order)))
            return true
        }
        var draft = OrderDraft(
            merchantID: order.merchantID, lines: order.lines, note: order.note, address: order.address)
        guard let edited = edited(draft, parsed.edits), let added = adding(parsed.lines, to: edited) else {
            return true
        }
        draft = added
        if let address = parsed.address { draft.address = DeliveryAddress(text: address) }
        var phone = parsed.phone
        var asksPhone = false
        for case .phone(let changed) in parsed.edits {
            phone = changed
            asksPhone = changed == nil
        }
        guard !draft.lines.isEmpty else {
            // Everything taken away: that is a cancel, which asks its own question.
            cancel(order.id)
            return true
        }
        let asked = AmendQuestion(
            orderID: order.id, askedAt: facts.now, draft: draft, phone: phone, asksPhone: asksPhone ? true : nil)
        state.amendAsked = asked
        state.suggested = nil
        state.cancelAsked = nil
        say(.answer(.offerReorder(order, asked)))
        notifyStaff(.change, message: message, orders: [order])
        return true
    }

    /// `lines` added to `draft` (more of an item already there adds up), or nil when one cannot be (said why).
    mutating func adding(_ lines: [ParsedLine], to draft: OrderDraft) -> OrderDraft? {
        var draft = draft
        for line in lines {
            guard line.item.merchantID == draft.merchantID else { say(.oneMerchantPerOrder); return nil }
            let existing = draft.lines.firstIndex { $0.itemID == line.item.id && $0.note == line.note }
            let total = line.quantity + (existing.map { draft.lines[$0].quantity } ?? 0)
            guard line.quantity >= 1, total <= facts.rules.maxQuantity else {
                say(.quantityOutOfRange(item: line.item.name, quantity: total, max: facts.rules.maxQuantity))
                return nil
            }
            if let existing {
                draft.lines[existing].quantity = total
            } else {
                draft.lines.append(
                    OrderLine(
                        itemID: line.item.id, name: line.item.name, quantity: line.quantity, unitPrice: line.item.price,
                        note: line.note))
            }
        }
        return draft
    }

    /// The customer's next message after `offerReorder`: a yes cancels the order (staff are told) and places the changed
    /// draft for confirmation; anything else keeps the order and, unless it was a no, is then handled as usual.
    mutating func answersAmendQuestion(_ text: String) -> Bool {
        guard let asked = state.amendAsked else { return false }
        state.amendAsked = nil
        guard facts.now - asked.askedAt <= AmendQuestion.validFor, let order = facts.order(id: asked.orderID) else {
            return false
        }
        let answer = YesNo.read(text)
        guard answer == .yes else {
            say(.answer(.changeKept(order)))
            return answer == .no
        }
        guard order.isCancellableByCustomer,
            case .changed(let cancelled)? = try? order.applying(.cancel(reason: "customer"), at: facts.now)
        else {
            say(order.status == .cancelled ? .orderCancelled(order) : .answer(.tooLateToChange(order)))
            return true
        }
        effects.append(.saveOrder(cancelled))
        say(.orderCancelled(cancelled))
        notifyStaff(.cancelled, message: "", orders: [cancelled])
        state.draft = asked.draft
        if asked.draft.address == nil, state.profile.lastAddress == order.address { state.profile.lastAddress = nil }
        if let phone = asked.phone {
            state.profile.phone = phone
        } else if asked.asksPhone == true {
            state.profile.phone = nil
        }
        say(.draftChanged(asked.draft))
        advance()
        return true
    }

    /// "地址改成…", "电话错了" in a draft: the new address or phone is noted (or asked for) and the flow goes on.
    mutating func contactChanged(_ draft: OrderDraft, _ edits: [OrderEdit]) {
        let wrong = state.draft?.address
        state.draft = draft
        for edit in edits {
            switch edit {
            case .address(nil):
                // "地址错了": the address just given is not offered back as "同上".
                if let wrong, state.profile.lastAddress == wrong { state.profile.lastAddress = nil }
            case .address(let text?):
                let address = DeliveryAddress(text: text)
                state.profile.lastAddress = address
                say(.addressSaved(address))
            case .phone(let phone):
                state.profile.phone = phone
                if let phone { say(.phoneSaved(phone)) }
            default:
                break
            }
        }
        advance()
    }

    // MARK: "您是说牛肉面吗？"

    /// What a yes to `parsed`'s near-names adds: its clear lines and the suggested items, with its note, address, phone.
    func suggestion(_ parsed: ParsedOrder) -> SuggestedOrder {
        SuggestedOrder(
            lines: parsed.lines.map { SuggestedOrder.Line(itemID: $0.item.id, quantity: $0.quantity, note: $0.note) }
                + parsed.suggestions.map {
                    SuggestedOrder.Line(itemID: $0.item.id, quantity: $0.quantity, note: $0.note)
                },
            note: parsed.note, address: parsed.address, phone: parsed.phone, askedAt: facts.now
        )
    }

    /// The suggestion's lines as the draft would show them.
    func suggestedLines(_ suggested: SuggestedOrder) -> [OrderLine] {
        suggested.lines.compactMap { line in
            facts.catalog.item(id: line.itemID).map {
                OrderLine(itemID: $0.id, name: $0.name, quantity: line.quantity, unitPrice: $0.price, note: line.note)
            }
        }
    }

    /// The customer's next message after "您是说…吗？": a yes orders what was suggested, a no says nothing was added;
    /// anything else is handled as usual (and the question is dropped).
    mutating func answersSuggestion(_ text: String) -> Bool {
        guard let suggested = state.suggested else { return false }
        state.suggested = nil
        guard facts.now - suggested.askedAt <= SuggestedOrder.validFor else { return false }
        switch YesNo.read(text) {
        case .yes?:
            let lines = suggested.lines.compactMap { line in
                facts.catalog.item(id: line.itemID).map {
                    ParsedLine(item: $0, quantity: line.quantity, note: line.note)
                }
            }
            // An item gone from the menu since: said back, nothing added.
            guard lines.count == suggested.lines.count else {
                say(.unknownItems(suggested.lines.filter { facts.catalog.item(id: $0.itemID) == nil }.map(\.itemID)))
                remind()
                return true
            }
            order(ParsedOrder(lines: lines, note: suggested.note, address: suggested.address, phone: suggested.phone))
        case .no?:
            say(.answer(.suggestionDeclined))
            remind()
        case nil:
            return false
        }
        return true
    }

    // MARK: Recent lines for staff

    /// Lines kept in `ConversationState.recent`, and characters per line.
    static let recentLimit = 6
    static let recentLength = 60

    /// Keeps this step's message and DropMate's answer in `state.recent`, on steps whose state is written anyway
    /// (so the lines never cost a write of their own; chit-chat that changes nothing else leaves no line).
    mutating func remember(_ input: ConversationInput, before: ConversationState) {
        guard state.courierID == nil else { return }  // a courier's chat is no customer's conversation
        let customerLine: String?
        switch input {
        case .text(let text): customerLine = text
        case .orderPlaced, .addressGeocoded: customerLine = nil
        case .cart(let cart):
            customerLine =
                "[菜单页 menu page] " + cart.lines.map { "\($0.itemID) ×\($0.quantity)" }.joined(separator: ", ")
        case .reorderFromPage(let orderID): customerLine = "[跟踪页 tracking page] 再来一单 #\(orderID)"
        default: return
        }
        guard state.needsSaving(comparedWith: before) else { return }
        var recent = state.recent ?? []
        if let customerLine { recent.append("> " + Self.clipped(customerLine)) }
        if !replies.isEmpty {
            let words = Replies(language: state.language, catalog: facts.catalog, renderer: ReplyRenderer())
            let said = replies.lazy.map(words.text(for:)).filter { !$0.isEmpty }.joined(separator: " ")
            if !said.isEmpty { recent.append("< " + Self.clipped(said)) }
        }
        if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
        state.recent = recent.isEmpty ? nil : recent
    }

    /// One line, at most `recentLength` characters ("…" when cut).
    static func clipped(_ text: String) -> String {
        var line = ""
        var count = 0
        var lastWasSpace = true
        for character in text {
            let spacing = character.isWhitespace
            if spacing && lastWasSpace { continue }
            if count == recentLength { line.removeLast(); line.append("…"); break }
            line.append(spacing ? " " : character)
            lastWasSpace = spacing
            count += 1
        }
        while line.last == " " { line.removeLast() }
        return line
    }
}
