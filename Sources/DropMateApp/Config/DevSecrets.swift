import Foundation

/// Secrets generated on the embedded default's first start, so it runs with no configuration.
/// Kept in the data directory (mode 0600) so `dropmate chat` and restarts use the same ones.
public struct DevSecrets: Codable, Sendable {
    public var token: String
    public var encodingAESKey: String
    public var linkSecret: String

    /// The AppID used when none is configured.
    public static let appID = "wxdropmatedev0001"

    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent("dev-secrets.json")
    }

    /// The data directory's secrets, created on first use.
    public static func loadOrCreate(in directory: String) throws -> DevSecrets {
        let path = path(in: directory)
        if let data = FileManager.default.contents(atPath: path) {
            return try JSONDecoder().decode(DevSecrets.self, from: data)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        func randomString(_ count: Int, from alphabet: String) -> String {
            let characters = Array(alphabet)
            return String((0..<count).map { _ in characters[Int(random.next(upperBound: UInt(characters.count)))] })
        }
        let alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        let secrets = DevSecrets(
            token: "dev" + randomString(16, from: alphanumerics),
            encodingAESKey: randomString(43, from: alphanumerics),
            linkSecret: randomString(48, from: alphanumerics)
        )
        let data = try JSONEncoder().encode(secrets)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        return secrets
    }

    /// The secrets if the data directory has them.
    public static func load(in directory: String) -> DevSecrets? {
        FileManager.default.contents(atPath: path(in: directory)).flatMap {
            try? JSONDecoder().decode(DevSecrets.self, from: $0)
        }
    }

    /// The data directory's key for personal data at rest (`dev1:<base64>`), created on first use: the embedded
    /// default seals orders with no configuration. Losing the file loses the sealed data, so it sits beside it.
    public static func piiKeys(in directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent("pii-keys")
        if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
        let text = "dev1:\(key)"
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        return text
    }
}
