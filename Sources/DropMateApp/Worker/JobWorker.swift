import DropMateCore
import Logging
import ServiceLifecycle

/// Runs queued jobs in the background: pushes now, more kinds later. Also sweeps idle drafts.
///
/// At-least-once: a job is completed only after its handler returned; a crash leaves it leased,
/// and the lease's expiry hands it to the next claim. Failures retry with exponential backoff
/// and jitter, then go to the dead letters with the reason.
public struct JobWorker: Service {
    let queue: any JobQueue
    let engine: ConversationEngine
    let notifier: any Notifier
    let sms: any SMSProvider
    let clock: @Sendable () -> Int64
    let logger: Logger
    var pollInterval: Duration = .milliseconds(250)
    var sweepEvery: Int64 = 30
    var leaseSeconds: Int64 = 120
    /// Seconds between sweeps that queue an ETA refresh for every order in progress.
    var etaRefreshEvery: Int64 = 120
    /// Jobs (lanes) run at once: pushes mostly wait on WeChat's API.
    var concurrency = 64
    /// `dropmate_jobs_total` and a `job <kind>` span per run.
    var telemetry: Telemetry = .disabled
    /// Builds `daily-report` jobs (nil: such jobs fail as having no handler).
    var reports: DailyReportRunner?

    public init(queue: any JobQueue, engine: ConversationEngine, notifier: any Notifier, sms: (any SMSProvider)? = nil,
                clock: @escaping @Sendable () -> Int64, leaseSeconds: Int64 = 120, etaRefreshEvery: Int64 = 120, logger: Logger) {
        self.queue = queue
        self.etaRefreshEvery = etaRefreshEvery
        self.sms = sms ?? LogSMS(logger: logger)
        self.leaseSeconds = leaseSeconds
        self.engine = engine
        self.notifier = notifier
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastSweep: Int64 = 0, lastPrune: Int64 = 0, lastETASweep: Int64 = 0
            while !Task.isCancelled {
                do {
                    if clock() - lastSweep >= sweepEvery {
                        lastSweep = clock()
                        try await engine.expireIdleDrafts()
                    }
                    if clock() - lastETASweep >= etaRefreshEvery {
                        lastETASweep = clock()
                        try await engine.scheduleETARefreshes(every: etaRefreshEvery)
                    }
                    if clock() - lastPrune >= 3600 {
                        lastPrune = clock()
                        try await engine.pruneHandledMessages()
                    }
                    let ran = try await runDueJobs()
                    if ran == 0, !queue.waitsForWork { try? await Task.sleep(for: pollInterval) }
                } catch {
                    logger.error("worker loop failed; retrying", metadata: ["dropmate.error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Claims and runs the jobs due now; returns how many ran.
    ///
    /// Jobs run `concurrency` (64) lanes at a time, except that one customer's pushes run one after another in the order
    /// they were queued (a "delivered" must not overtake its "on its way"). Completions are recorded together
    /// once the batch is done; a crash before that runs the batch's jobs again, which their handlers allow.
    @discardableResult
    public func runDueJobs(limit: Int = 256) async throws -> Int {
        let jobs = try await queue.claim(limit: limit, now: clock(), leaseSeconds: leaseSeconds)
        guard !jobs.isEmpty else { return 0 }
        var lanes: [[JobWork]] = []
        var laneOf: [String: Int] = [:]
        for job in jobs {
            let work = JobWork(job)
            if let index = laneOf[work.lane] { lanes[index].append(work) } else {
                laneOf[work.lane] = lanes.count
                lanes.append([work])
            }
        }
        let outcomes = try await withThrowingTaskGroup(of: LaneOutcome.self) { group in
            var next = 0, running = 0
            var outcome = LaneOutcome()
            while next < lanes.count {
                if running == concurrency, let finished = try await group.next() {
                    outcome.merge(finished)
                    running -= 1
                }
                let lane = lanes[next]
                next += 1
                running += 1
                group.addTask { try await self.run(lane) }
            }
            for try await finished in group { outcome.merge(finished) }
            return outcome
        }
        try await queue.complete(outcomes.completed)
        if !outcomes.unstarted.isEmpty {
            // Shutting down: hand back what was not started, so another worker runs it now rather than after the lease.
            try await queue.release(outcomes.unstarted)
        }
        return jobs.count - outcomes.unstarted.count
    }

    private struct LaneOutcome: Sendable {
        var completed: [Int64] = []
        var unstarted: [Int64] = []

        mutating func merge(_ other: LaneOutcome) {
            completed += other.completed
            unstarted += other.unstarted
        }
    }

    /// Runs one lane's jobs in order; failures are recorded (retry or dead letter) as they happen.
    private func run(_ lane: [JobWork]) async throws -> LaneOutcome {
        var outcome = LaneOutcome()
        for (index, work) in lane.enumerated() {
            let job = work.job
            if Task.isCancelled {
                outcome.unstarted += lane[index...].map(\.job.id)
                break
            }
            do {
                try await telemetry.withSpan("job \(job.kind)", kind: .consumer, attributes: { $0["dropmate.job_kind"] = job.kind; $0["dropmate.attempt"] = job.attempts }) {
                    try await perform(work)
                }
                outcome.completed.append(job.id)
                telemetry.metrics.job(kind: job.kind, outcome: .succeeded)
            } catch {
                let retryAt = clock() + Self.backoff(attempt: job.attempts)
                var failed = job
                if error is PermanentFailure { failed.attempts = max(job.attempts, job.maxAttempts) }  // dead at once
                try await queue.fail(failed, reason: "\(error)", retryAt: retryAt)
                telemetry.metrics.job(kind: job.kind, outcome: failed.attempts >= failed.maxAttempts ? .dead : .retried)
                logger.warning("job failed", metadata: ["dropmate.job_id": "\(job.id)", "dropmate.job_kind": "\(job.kind)", "dropmate.attempt": "\(job.attempts)", "dropmate.error": "\(error)"])
            }
        }
        return outcome
    }

    /// Every job kind the worker can run.
    public static let kinds: Set<String> = [PushJob.kind, SMSJob.kind, ETARefreshJob.kind, DailyReportJob.kind]

    func perform(_ work: JobWork) async throws {
        switch work.action {
        case .push(let push): try await notifier.send(push, jobID: work.job.id)
        case .etaRefresh(let refresh): try await engine.refreshETA(orderID: refresh.orderID)
        case .sms(let message): try await sms.send(to: message.phone, text: message.text)
        case .dailyReport(let request):
            guard let reports else { throw UnknownJobKind(kind: work.job.kind) }
            try await reports.run(request, jobID: work.job.id)
        case .unreadable(let reason): throw PermanentFailure(reason: reason)
        case .unknown: throw UnknownJobKind(kind: work.job.kind)
        }
    }

    /// Seconds before retry `attempt + 1`: 5 s doubling per attempt, capped at an hour, with ±20 % jitter.
    static func backoff(attempt: Int) -> Int64 {
        let base = min(3600.0, 5.0 * Double(1 << min(max(attempt - 1, 0), 20)))
        return Int64(base * Double.random(in: 0.8...1.2))
    }

    struct UnknownJobKind: Error, CustomStringConvertible {
        var kind: String
        var description: String { "no handler for job kind '\(kind)'" }
    }
}
