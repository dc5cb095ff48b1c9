import DropMateCore
import DropMateDataProtection
import Logging

/// Delivers a push to a customer: `WeChatNotifier` sends WeChat customer-service and template messages (with SMS as
/// the fallback); the embedded default without an AppSecret logs pushes and shows them at `/dev/outbox`.
public protocol Notifier: Sendable {
    /// Delivers `push`, the payload of job `jobID` (for logs and delivery records).
    func send(_ push: PushJob, jobID: Int64) async throws
}

/// The dev notifier: records each push in the log (the outbox page reads the job table).
public struct LogNotifier: Notifier {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ push: PushJob, jobID: Int64) async throws {
        let text: String
        switch push.message {
        case .text(let body): text = body
        case .news(let title, _, _, let url): text = "\(title) \(url)"
        }
        logger.info(
            "push (dev mode, not sent to WeChat)",
            metadata: [
                "dropmate.job_id": "\(jobID)", "dropmate.openid": "\(push.openID)",
                "dropmate.text": "\(PIIMask.phones(in: String(text.prefix(80))))",
            ])
    }
}

/// A job that must not be retried (the customer unsubscribed, the OpenID is invalid…): dead-lettered at once.
public struct PermanentFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
