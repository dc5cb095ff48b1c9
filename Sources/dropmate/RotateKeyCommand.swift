import ArgumentParser
import DropMateApp
import Foundation

/// `dropmate rotate-key`: after putting a new key first in DROPMATE_PII_KEYS (keeping the old one after it),
/// reseals every stored phone number, address and conversation under the new key. Safe to run while serving.
struct RotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-encrypt personal data under the current DROPMATE_PII_KEYS key (then the old key can be removed)."
    )
    @OptionGroup var options: DataOptions

    func run() async throws {
        try await options.withDependencies { dependencies in
            let rotation = try await dependencies.store.rotatePersonalData()
            print("resealed under key \(dependencies.config.piiKeys.currentKeyID): \(rotation)")
        }
    }
}
