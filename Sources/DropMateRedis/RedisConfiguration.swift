import Foundation

/// A Redis server's address.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Where Redis is and how to log in, read from `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS).
///
/// A Redis Cluster is named by several nodes, `redis://[user:password@]h1:p1,h2:p2,…` (any of its nodes; the client
/// learns the rest from `CLUSTER SLOTS`), or by one node with `cluster: true` (`REDIS_CLUSTER=1`: a managed cluster's
/// configuration endpoint). Every node shares the URL's credentials and TLS setting; a cluster has database 0 only.
public struct RedisConfiguration: Sendable, Equatable {
    /// The first node named: the server itself when not a cluster.
    public var host: String
    public var port: Int
    /// Every node the URL names (the first is `host:port`).
    public var seeds: [RedisEndpoint]
    /// Route commands by key slot over a Redis Cluster, following `MOVED` and `ASK`.
    public var cluster: Bool
    public var username: String?
    public var password: String?
    public var database: Int
    public var tls: Bool
    /// A PEM file of the certificate authorities a `rediss://` server's certificate must chain to (`REDIS_TLS_CA_FILE`);
    /// nil: the system's.
    public var tlsCAFile: String?
    /// The name a TLS certificate is checked against when `host` is an address (a cluster node announced by its IP
    /// is checked against the name the URL gave).
    public var tlsServerName: String?
    /// Connections in the pool for ordinary commands (per node in a cluster).
    public var poolSize: Int
    public var connectTimeout: Duration
    public var commandTimeout: Duration
    /// In a cluster: how long a command keeps retrying while a node fails over or slots move, before it fails.
    public var clusterRetryWindow: Duration = .seconds(15)

    /// `cluster` nil: a cluster when the URL names more than one node.
    public init(
        url text: String, cluster: Bool? = nil, poolSize: Int = 4, connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(5)
    ) throws(RedisError) {
        // URLComponents reads one host: take the comma-separated list out of the authority and parse each node alone.
        guard let schemeEnd = text.range(of: "://") else {
            throw .invalidURL("expected redis://host:port/db or rediss://…")
        }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd =
            afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let hostList = authority[hostsStart...].split(separator: ",", omittingEmptySubsequences: false)
        guard let first = hostList.first else { throw .invalidURL("no host") }
        let firstURL = String(text[..<hostsStart]) + first + String(afterScheme[authorityEnd...])
        guard let components = URLComponents(string: firstURL), let scheme = components.scheme,
            ["redis", "rediss"].contains(scheme)
        else {
            throw .invalidURL("expected redis://host:port/db or rediss://…")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("no host") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard path.isEmpty || Int(path) != nil else { throw .invalidURL("the path must be a database number") }
        var seeds = [RedisEndpoint(host: host, port: components.port ?? 6379)]
        for node in hostList.dropFirst() {
            guard let parsed = URLComponents(string: "redis://" + node), let nodeHost = parsed.host, !nodeHost.isEmpty,
                parsed.path.isEmpty, parsed.user == nil
            else {
                throw .invalidURL("cluster nodes are listed as host:port,host:port")
            }
            seeds.append(RedisEndpoint(host: nodeHost, port: parsed.port ?? 6379))
        }
        self.host = host
        self.port = seeds[0].port
        self.seeds = seeds
        self.cluster = cluster ?? (seeds.count > 1)
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding ?? $0 }
        self.database = Int(path) ?? 0
        self.tls = scheme == "rediss"
        self.poolSize = max(1, poolSize)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        if self.cluster, database != 0 { throw .invalidURL("a Redis Cluster has database 0 only") }
        if !self.cluster, seeds.count > 1 {
            throw .invalidURL("several nodes name a Redis Cluster (REDIS_CLUSTER must not be 0)")
        }
    }

    /// The same credentials and TLS for one node of the cluster.
    func node(_ endpoint: RedisEndpoint) -> RedisConfiguration {
        var copy = self
        copy.host = endpoint.host
        copy.port = endpoint.port
        copy.seeds = [endpoint]
        copy.cluster = false
        if Self.isAddress(endpoint.host) { copy.tlsServerName = tlsServerName ?? (Self.isAddress(host) ? nil : host) }
        return copy
    }

    static func isAddress(_ host: String) -> Bool {
        host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
    }
}
