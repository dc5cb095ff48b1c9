import ArgumentParser
import NIOCore
import NIOPosix

/// The process entry: Swift concurrency runs on NIO's event loops (no thread hop between the
/// network and the handlers), then the command line decides what to do.
@main
enum Entry {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await DropMateCommand.main()
    }
}

/// The one DropMate binary: `serve` (default), `chat`, `loadgen`, …
struct DropMateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dropmate",
        abstract: "A WeChat-first delivery bot: chat to order, confirm, track and post.",
        subcommands: [ServeCommand.self, WorkerCommand.self, MigrateCommand.self, EnqueueCommand.self, JobsCommand.self, CourierCommand.self, StaffCommand.self, RotateKeyCommand.self, WeChatCommand.self,
                      ChatCommand.self, LoadGenCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
