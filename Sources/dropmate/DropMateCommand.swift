import ArgumentParser
import DropMateApp
import DropMateTelemetry
import Foundation
import NIOCore
import NIOPosix

/// The process entry: Swift concurrency runs on NIO's event loops (no thread hop between the
/// network and the handlers), then the command line decides what to do.
@main
enum Entry {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        guard Console.format == .json else {
            await DropMateCommand.main()
            return
        }
        // LOG_FORMAT=json: a usage error is a JSON line too (help and --version still print as text, exit 0).
        do {
            var command = try DropMateCommand.parseAsRoot()
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            let code = DropMateCommand.exitCode(for: error)
            // ExitCode: already said why
            if code == .success || error is ExitCode { DropMateCommand.exit(withError: error) }
            Console.fail(DropMateCommand.message(for: error))
            DropMateCommand.exit(withError: ExitCode(code.rawValue))
        }
    }
}

/// The one DropMate binary: `serve` (default), `chat`, `loadgen`, …
struct DropMateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dropmate",
        abstract: "A WeChat-first delivery bot: chat to order, confirm, track and post.",
        discussion:
            "Configuration comes from the environment (README.md lists every variable; with none set, serve starts on the embedded default: SQLite in --data-dir). Each command's --help shows its own options.",
        version: DropMateVersion.current,
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, EnqueueCommand.self, JobsCommand.self,
            CourierCommand.self, MerchantCommand.self, StaffCommand.self, RotateKeyCommand.self, WeChatCommand.self,
            PayCommand.self,
            ChatCommand.self, LoadGenCommand.self, HealthcheckCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
