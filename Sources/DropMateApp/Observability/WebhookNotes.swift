import Synchronization

/// What the engine learns about one webhook message that only the route reports: that it was a retry answered
/// from the first handling, or over the customer's rate limit. The route sets one per request as a task-local;
/// the engine's work for the message runs in a task started from the request's, so it sees the same one.
final class WebhookNotes: Sendable {
    @TaskLocal static var current: WebhookNotes?

    private struct Flags {
        var deduplicated = false
        var rateLimited = false
    }
    private let flags = Mutex(Flags())

    var deduplicated: Bool { flags.withLock { $0.deduplicated } }
    var rateLimited: Bool { flags.withLock { $0.rateLimited } }

    func noteDeduplicated() { flags.withLock { $0.deduplicated = true } }
    func noteRateLimited() { flags.withLock { $0.rateLimited = true } }
}
