/// A cart from the menu page: it becomes the customer's draft, exactly as if they had typed the items in the chat,
/// and the chat then asks only for what is missing (address, phone). The cart replaces an open draft (the page shows
/// the whole order, not an addition), keeping its address and note when it is the same shop's. Prices, sold-out
/// items, the pause switch and opening hours come from the catalog and the rules, never from the page.
extension StepInProgress {
    mutating func fromMenuPage(_ cart: Cart) {
        // An order waiting for "确认" comes first: the customer confirms or cancels it before starting another.
        if let pending = state.pendingOrderID { return say(.pendingReminder(orderID: pending)) }
        var lines: [ParsedLine] = []
        for line in cart.lines {
            // The page only offers this merchant's items in range; anything else is a forged or stale form.
            guard let item = facts.catalog.item(id: line.itemID), item.merchantID == cart.merchantID else {
                return say(.unknownItems([]))
            }
            guard (1...facts.rules.maxQuantity).contains(line.quantity) else {
                return say(.quantityOutOfRange(item: item.name, quantity: line.quantity, max: facts.rules.maxQuantity))
            }
            if let index = lines.firstIndex(where: { $0.item.id == item.id }) {
                lines[index].quantity += line.quantity
            } else {
                lines.append(ParsedLine(item: item, quantity: line.quantity))
            }
        }
        guard !lines.isEmpty, lines.allSatisfy({ $0.quantity <= facts.rules.maxQuantity }) else {
            return say(.unknownItems([]))
        }
        // StepInProgress+Rules: paused, closed, sold out
        guard shopTakes(ParsedOrder(lines: lines), merchantID: cart.merchantID) else { return }
        let previous = state.draft?.merchantID == cart.merchantID ? state.draft : nil
        var draft = OrderDraft(
            merchantID: cart.merchantID,
            lines: lines.map {
                OrderLine(itemID: $0.item.id, name: $0.item.name, quantity: $0.quantity, unitPrice: $0.item.price)
            },
            note: previous?.note, address: previous?.address)
        draft.geocodedText = previous?.geocodedText
        state.draft = draft
        say(.draftSummary(draft))
        advance()
    }
}
