import DropMateCore
import DropMateEngine

/// A claimed job with its payload decoded, once: both the lane it runs in and what it does come from it.
struct JobWork: Sendable {
    let job: Job
    let action: Action

    enum Action: Sendable {
        case push(PushJob)
        case sms(SMSJob)
        case etaRefresh(ETARefreshJob)
        case dailyReport(DailyReportJob)
        case staffNotice(StaffNoticeJob)
        case payment(PaymentJob)
        /// A payload that does not decode: retrying cannot help, so it fails for good with the reason.
        case unreadable(reason: String)
        /// A kind this worker has no handler for (a newer release queued it): retried, for a worker that has one.
        case unknown
    }

    init(_ job: Job) {
        self.job = job
        guard !job.payload.isEmpty else {
            // What the queue hands over for a payload that was not sealed, or did not open (see `SQLJobQueue`).
            action = .unreadable(reason: "the \(job.kind) job's payload is not sealed or does not open here")
            return
        }
        do {
            switch job.kind {
            case PushJob.kind: action = .push(try PushJob(payload: job.payload))
            case SMSJob.kind: action = .sms(try SMSJob(payload: job.payload))
            case ETARefreshJob.kind: action = .etaRefresh(try ETARefreshJob(payload: job.payload))
            case DailyReportJob.kind: action = .dailyReport(try DailyReportJob(payload: job.payload))
            case StaffNoticeJob.kind: action = .staffNotice(try StaffNoticeJob(payload: job.payload))
            case PaymentJob.kind: action = .payment(try PaymentJob(payload: job.payload))
            default: action = .unknown
            }
        } catch {
            action = .unreadable(reason: "unreadable \(job.kind) job: \(error)")
        }
    }

    /// Jobs in the same lane run in order: a customer's pushes share one, as do an order's ETA refreshes.
    var lane: String {
        switch action {
        case .push(let push): "push:" + push.openID
        case .sms(let message): "sms:" + message.phone
        case .etaRefresh(let refresh): "eta:\(refresh.orderID)"
        case .payment(let payment): "payment:\(payment.orderID)"
        case .dailyReport, .staffNotice, .unreadable, .unknown: "job:\(job.id)"
        }
    }
}
