import ArgumentParser
import DropMateApp
import Foundation
import Hummingbird
import Logging

/// `dropmate serve`: the webhook, pages and worker in one process on the embedded default.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run DropMate (embedded default: SQLite, in-process queue).")

    @Option(help: "Port to listen on (env PORT, default 8080).") var port: Int?
    @Option(help: "Address to bind (env HOST, default 127.0.0.1).") var host: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (env DROPMATE_DATA_DIR, default ./.dropmate).") var dataDirectory: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (env LOG_LEVEL, default info).") var logLevel: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let port { environment["PORT"] = "\(port)" }
        if let host { environment["HOST"] = host }
        if let dataDirectory { environment["DROPMATE_DATA_DIR"] = dataDirectory }
        let config: AppConfig
        do { config = try AppConfig.load(environment: environment) } catch {
            FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
            throw ExitCode(78)
        }
        var logger = Logger(label: "dropmate")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? environment["LOG_LEVEL"] ?? "info") ?? .info
        let dependencies = try await AppDependencies.connect(config: config, logger: logger)
        let app = buildApplication(dependencies) { port in
            // Written unbuffered, so the banner shows up even when stdout is a pipe or a log file.
            FileHandle.standardOutput.write(Data((Self.banner(config: config, port: port) + "\n").utf8))
        }
        try await app.runService()
        await dependencies.store.flush()
        await dependencies.backend.shutdown()
    }

    static func banner(config: AppConfig, port: Int) -> String {
        let url = "http://\(config.host == "0.0.0.0" ? "localhost" : config.host):\(port)/wechat"
        var lines = [
            config.databaseURL == nil ? "DropMate is serving on the embedded default (data in \(config.dataDirectory))."
                : "DropMate is serving on PostgreSQL (DATABASE_URL).",
            "  Webhook URL:    \(url)",
            "  AppID:          \(config.wechatAppID)",
        ]
        if config.usesGeneratedSecrets {
            lines.append("  Token:          \(config.wechatToken)   (dev token generated for this data directory)")
            lines.append("  EncodingAESKey: stored in \(config.dataDirectory)/dev-secrets.json")
        } else {
            lines.append("  Token:          (from WECHAT_TOKEN)")
        }
        lines.append("Chat with it:   swift run dropmate chat --port \(port)   (add --aes for safe mode)")
        if config.devMode { lines.append("Pushes (no WECHAT_APP_SECRET): logged and listed at http://localhost:\(port)/dev/outbox") }
        return lines.joined(separator: "\n")
    }
}
