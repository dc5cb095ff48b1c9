import Foundation

/// Where Redis is and how to log in, read from `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS).
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    public var tls: Bool
    /// Connections in the pool for ordinary commands.
    public var poolSize: Int
    public var connectTimeout: Duration
    public var commandTimeout: Duration

    public init(url text: String, poolSize: Int = 4, connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(5)) throws(RedisError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["redis", "rediss"].contains(scheme) else {
            throw .invalidURL("expected redis://host:port/db or rediss://…")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("no host") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard path.isEmpty || Int(path) != nil else { throw .invalidURL("the path must be a database number") }
        self.host = host
        self.port = components.port ?? 6379
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding ?? $0 }
        self.database = Int(path) ?? 0
        self.tls = scheme == "rediss"
        self.poolSize = max(1, poolSize)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }
}
