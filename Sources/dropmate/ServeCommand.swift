import ArgumentParser
import DropMateApp
import Foundation
import Hummingbird
import Logging

/// `dropmate serve`: the webhook, pages and worker in one process on the embedded default.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run DropMate: the webhook, pages and (on the embedded default) the worker.")

    @OptionGroup var options: ServerOptions
    @Flag(inversion: .prefixedNo, help: "Run the job worker in this process (default: yes on the embedded default, no on PostgreSQL, where `dropmate worker` runs).")
    var worker: Bool?

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let runWorker = worker ?? (config.databaseURL == nil)
        // The database runs in the same service group, ahead of the app: on SIGTERM the in-process worker finishes
        // or hands back its jobs and records that before the database closes.
        try await options.runServer(config, telemetry: .production(config.observability, logger: logger), logger: logger) { dependencies in
            await EventLoopPriority.lower(by: config.eventLoopNice, logger: logger)  // 0 (PostgreSQL default): nothing
            return buildApplication(dependencies, runWorker: runWorker, onServerRunning: { port in
                if config.observability.logFormat == .json {
                    logger.info("DropMate is serving", metadata: Self.bannerMetadata(config: config, port: port))
                } else {
                    Console.say(Self.banner(config: config, port: port))
                }
            }, onMetricsRunning: { port in
                logger.info("serving /metrics, /healthz and /readyz", metadata: ["dropmate.metrics_port": "\(port)"])
            })
        }
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
        if config.servesDevOutbox {
            lines.append("Pushes (no WECHAT_APP_SECRET): logged and listed at http://localhost:\(port)/dev/outbox")
        } else if config.devMode {
            lines.append("Pushes (no WECHAT_APP_SECRET): logged only (/dev/outbox exists only when HOST is loopback)")
        }
        return lines.joined(separator: "\n")
    }

    /// The banner as one JSON log line's metadata (`LOG_FORMAT=json`): no dev token in a log pipeline.
    static func bannerMetadata(config: AppConfig, port: Int) -> Logger.Metadata {
        [
            "dropmate.database": "\(config.databaseURL == nil ? "sqlite" : "postgres")",
            "dropmate.webhook_url": "http://\(config.host == "0.0.0.0" ? "localhost" : config.host):\(port)/wechat",
            "dropmate.port": "\(port)",
            "dropmate.app_id": "\(config.wechatAppID)",
            "dropmate.message_mode": "\(config.wechatMessageMode.rawValue)",
            "dropmate.dev_outbox": "\(config.servesDevOutbox)",
        ]
    }
}
