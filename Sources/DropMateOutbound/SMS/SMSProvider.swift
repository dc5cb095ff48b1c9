import DropMateDataProtection
import DropMateEngine
import DropMateTelemetry
import Foundation
import Logging
import Synchronization

/// Sends a text message to a mobile phone: for customers WeChat cannot reach, and for couriers.
public protocol SMSProvider: Sendable {
    /// `phone` in E.164 (`+8613800138000`).
    func send(to phone: String, text: String) async throws
}

/// The embedded default's provider: the message goes to the log, the number masked.
public struct LogSMS: SMSProvider {
    let logger: Logger
    public init(logger: Logger) { self.logger = logger }

    public func send(to phone: String, text: String) async throws {
        logger.info(
            "SMS (log provider, not sent)",
            metadata: [
                "dropmate.phone": "\(PIIMask.phone(phone))",
                "dropmate.text": "\(PIIMask.phones(in: String(text.prefix(70))))",
            ])
    }
}

/// At most `limit` messages per recipient per `windowSeconds`, whatever the provider; the rest fail (and their
/// jobs retry later), so a loop or a flood cannot run up a bill or pester someone.
public final class RateLimitedSMS: SMSProvider {
    private let provider: any SMSProvider
    private let limit: Int
    private let windowSeconds: Int64
    private let clock: @Sendable () -> Int64
    private let sent = Mutex<[String: (window: Int64, count: Int)]>([:])
    /// The `provider` label of `dropmate_sms_sends_total` ("log", "tencent", "twilio").
    private let providerName: String
    private let metrics: AppMetrics

    public init(
        _ provider: any SMSProvider, limit: Int = 5, windowSeconds: Int64 = 3600,
        clock: @escaping @Sendable () -> Int64,
        providerName: String = "other", metrics: AppMetrics = .disabled
    ) {
        self.provider = provider
        self.providerName = providerName
        self.metrics = metrics
        for outcome in ["success", "failure", "rate_limited"] {
            metrics.smsSend(provider: providerName, outcome: outcome, count: 0)
        }
        self.limit = limit
        self.windowSeconds = windowSeconds
        self.clock = clock
    }

    public func send(to phone: String, text: String) async throws {
        let window = clock() / windowSeconds
        let allowed = sent.withLock { sent in
            if sent.count > 100_000 { sent = sent.filter { $0.value.window == window } }
            var entry = sent[phone] ?? (window, 0)
            if entry.window != window { entry = (window, 0) }
            guard entry.count < limit else { return false }
            entry.count += 1
            sent[phone] = entry
            return true
        }
        guard allowed else {
            metrics.smsSend(provider: providerName, outcome: "rate_limited")
            throw SMSError(
                provider: "rate limit", reason: "\(PIIMask.phone(phone)) already got \(limit) messages this hour")
        }
        do { try await provider.send(to: phone, text: text) } catch {
            metrics.smsSend(provider: providerName, outcome: "failure")
            throw error
        }
        metrics.smsSend(provider: providerName, outcome: "success")
    }
}
