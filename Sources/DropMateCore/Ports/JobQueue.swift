/// A job to run later: committed with the change that caused it (the outbox), run at least once.
public struct NewJob: Sendable, Hashable {
    public var kind: String
    /// JSON the job's handler understands.
    public var payload: String
    /// Enqueuing the same key twice makes one job.
    public var idempotencyKey: String?
    public var runAt: Int64
    public var maxAttempts: Int

    public init(kind: String, payload: String, idempotencyKey: String? = nil, runAt: Int64, maxAttempts: Int = 8) {
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.runAt = runAt
        self.maxAttempts = maxAttempts
    }
}

/// A job claimed by a worker.
public struct Job: Sendable, Hashable, Codable {
    public var id: Int64
    public var kind: String
    public var payload: String
    /// Including this one.
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?

    public init(id: Int64, kind: String, payload: String, attempts: Int, maxAttempts: Int, lastError: String?) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.lastError = lastError
    }
}

/// The durable job queue. Claims are leases: a worker that dies loses its lease and another takes the job.
public protocol JobQueue: Sendable {
    func enqueue(_ job: NewJob) async throws
    /// Up to `limit` due jobs, leased until `now + leaseSeconds`.
    func claim(limit: Int, now: Int64, leaseSeconds: Int64) async throws -> [Job]
    /// Marks jobs done (their handlers returned), in one go.
    func complete(_ ids: [Int64]) async throws
    /// Hands claimed jobs back unrun (a worker shutting down): due again at once, the attempt not counted.
    func release(_ ids: [Int64]) async throws
    /// Retry at `retryAt`, or dead-letter with `reason` when attempts are used up.
    func fail(_ job: Job, reason: String, retryAt: Int64) async throws
    /// Dead jobs, newest first.
    func deadJobs(limit: Int) async throws -> [Job]
    /// Puts a dead job back on the queue.
    func retryDead(_ id: Int64, now: Int64) async throws -> Bool
    /// Jobs by state, for status pages and tests.
    func counts() async throws -> [String: Int]
    /// Whether `claim` itself waits a little for work when there is none (so the worker need not sleep).
    var waitsForWork: Bool { get }
}

extension JobQueue {
    public var waitsForWork: Bool { false }

    public func complete(_ id: Int64) async throws { try await complete([id]) }
}
