import ArgumentParser
import DropMateApp
import DropMateTelemetry
import Foundation
import Hummingbird
import Logging

/// The options of the roles that listen (`serve`, `worker`): where, plus everything `DataOptions` has.
struct ServerOptions: ParsableArguments {
    @Option(help: "Port to listen on (env PORT, default 8080).") var port: Int?
    @Option(help: "Address to bind (env HOST, default 127.0.0.1).") var host: String?
    @OptionGroup var data: DataOptions

    func config() throws -> AppConfig { try data.config(port: port, host: host) }
    func logger() -> Logger { data.logger() }

    func runServer<App: ApplicationProtocol>(
        _ config: AppConfig, telemetry: Telemetry, logger: Logger,
        build: @escaping @Sendable (AppDependencies) async -> App
    ) async throws {
        try await data.runServer(config, telemetry: telemetry, logger: logger, build: build)
    }

    /// The process's metrics and (when configured) tracing; a tracer that cannot be built (e.g. an unreadable
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`) is one clear line and exit status 78, like any other configuration problem.
    func telemetry(_ config: AppConfig, logger: Logger) throws -> Telemetry {
        do { return try .production(config.observability, logger: logger) } catch {
            Console.fail("invalid configuration: tracing (OTEL_*): \(error)")
            throw ExitCode(78)
        }
    }
}

/// The options every command that opens the data shares (the data directory, the log level), and turning them into
/// a validated configuration. Commands that do not listen take only these: their `--help` shows no `--port`.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (env DROPMATE_DATA_DIR, default ./.dropmate).")
    var dataDirectory: String?
    @Option(
        help:
            "Log level: \(LogLevelName.allCases.map(\.rawValue).joined(separator: ", ")) (env LOG_LEVEL, default info)."
    )
    var logLevel: LogLevelName?

    /// The environment with these flags applied, validated; every problem is printed and the process exits 78.
    func config(port: Int? = nil, host: String? = nil) throws -> AppConfig {
        var environment = ProcessInfo.processInfo.environment
        if let port { environment["PORT"] = "\(port)" }
        if let host { environment["HOST"] = host }
        if let dataDirectory { environment["DROPMATE_DATA_DIR"] = dataDirectory }
        do { return try AppConfig.load(environment: environment) } catch let problems as AppConfig.Problems {
            if Console.format == .json {
                Console.fail(
                    "invalid configuration",
                    metadata: ["dropmate.problems": .array(problems.problems.map { .string($0.description) })])
            } else {
                Console.fail("\(problems)")
            }
            throw ExitCode(78)  // EX_CONFIG
        } catch {
            Console.fail("\(error)")
            throw ExitCode(78)
        }
    }

    /// The process's logger: JSON lines with `LOG_FORMAT=json` (the image's default), readable text otherwise.
    func logger() -> Logger {
        let format =
            ProcessInfo.processInfo.environment["LOG_FORMAT"].flatMap {
                ObservabilityConfig.LogFormat(rawValue: $0.lowercased())
            } ?? .text
        DropMateLogHandler.bootstrap(format: format)
        var logger = Logger(label: "dropmate")
        // An unknown LOG_LEVEL is refused by the configuration (every command that opens the data loads it); the flag
        // is checked by the argument parser, which lists the valid levels.
        let environment = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap {
            LogLevelName(rawValue: $0.lowercased())
        }
        logger.logLevel = (logLevel ?? environment ?? .info).level
        return logger
    }

    /// Connects to the configured database; a failure is one clear line and exit status 1, not a trace.
    func dependencies(
        _ config: AppConfig, telemetry: Telemetry = .disabled, logger: Logger
    ) async throws -> AppDependencies {
        do { return try await AppDependencies.connect(config: config, telemetry: telemetry, logger: logger) } catch {
            Console.fail("cannot start: \(error)")
            throw ExitCode.failure
        }
    }

    /// Runs a server role and its database in one service group (`AppDependencies.runServer`); a failure to
    /// start is one clear line and exit status 1, as with `dependencies`.
    func runServer<App: ApplicationProtocol>(
        _ config: AppConfig, telemetry: Telemetry, logger: Logger,
        build: @escaping @Sendable (AppDependencies) async -> App
    ) async throws {
        do {
            try await AppDependencies.runServer(config: config, telemetry: telemetry, logger: logger, build: build)
        } catch let failure as ServerStartFailure {
            Console.fail("cannot start: \(failure)")
            throw ExitCode.failure
        }
    }

    /// Runs `body` with the configured dependencies, shutting them down afterwards whatever happens.
    func withDependencies(_ body: (AppDependencies) async throws -> Void) async throws {
        let config = try config()
        let dependencies = try await dependencies(config, logger: logger())
        do {
            try await body(dependencies)
        } catch {
            await dependencies.shutdown()
            throw error
        }
        await dependencies.shutdown()
    }
}

/// `--log-level` accepts swift-log's levels only; anything else is an error that lists them.
extension LogLevelName: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
