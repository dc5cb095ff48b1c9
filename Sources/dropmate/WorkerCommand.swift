import ArgumentParser
import DropMateApp
import Foundation
import ServiceLifecycle

/// `dropmate worker`: runs queued jobs (pushes, draft expiry) with no HTTP server; stops cleanly on SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run the job worker alone (scale it separately from serve).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let dependencies = try await options.dependencies(config, logger: logger)
        logger.info("worker started", metadata: [
            "dropmate.database": "\(config.databaseURL == nil ? "sqlite" : "postgres")",
            "dropmate.queue": "\(config.redis == nil ? "jobs table" : "redis streams")",
        ])
        let group = ServiceGroup(configuration: .init(services: [dependencies.worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        (dependencies.jobQueue as? RedisStreamJobQueue)?.shutdown()
        dependencies.redis?.shutdown()
        await dependencies.store.flush()
        await dependencies.backend.shutdown()
    }
}
