import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through postgres-nio's pooled `PostgresClient`: the production database.
///
/// The pool works while `run()` runs. A server runs it as a service of its service group, ahead of the role's
/// own services, so it closes last (`AppDependencies.runServer`); one-shot commands and tests use `connect`,
/// which runs it in a task of its own until `shutdown()`.
public final class PostgresBackend: SQLBackend {
    private let client: PostgresClient
    private let running: Mutex<Task<Void, Never>?>
    private let logger: Logger

    /// A backend on `url` (`postgres://user:password@host:port/database?sslmode=…`) whose pool is not running yet:
    /// queries wait until `run()` runs.
    public static func make(url: String, logger: Logger) throws -> PostgresBackend {
        PostgresBackend(client: PostgresClient(configuration: try PostgresURL.configuration(from: url), backgroundLogger: logger), logger: logger)
    }

    /// Connects to `url`, the pool running in a task of its own until `shutdown()`, and checks the database answers.
    public static func connect(url: String, logger: Logger) async throws -> PostgresBackend {
        let backend = try make(url: url, logger: logger)
        backend.running.withLock { $0 = Task { await backend.run() } }
        do {
            try await backend.reader.raw("SELECT 1").run()
        } catch {
            await backend.shutdown()
            throw error
        }
        return backend
    }

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.running = Mutex(nil)
        self.logger = logger
    }

    /// Runs the connection pool until a graceful shutdown or cancellation; then its connections close.
    public func run() async {
        await client.run()
    }

    public var reader: any SQLDatabase { PooledPostgresDatabase(client: client, logger: logger) }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection.sql(queryLogLevel: nil, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            // The body's own error, rolled back cleanly, is what callers switch on (as on SQLite): a store's
            // "unknown merchant" must stay that, not become an opaque transaction error (a 500 in the staff API).
            if let thrown = error.closureError, error.beginError == nil, error.rollbackError == nil { throw thrown }
            throw error
        }
    }

    public func singleStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil, logger: logger)) }
    }

    /// Stops the pool `connect` started (a pool run as a service stops with its service group).
    public func shutdown() async {
        guard let task = running.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }
}

/// A `SQLDatabase` whose every query borrows a connection from the pool (reads outside transactions).
struct PooledPostgresDatabase: SQLDatabase {
    let client: PostgresClient
    let logger: Logger

    var eventLoop: any EventLoop { PostgresClient.defaultEventLoopGroup.any() }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }
}

/// Reads `DATABASE_URL` into a client configuration, honouring `sslmode` (disable, prefer, require, verify-full).
enum PostgresURL {
    struct Invalid: Error, CustomStringConvertible {
        var reason: String
        var description: String { "DATABASE_URL is not a usable postgres:// URL: \(reason)" }
    }

    static func configuration(from text: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw Invalid(reason: "expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(reason: "no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(reason: "no user name") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified())
        case "require": tls = .require(unverified())
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw Invalid(reason: "unknown sslmode '\(sslMode)'")
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: tls
        )
    }

    /// libpq's `require`: encrypted, but the server certificate is not checked (managed databases' usual setting).
    private static func unverified() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
