import ArgumentParser
import DropMateApp
import Foundation
import ServiceLifecycle

/// `dropmate worker`: runs queued jobs (pushes, draft expiry); serves only /metrics, /healthz and /readyz (on
/// `METRICS_PORT`, default 9090); stops cleanly on SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run the job worker alone (scale it separately from serve).")

    @Flag(help: "Also queue the daily report at DROPMATE_REPORT_AT (where no CronJob does; safe on every replica).") var scheduleReports = false
    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let dependencies = try await options.dependencies(config, telemetry: .production(config.observability, logger: logger), logger: logger)
        logger.info("worker started", metadata: [
            "dropmate.database": "\(config.databaseURL == nil ? "sqlite" : "postgres")",
            "dropmate.queue": "\(config.redis == nil ? "jobs table" : "redis streams")",
            "dropmate.metrics_port": "\(config.observability.metricsPort)",
            "dropmate.schedules_reports": "\(scheduleReports)",
        ])
        // The job worker, with /metrics, /healthz and /readyz for Kubernetes; SIGTERM and SIGINT drain it.
        try await buildWorkerApplication(dependencies, schedulesReports: scheduleReports) { port in
            logger.info("worker serving /metrics, /healthz and /readyz", metadata: ["dropmate.port": "\(port)"])
        }.runService()
        (dependencies.jobQueue as? RedisStreamJobQueue)?.shutdown()
        dependencies.redis?.shutdown()
        await dependencies.store.flush()
        await dependencies.backend.shutdown()
    }
}
