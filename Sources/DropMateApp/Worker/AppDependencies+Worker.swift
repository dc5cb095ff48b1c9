import DropMateCore
import DropMateEngine
import DropMateOutbound
import DropMateTelemetry
import ServiceLifecycle

/// The worker and its sweeps over these dependencies: every job kind's handler is registered here.
extension AppDependencies {
    /// The background worker: the conversation's jobs (pushes, ETA refreshes, texts; see `JobWorker.init`), and
    /// one `register` line for each other kind. A kind whose feature is off is left unregistered, so its jobs are
    /// retried for a worker that has it and then dead-lettered, like any kind this release does not know.
    public var worker: JobWorker {
        var worker = JobWorker(
            queue: jobQueue, engine: engine, notifier: notifier, sms: sms, clock: clock,
            leaseSeconds: config.jobLeaseSeconds, logger: logger)
        let reports = reportRunner
        worker.register(DailyReportJob.self) { request, context in try await reports.run(request, jobID: context.jobID)
        }
        let staffNotices = StaffNoticeSender(staff: staff, queue: queue, clock: clock)
        worker.register(StaffNoticeJob.self) { notice, context in
            try await staffNotices.send(notice, jobID: context.jobID)
        }
        if let payments {
            worker.register(PaymentJob.self) { job, _ in try await payments.perform(job) }
        }
        worker.shutdownGrace = .seconds(config.shutdownGraceSeconds)
        worker.telemetry = telemetry
        return worker
    }

    /// The periodic sweeps that run wherever the worker runs (`dropmate worker`, and `serve` with its in-process
    /// worker), each a service with its interval. The embedded default's report schedule is `reportServices`.
    public var sweeps: [PeriodicSweep] {
        let engine = self.engine, etaPeriod = max(config.etaRefreshSeconds, 1)
        let retention = config.dedupeRetentionSeconds
        return [
            // Drafts idle past their time lapse, each customer told by push.
            PeriodicSweep("idle-drafts", every: .seconds(30), logger: logger) { try await engine.expireIdleDrafts() },
            // Every order in progress gets an ETA refresh job, one per order per period.
            PeriodicSweep("eta-refresh", every: .seconds(etaPeriod), logger: logger) {
                try await engine.scheduleETARefreshes(every: etaPeriod)
            },
            // Dedupe records are forgotten after `DROPMATE_DEDUPE_RETENTION_SECONDS` (a day; never less than their
            // request could be presented again), swept ten times in that span and at least hourly.
            PeriodicSweep("dedupe-prune", every: .seconds(min(3600, max(60, retention / 10))), logger: logger) {
                [retention] in
                try await engine.pruneHandledMessages(olderThan: retention)
            },
        ]
    }
}
