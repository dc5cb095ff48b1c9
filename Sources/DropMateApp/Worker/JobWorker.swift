import DropMateCore
import DropMateDataProtection
import DropMateEngine
import DropMateOutbound
import DropMateTelemetry
import Logging
import ServiceLifecycle

/// Runs queued jobs in the background, each by the handler registered for its kind (`register`).
///
/// At-least-once: a job is completed only after its handler returned; a crash leaves it leased,
/// and the lease's expiry hands it to the next claim. Failures retry with exponential backoff
/// and jitter, then go to the dead letters with the reason. SIGTERM lets the jobs in hand finish
/// (within `shutdownGrace`) and hands back the rest, so none is left `running` to wait out its lease.
/// The periodic sweeps (idle drafts, ETA refreshes, dedupe pruning) are services of their own (`PeriodicSweep`,
/// `AppDependencies.sweeps`).
public struct JobWorker: Service {
    let queue: any JobQueue
    let clock: @Sendable () -> Int64
    let logger: Logger
    var pollInterval: Duration = .milliseconds(250)
    var leaseSeconds: Int64 = 120
    /// Jobs (lanes) run at once: pushes mostly wait on WeChat's API.
    var concurrency = 64
    /// `dropmate_jobs_total` and a `job <kind>` span per run.
    var telemetry: Telemetry = .disabled
    /// The handler of each kind this worker runs.
    public private(set) var registry = JobRegistry()

    /// A worker with no handlers yet: `register` each kind it runs.
    public init(queue: any JobQueue, clock: @escaping @Sendable () -> Int64, leaseSeconds: Int64 = 120, logger: Logger)
    {
        self.queue = queue
        self.leaseSeconds = leaseSeconds
        self.clock = clock
        self.logger = logger
    }

    /// A worker running the conversation's jobs: pushes through `notifier`, ETA refreshes through `engine`, texts
    /// through `sms` (the log when nil). `AppDependencies.worker` registers the rest.
    public init(
        queue: any JobQueue, engine: ConversationEngine, notifier: any Notifier, sms: (any SMSProvider)? = nil,
        clock: @escaping @Sendable () -> Int64, leaseSeconds: Int64 = 120, logger: Logger
    ) {
        self.init(queue: queue, clock: clock, leaseSeconds: leaseSeconds, logger: logger)
        let sms = sms ?? LogSMS(logger: logger)
        register(PushJob.self) { push, context in try await notifier.send(push, jobID: context.jobID) }
        register(ETARefreshJob.self) { refresh, _ in try await engine.refreshETA(orderID: refresh.orderID) }
        register(SMSJob.self) { message, _ in try await sms.send(to: message.phone, text: message.text) }
    }

    /// Runs `handler` for every job of `Payload.kind`: adding a job kind is its payload type and this one line.
    public mutating func register<Payload: JobPayload>(
        _ type: Payload.Type,
        handler: @escaping @Sendable (Payload, JobContext) async throws -> Void
    ) {
        registry.register(type, handler: handler)
    }

    /// The kinds this worker runs.
    public var kinds: Set<String> { registry.kinds }

    /// On SIGTERM: no new job starts; the jobs in hand get this long to finish, then are stopped and handed back.
    var shutdownGrace: Duration = .seconds(25)

    /// Runs until a graceful shutdown (SIGTERM) or cancellation. A graceful shutdown is not a cancellation here:
    /// the worker stops taking jobs, lets the ones in hand finish within `shutdownGrace`, hands back what could not
    /// finish, records all of it, and only then returns (so the database it records into must outlive it).
    public func run() async throws {
        while !Self.isStopping {
            do {
                let ran = try await runDueJobs()
                if ran == 0, !queue.waitsForWork { await Self.pause(pollInterval) }
            } catch {
                guard !Self.isStopping else { break }
                logger.error("worker loop failed; retrying", metadata: ["dropmate.error": "\(error)"])
                await Self.pause(.seconds(1))
            }
        }
        logger.info("worker stopped taking jobs")
    }

    /// Whether the worker is stopping: gracefully (SIGTERM) or cancelled.
    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    /// Sleeps, waking early when the worker is told to stop.
    private static func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// Claims and runs the jobs due now; returns how many ran.
    ///
    /// Jobs run `concurrency` (64) lanes at a time, except that one customer's pushes run one after another in the order
    /// they were queued (a "delivered" must not overtake its "on its way"). Completions are recorded together
    /// once the batch is done; a crash before that runs the batch's jobs again, which their handlers allow.
    /// When the worker is stopping, jobs not yet started are handed back at once, and jobs still running
    /// `shutdownGrace` after the stop began are stopped and handed back too (they run again from the start).
    @discardableResult
    public func runDueJobs(limit: Int = 256) async throws -> Int {
        guard !Self.isStopping else { return 0 }
        let jobs = try await queue.claim(limit: limit, now: clock(), leaseSeconds: leaseSeconds)
        guard !jobs.isEmpty else { return 0 }
        var lanes: [[JobWork]] = []
        var laneOf: [JobWork.Lane: Int] = [:]
        for job in jobs {
            let work = JobWork(job, registry: registry)
            if let index = laneOf[work.lane] {
                lanes[index].append(work)
            } else {
                laneOf[work.lane] = lanes.count
                lanes.append([work])
            }
        }
        let outcomes = try await runLanes(lanes)
        // The batch's bookkeeping runs even if this task was cancelled meanwhile (a second signal, a hard stop):
        // a cancelled task cannot lease a database connection, and a job left `running` would wait out its lease.
        try await Self.uncancelled { [queue] in
            try await queue.complete(outcomes.completed)
            if !outcomes.handedBack.isEmpty { try await queue.release(outcomes.handedBack) }
        }
        if !outcomes.handedBack.isEmpty {
            logger.info("handed jobs back on shutdown", metadata: ["dropmate.jobs": "\(outcomes.handedBack.count)"])
        }
        return jobs.count - outcomes.handedBack.count
    }

    private enum LaneResult: Sendable {
        case lane(LaneOutcome)
        /// The shutdown grace ran out with lanes still running.
        case graceOver
        /// The grace watch was called off (the batch ended first).
        case watchEnded
    }

    /// Runs the lanes `concurrency` at a time, beside a watch that stops them `shutdownGrace` after a graceful shutdown began.
    private func runLanes(_ lanes: [[JobWork]]) async throws -> LaneOutcome {
        let grace = shutdownGrace
        return try await withThrowingTaskGroup(of: LaneResult.self) { group in
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(for: grace)
                    return .graceOver
                } catch {
                    return .watchEnded
                }
            }
            var next = 0, running = 0
            var outcome = LaneOutcome()
            while next < lanes.count || running > 0 {
                if next < lanes.count, running < concurrency {
                    let lane = lanes[next]
                    next += 1
                    running += 1
                    group.addTask { .lane(try await self.run(lane)) }
                    continue
                }
                guard let result = try await group.next() else { break }
                switch result {
                case .lane(let finished):
                    outcome.merge(finished)
                    running -= 1
                case .graceOver:
                    logger.warning(
                        "jobs still running at the end of the shutdown grace; stopping them to hand them back",
                        metadata: ["dropmate.grace_seconds": "\(grace.components.seconds)"])
                    group.cancelAll()
                case .watchEnded:
                    break
                }
            }
            group.cancelAll()  // the watch
            return outcome
        }
    }

    /// Runs `body` in a task of its own, so that it runs to the end even when the caller has been cancelled.
    static func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    private struct LaneOutcome: Sendable {
        var completed: [Int64] = []
        /// Not started (the worker is stopping), or stopped at the end of the shutdown grace: due again at once.
        var handedBack: [Int64] = []

        mutating func merge(_ other: LaneOutcome) {
            completed += other.completed
            handedBack += other.handedBack
        }
    }

    /// Runs one lane's jobs in order; failures are recorded (retry or dead letter) as they happen.
    private func run(_ lane: [JobWork]) async throws -> LaneOutcome {
        var outcome = LaneOutcome()
        for (index, work) in lane.enumerated() {
            let job = work.job
            if Self.isStopping {
                outcome.handedBack += lane[index...].map(\.job.id)
                break
            }
            do {
                try await telemetry.withSpan(
                    "job \(job.kind)", kind: .consumer,
                    attributes: {
                        $0["dropmate.job_kind"] = job.kind; $0["dropmate.attempt"] = job.attempts
                    }
                ) {
                    try await perform(work)
                }
                outcome.completed.append(job.id)
                telemetry.metrics.job(kind: job.kind, outcome: .succeeded)
            } catch  where Task.isCancelled {
                // Stopped at the end of the shutdown grace: not a failure of the job. It and the rest of the lane go back.
                outcome.handedBack += lane[index...].map(\.job.id)
                break
            } catch {
                let retryAt = clock() + Self.backoff(attempt: job.attempts)
                var failed = job
                if error is PermanentFailure { failed.attempts = max(job.attempts, job.maxAttempts) }  // dead at once
                let reason = Self.reason(error)
                try await queue.fail(failed, reason: reason, retryAt: retryAt)
                let dead = failed.attempts >= failed.maxAttempts
                telemetry.metrics.job(kind: job.kind, outcome: dead ? .dead : .retried)
                var metadata: Logger.Metadata = [
                    "dropmate.job_id": "\(job.id)", "dropmate.job_kind": "\(job.kind)",
                    "dropmate.attempt": "\(job.attempts)",
                    "dropmate.error": "\(reason)",
                ]
                switch work.action {
                case .run:
                    logger.warning("job failed", metadata: metadata)
                case .unreadable:
                    telemetry.metrics.jobUnhandled(kind: job.kind, reason: .unreadable)
                    logger.error("job payload unreadable: dead-lettered without retrying", metadata: metadata)
                case .unknown:
                    telemetry.metrics.jobUnhandled(kind: job.kind, reason: .unknownKind)
                    metadata["dropmate.max_attempts"] = "\(job.maxAttempts)"
                    if dead {
                        logger.error(
                            "no handler for this job kind: dead-lettered after its last attempt", metadata: metadata)
                    } else {
                        logger.warning(
                            "no handler for this job kind here: retried later, for a worker that has one",
                            metadata: metadata)
                    }
                }
            }
        }
        return outcome
    }

    /// Why a job failed, as stored (`jobs.last_error`, the dead-letter stream) and shown (`/api/v1/jobs/dead`,
    /// `dropmate jobs dead`): the error's text with every phone number masked, since providers echo the recipient
    /// ("The 'To' number +14155550123 is not a valid phone number").
    static func reason(_ error: any Error) -> String {
        PIIMask.phoneNumbers(in: "\(error)")
    }

    func perform(_ work: JobWork) async throws {
        switch work.action {
        case .run(_, let handler):
            var logger = self.logger
            logger[metadataKey: "dropmate.job_id"] = "\(work.job.id)"
            logger[metadataKey: "dropmate.job_kind"] = "\(work.job.kind)"
            try await handler(JobContext(jobID: work.job.id, attempt: work.job.attempts, logger: logger))
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
