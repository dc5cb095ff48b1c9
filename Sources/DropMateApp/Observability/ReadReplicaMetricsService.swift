import DropMateStorage
import ServiceLifecycle

/// Refreshes `dropmate_read_replica_fallback` and `dropmate_read_replica_lag_seconds` from the replica monitor's
/// last check every second, while a read replica is configured (`DATABASE_READ_URL`). `/readyz` stays green when
/// the replica is down or lagging (reads fall back to the primary); this gauge, its alert and the log say so.
struct ReadReplicaMetricsService: Service {
    let replica: ReadReplica
    let metrics: AppMetrics
    var every: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                metrics.readReplica(replica.status)
                try? await Task.sleep(for: every)
            }
        }
    }
}
