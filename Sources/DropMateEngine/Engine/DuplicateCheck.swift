import DropMateCore

/// Decides whether a WeChat message was answered before. WeChat retries a message it got no answer to within five
/// seconds (three tries, same MsgId), and every try must get the first answer without the message running twice.
/// Three places remember answers; this type alone reads them, in a fixed order, and tells the engine what to do
/// next. Like swift-nio's state machines it performs nothing itself: the engine does each action and reports back.
///
/// Which place wins, and why:
///
/// 1. **Work in flight in this process** (`MessageMemory`). A request for a message this process is handling joins
///    that work and gets its answer; nothing else is asked, because the work itself reads the places below under the
///    customer's lock. A joiner's answer is a replay.
/// 2. **Memory of answered messages** (`MessageMemory`: 64-bit hashes, no replies). A hit is only a hint: hashes can
///    collide and memory keeps no replies. It sends the engine to the stored answer: the database's record, or, where
///    the coordinator keeps answers (Redis), the customer's turn. When the stored answer is not there after all, the
///    message is handled as new with memory ignored. A miss proves nothing about other replicas.
/// 3. **The coordinator's status** (`MessageStatus`), read under the customer's lock, so no other turn of this
///    customer can be writing meanwhile. `answered` (Redis's copy of the answer) replays; `new` runs without asking
///    the database, because the coordinator saw every message since before this one; `unknown` asks the database.
///    A coordinator that serves every customer alone (`LocalCoordinator`) leaves `unknown` to this process's memory:
///    when memory has seen every message since before this one was created and the state is cached, it is new.
/// 4. **The database's record** (`ConversationStore.handled`), committed in the same transaction as the turn's
///    effects: the last word. A record replays its reply; no record means the message never ran, and it runs now.
///
/// Memory and Redis can only say "new" for messages newer than what they may have forgotten (their horizon or epoch,
/// plus `MessageMemory.skew`); anything older goes to the database, which keeps answers for a day.
struct DuplicateCheck {
    /// What the engine does after each report.
    enum Action: Sendable, Equatable {
        /// Send this answer.
        case answer(WebhookAnswer)
        /// Read the database's record of the message, then report it to `stored(_:)`.
        case lookUpStoredAnswer
        /// Ask `MessageMemory` again, not trusting its memory of answered messages this time, then report to `memory(_:)`.
        case askAgainIgnoringMemory
    }

    private enum Phase { case askingMemory, lookingUpStore, askingWithoutMemory }

    /// Whether the coordinator keeps answers that outlive this process (Redis): its turn then finds them itself.
    let coordinatorKeepsAnswers: Bool
    private var phase = Phase.askingMemory
    /// Something already showed this request to be a retry (memory's hit), whatever the work answers later.
    private var isRetry = false

    init(coordinatorKeepsAnswers: Bool) {
        self.coordinatorKeepsAnswers = coordinatorKeepsAnswers
    }

    /// Whether `MessageMemory` may answer from its memory of answered messages.
    var trustsMemory: Bool { phase == .askingMemory }

    /// `MessageMemory` answered a request for the message.
    mutating func memory(_ wait: MessageMemory.Wait) -> Action {
        switch wait {
        case .finished(let result, let joined):
            if joined { return .answer(WebhookAnswer(reply: result.reply, outcome: .replayed)) }
            switch result {
            case .fresh(let reply): return .answer(WebhookAnswer(reply: reply, outcome: .fresh, isRetry: isRetry))
            case .rateLimited(let reply):
                return .answer(WebhookAnswer(reply: reply, outcome: .rateLimited, isRetry: isRetry))
            case .replayed(let handled): return .answer(WebhookAnswer(reply: handled.reply, outcome: .replayed))
            }
        case .late(let joined):
            return .answer(WebhookAnswer(reply: nil, outcome: .late, isRetry: isRetry || joined))
        case .answeredBefore:
            precondition(phase == .askingMemory, "MessageMemory answered from memory after being told not to")
            isRetry = true
            if coordinatorKeepsAnswers {
                phase = .askingWithoutMemory
                return .askAgainIgnoringMemory
            }
            phase = .lookingUpStore
            return .lookUpStoredAnswer
        }
    }

    /// The database's record of the message, after memory's hit.
    mutating func stored(_ handled: RecordedAnswer?) -> Action {
        precondition(phase == .lookingUpStore, "no stored answer was asked for")
        if let handled { return .answer(WebhookAnswer(reply: handled.reply, outcome: .replayed)) }
        // Not stored after all (two keys sharing a hash, or an answer still on its way to the database): handle it.
        phase = .askingWithoutMemory
        return .askAgainIgnoringMemory
    }

    /// What the customer's turn does first.
    enum TurnStart: Sendable, Equatable {
        /// Answered before: replay this answer, run nothing.
        case replay(RecordedAnswer)
        /// New: run it on the cached state (or, without one, the state loaded without looking for an answer).
        case run
        /// Load the state and the message's record together (one query), then report the record to `storeSays(_:)`.
        case loadStateAndAnswer
        /// The state is cached: read the message's record alone, then report it to `storeSays(_:)`.
        case lookUpAnswer
    }

    /// Under the customer's lock: the coordinator's `status` of the message (nil: the turn is not for a message).
    /// `memorySawEverything` (only asked when it matters) is whether this process's memory has seen every message
    /// handled since before this one was created (`MessageMemory.knowsAbout`).
    static func turnStarts(
        status: MessageStatus?, stateCached: Bool, coordinatorServesAlone: Bool,
        memorySawEverything: @autoclosure () -> Bool
    ) -> TurnStart {
        switch status {
        case nil, .new?: return .run
        case .answered(let handled)?: return .replay(handled)
        case .unknown?:
            guard stateCached else { return .loadStateAndAnswer }
            if coordinatorServesAlone, memorySawEverything() { return .run }
            return .lookUpAnswer
        }
    }

    /// The database's record, read in the turn: it has the last word.
    static func storeSays(_ handled: RecordedAnswer?) -> TurnStart {
        handled.map { .replay($0) } ?? .run
    }
}
