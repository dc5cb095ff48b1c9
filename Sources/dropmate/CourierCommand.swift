import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate courier`: add couriers and give them the binding code they send to the Official Account.
struct CourierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "courier", abstract: "Add couriers, issue their WeChat binding codes, list them.",
        subcommands: [Create.self, Code.self, List.self], defaultSubcommand: List.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a courier; prints their id, a binding code and their app's API token (shown once).")
        @Option(help: "The courier's name, as customers will see it.") var name: String
        @Option(help: "Their mobile number (11 digits).") var phone: String?
        @OptionGroup var options: ServerOptions

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 40 else { throw ValidationError("--name must be 1 to 40 characters") }
            if let phone, PhoneNumber(phone) == nil { throw ValidationError("--phone is not a mainland mobile number (11 digits starting 13–19)") }
        }

        func run() async throws {
            try await options.withDependencies { dependencies in
                let created = try await dependencies.couriers.create(name: name.trimmingCharacters(in: .whitespacesAndNewlines), phone: phone.flatMap(PhoneNumber.init))
                let code = try await dependencies.couriers.issueBindingCode(courierID: created.courier.id)
                print("""
                courier #\(created.courier.id) \(created.courier.name)
                binding code: \(code) (valid 24 h: the courier sends "绑定 \(code)" to the Official Account)
                API token: \(created.apiToken) (for a courier app's position updates; shown only now)
                """)
            }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new binding code for a courier (the old one stops working).")
        @Argument(help: "The courier's id.") var id: Int64
        @OptionGroup var options: ServerOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let code = try await dependencies.couriers.issueBindingCode(courierID: id)
                print("binding code for courier #\(id): \(code) (valid 24 h)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every courier, whether bound to WeChat, and their last position.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let couriers = try await dependencies.couriers.all()
                if couriers.isEmpty { print("no couriers") }
                for courier in couriers {
                    let position = courier.position.map { "\($0.coordinate.latitude),\($0.coordinate.longitude) at \($0.at)" } ?? "no position"
                    print("#\(courier.id)\t\(courier.name)\t\(courier.active ? "active" : "inactive")\t\(courier.openID == nil ? "not bound" : "bound")\t\(position)")
                }
            }
        }
    }
}
