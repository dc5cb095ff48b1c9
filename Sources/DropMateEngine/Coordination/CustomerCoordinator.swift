import DropMateCore

/// The message's signed request (timestamp, nonce) carried another body before: a forgery from a seen query string.
/// The webhook answers 403.
package struct RequestReplayed: Error, CustomStringConvertible {
    package var description: String { "this signed request's timestamp and nonce already carried another body" }

    package init() {}
}

/// What is known about a WeChat message when its customer's turn starts.
package enum MessageStatus: Sendable, Equatable {
    /// Never handled: run it.
    case new
    /// Handled before; a retry gets this answer again.
    case answered(RecordedAnswer)
    /// Cannot be told without asking the store (an old message, or a cache that was lost), or, for a coordinator that
    /// serves alone, without asking the engine's memory.
    case unknown
}

/// A customer's turn. The customer's lock is held while the turn runs.
package struct TurnStart: Sendable {
    /// The cached conversation state; nil when it must be loaded from the store.
    package var cachedState: ConversationState?
    /// nil when the turn is not about a WeChat message (staff commands, the draft sweep).
    package var message: MessageStatus?
    /// The customer sent more messages in the current window than the rate limit allows.
    package var overRateLimit: Bool

    package init(cachedState: ConversationState?, message: MessageStatus?, overRateLimit: Bool) {
        self.cachedState = cachedState
        self.message = message
        self.overRateLimit = overRateLimit
    }
}

/// What a turn leaves behind for the next one.
package struct TurnEnd<Value: Sendable>: Sendable {
    package var value: Value
    /// The customer's state as now stored, cached for the next turn; nil when the turn did not change it.
    package var state: ConversationState?
    /// `state` as JSON, when the turn already encoded it.
    package var encodedState: String?
    /// The message's answer, remembered so a retry gets it again.
    package var answer: RecordedAnswer?
}

/// Serialises each customer's turns, caches their state, remembers answered messages and counts messages
/// against the rate limit: within one process (`LocalCoordinator`, the embedded default) or across every
/// replica (`RedisCoordinator`, production).
package protocol CustomerCoordinator: Sendable {
    /// Whether the answers it remembers outlive this process (Redis). Turns that only answer then need no
    /// database record: if the answer is ever forgotten, rerunning such a turn changes nothing.
    var keepsAnswers: Bool { get }

    /// Runs `body` holding `customer`'s lock. `message` is the WeChat message the turn answers, if any.
    func withTurn<Value: Sendable>(
        of customer: String, message: IncomingChat?, now: Int64,
        _ body: (TurnStart) async throws -> TurnEnd<Value>
    ) async throws -> Value

    /// Replaces a message's remembered answer (a late reply went out as a push: retries now get `success`).
    func remember(_ answer: RecordedAnswer, for message: IncomingChat) async throws

    /// Whether this process alone serves these customers, so its own memory of answered messages is complete since
    /// its horizon and may tell a new message from an answered one (`DuplicateCheck`). False unless said otherwise.
    var servesAlone: Bool { get }
}

extension CustomerCoordinator {
    /// Shared coordinators (Redis) decide about messages themselves, or send them to the database.
    package var servesAlone: Bool { false }
}

/// Messages per customer per window, counted in fixed windows.
public struct RateLimit: Sendable, Hashable {
    /// 0 turns the limit off.
    public var messages: Int
    public var windowSeconds: Int64

    public init(messages: Int, windowSeconds: Int64 = 60) {
        self.messages = messages
        self.windowSeconds = windowSeconds
    }

    public static let off = RateLimit(messages: 0)

    /// The fixed window `now` falls in.
    package func window(at now: Int64) -> Int64 { now / max(windowSeconds, 1) }
}
