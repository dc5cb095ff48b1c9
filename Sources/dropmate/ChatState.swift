import DropMateWeChat
import Foundation

/// The chat client's state: who is typing and which pushes have been shown, per customer.
struct ChatState {
    var openID: String
    /// The last outbox id shown, per OpenID; nil entries mean "not primed yet".
    private var lastPush: [String: Int64] = [:]
    /// False once the server turned out to have no dev outbox.
    private var outboxAvailable = true

    init(openID: String) { self.openID = openID }

    /// Handles one input; false means leave.
    mutating func handle(_ input: ChatInput, session: ChatSession) async throws(ChatSession.Failure) -> Bool {
        let kind: InboundMessage.Kind
        switch input {
        case .quit: return false
        case .help: ChatOutput.say(ChatInput.helpText); return true
        case .invalid(let reason): ChatOutput.warn(reason); return true
        case .poll: try await showPushes(session); return true
        case .switchUser(let id):
            openID = id
            ChatOutput.say("  (now chatting as \(id))")
            await primeOutbox(session)
            return true
        case .text(let content): kind = .text(content: content, msgID: ChatSession.msgID())
        case .location(let latitude, let longitude, let label):
            kind = .location(
                latitude: latitude, longitude: longitude, scale: 15, label: label, msgID: ChatSession.msgID())
        case .subscribe: kind = .event(.subscribe(eventKey: nil, ticket: nil))
        case .click(let key): kind = .event(.click(key: key))
        }
        ChatOutput.show(try await session.send(kind, from: openID))
        // Pushes are sent by the worker just after the reply; give it a moment.
        try? await Task.sleep(for: .milliseconds(150))
        try await showPushes(session)
        return true
    }

    /// Remembers the newest existing push so only new ones are shown; quiet when the server is down.
    mutating func primeOutbox(_ session: ChatSession) async {
        guard outboxAvailable, lastPush[openID] == nil else { return }
        do {
            guard let pushes = try await session.pushes(for: openID, after: 0) else { outboxAvailable = false; return }
            lastPush[openID] = pushes.map(\.id).max() ?? 0
        } catch {}
    }

    /// Prints pushes for the current customer not shown yet (none when there is no dev outbox).
    mutating func showPushes(_ session: ChatSession) async throws(ChatSession.Failure) {
        guard outboxAvailable else { return }
        guard let pushes = try await session.pushes(for: openID, after: lastPush[openID] ?? 0) else {
            outboxAvailable = false
            return
        }
        for push in pushes.sorted(by: { $0.id < $1.id }) where push.id > (lastPush[openID] ?? 0) {
            ChatOutput.show(push)
            lastPush[openID] = push.id
        }
    }
}
