/// 再来一单 / reorder: a new draft from the customer's last order, at today's prices, with the shop's rules applied
/// again (hours, pause, radius, minimum, fee) and sold-out or withdrawn items named and left out.
extension StepInProgress {
    /// Repeats `order` (the tracking page's 再来一单), else the customer's latest order.
    mutating func reorder(_ order: Order? = nil) {
        // An order awaiting confirmation comes first: the customer confirms, changes or cancels it.
        if let pending = state.pendingOrderID { return say(.pendingReminder(orderID: pending)) }
        guard state.draft == nil else {
            // Never swap an open draft for another silently.
            say(.rules(.draftStillOpen))
            remind()
            return
        }
        guard let last = order ?? facts.orders.first(where: { !$0.lines.isEmpty }), !last.lines.isEmpty else {
            return say(.rules(.nothingToReorder))
        }
        guard sayUnavailable(last.merchantID) else { return }
        var lines: [OrderLine] = [], soldOut: [LocalizedText] = [], withdrawn: [LocalizedText] = []
        for line in last.lines {
            guard let item = facts.catalog.item(id: line.itemID), item.merchantID == last.merchantID else {
                withdrawn.append(line.name); continue
            }
            if item.isSoldOut { soldOut.append(item.name); continue }
            lines.append(
                OrderLine(
                    itemID: item.id, name: item.name, quantity: line.quantity, unitPrice: item.price, note: line.note))
        }
        if !soldOut.isEmpty {
            say(.rules(.soldOut(soldOut, rest: remaining(last.merchantID, without: Set(lines.map(\.itemID))))))
        }
        if !withdrawn.isEmpty { say(.rules(.noLongerOffered(withdrawn))) }
        guard !lines.isEmpty else { return }
        let draft = OrderDraft(merchantID: last.merchantID, lines: lines, note: last.note, address: last.address)
        state.draft = draft
        state.profile.lastAddress = last.address
        say(.rules(.reordering(orderID: last.id)))
        say(.draftSummary(draft))
        advance()
    }
}
