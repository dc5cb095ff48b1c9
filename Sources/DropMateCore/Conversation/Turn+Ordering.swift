/// Ordering: items → address → phone → summary (an order awaiting confirmation) → confirm or cancel.
extension Turn {
    var isAwaitingAddress: Bool { state.draft != nil && state.draft?.address == nil }
    var isAwaitingPhone: Bool { state.draft?.address != nil && state.profile.phone == nil }

    mutating func order(_ parsed: ParsedOrder) {
        if let pending = state.pendingOrderID, let order = facts.order(id: pending) {
            say(.confirmPendingFirst(order))
            return
        }
        guard parsed.unknown.isEmpty, !parsed.lines.isEmpty else {
            say(.unknownItems(parsed.unknown))
            remind()
            return
        }
        var lines = state.draft?.lines ?? []
        for (item, quantity) in parsed.lines {
            let existing = lines.firstIndex { $0.itemID == item.id }
            let total = quantity + (existing.map { lines[$0].quantity } ?? 0)
            guard quantity >= 1, total <= facts.rules.maxQuantity else {
                say(.quantityOutOfRange(item: item.name, quantity: quantity >= 1 ? total : quantity, max: facts.rules.maxQuantity))
                remind()
                return
            }
            if let existing { lines[existing].quantity = total } else {
                lines.append(OrderLine(itemID: item.id, name: item.name, quantity: quantity, unitPrice: item.price))
            }
        }
        let merchantIDs = Set(parsed.lines.map(\.item.merchantID) + [state.draft?.merchantID].compactMap { $0 })
        guard merchantIDs.count == 1, let merchantID = merchantIDs.first else {
            say(.oneMerchantPerOrder)
            remind()
            return
        }
        var draft = state.draft ?? OrderDraft(merchantID: merchantID, lines: [])
        draft.lines = lines
        state.draft = draft
        say(.draftSummary(draft))
        advance()
    }

    /// Asks for what the draft still lacks, or places the order when nothing is missing.
    mutating func advance() {
        guard let draft = state.draft else { return }
        guard let address = draft.address else {
            say(.askAddress(previous: state.profile.lastAddress))
            return
        }
        guard let phone = state.profile.phone else {
            say(.askPhone)
            return
        }
        effects.append(.placeOrder(OrderRequest(
            customer: customer, merchantID: draft.merchantID, lines: draft.lines, address: address, phone: phone, language: state.language
        )))
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
        if state.profile.phone == nil { say(.addressSaved(address)) }
        advance()
    }

    mutating func savePhone(_ phone: PhoneNumber) {
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
        if let confirmed = confirmed(order) { say(.orderConfirmed(confirmed, eta: confirmed.promisedAt ?? facts.now)) }
        else { say(.nothingToConfirm) }
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
