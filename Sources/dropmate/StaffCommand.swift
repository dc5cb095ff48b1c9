import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate staff create`: the first way in on a fresh install (there is no default password); `password`,
/// `deactivate` and `reactivate`: the way back in, and out, without the API.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Manage staff accounts for the REST API.",
        subcommands: [Create.self, Password.self, Deactivate.self, Reactivate.self, BindCode.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff account (password from --password or, safer, stdin).")
        @Option(help: "Login name: 3 to 40 letters, digits, dots, dashes or underscores.") var username: String
        @Option(help: "admin, dispatcher or courier.") var role: String
        @Option(help: "The password (else read from stdin, so it stays out of shell history).") var password: String?
        @Option(help: "For a courier account: the courier record it is.") var courierId: Int64?
        @OptionGroup var options: DataOptions

        func validate() throws {
            guard StaffRole(rawValue: role) != nil else {
                throw ValidationError("--role must be admin, dispatcher or courier")
            }
            if role == "courier", courierId == nil { throw ValidationError("a courier account needs --courier-id") }
        }

        func run() async throws {
            let secret = password ?? readLine(strippingNewline: true) ?? ""
            try await options.withDependencies { dependencies in
                do {
                    let account = try await dependencies.createStaff(
                        username: username, password: secret, role: StaffRole(rawValue: role)!, courierID: courierId)
                    print(
                        "staff #\(account.id) \(account.username) (\(account.role.rawValue)) created; log in with POST /api/v1/auth/login"
                    )
                } catch let error as StaffCreationError {
                    FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
                    throw ExitCode.failure
                }
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reset a staff member's password (from --password or stdin); every session of the account ends.")
        @Option(help: "The staff member's login name.") var username: String
        @Option(help: "The new password (else read from stdin, so it stays out of shell history).") var password:
            String?
        @OptionGroup var options: DataOptions

        func run() async throws {
            let secret = password ?? readLine(strippingNewline: true) ?? ""
            try await options.withDependencies { dependencies in
                try await StaffCommand.reporting {
                    try await dependencies.resetStaffPassword(username: username, password: secret)
                } done: {
                    "password of staff #\($0.id) \($0.username) reset; their sessions have ended"
                }
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deactivate a staff member: their tokens and API tokens are refused at once.")
        @Option(help: "The staff member's login name.") var username: String
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                try await StaffCommand.reporting {
                    try await dependencies.setStaffActive(username: username, active: false)
                } done: {
                    "staff #\($0.id) \($0.username) is inactive; their sessions have ended"
                }
            }
        }
    }

    struct Reactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reactivate a staff member: they log in again, their API tokens work again.")
        @Option(help: "The staff member's login name.") var username: String
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                try await StaffCommand.reporting {
                    try await dependencies.setStaffActive(username: username, active: true)
                } done: {
                    "staff #\($0.id) \($0.username) is active"
                }
            }
        }
    }

    /// Runs `work`, prints `done`'s line, or the refusal on stderr with a failing exit code.
    static func reporting(_ work: () async throws -> StaffAccount, done: (StaffAccount) -> String) async throws {
        do {
            print(done(try await work()))
        } catch let error as StaffCreationError {
            FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
