import DropMateCore
import Foundation

extension ConversationEngine {
    /// Staff write to `customer` in their chat: the words are pushed (in the customer's chat language's frame), and a
    /// handoff in progress carries on from now, or ends when `endsHandoff`. Under the customer's lock, audited in the
    /// same commit.
    public func messageFromStaff(to customer: String, text: String, endsHandoff: Bool, audit: AuditEntry?) async throws
    {
        try await withCustomer(customer) { state in
            let now = clock()
            var outcome = try await run(
                customer: customer, state: state, input: .staffMessage(text, endsHandoff: endsHandoff), now: now,
                pushKey: "staff-message:\(customer):\(UUID().uuidString)")
            if let audit { outcome.unit.audit.append(audit) }
            try await commit(outcome.unit)
            return ((), outcome.state)
        }
    }
}
