import ArgumentParser
import DropMateApp
import Foundation

/// `dropmate pay reconcile --date D`: WeChat Pay's trade bill for a day against our payments.
struct PayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay", abstract: "WeChat Pay: reconcile a day.", subcommands: [Reconcile.self])

    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Download WeChat Pay's trade bill of a day and list every difference with our records (exit 1 when there is one)."
        )
        @Option(help: "The business day YYYY-MM-DD (China time, as WeChat Pay's bills are).") var date: String
        @OptionGroup var options: DataOptions

        func validate() throws {
            guard date.count == 10, date.split(separator: "-").count == 3 else {
                throw ValidationError("--date must be YYYY-MM-DD")
            }
        }

        func run() async throws {
            let config = try options.config()
            guard config.payment != nil else {
                FileHandle.standardError.write(
                    Data("dropmate: WeChat Pay is not configured (WECHAT_PAY_*): nothing to reconcile\n".utf8))
                throw ExitCode.failure
            }
            let dependencies = try await options.dependencies(config, logger: options.logger())
            let result: PaymentReconciliation
            do {
                result = try await dependencies.payments!.reconcile(date: date)
            } catch {
                await dependencies.shutdown()
                FileHandle.standardError.write(Data("dropmate: reconcile failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
            await dependencies.shutdown()
            print(
                "\(date): \(result.billLines) bill lines, \(result.checkedPayments) payments of ours checked, \(result.differences.count) differences"
            )
            for difference in result.differences { print("  - \(difference)") }
            if !result.differences.isEmpty { throw ExitCode.failure }
        }
    }
}
