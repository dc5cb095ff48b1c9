import ArgumentParser
import DropMateApp
import Foundation

extension StaffCommand {
    /// `dropmate staff bind-code USERNAME`: the code an admin or dispatcher sends in WeChat as "绑定 CODE" to get
    /// staff notices there (new orders, daily reports), without anyone copying an OpenID.
    struct BindCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bind-code",
            abstract:
                "Issue a WeChat binding code for a staff member (they send \"绑定 CODE\" to the Official Account to get staff notices there)."
        )
        @Argument(help: "The staff member's login name (an admin or dispatcher).") var username: String
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                do {
                    let issued = try await dependencies.staffBindingCode(username: username)
                    print(
                        """
                        binding code for staff #\(issued.account.id) \(issued.account.username): \(issued.code) (\(CourierCommand.codeTerms))
                        they send "绑定 \(issued.code)" to the Official Account; then switch notices on in the console (我的 Me) or with PUT /api/v1/staff/\(issued.account.id)/subscriptions
                        """)
                } catch let error as StaffCreationError {
                    FileHandle.standardError.write(Data("dropmate: \(error)\n".utf8))
                    throw ExitCode.failure
                }
            }
        }
    }
}
