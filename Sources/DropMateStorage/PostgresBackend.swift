import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through postgres-nio's pooled `PostgresClient`: the production database, and optionally a read
/// replica for the reads that may lag a little (`laggingReader`; see `ReadReplica` for when it is used).
///
/// The pool works while `run()` runs. A server runs it as a service of its service group, ahead of the role's
/// own services, so it closes last (`AppDependencies.runServer`); one-shot commands and tests use `connect`,
/// which runs it in a task of its own until `shutdown()`.
public final class PostgresBackend: SQLBackend {
    private let client: PostgresClient
    /// The read replica `DATABASE_READ_URL` names, nil without one.
    public let readReplica: ReadReplica?
    private let running: Mutex<Task<Void, Never>?>
    private let logger: Logger

    /// A backend on `url` (`postgres://user:password@host:port/database?sslmode=…`) whose pool is not running yet:
    /// queries wait until `run()` runs.
    /// With `readURL`, reads that may lag go to that replica while it answers and lags at most `maxReadLag`
    /// (checked every `checkEvery`).
    public static func make(
        url: String, readURL: String? = nil, maxReadLag: Duration = .seconds(10), checkEvery: Duration = .seconds(1),
        logger: Logger
    ) throws -> PostgresBackend {
        let replica = try readURL.map { readURL in
            var configuration = try PostgresURL.configuration(from: readURL, variable: "DATABASE_READ_URL")
            // Named in pg_stat_activity on the replica, so an operator sees what reads there.
            configuration.options.additionalStartupParameters = [("application_name", ReadReplica.applicationName)]
            return ReadReplica(
                client: PostgresClient(configuration: configuration, backgroundLogger: logger), maxLag: maxReadLag,
                checkEvery: checkEvery, answerWithin: .seconds(2), logger: logger)
        }
        return PostgresBackend(
            client: PostgresClient(configuration: try PostgresURL.configuration(from: url), backgroundLogger: logger),
            readReplica: replica, logger: logger)
    }

    /// Whether `url` is a PostgreSQL URL DropMate can connect with; the reason when it is not (`variable` names it).
    public static func problem(url: String, variable: String) -> String? {
        do {
            _ = try PostgresURL.configuration(from: url, variable: variable)
            return nil
        } catch {
            return (error as? PostgresURL.Invalid)?.reason ?? "\(error)"
        }
    }

    /// Connects to `url`, the pool running in a task of its own until `shutdown()`, and checks the database answers.
    public static func connect(
        url: String, readURL: String? = nil, maxReadLag: Duration = .seconds(10), checkEvery: Duration = .seconds(1),
        logger: Logger
    ) async throws -> PostgresBackend {
        let backend = try make(
            url: url, readURL: readURL, maxReadLag: maxReadLag, checkEvery: checkEvery, logger: logger)
        backend.running.withLock { $0 = Task { await backend.run() } }
        do {
            try await backend.reader.raw("SELECT 1").run()
        } catch {
            await backend.shutdown()
            throw error
        }
        return backend
    }

    private init(client: PostgresClient, readReplica: ReadReplica?, logger: Logger) {
        self.client = client
        self.readReplica = readReplica
        self.running = Mutex(nil)
        self.logger = logger
    }

    /// Runs the connection pool (and the replica's, and its monitor) until a graceful shutdown or cancellation;
    /// then its connections close.
    public func run() async {
        guard let readReplica else { return await client.run() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask { await readReplica.run(primary: self.client) }
            await group.next()  // the primary's pool has stopped: so does the replica's
            group.cancelAll()
        }
    }

    public var reader: any SQLDatabase { PooledPostgresDatabase(client: client, logger: logger) }

    public var laggingReader: any SQLDatabase {
        guard let readReplica else { return reader }
        return LaggingReadDatabase(primary: client, replica: readReplica, logger: logger)
    }

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
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil, logger: logger))
        }
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

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
        }
    }

    func execute(
        sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }
}

/// Reads `DATABASE_URL` (or `DATABASE_READ_URL`) into a client configuration, honouring `sslmode` (disable, prefer,
/// require, verify-full).
enum PostgresURL {
    struct Invalid: Error, CustomStringConvertible {
        var variable = "DATABASE_URL"
        var reason: String
        var description: String { "\(variable) is not a usable postgres:// URL: \(reason)" }
    }

    static func configuration(
        from text: String, variable: String = "DATABASE_URL"
    ) throws -> PostgresClient.Configuration {
        func invalid(_ reason: String) -> Invalid { Invalid(variable: variable, reason: reason) }
        guard let components = URLComponents(string: text),
            ["postgres", "postgresql"].contains(components.scheme ?? "")
        else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user name") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified())
        case "require": tls = .require(unverified())
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw invalid("unknown sslmode '\(sslMode)'")
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
