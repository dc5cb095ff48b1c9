import Logging
import ServiceLifecycle

/// Work done every so often beside the job worker (idle drafts lapsing, ETA refreshes queued, old dedupe records
/// pruned), as a service of its own with its own interval: a slow sweep no longer holds up the jobs, nor they it.
///
/// It sweeps at start, then every `every`. A sweep that fails is logged and tried again the next period. On a
/// graceful shutdown the sweep in hand finishes (its writes are one transaction per customer or per batch) and no new
/// one starts. Several processes sweeping at once is harmless: each sweep is idempotent (keyed pushes and jobs).
public struct PeriodicSweep: Service {
    /// The sweep's name, for logs (`dropmate.sweep`) and tests.
    public let name: String
    /// Time between the end of one sweep and the start of the next.
    public let every: Duration
    let logger: Logger
    let sweep: @Sendable () async throws -> Void

    public init(_ name: String, every: Duration, logger: Logger, sweep: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.every = every
        self.logger = logger
        self.sweep = sweep
    }

    public func run() async throws {
        while !Self.isStopping {
            do {
                try await sweep()
            } catch {
                guard !Self.isStopping else { break }
                logger.error(
                    "sweep failed; trying again next period",
                    metadata: ["dropmate.sweep": "\(name)", "dropmate.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }

    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }
}
