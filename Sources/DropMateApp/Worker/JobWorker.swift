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
    let clock: @Sendable () -> Int64
    let logger: Logger
    var pollInterval: Duration = .milliseconds(250)
    var sweepEvery: Int64 = 30
    var leaseSeconds: Int64 = 120

    public init(queue: any JobQueue, engine: ConversationEngine, notifier: any Notifier, clock: @escaping @Sendable () -> Int64,
                leaseSeconds: Int64 = 120, logger: Logger) {
        self.queue = queue
        self.leaseSeconds = leaseSeconds
        self.engine = engine
        self.notifier = notifier
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastSweep: Int64 = 0, lastPrune: Int64 = 0
            while !Task.isCancelled {
                do {
                    if clock() - lastSweep >= sweepEvery {
                        lastSweep = clock()
                        try await engine.expireIdleDrafts()
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
    @discardableResult
    public func runDueJobs(limit: Int = 32) async throws -> Int {
        let jobs = try await queue.claim(limit: limit, now: clock(), leaseSeconds: leaseSeconds)
        for (index, job) in jobs.enumerated() {
            if Task.isCancelled {
                // Shutting down: hand back what was not started, so another worker runs it now rather than
                // after the lease expires.
                try await queue.release(jobs[index...].map(\.id))
                return index
            }
            do {
                try await perform(job)
                try await queue.complete(job.id)
            } catch {
                let retryAt = clock() + Self.backoff(attempt: job.attempts)
                var failed = job
                if error is PermanentFailure { failed.attempts = max(job.attempts, job.maxAttempts) }  // dead at once
                try await queue.fail(failed, reason: "\(error)", retryAt: retryAt)
                logger.warning("job failed", metadata: ["dropmate.job_id": "\(job.id)", "dropmate.job_kind": "\(job.kind)", "dropmate.attempt": "\(job.attempts)", "dropmate.error": "\(error)"])
            }
        }
        return jobs.count
    }

    /// Every job kind the worker can run.
    public static let kinds: Set<String> = [PushJob.kind]

    func perform(_ job: Job) async throws {
        switch job.kind {
        case PushJob.kind: try await notifier.send(try PushJob(payload: job.payload), jobID: job.id)
        default: throw UnknownJobKind(kind: job.kind)
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
