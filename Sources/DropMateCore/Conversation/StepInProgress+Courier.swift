/// A courier's chat: their deliveries, "取件 / 送达", and positions from shared locations.
extension StepInProgress {
    /// Handles `input` as courier `courierID`'s; false when the input is about the user's own orders as a customer.
    mutating func runAsCourier(_ courierID: Int64, _ input: ConversationInput) -> Bool {
        switch input {
        case .text(let text):
            state.lastActivityAt = facts.now
            guard TextNormalizer.hasWords(text) else { say(.courier(.help)); return true }
            noteLanguage(text)
            courierSaid(CourierIntent.parse(text), courierID: courierID)
        case .click: say(.courier(.help))
        case .subscribed: say(.courier(.help))
        case .location(let coordinate, _):
            guard coordinate.isValid else { say(.courier(.invalidPosition)); return true }
            effects.append(.courierMoved(courierID: courierID, coordinate))
            say(.courier(.positionSaved(activeDeliveries: facts.deliveries.count)))
        case .reportedLocation(let coordinate):
            if coordinate.isValid { effects.append(.courierMoved(courierID: courierID, coordinate)) }
        case .courierActionDone(let result): courierActionDone(result)
        case .unsupported: say(.courier(.help))
        case .unsubscribed, .tick: break
        case .courierBound(let attempt, let code): courierBound(attempt, code: code)
        case .orderPlaced, .confirmationLinkUsed, .orderChanged, .etaRefreshed, .staffMessage, .addressGeocoded, .cart,
            .reorderFromPage:
            return false
        }
        return true
    }

    mutating func courierSaid(_ intent: CourierIntent, courierID: Int64) {
        switch intent {
        case .help, .other: say(.courier(.help))
        case .deliveries: say(.courier(.deliveries(facts.deliveries)))
        case .unbind:
            effects.append(.unbindCourier(courierID: courierID))
            state.courierID = nil
            say(.courier(.unbound))
        case .action(let action, let orderID):
            if let orderID { return effects.append(.courierAction(orderID: orderID, action)) }
            // Without a number: the only delivery it can mean.
            let candidates = facts.deliveries.filter { action == .pickUp ? $0.pickedUpAt == nil : true }
            guard candidates.count == 1 else { return say(.courier(.whichOrder(action, candidates))) }
            effects.append(.courierAction(orderID: candidates[0].id, action))
        }
    }

    mutating func courierActionDone(_ result: CourierActionResult) {
        switch result {
        case .done(let action, let order): say(.courier(.actionDone(action, order)))
        case .notFound(let id): say(.courier(.notYours(orderID: id)))
        case .notYours(let id): say(.courier(.notYours(orderID: id)))
        case .refused(let action, let order): say(.courier(.refused(action, order)))
        }
    }

    /// A binding code was sent: the chat becomes a courier's, or the code was wrong, or the user is locked out.
    mutating func courierBound(_ attempt: BindingAttempt, code: String) {
        let courier: Courier
        switch attempt {
        case .matched(let found): courier = found
        case .staff(let id, let username):
            // Staff notices only: the chat stays the customer chat it was (drafts and orders untouched).
            effects.append(.saveStaffBinding(staffID: id, username: username, code: code))
            return say(.courier(.staffBound(username: username)))
        case .refused: return say(.courier(.bindingFailed))
        case .lockedOut: return say(.courier(.bindingLockedOut))
        }
        effects.append(.saveCourierBinding(courierID: courier.id, code: code))
        state.courierID = courier.id
        state.draft = nil
        if let pending = state.pendingOrderID {
            // A courier's chat confirms no orders: the one still waiting lapses now rather than never.
            if let order = facts.order(id: pending),
                case .changed(let cancelled)? = try? order.applying(.cancel(reason: "expired"), at: facts.now)
            {
                effects.append(.saveOrder(cancelled))
            }
            state.pendingOrderID = nil
        }
        say(.courier(.bound(name: courier.name)))
        say(.courier(.help))
    }
}
