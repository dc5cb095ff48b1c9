/// A typed address measured against the shop's radius and fee bands: when a map provider is configured, the engine
/// geocodes it (`.geocode`) and feeds the answer back (`.addressGeocoded`), as a WeChat location would come. An address
/// nobody places (not found, too vague, the service failed or was too slow) is taken with its distance unknown, which
/// staff see on the order.
extension StepInProgress {
    /// Whether the draft's address is typed text the map provider has not been asked about yet.
    func needsGeocoding(_ draft: OrderDraft) -> Bool {
        guard facts.geocodes, let address = draft.address, address.coordinate == nil else { return false }
        return draft.geocodedText != address.text
    }

    /// Asks the engine to geocode the draft's typed address (once per draft and address); true when it did, and the
    /// turn then waits for `.addressGeocoded`.
    mutating func asksWhere(_ draft: OrderDraft) -> Bool {
        guard needsGeocoding(draft), let text = draft.address?.text else { return false }
        var asked = draft
        asked.geocodedText = text
        state.draft = asked
        effects.append(.geocode(text: text))
        return true
    }

    /// The map provider's answer for `text`: the draft's address gets its coordinate (and then holds the radius like a
    /// WeChat location), or stays unmeasured; the order goes on from there.
    mutating func addressGeocoded(_ text: String, _ coordinate: Coordinate?) {
        // The draft moved on meanwhile (another address, dropped): the answer is for nothing.
        guard var draft = state.draft, var address = draft.address, address.text == text, address.coordinate == nil
        else { return }
        if let coordinate, coordinate.isValid {
            address.coordinate = coordinate
            draft.address = address
            state.draft = draft
            if state.profile.lastAddress?.text == text, state.profile.lastAddress?.coordinate == nil {
                state.profile.lastAddress = address
            }
        }
        if state.profile.phone == nil, !isBeyondRadius(draft) { say(.addressSaved(address)) }
        advance()
    }
}
