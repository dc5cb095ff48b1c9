import ArgumentParser

/// The one DropMate binary: `serve` (default), `chat`, `loadgen`, …
@main
struct DropMateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dropmate",
        abstract: "A WeChat-first delivery bot: chat to order, confirm, track and post.",
        subcommands: [ServeCommand.self, ChatCommand.self, LoadGenCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
