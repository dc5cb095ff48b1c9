import DropMateCore

/// What the engine did with one WeChat message: the passive reply to send and what became of the message, for the
/// webhook to answer and count. Ordinary outcomes are values here; the engine throws only for real failures.
public struct WebhookAnswer: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Handled now: `reply` is this turn's answer.
        case fresh
        /// Answered before (by the first delivery of this message, here or on another replica): `reply` is that
        /// first answer (nil when it was `success` or went out as a push) and nothing ran again.
        case replayed
        /// Over the customer's rate limit: `reply` asks them to slow down; the message itself was not read.
        case rateLimited
        /// Not ready within the deadline: `reply` is nil (answer `success`). The work goes on and its reply is
        /// pushed, unless a retry of the message is waiting by then and takes it.
        case late
    }

    /// The passive reply; nil answers `success`.
    public var reply: OutgoingMessage?
    public var outcome: Outcome
    /// The request was recognised as WeChat's retry of a message it sent before (answered, or still being
    /// handled): always for `.replayed`, and for a late or re-handled retry too (`DuplicateCheck`).
    public var isRetry: Bool

    public init(reply: OutgoingMessage?, outcome: Outcome, isRetry: Bool = false) {
        self.reply = reply
        self.outcome = outcome
        self.isRetry = isRetry || outcome == .replayed
    }
}

/// What the work for one message produced (`ConversationEngine.process`), before `DuplicateCheck` turns it into
/// each waiting request's `WebhookAnswer`.
enum HandledResult: Sendable, Hashable {
    /// The machine ran: its reply (nil: `success`).
    case fresh(OutgoingMessage?)
    /// Over the rate limit: the slow-down reply.
    case rateLimited(OutgoingMessage?)
    /// The customer's turn found the message answered before (in Redis or the database): that answer.
    case replayed(RecordedAnswer)

    var reply: OutgoingMessage? {
        switch self {
        case .fresh(let reply), .rateLimited(let reply): reply
        case .replayed(let handled): handled.reply
        }
    }

    /// A reply to push when every request gave up waiting: only a new answer (a replayed one was delivered before).
    var replyToPush: OutgoingMessage? {
        if case .replayed = self { return nil }
        return reply
    }

    /// Whether memory should now know the message as answered. A replay leaves memory as it was: whoever answered
    /// first remembers it (here, in Redis or in the database), and the next retry finds it there again.
    var isNewAnswer: Bool {
        if case .replayed = self { return false }
        return true
    }
}
