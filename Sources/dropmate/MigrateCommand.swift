import ArgumentParser
import DropMateApp
import Foundation

/// `dropmate migrate`: brings the database schema up to date; idempotent, safe from several pods at once.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply database migrations, then exit.")

    @OptionGroup var options: DataOptions

    func run() async throws {
        let config = try options.config()
        do {
            let (from, to) = try await migrateDatabase(config: config, logger: options.logger())
            Console.say(
                from == to ? "schema already at version \(to)" : "schema migrated from version \(from) to \(to)",
                metadata: ["dropmate.schema_from": "\(from)", "dropmate.schema_to": "\(to)"])
        } catch {
            Console.fail("migrate failed: \(error)")
            throw ExitCode.failure
        }
    }
}
