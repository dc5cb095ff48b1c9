import ArgumentParser
import DropMateApp
import Foundation
import Hummingbird
import Logging

/// `dropmate serve`: the webhook, pages and worker in one process on the embedded default.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run DropMate: the webhook, pages and (on the embedded default) the worker.")

    @OptionGroup var options: ServerOptions
    @Flag(
        inversion: .prefixedNo,
        help:
            "Run the job worker in this process (default: yes on the embedded default, no on PostgreSQL, where `dropmate worker` runs)."
    )
    var worker: Bool?

    func run() async throws {
        let config = try options.config()
        let logger = options.logger()
        let runWorker = worker ?? (config.databaseURL == nil)
        // The database runs in the same service group, ahead of the app: on SIGTERM the in-process worker finishes
        // or hands back its jobs and records that before the database closes.
        try await options.runServer(config, telemetry: try options.telemetry(config, logger: logger), logger: logger) {
            dependencies in
            await EventLoopPriority.lower(by: config.eventLoopNice, logger: logger)  // 0 (PostgreSQL default): nothing
            return buildApplication(
                dependencies, runWorker: runWorker,
                onServerRunning: { port in
                    if config.observability.logFormat == .json {
                        logger.info("DropMate is serving", metadata: Self.bannerMetadata(config: config, port: port))
                    } else {
                        Console.say(Self.banner(config: config, port: port))
                    }
                },
                onMetricsRunning: { port in
                    logger.info(
                        "serving /metrics, /healthz and /readyz", metadata: ["dropmate.metrics_port": "\(port)"])
                })
        }
    }

    static func banner(config: AppConfig, port: Int) -> String {
        let url = "http://\(config.host == "0.0.0.0" ? "localhost" : config.host):\(port)/wechat"
        var lines = [
            config.databaseURL == nil
                ? "DropMate is serving on the embedded default (data in \(config.dataDirectory))."
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
        lines.append("Chat with it:   \(chatCommand(config: config, port: port))")
        if config.servesDevOutbox {
            lines.append("Pushes (no WECHAT_APP_SECRET): logged and listed at http://localhost:\(port)/dev/outbox")
        } else if config.devMode {
            lines.append("Pushes (no WECHAT_APP_SECRET): logged only (/dev/outbox exists only when HOST is loopback)")
        }
        return lines.joined(separator: "\n")
    }

    /// A `dropmate chat` command line that works as printed, pasted into another terminal: this very binary (an
    /// absolute path unless it was found on PATH), this data directory (where the dev secrets are) as an absolute
    /// path, the port, and `--aes` when the server accepts only encrypted messages.
    static func chatCommand(
        config: AppConfig, port: Int, executable: String = CommandLine.arguments.first ?? "dropmate",
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> String {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/")
                ? path
                : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
                    .standardizedFileURL.path
        }
        let binary = executable.contains("/") ? absolute(executable) : executable
        let loopback = ["0.0.0.0", "127.0.0.1", "localhost", "::", "::1"].contains(config.host)
        var words = [binary, "chat"]
        words +=
            loopback
            ? ["--port", "\(port)"]
            : ["--url", "http://\(config.host.contains(":") ? "[\(config.host)]" : config.host):\(port)/wechat"]
        words += ["--data-dir", absolute(config.dataDirectory)]
        if config.wechatMessageMode == .safe { words.append("--aes") }
        return words.map(shellQuoted).joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back unchanged: bare when it holds only safe characters, else single-quoted.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
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
