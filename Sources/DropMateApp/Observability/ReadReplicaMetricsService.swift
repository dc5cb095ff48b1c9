import DropMateStorage
import DropMateTelemetry
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

extension AppMetrics {
    /// 1 while reads that may lag fall back to the primary (the replica is down, lagging, not a replica, or not
    /// checked yet), 0 while the replica serves them; and its lag at the last check that could tell.
    func readReplica(_ status: ReadReplica.Status) {
        factory.makeMeter(label: Name.readReplicaFallback, dimensions: []).set(status.servesReads ? 0.0 : 1.0)
        if let lag = status.lagSeconds { factory.makeMeter(label: Name.readReplicaLag, dimensions: []).set(lag) }
    }
}
