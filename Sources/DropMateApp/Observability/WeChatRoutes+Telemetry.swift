import DropMateEngine
import DropMateTelemetry
import DropMateWeChat
import Tracing

extension WeChatRoutes {
    /// Opens the push; with tracing on, its `verify`, `decrypt` and `parse` stages become child spans of the webhook span.
    func open(query: [String: String], body: [UInt8]) throws(WeChatWebhookError) -> WeChatWebhook.OpenedMessage {
        guard let tracer = telemetry.tracer else { return try webhook.open(query: query, body: body, now: clock()) }
        let stages = StageSpans(tracer: tracer, parent: ServiceContext.current ?? .topLevel)
        do {
            return try webhook.open(query: query, body: body, now: clock(), observe: stages.observe)
        } catch {
            stages.fail(error)
            throw error
        }
    }

    /// The `type` label: WeChat's MsgType for the types it documents, else "unknown" (never a value a sender chose).
    static func typeLabel(_ message: InboundMessage) -> String {
        if case .unknown = message.kind { return "unknown" }
        return message.msgType
    }
}

/// The spans of the stages `WeChatWebhook.open` reports.
private final class StageSpans {
    let tracer: any Tracer
    let parent: ServiceContext
    var open: [(WeChatWebhook.Stage, any Span)] = []

    init(tracer: any Tracer, parent: ServiceContext) {
        self.tracer = tracer
        self.parent = parent
    }

    func observe(_ stage: WeChatWebhook.Stage, _ began: Bool) {
        if began {
            open.append((stage, tracer.startSpan(stage.rawValue, context: parent, ofKind: .internal)))
        } else if let index = open.firstIndex(where: { $0.0 == stage }) {
            open.remove(at: index).1.end()
        }
    }

    /// The stage that threw ends as an error.
    func fail(_ error: WeChatWebhookError) {
        for (_, span) in open {
            span.recordMaskedError(error)
            span.end()
        }
        open.removeAll()
    }
}

extension AppMetrics {
    /// Counts one webhook request: the route's outcome, refined by the engine's answer (a request recognised as a
    /// retry is `deduplicated`, a message over the rate limit `rate_limited`).
    func record(webhook type: String, outcome: WebhookOutcome, answer: WebhookAnswer?) {
        var outcome = outcome
        let deduplicated = answer?.isRetry ?? false
        if deduplicated { webhookDedupeHit() }
        if outcome == .replied || outcome == .success {
            if deduplicated {
                outcome = .deduplicated
            } else if answer?.outcome == .rateLimited {
                outcome = .rateLimited
            }
        }
        webhookMessage(type: type, outcome: outcome)
    }
}
