import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate courier`: add couriers, give them the binding code they send to the Official Account, switch them
/// off and on, and replace or revoke their app's token. Each change is audited as done by the command line.
struct CourierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "courier",
        abstract: "Add couriers, issue their WeChat binding codes and app tokens, switch them off and on, list them.",
        subcommands: [Create.self, Code.self, Deactivate.self, Reactivate.self, Token.self, List.self],
        defaultSubcommand: List.self
    )

    /// "valid 30 minutes, dies after 10 wrong codes from anyone": how a printed binding code may be used.
    static var codeTerms: String {
        let policy = BindingCodePolicy.standard
        return "valid \(policy.validFor / 60) minutes, dies after \(policy.maxFailuresPerCode) wrong codes from anyone"
    }

    static func audit(_ action: String, courier id: Int64, after: String?) -> AuditEntry {
        AuditEntry(
            actorID: nil, actor: "cli", role: "admin", action: action, target: "courier:\(id)", after: after,
            at: Int64(Date().timeIntervalSince1970))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a courier; prints their id, a binding code and their app's API token (shown once).")
        @Option(help: "The courier's name, as customers will see it.") var name: String
        @Option(help: "Their mobile number (11 digits).") var phone: String?
        @OptionGroup var options: DataOptions

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 40 else {
                throw ValidationError("--name must be 1 to 40 characters")
            }
            if let phone, PhoneNumber(phone) == nil {
                throw ValidationError("--phone is not a mainland mobile number (11 digits starting 13–19)")
            }
        }

        func run() async throws {
            try await options.withDependencies { dependencies in
                let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
                let created = try await dependencies.couriers.create(
                    name: name, phone: phone.flatMap(PhoneNumber.init),
                    audit: AuditEntry(
                        actorID: nil, actor: "cli", role: "admin", action: "courier.create",
                        target: "courier", after: name, at: Int64(Date().timeIntervalSince1970)))
                let code = try await dependencies.couriers.issueBindingCode(courierID: created.courier.id)
                print(
                    """
                    courier #\(created.courier.id) \(created.courier.name)
                    binding code: \(code.code) (\(CourierCommand.codeTerms): the courier sends "绑定 \(code.code)" to the Official Account)
                    API token: \(created.apiToken) (for a courier app's position updates; shown only now)
                    """)
            }
        }
    }

    /// "2026-12-05 15:30:00 +08:00": a time as staff read it, in the business time zone (never raw Unix seconds).
    static func localTime(_ unix: Int64, utcOffset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: utcOffset) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(unix)))
        let minutes = abs(utcOffset) / 60
        let zone = (utcOffset < 0 ? "-" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
            c.second ?? 0) + zone
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new binding code for a courier (the old one stops working).")
        @Argument(help: "The courier's id.") var id: Int64
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let code = try await dependencies.couriers.issueBindingCode(
                    courierID: id,
                    audit: CourierCommand.audit("courier.binding_code", courier: id, after: "new binding code"))
                print("binding code for courier #\(id): \(code.code) (\(CourierCommand.codeTerms))")
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Switch a courier off: their WeChat chat becomes a customer's and their app token stops working, at once."
        )
        @Argument(help: "The courier's id.") var id: Int64
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                _ = try await dependencies.couriers.setActive(
                    courierID: id, false,
                    audit: CourierCommand.audit("courier.deactivate", courier: id, after: "inactive"))
                print(
                    "courier #\(id) is inactive (their WeChat binding is dropped: a new binding code is needed after reactivating)"
                )
            }
        }
    }

    struct Reactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Switch a courier on again (their app token works again unless revoked; WeChat needs a new binding code)."
        )
        @Argument(help: "The courier's id.") var id: Int64
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                _ = try await dependencies.couriers.setActive(
                    courierID: id, true, audit: CourierCommand.audit("courier.reactivate", courier: id, after: "active")
                )
                print("courier #\(id) is active")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new app token for a courier (the old one stops working at once), or --revoke it.")
        @Argument(help: "The courier's id.") var id: Int64
        @Flag(help: "Revoke the token without issuing a new one.") var revoke = false
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                if revoke {
                    try await dependencies.couriers.revokeToken(
                        courierID: id,
                        audit: CourierCommand.audit("courier.token_revoke", courier: id, after: "no app token"))
                    print("courier #\(id) has no app token now")
                } else {
                    let token = try await dependencies.couriers.reissueToken(
                        courierID: id,
                        audit: CourierCommand.audit("courier.token_reissue", courier: id, after: "new app token"))
                    print("API token for courier #\(id): \(token) (shown only now; the previous one no longer works)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every courier, whether bound to WeChat, and their last position.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                let couriers = try await dependencies.couriers.all()
                let offset = dependencies.config.utcOffsetSeconds
                if couriers.isEmpty { print("no couriers") }
                for courier in couriers {
                    let position =
                        courier.position.map {
                            "\($0.coordinate.latitude),\($0.coordinate.longitude) at \(CourierCommand.localTime($0.at, utcOffset: offset))"
                        } ?? "no position"
                    print(
                        "#\(courier.id)\t\(courier.name)\t\(courier.active ? "active" : "inactive")\t\(courier.openID == nil ? "not bound" : "bound")\t\(position)"
                    )
                }
            }
        }
    }
}
