import DropMateApp
import DropMateTelemetry
import Foundation
import Logging

/// What a serving command (serve, worker, migrate) says outside its request logs: readable lines on a terminal, and
/// with `LOG_FORMAT=json` JSON log lines like every other, so a log pipeline never meets a line it cannot parse.
enum Console {
    /// `LOG_FORMAT` as the process was started with (read before the configuration, which may itself be invalid).
    static var format: ObservabilityConfig.LogFormat {
        ProcessInfo.processInfo.environment["LOG_FORMAT"].flatMap {
            ObservabilityConfig.LogFormat(rawValue: $0.lowercased())
        } ?? .text
    }

    private static var logger: Logger {
        DropMateLogHandler.bootstrap(format: format)
        return Logger(label: "dropmate")
    }

    /// A fact for the operator: stdout as is in text mode, an `info` log line in JSON mode.
    static func say(_ text: String, metadata: Logger.Metadata = [:]) {
        guard format == .json else {
            FileHandle.standardOutput.write(Data((text + "\n").utf8))  // unbuffered: shows up even in a pipe
            return
        }
        logger.info("\(text)", metadata: metadata)
    }

    /// Why the command stops: `dropmate: …` on stderr in text mode, an `error` log line in JSON mode.
    static func fail(_ text: String, metadata: Logger.Metadata = [:]) {
        guard format == .json else {
            FileHandle.standardError.write(Data("dropmate: \(text)\n".utf8))
            return
        }
        logger.error("\(text)", metadata: metadata)
    }
}
