import DropMateStorage
import DropMateTelemetry
import Foundation
import Hummingbird
import Logging
import SQLKit
import ServiceLifecycle

extension AppDependencies {
    /// Runs a long-lived role (`serve`, `worker`) and its database in one service group until SIGTERM or SIGINT.
    ///
    /// The database is the group's first service, so it stops last: on SIGTERM the role's HTTP server stops, its
    /// worker finishes the jobs in hand or hands them back and records that, the store flushes, and only then does
    /// the database close (the PostgreSQL pool is a service of the group, not a task of its own). `build` makes the
    /// role's application once the dependencies are connected. A failure to start is thrown as ``ServerStartFailure``.
    public static func runServer<App: ApplicationProtocol>(
        config: AppConfig, telemetry: Telemetry, logger: Logger,
        build: @escaping @Sendable (AppDependencies) async -> App
    ) async throws {
        let database: DatabaseService
        do {
            database = try await DatabaseService.open(config: config, logger: logger)
        } catch {
            throw ServerStartFailure(underlying: error)
        }
        let role = RoleService(
            config: config, backend: database.backend, telemetry: telemetry, logger: logger, build: build)
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(
                    service: database, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(
                    service: role, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A backstop: the jobs in hand get their grace, then ten seconds more for the rest to close; a process whose
        // shutdown still hangs (a request awaiting something that never answers) is cancelled, and exits soon after,
        // instead of waiting for a SIGKILL that compose or a shell script may never send.
        configuration.maximumGracefulShutdownDuration = .seconds(config.shutdownGraceSeconds + 10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}

/// The role could not start: its configuration names a database that cannot be opened, or a schema it cannot use.
public struct ServerStartFailure: Error, CustomStringConvertible {
    public var underlying: any Error
    public var description: String { "\(underlying)" }
}

/// The database as a service: a PostgreSQL pool runs for as long as the service does; SQLite is closed when the
/// group shuts down. It is the group's first service, so it is the last to stop.
struct DatabaseService: Service {
    let backend: any SQLBackend
    private let pool: PostgresBackend?

    static func open(config: AppConfig, logger: Logger) async throws -> DatabaseService {
        if let url = config.databaseURL {
            let pool = try PostgresBackend.make(
                url: url, readURL: config.databaseReadURL, maxReadLag: config.readMaxLag, logger: logger)
            return DatabaseService(backend: pool, pool: pool)
        }
        return DatabaseService(backend: try await openDatabase(config: config, logger: logger), pool: nil)
    }

    func run() async throws {
        if let pool {
            await pool.run()  // until the group's graceful shutdown reaches it, after the role has stopped
        } else {
            try? await gracefulShutdown()
            await backend.shutdown()
        }
    }
}

/// `serve` or `worker`: connects the dependencies over the running database, runs the role's application until the
/// group shuts down, then shuts the dependencies down (`AppDependencies.shutdown()`) while the database is still open.
struct RoleService<App: ApplicationProtocol>: Service {
    let config: AppConfig
    let backend: any SQLBackend
    let telemetry: Telemetry
    let logger: Logger
    let build: @Sendable (AppDependencies) async -> App

    func run() async throws {
        let dependencies: AppDependencies
        do {
            // The database answers at all (else the error says so, not what a first real query makes of it).
            try await backend.reader.raw("SELECT 1").run()
            dependencies = try await AppDependencies.make(
                config: config, backend: backend, clock: { Int64(Date().timeIntervalSince1970) },
                telemetry: telemetry, logger: logger)
        } catch {
            throw ServerStartFailure(underlying: error)
        }
        do {
            try await build(dependencies).run()
        } catch {
            await dependencies.shutdown()
            throw error
        }
        await dependencies.shutdown()
    }
}
