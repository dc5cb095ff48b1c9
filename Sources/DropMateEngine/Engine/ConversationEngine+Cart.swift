import DropMateCore
import DropMateStorage

extension ConversationEngine {
    /// What became of a cart sent from the menu page.
    public enum CartOutcome: Sendable, Equatable {
        /// Taken now: what the chat says about it (also pushed into the chat).
        case taken(OutgoingMessage?)
        /// The same form was sent before (a double tap, a reload): nothing new happened; what it said then.
        case alreadyTaken(OutgoingMessage?)
    }

    /// Runs a menu-page cart through the conversation as `customer`'s input, exactly once per `formKey` (the form's
    /// random nonce): the key is recorded with the turn, under the customer's lock, so a double submit (even on two
    /// replicas at once) finds it and changes nothing. What the chat would answer is pushed into the chat, because
    /// the page is not the chat and the customer continues there (address, phone, confirmation).
    public func submitCart(_ cart: Cart, customer: String, formKey: String) async throws -> CartOutcome {
        try await submitFromPage(.cart(cart), customer: customer, formKey: formKey)
    }

    /// Runs what the customer did on a page (a cart, 再来一单 on the tracking page) as `submitCart` does a cart.
    public func submitFromPage(
        _ input: ConversationInput, customer: String, formKey: String
    ) async throws -> CartOutcome {
        let key = "page:\(formKey)"
        return try await withCustomer(customer) { state in
            if let handled = try await store.handled(dedupeKey: key) { return (.alreadyTaken(handled.reply), nil) }
            let now = clock()
            var outcome = try await run(customer: customer, state: state, input: input, now: now, pushKey: key)
            if let reply = outcome.reply {
                let phone = outcome.state.profile.phone.map { "+86" + $0.digits }
                outcome.unit.jobs.append(
                    try PushJob(openID: customer, message: reply, phone: phone).job(key: "\(key)#chat", now: now))
            }
            outcome.unit.handled = (key, RecordedAnswer(reply: outcome.reply))
            try await commit(outcome.unit)
            return (.taken(outcome.reply), outcome.state)
        }
    }
}
