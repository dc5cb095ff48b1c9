import ArgumentParser
import DropMateApp
import Foundation
import ServiceLifecycle

/// `dropmate worker`: runs queued jobs (pushes, draft expiry); serves only /metrics, /healthz and /readyz (on
/// `METRICS_PORT`, default 9090); stops cleanly on SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run the job worker alone (scale it separately from serve).")

    @Flag(help: "Also queue the daily report at DROPMATE_REPORT_AT (where no CronJob does; safe on every replica).")
    var scheduleReports = false
    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        logger.info(
            "worker started",
            metadata: [
                "dropmate.database": "\(config.databaseURL == nil ? "sqlite" : "postgres")",
                "dropmate.queue": "\(config.redis == nil ? "jobs table" : "redis streams")",
                "dropmate.metrics_port": "\(config.observability.metricsPort)",
                "dropmate.schedules_reports": "\(scheduleReports)",
            ])
        // The job worker, with /metrics, /healthz and /readyz for Kubernetes, in one service group with the database.
        // SIGTERM and SIGINT: no new job starts, the jobs in hand finish (or are handed back at the end of the
        // grace), that is recorded, and then the database closes.
        try await options.runServer(config, telemetry: try options.telemetry(config, logger: logger), logger: logger) {
            dependencies in
            buildWorkerApplication(dependencies, schedulesReports: scheduleReports) { port in
                logger.info("worker serving /metrics, /healthz and /readyz", metadata: ["dropmate.port": "\(port)"])
            }
        }
    }
}
