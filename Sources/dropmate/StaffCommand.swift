import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate staff create`: the first way in on a fresh install (there is no default password).
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Manage staff accounts for the REST API.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account (password from --password or, safer, stdin).")
        @Option(help: "Login name: 3 to 40 letters, digits, dots, dashes or underscores.") var username: String
        @Option(help: "admin, dispatcher or courier.") var role: String
        @Option(help: "The password (else read from stdin, so it stays out of shell history).") var password: String?
        @Option(help: "For a courier account: the courier record it is.") var courierId: Int64?
        @OptionGroup var options: ServerOptions

        func validate() throws {
            guard StaffRole(rawValue: role) != nil else { throw ValidationError("--role must be admin, dispatcher or courier") }
            if role == "courier", courierId == nil { throw ValidationError("a courier account needs --courier-id") }
        }

        func run() async throws {
            let secret = password ?? readLine(strippingNewline: true) ?? ""
            try await options.withDependencies { dependencies in
                do {
                    let account = try await dependencies.createStaff(username: username, password: secret, role: StaffRole(rawValue: role)!, courierID: courierId)
                    print("staff #\(account.id) \(account.username) (\(account.role.rawValue)) created; log in with POST /api/v1/auth/login")
                } catch let error as StaffCreationError {
                    FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
                    throw ExitCode.failure
                }
            }
        }
    }
}
