import DropMateStorage
import DropMateTelemetry
import Logging
import ServiceLifecycle

/// Refreshes `dropmate_queue_depth` and `dropmate_queue_oldest_job_age_seconds` per job kind from the `jobs`
/// table every few seconds (in `serve` and `worker` alike: each pod reports the shared queue, dashboards take the max).
struct QueueMetricsService: Service {
    let queue: SQLJobQueue
    let metrics: AppMetrics
    let clock: @Sendable () -> Int64
    /// The kinds the worker runs: their gauges read zero before any of them was queued.
    let kinds: Set<String>
    let logger: Logger
    var every: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var known = kinds
            while !Task.isCancelled {
                do { known = try await refresh(known: known) } catch {
                    logger.debug("could not read queue statistics", metadata: ["dropmate.error": "\(error)"])
                }
                try? await Task.sleep(for: every)
            }
        }
    }

    /// Sets every kind's gauges (kinds with nothing waiting to zero); returns the kinds seen so far.
    @discardableResult
    func refresh(known: Set<String>? = nil) async throws -> Set<String> {
        let stats = try await queue.queuedStats()
        let now = clock()
        var kinds = known ?? self.kinds
        for stat in stats {
            kinds.insert(stat.kind)
            metrics.queue(kind: stat.kind, depth: stat.count, oldestAgeSeconds: max(0, now - stat.oldestRunAt))
        }
        for kind in kinds where !stats.contains(where: { $0.kind == kind }) {
            metrics.queue(kind: kind, depth: 0, oldestAgeSeconds: 0)
        }
        return kinds
    }
}
