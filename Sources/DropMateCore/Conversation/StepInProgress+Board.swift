/// "留言 … / post …": a board post about the current order (for staff) or on the public board.
extension StepInProgress {
    mutating func post(_ body: String) {
        let text = body.trimmingSpaces()
        guard
            TextNormalizer.hasWords(text) || text.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation })
        else {
            return say(.boardPostEmpty)
        }
        guard text.count <= BoardPost.maxLength else { return say(.boardPostTooLong(max: BoardPost.maxLength)) }
        let orderID = facts.orders.first { !$0.status.isFinal }?.id
        // A post about an order goes to staff only; a public one waits for review when the business says so.
        let held = orderID == nil && facts.boardHoldsPosts
        effects.append(.post(BoardPostRequest(customer: customer, orderID: orderID, body: text, held: held)))
        say(held ? .boardPostHeld : .boardPosted(orderID: orderID))
    }
}
