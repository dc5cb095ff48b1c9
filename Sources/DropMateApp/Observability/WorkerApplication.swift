import DropMateStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// `dropmate worker` as Kubernetes sees it: the job worker, plus `/metrics`, `/healthz` and `/readyz` on
/// `METRICS_PORT` (default 9090) so it can be probed and scraped like the api.
/// With `schedulesReports`, the worker also queues the daily report (`AppDependencies.reportScheduler`).
public func buildWorkerApplication(
    _ dependencies: AppDependencies, schedulesReports: Bool = false,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: HTTPTelemetryMiddleware(telemetry: dependencies.telemetry))
    MetricsRoute.add(to: router, metrics: dependencies.telemetry.metrics)
    OpsRoutes(
        backend: dependencies.backend, acceptsNewerSchema: dependencies.config.databaseURL != nil,
        queue: dependencies.queue, redis: dependencies.redis, devOutbox: false
    ).add(to: router)
    let port = dependencies.config.observability.metricsPort
    return Application(
        router: router,
        configuration: .init(address: .hostname(dependencies.config.host, port: port), serverName: "DropMate worker"),
        services: dependencies.workerServices(schedulesReports: schedulesReports),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: dependencies.logger
    )
}

/// `dropmate serve`'s second listener when `METRICS_PORT` is set: `/metrics`, `/healthz` and `/readyz` on a port
/// the Ingress never routes to, so Prometheus scrapes the api without `/metrics` being public.
public func buildMetricsApplication(
    _ dependencies: AppDependencies,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    MetricsRoute.add(to: router, metrics: dependencies.telemetry.metrics)
    OpsRoutes(
        backend: dependencies.backend, acceptsNewerSchema: dependencies.config.databaseURL != nil,
        queue: dependencies.queue, redis: dependencies.redis, devOutbox: false
    ).add(to: router)
    let port = dependencies.config.observability.metricsPort
    return Application(
        router: router,
        configuration: .init(address: .hostname(dependencies.config.host, port: port), serverName: "DropMate metrics"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: dependencies.logger
    )
}

extension AppDependencies {
    /// What `dropmate worker` runs beside its HTTP endpoints.
    func workerServices(schedulesReports: Bool) -> [any Service] {
        [worker] + sweeps + telemetryServices + (schedulesReports ? [reportScheduler] : [])
    }

    /// What keeps metrics and traces flowing: the queue gauges' refresher (when metrics are recorded) and the span exporter.
    public var telemetryServices: [any Service] {
        var services = telemetry.services
        if telemetry.metrics.registry != nil {
            services.append(
                QueueMetricsService(
                    queue: queue, metrics: telemetry.metrics, clock: clock, kinds: worker.kinds, logger: logger))
            if let replica = (backend as? PostgresBackend)?.readReplica {
                services.append(ReadReplicaMetricsService(replica: replica, metrics: telemetry.metrics))
            }
        }
        return services
    }
}
