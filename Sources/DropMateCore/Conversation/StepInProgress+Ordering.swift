/// Ordering: items → address → phone → summary (an order awaiting confirmation) → confirm or cancel.
extension StepInProgress {
    var isAwaitingAddress: Bool { state.draft != nil && state.draft?.address == nil }
    var isAwaitingPhone: Bool { state.draft?.address != nil && state.profile.phone == nil }

    mutating func order(_ parsed: ParsedOrder) {
        // Before it is confirmed, an order can still change: it becomes a draft again (StepInProgress+Amend.swift).
        if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
            return revise(order) { $0.order(parsed) }
        }
        if state.draft == nil, !parsed.edits.isEmpty, offerAmend(parsed) { return }
        // Nothing is added while any part of the message is unclear: the customer sees exactly what will be made.
        guard parsed.suggestions.isEmpty else {
            state.suggested = suggestion(parsed)
            say(.didYouMean(parsed.suggestions, adding: state.suggested.map(suggestedLines) ?? []))
            if !parsed.unknown.isEmpty { say(.unknownItems(parsed.unknown)) }
            remind()
            return
        }
        guard parsed.unknown.isEmpty, !parsed.lines.isEmpty || !parsed.edits.isEmpty else {
            say(.unknownItems(parsed.unknown))
            remind()
            return
        }
        // The draft the new lines go into: the current one, after this message's edits. Nothing is stored until the
        // whole message applies.
        var base = state.draft
        if !parsed.edits.isEmpty {
            guard let current = state.draft else { return edit(parsed.edits) }
            guard let changed = edited(current, parsed.edits) else { return }
            if parsed.lines.isEmpty { return draftChanged(changed.lines.isEmpty ? nil : changed) }
            base = changed.lines.isEmpty ? nil : changed
        }
        var lines = base?.lines ?? []
        for line in parsed.lines {
            let item = line.item
            // "奶茶去冰" for a 奶茶 already ordered: a note for that line, not one more.
            if !line.quantityGiven, let note = line.note,
                let existing = lines.lastIndex(where: { $0.itemID == item.id })
            {
                lines[existing].note = note
                continue
            }
            let existing = lines.firstIndex { $0.itemID == item.id && $0.note == line.note }
            let total = line.quantity + (existing.map { lines[$0].quantity } ?? 0)
            guard line.quantity >= 1, total <= facts.rules.maxQuantity else {
                say(
                    .quantityOutOfRange(
                        item: item.name, quantity: line.quantity >= 1 ? total : line.quantity,
                        max: facts.rules.maxQuantity))
                remind()
                return
            }
            if let existing {
                lines[existing].quantity = total
            } else {
                lines.append(
                    OrderLine(
                        itemID: item.id, name: item.name, quantity: line.quantity, unitPrice: item.price,
                        note: line.note))
            }
        }
        let merchantIDs = Set(parsed.lines.map(\.item.merchantID) + [base?.merchantID].compactMap { $0 })
        guard merchantIDs.count == 1, let merchantID = merchantIDs.first else {
            say(.oneMerchantPerOrder)
            remind()
            return
        }
        // StepInProgress+Rules: paused, closed, sold out
        guard shopTakes(parsed, merchantID: merchantID) else { return }
        var draft = base ?? OrderDraft(merchantID: merchantID, lines: [])
        draft.lines = lines
        if let note = parsed.note { draft.note = draft.note.map { "\($0)，\(note)" } ?? note }
        // An address as short as "公司" is not enough to deliver to: the flow asks for it (as at the address step).
        if let address = parsed.address, address.count >= 4 {
            draft.address = DeliveryAddress(text: address); state.profile.lastAddress = draft.address
        }
        if let phone = parsed.phone { state.profile.phone = phone }
        state.draft = draft
        for line in parsed.lines {
            if case .corrected(let typed) = line.match { say(.understoodAs(typed: typed, item: line.item.name)) }
        }
        say(.draftSummary(draft))
        advance()
    }

    /// "牛肉面改成1份", "去掉奶茶", "再来一份", "不要香菜": changes to the draft.
    mutating func edit(_ edits: [OrderEdit]) {
        guard let draft = state.draft else {
            if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
                return revise(order) { $0.edit(edits) }
            }
            if offerAmend(ParsedOrder(edits: edits)) { return }
            // "电话改成…" with nothing ordered: the number is remembered for next time.
            if edits.count == 1, case .phone(let phone?) = edits[0] { return savePhone(phone) }
            // "make it 3 beef noodles" with nothing ordered yet: that is the order.
            let lines = edits.compactMap { edit -> ParsedLine? in
                if case .setQuantity(let item?, let quantity) = edit {
                    return ParsedLine(item: item, quantity: quantity)
                }
                return nil
            }
            if state.pendingOrderID == nil, !lines.isEmpty, lines.count == edits.count {
                return order(ParsedOrder(lines: lines))
            }
            say(.nothingToEdit)
            return remind()
        }
        guard let changed = edited(draft, edits) else { return }
        if edits.allSatisfy(\.isContactChange) { return contactChanged(changed, edits) }
        draftChanged(changed.lines.isEmpty ? nil : changed)
    }

    /// The draft after `edits`, or nil (and the reason said) when one of them cannot apply.
    mutating func edited(_ draft: OrderDraft, _ edits: [OrderEdit]) -> OrderDraft? {
        var draft = draft
        for edit in edits {
            switch edit {
            case .setQuantity(let item, let quantity):
                // "改成3份" with no item named changes the only item; with several, which one is asked, never guessed.
                if item == nil, let first = draft.lines.first,
                    draft.lines.contains(where: { $0.itemID != first.itemID })
                {
                    var names: [LocalizedText] = []
                    for line in draft.lines where !names.contains(line.name) { names.append(line.name) }
                    say(.whichItemToChange(quantity: quantity, items: names)); remind(); return nil
                }
                guard
                    let index = item.map({ item in draft.lines.lastIndex { $0.itemID == item.id } })
                        ?? draft.lines.indices.last
                else {
                    say(item.map { .itemNotInOrder($0.name) } ?? .nothingToEdit); remind(); return nil
                }
                guard quantity >= 1, quantity <= facts.rules.maxQuantity else {
                    say(
                        .quantityOutOfRange(
                            item: draft.lines[index].name, quantity: quantity, max: facts.rules.maxQuantity));
                    remind(); return nil
                }
                draft.lines[index].quantity = quantity
            case .remove(let item):
                guard draft.lines.contains(where: { $0.itemID == item.id }) else {
                    say(.itemNotInOrder(item.name)); remind(); return nil
                }
                draft.lines.removeAll { $0.itemID == item.id }
            case .reduce(let item, let count):
                guard let index = draft.lines.lastIndex(where: { $0.itemID == item.id }) else {
                    say(.itemNotInOrder(item.name)); remind(); return nil
                }
                if draft.lines[index].quantity > count {
                    draft.lines[index].quantity -= count
                } else {
                    draft.lines.remove(at: index)
                }
            case .addMore(let quantity):
                guard let index = draft.lines.indices.last else { say(.nothingToEdit); return nil }
                let total = draft.lines[index].quantity + quantity
                guard quantity >= 1, total <= facts.rules.maxQuantity else {
                    say(
                        .quantityOutOfRange(
                            item: draft.lines[index].name, quantity: total, max: facts.rules.maxQuantity));
                    remind(); return nil
                }
                draft.lines[index].quantity = total
            case .note(let note, let item):
                if let item, let index = draft.lines.lastIndex(where: { $0.itemID == item.id }) {
                    draft.lines[index].note = note
                } else {
                    draft.note = draft.note.map { "\($0)，\(note)" } ?? note
                }
            case .address(let text):
                draft.address = text.map { DeliveryAddress(text: $0) }
            case .phone:
                break  // the customer's, not the draft's: `contactChanged` and `offerAmend` take it
            }
        }
        return draft
    }

    /// Says what the draft is now (or that it is empty and dropped) and asks for what it still lacks.
    mutating func draftChanged(_ draft: OrderDraft?) {
        state.draft = draft
        guard let draft else { return say(.draftCancelled) }
        say(.draftChanged(draft))
        advance()
    }

    /// An address and a phone in one message, or an address introduced as one ("送到…").
    mutating func contact(address: String?, phone: PhoneNumber?) {
        if state.draft == nil, address != nil || phone != nil {
            if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
                return revise(order) { $0.contact(address: address, phone: phone) }
            }
            if address != nil, offerAmend(ParsedOrder(address: address, phone: phone)) { return }
        }
        if let phone { state.profile.phone = phone }
        // At the phone step too: the address they give now is the one they mean.
        if let address, state.draft != nil { return addressText(address) }
        if let phone { return savePhone(phone) }
        say(.fallback)
        remind()
    }

    /// Asks for what the draft still lacks, or places the order when nothing is missing.
    mutating func advance() {
        // The shop's rules first (StepInProgress+Rules): they may stop the draft here, or forget an address beyond the radius.
        guard let verdict = draftVerdict(), let draft = state.draft else { return }
        guard let address = draft.address else {
            if let opensAt = verdict.forLaterAt {
                say(.rules(.forLater(shop: shopName(draft.merchantID), opensAt: opensAt)))
            }
            say(.askAddress(previous: state.profile.lastAddress))
            return
        }
        // StepInProgress+Geocoding: a typed address is measured first, when a map provider can
        if asksWhere(draft) { return }
        guard let phone = state.profile.phone else {
            say(.askPhone)
            return
        }
        effects.append(.placeOrder(request(draft, address: address, phone: phone, verdict: verdict)))
    }

    mutating func addressText(_ text: String) {
        let trimmed = text.trimmingSpaces()
        guard trimmed.count >= 4, trimmed.count <= 200, TextNormalizer.hasWords(trimmed) else {
            say(.addressTooShort)
            return
        }
        setAddress(DeliveryAddress(text: trimmed))
    }

    mutating func handleLocation(_ coordinate: Coordinate, label: String) {
        guard coordinate.isValid else {
            say(.unsupportedMessage)
            return
        }
        let address = DeliveryAddress(text: label.isEmpty ? Self.describe(coordinate) : label, coordinate: coordinate)
        state.profile.lastLocation = address
        if isAwaitingAddress { setAddress(address) } else { say(.locationSaved(address)); remind() }
    }

    static func describe(_ coordinate: Coordinate) -> String {
        func rounded(_ value: Double) -> String { String(Double(Int((value * 10_000).rounded())) / 10_000) }
        return "\(rounded(coordinate.latitude)),\(rounded(coordinate.longitude))"
    }

    mutating func setAddress(_ address: DeliveryAddress) {
        guard var draft = state.draft else { return }
        draft.address = address
        state.draft = draft
        state.profile.lastAddress = address
        // A typed address a map provider can place is confirmed once it is measured (it may be beyond the radius).
        if state.profile.phone == nil, !needsGeocoding(draft), !isBeyondRadius(draft) { say(.addressSaved(address)) }
        advance()
    }

    mutating func savePhone(_ phone: PhoneNumber) {
        if state.draft == nil, let pending = state.pendingOrderID, let order = facts.order(id: pending),
            order.phone != phone
        {
            return revise(order) { $0.savePhone(phone) }
        }
        state.profile.phone = phone
        if isAwaitingAddress || state.draft == nil { say(.phoneSaved(phone)); remind() } else { advance() }
    }

    mutating func orderPlaced(_ order: Order) {
        state.draft = nil
        state.pendingOrderID = order.id
        state.hasOrders = true
        say(.orderSummary(order, eta: arrival(of: order) ?? facts.now))
    }

    func arrival(of order: Order) -> Int64? {
        guard let merchant = facts.catalog.merchant(id: order.merchantID) else { return nil }
        return facts.eta.arrival(of: order, merchant: merchant, now: facts.now)
    }

    mutating func confirm() {
        guard let pending = state.pendingOrderID, let order = facts.order(id: pending) else {
            state.pendingOrderID = nil
            if state.draft != nil { remind() } else { say(.nothingToConfirm) }
            return
        }
        state.pendingOrderID = nil
        // StepInProgress+Rules: the rules may have changed since the summary
        guard stillHolds(order, throughLink: false) else { return }
        if let confirmed = confirmed(order) {
            say(.orderConfirmed(confirmed, eta: confirmed.promisedAt ?? facts.now))
        } else {
            say(.nothingToConfirm)
        }
    }

    /// Confirms `order` (or finds it already confirmed); nil when it can no longer be confirmed.
    mutating func confirmed(_ order: Order) -> Order? {
        let promisedAt = arrival(of: order) ?? facts.now
        switch try? order.applying(.confirm(promisedAt: promisedAt), at: facts.now) {
        case .changed(let confirmed)?:
            effects.append(.saveOrder(confirmed))
            return confirmed
        case .unchanged(let same)?:
            return same.status == .cancelled ? nil : same
        case nil:
            return nil
        }
    }

    mutating func confirmThroughLink(_ orderID: Int64) {
        guard let order = facts.order(id: orderID), order.status == .awaitingConfirmation else { return }
        if state.pendingOrderID == orderID { state.pendingOrderID = nil }
        guard stillHolds(order, throughLink: true) else { return }
        if let confirmed = confirmed(order) {
            effects.append(.push([.orderConfirmed(confirmed, eta: confirmed.promisedAt ?? facts.now)]))
        }
    }

    mutating func cancel(_ orderID: Int64?) {
        let target: Order
        if let orderID {
            guard let order = facts.order(id: orderID) else { return say(.orderNotFound(orderID)) }
            target = order
        } else if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
            target = order
        } else if state.draft != nil {
            state.draft = nil
            return say(.draftCancelled)
        } else if let latest = facts.orders.first(where: { !$0.status.isFinal }) {
            target = latest
        } else {
            return say(.nothingToCancel)
        }
        if state.pendingOrderID == target.id { state.pendingOrderID = nil }
        guard target.isCancellableByCustomer || target.status == .cancelled else { return say(.cannotCancel(target)) }
        if target.status == .confirmed {
            // A confirmed order is being made: cancelling it takes a yes (see `answersCancelQuestion`).
            state.cancelAsked = CancelQuestion(orderID: target.id, askedAt: facts.now)
            return say(.answer(.confirmCancel(target)))
        }
        if case .changed(let cancelled)? = try? target.applying(.cancel(reason: "customer"), at: facts.now) {
            effects.append(.saveOrder(cancelled))
            say(.orderCancelled(cancelled))
        } else {
            say(.orderCancelled(target))
        }
    }

    /// Staff moved an order on: tell the customer, and stop waiting for a confirmation that no longer applies.
    mutating func orderChanged(_ order: Order) {
        if state.pendingOrderID == order.id, order.status != .awaitingConfirmation { state.pendingOrderID = nil }
        let eta = arrival(of: order)
        effects.append(.push([.statusChanged(order, eta: eta)]))
        // What the customer was just told is what later ETA pushes compare with (and wait after).
        var told = order
        told.notifiedETA = eta ?? order.notifiedETA
        told.notifiedAt = facts.now
        effects.append(.saveOrder(told))
    }
}
