import ArgumentParser
import DropMateApp
import DropMateCore
import Foundation

/// `dropmate merchant`: show a merchant's rules and whether it takes orders now, pause it (暂停接单) and resume it.
/// Each change is audited as done by the command line; a running server shows it within 30 s. Rules themselves are
/// set through the staff API (`PUT /api/v1/merchants/{id}/rules`), which checks them.
struct MerchantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merchant", abstract: "Show a merchant's rules, pause (暂停接单) and resume it.",
        subcommands: [Rules.self, Pause.self, Resume.self], defaultSubcommand: Rules.self
    )

    static func audit(_ action: String, merchant id: String, after: String) -> AuditEntry {
        AuditEntry(
            actorID: nil, actor: "cli", role: "admin", action: action, target: "merchant:\(id)", after: after,
            at: Int64(Date().timeIntervalSince1970))
    }

    static func local(_ unix: Int64?, _ time: BusinessTime) -> String {
        guard let unix else { return "—" }
        let local = unix + Int64(time.utcOffsetSeconds)
        let minute = Int(((local % 86_400) + 86_400) % 86_400 / 60)
        return "\(time.weekday(unix).key) \(OpeningInterval.text(minute))"
    }

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a merchant's rules and whether it takes orders now.")
        @Argument(help: "The merchant's id.") var id: String
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                guard let found = try await dependencies.catalogStore.merchant(id: id) else {
                    throw NoSuchMerchant(id: id)
                }
                let rules = try await dependencies.catalogStore.rules(merchantID: id) ?? .unrestricted
                let time = BusinessTime(utcOffsetSeconds: dependencies.config.utcOffsetSeconds)
                var lines = [
                    "merchant \(id) (\(found.merchant.name.zh) / \(found.merchant.name.en)), preparation \(found.merchant.preparationMinutes) min"
                ]
                if let hours = rules.hours {
                    for day in Weekday.allCases {
                        let intervals = hours[day].map {
                            "\(OpeningInterval.text($0.opens))–\(OpeningInterval.text($0.closes))"
                        }
                        lines.append(
                            "  \(day.key): \(intervals.isEmpty ? "closed" : intervals.joined(separator: ", "))")
                    }
                } else {
                    lines.append("  open around the clock")
                }
                lines.append(
                    "  radius: \(rules.deliveryRadiusMetres.map { "\($0) m" } ?? "none")   minimum: \(rules.minimumOrder)   orders for later: \(rules.acceptsOrdersForLater ? "yes" : "no")"
                )
                switch rules.deliveryFee {
                case .flat(let fee): lines.append("  delivery fee: \(fee)")
                case .bands(let bands):
                    lines.append(
                        "  delivery fee: "
                            + bands.map { "\($0.upToMetres.map { "≤ \($0) m" } ?? "farther") \($0.fee)" }.joined(
                                separator: ", "))
                }
                let now = dependencies.clock()
                switch rules.availability(at: now, in: time) {
                case .open(let closesAt):
                    lines.append("  now: open" + (closesAt.map { ", closes \(MerchantCommand.local($0, time))" } ?? ""))
                case .closed(let opensAt): lines.append("  now: closed, opens \(MerchantCommand.local(opensAt, time))")
                case .paused(let until, let reopensAt):
                    lines.append(
                        "  now: paused \(until == nil ? "until resumed" : "until \(MerchantCommand.local(until, time))"), takes orders again \(MerchantCommand.local(reopensAt, time))"
                    )
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop taking orders (暂停接单) until a time, or until resumed.")
        @Argument(help: "The merchant's id.") var id: String
        @Option(help: "For this many minutes (else until `dropmate merchant resume`).") var minutes: Int?
        @OptionGroup var options: DataOptions

        func validate() throws {
            if let minutes, !(1...(60 * 24 * 365)).contains(minutes) {
                throw ValidationError("--minutes must be 1 to 525600")
            }
        }

        func run() async throws {
            try await options.withDependencies { dependencies in
                let now = dependencies.clock()
                let pause = minutes.map { ShopPause.until(now + Int64($0) * 60) } ?? .untilResumed
                let said = minutes.map { "paused for \($0) minutes" } ?? "paused until resumed"
                try await dependencies.catalogStore.setPause(
                    pause, merchantID: id, now: now,
                    audit: MerchantCommand.audit("merchant.pause", merchant: id, after: said))
                print("merchant \(id): \(said)")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take orders again (by the opening hours).")
        @Argument(help: "The merchant's id.") var id: String
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await options.withDependencies { dependencies in
                try await dependencies.catalogStore.setPause(
                    .off, merchantID: id, now: dependencies.clock(),
                    audit: MerchantCommand.audit("merchant.resume", merchant: id, after: "taking orders"))
                print("merchant \(id): taking orders")
            }
        }
    }
}

struct NoSuchMerchant: Error, CustomStringConvertible {
    var id: String
    var description: String { "merchant \(id) does not exist" }
}
