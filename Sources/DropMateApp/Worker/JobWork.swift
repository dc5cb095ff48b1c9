import DropMateCore
import DropMateEngine

/// A claimed job with its payload decoded, once, by its kind's registration: both the lane it runs in and what it
/// does come from it.
struct JobWork: Sendable {
    let job: Job
    let action: Action

    enum Action: Sendable {
        /// The kind's handler, bound to the decoded payload; jobs of the kind with the same lane run in order.
        case run(lane: String?, @Sendable (JobContext) async throws -> Void)
        /// A payload that does not decode: retrying cannot help, so it fails for good with the reason.
        case unreadable(reason: String)
        /// A kind this worker has no handler for (a newer release queued it, or its feature is off here): retried,
        /// for a worker that has one, until its attempts are used up; then dead-lettered.
        case unknown
    }

    init(_ job: Job, registry: JobRegistry) {
        self.job = job
        action = registry.work(for: job)
    }

    /// Which lane the job runs in: jobs in the same lane run in order (a customer's pushes, an order's ETA refreshes).
    enum Lane: Hashable {
        case shared(kind: String, key: String)
        case own(jobID: Int64)
    }

    var lane: Lane {
        if case .run(let key?, _) = action { return .shared(kind: job.kind, key: key) }
        return .own(jobID: job.id)
    }
}
