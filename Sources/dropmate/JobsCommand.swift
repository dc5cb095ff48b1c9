import ArgumentParser
import DropMateApp
import DropMateCore
import DropMateOutbound
import Foundation

/// `dropmate jobs`: what the queue holds, its dead letters, and putting one back.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Inspect the job queue: counts, dead letters, retry one.",
        subcommands: [Counts.self, Dead.self, Retry.self], defaultSubcommand: Counts.self
    )

    struct Counts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs by state.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let counts = try await dependencies.queue.counts()
                if counts.isEmpty { print("no jobs") }
                for (state, count) in counts.sorted(by: { $0.key < $1.key }) { print("\(state)\t\(count)") }
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dead jobs, newest first, with why they died.")
        @Option(help: "How many to list.") var limit = 50
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let dead = try await dependencies.queue.deadJobs(limit: limit)
                if dead.isEmpty { print("no dead jobs") }
                for job in dead { print("#\(job.id)\t\(job.kind)\t\(job.attempts) attempts\t\(job.lastError ?? "")") }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a dead job back on the queue (its attempts start again).")
        @Argument(help: "The dead job's id.") var id: Int64
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                guard try await dependencies.queue.retryDead(id, now: Int64(Date().timeIntervalSince1970)) else {
                    FileHandle.standardError.write(Data("dropmate: job #\(id) is not a dead job\n".utf8))
                    throw ExitCode.failure
                }
                print("job #\(id) queued again")
            }
        }
    }
}

/// `dropmate wechat`: one-off calls to WeChat's server API.
struct WeChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wechat", abstract: "Set up the Official Account through WeChat's API.",
        subcommands: [Menu.self])

    struct Menu: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the Official Account menu (its buttons map to the chat's commands).")
        @Flag(help: "Print the menu instead of installing it.") var print = false
        @OptionGroup var options: DataOptions

        func run() async throws {
            if self.print {
                let menu = try JSONSerialization.jsonObject(with: Data(OfficialAccountMenu.definition.bytes))
                let data = try JSONSerialization.data(
                    withJSONObject: menu, options: [.prettyPrinted, .withoutEscapingSlashes])
                Swift.print(String(decoding: data, as: UTF8.self))
                return
            }
            let config = try options.config()
            let logger = options.logger()
            let http = OutboundHTTP.makeClient()  // this command's own, shut down on every way out
            guard
                let tokens = makeAccessTokens(
                    config: config, http: http, redis: nil, clock: { Int64(Date().timeIntervalSince1970) },
                    logger: logger)
            else {
                try? await http.shutdown()
                FileHandle.standardError.write(
                    Data("dropmate: set WECHAT_APP_ID and WECHAT_APP_SECRET to install the menu\n".utf8))
                throw ExitCode(78)
            }
            do {
                try await OfficialAccountMenu.install(tokens: tokens)
                try? await http.shutdown()
                Swift.print("menu installed")
            } catch {
                try? await http.shutdown()
                FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
