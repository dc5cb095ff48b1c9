import Foundation

/// The Redis server REDIS_URL names (CI starts a throwaway one). Tests share it, each under its own key prefix.
enum TestRedis {
    static let url = ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Configuration for an app on the test Redis, with keys no other test touches.
    static func environment(prefix: String = "test-\(UUID().uuidString.prefix(8))") -> [String: String] {
        guard let url else { return [:] }
        return ["REDIS_URL": url, "REDIS_KEY_PREFIX": prefix]
    }
}
