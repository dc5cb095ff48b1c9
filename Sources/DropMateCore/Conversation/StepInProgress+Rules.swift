/// The shop's rules in the chat: opening hours, the pause switch, sold-out items, the delivery radius, the minimum
/// order and the delivery fee. Applied when items are added, before each step of a draft, when it becomes an order and
/// again at confirmation (staff may have changed the rules in between). Pure: the rules come with the catalog.
extension StepInProgress {
    var businessTime: BusinessTime { facts.rules.businessTime }

    func shopName(_ merchantID: String) -> LocalizedText {
        facts.catalog.merchant(id: merchantID)?.name ?? LocalizedText(zh: merchantID, en: merchantID)
    }

    /// Before new items join a draft: refuses (and says why) when the shop is paused or closed without orders for
    /// later, or when an item is sold out. True when they may be added.
    mutating func shopTakes(_ parsed: ParsedOrder, merchantID: String) -> Bool {
        if !sayUnavailable(merchantID) { return false }
        var seen = Set<String>()
        let soldOut = parsed.lines.map(\.item).filter {
            facts.catalog.isSoldOut(itemID: $0.id) && seen.insert($0.id).inserted
        }
        guard soldOut.isEmpty else {
            say(.rules(.soldOut(soldOut.map(\.name), rest: remaining(merchantID, without: []))))
            remind()
            return false
        }
        return true
    }

    /// Says the shop is paused or closed (and drops the draft, which can then never be placed); true when it takes
    /// orders (now, or for later).
    mutating func sayUnavailable(_ merchantID: String) -> Bool {
        let rules = facts.catalog.rules(forMerchant: merchantID)
        switch rules.availability(at: facts.now, in: businessTime) {
        case .open: return true
        case .closed(let opensAt?) where rules.acceptsOrdersForLater: _ = opensAt; return true
        case .closed(let opensAt): say(.rules(.closed(shop: shopName(merchantID), opensAt: opensAt)))
        case .paused(let until, let reopensAt):
            say(.rules(.paused(shop: shopName(merchantID), until: until, reopensAt: reopensAt)))
        }
        if state.draft?.merchantID == merchantID { state.draft = nil }
        return false
    }

    /// The merchant's items not sold out, except `excluded`.
    func remaining(_ merchantID: String, without excluded: Set<String>) -> [CatalogItem] {
        facts.catalog.items.filter { $0.merchantID == merchantID && !$0.isSoldOut && !excluded.contains($0.id) }
    }

    /// Checks the draft against the rules before it goes on: says what it breaks and what to do about it, fixing what
    /// can be fixed (sold-out lines leave it, an address beyond the radius is forgotten). Nil when the draft cannot go
    /// on this turn; else the verdict its order is placed with.
    mutating func draftVerdict() -> RulesVerdict? {
        guard var draft = state.draft else { return nil }
        guard let verdict = facts.catalog.evaluate(draft, at: facts.now, in: businessTime) else {
            return RulesVerdict.unrestricted(draft)  // a merchant gone from the catalog: the order's own checks stand
        }
        var stops = false
        for problem in verdict.problems {
            switch problem {
            case .paused, .closed:
                _ = sayUnavailable(draft.merchantID)
                return nil
            case .soldOut(let ids):
                // Marked sold out since the items were added: they leave the draft.
                let names = ids.compactMap { id in draft.lines.first { $0.itemID == id }?.name }
                draft.lines.removeAll { ids.contains($0.itemID) }
                say(.rules(.soldOut(names, rest: remaining(draft.merchantID, without: Set(draft.lines.map(\.itemID))))))
                guard !draft.lines.isEmpty else { state.draft = nil; return nil }
                state.draft = draft
                say(.draftChanged(draft))
                return draftVerdict()
            case .beyondRadius(let metres, let radius):
                say(.rules(.beyondRadius(metres: metres, radiusMetres: radius)))
                if state.profile.lastAddress == draft.address { state.profile.lastAddress = nil }
                draft.address = nil
                state.draft = draft
                stops = true
            case .belowMinimum(let missing, let minimum):
                say(.rules(.belowMinimum(missing: missing, minimum: minimum)))
                return nil  // the customer adds more; the address can wait
            }
        }
        if stops {
            say(.askAddress(previous: state.profile.lastAddress))
            return nil
        }
        return verdict
    }

    /// Before an order waiting for confirmation is confirmed: whether the rules still take it as summarised. When
    /// they no longer take it, it is cancelled with the reason. When its fee or making time changed, it is cancelled
    /// too; in chat it is placed again from its items for a new summary, through the link the customer is asked to
    /// order again (the page has no chat to show a summary in). What was said goes out as a push for the link.
    mutating func stillHolds(_ order: Order, throughLink: Bool) -> Bool {
        guard order.status == .awaitingConfirmation,
            let verdict = facts.catalog.evaluate(
                merchantID: order.merchantID, lines: order.lines, destination: order.address.coordinate,
                at: facts.now, in: businessTime)
        else { return true }
        var notice: [Reply] = [.rules(.cannotConfirm(orderID: order.id))]
        let reason: String
        if let problem = verdict.problems.first {
            switch problem {
            case .paused(let until, let reopensAt):
                reason = "shop paused"
                notice.append(.rules(.paused(shop: shopName(order.merchantID), until: until, reopensAt: reopensAt)))
            case .closed(let opensAt):
                reason = "shop closed"
                notice.append(.rules(.closed(shop: shopName(order.merchantID), opensAt: opensAt)))
            case .soldOut(let ids):
                reason = "sold out"
                notice.append(
                    .rules(
                        .soldOut(
                            ids.compactMap { id in order.lines.first { $0.itemID == id }?.name },
                            rest: remaining(order.merchantID, without: Set(order.lines.map(\.itemID))))))
            case .beyondRadius(let metres, let radius):
                reason = "beyond delivery radius"
                notice.append(.rules(.beyondRadius(metres: metres, radiusMetres: radius)))
            case .belowMinimum(let missing, let minimum):
                reason = "below minimum order"
                notice.append(.rules(.belowMinimum(missing: missing, minimum: minimum)))
            }
        } else if verdict.deliveryFee != order.deliveryFee || verdict.forLaterAt != order.scheduledFor {
            reason = "shop terms changed"
            if throughLink {
                notice.append(.rules(.termsChanged))
            } else {
                notice = [.rules(.changedSinceSummary(orderID: order.id))]
            }
        } else {
            return true
        }
        if case .changed(let cancelled)? = try? order.applying(.cancel(reason: reason), at: facts.now) {
            effects.append(.saveOrder(cancelled))
        }
        if state.pendingOrderID == order.id { state.pendingOrderID = nil }
        if throughLink {
            effects.append(.push(notice))
        } else {
            replies.append(contentsOf: notice)
            if reason == "shop terms changed" {
                // The same items, address and phone as a new order: its summary shows the new terms.
                state.draft = OrderDraft(
                    merchantID: order.merchantID, lines: order.lines, note: order.note, address: order.address)
                advance()
            }
        }
        return false
    }

    /// Whether the draft's address is a WeChat location beyond the shop's radius (it is then not "saved").
    func isBeyondRadius(_ draft: OrderDraft) -> Bool {
        guard let verdict = facts.catalog.evaluate(draft, at: facts.now, in: businessTime) else { return false }
        if case .beyond = verdict.distance { return true }
        return false
    }

    /// The order request for a draft that has everything, priced by the verdict.
    func request(
        _ draft: OrderDraft, address: DeliveryAddress, phone: PhoneNumber, verdict: RulesVerdict
    ) -> OrderRequest {
        var request = OrderRequest(
            customer: customer, merchantID: draft.merchantID, lines: draft.lines, address: address, phone: phone,
            language: state.language, note: draft.note)
        request.deliveryFee = verdict.deliveryFee
        request.distanceMetres = verdict.distance.metres
        request.scheduledFor = verdict.forLaterAt
        return request
    }
}

extension RulesVerdict {
    /// No rules to hold: free delivery, unmeasured distance (for a merchant missing from the catalog).
    static func unrestricted(_ draft: OrderDraft) -> RulesVerdict {
        RulesVerdict(
            availability: .open(closesAt: nil), forLaterAt: nil, distance: .unknown, minimum: .met, soldOutItemIDs: [],
            subtotal: draft.total, deliveryFee: .zero, feeIsFallback: false, total: draft.total, preparationMinutes: 0,
            problems: [])
    }
}
