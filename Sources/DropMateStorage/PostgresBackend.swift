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
/// which runs it in a task of its own until `shutdown()`. Group-committed batches and the primary's point reads go
/// through connections held outside the pool (`PostgresHeldConnection` says why); they close with it.
public final class PostgresBackend: SQLBackend {
    private let client: PostgresClient
    /// The read replica `DATABASE_READ_URL` names, nil without one.
    public let readReplica: ReadReplica?
    private let running: Mutex<Task<Void, Never>?>
    /// Group-committed batches go through a connection of their own, outside the pool.
    private let batches: PostgresHeldConnection
    /// The primary's point reads (a turn's state, dedupe lookups, sign-in checks) share a few held connections.
    private let readers: [PostgresHeldConnection]
    private let nextReader = Atomic<Int>(0)
    static let readerConnections = 4
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
            held: try PostgresURL.connectionConfiguration(from: url),
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

    private init(
        client: PostgresClient, held: PostgresConnection.Configuration, readReplica: ReadReplica?, logger: Logger
    ) {
        self.client = client
        self.batches = PostgresHeldConnection(configuration: held, exclusive: true, logger: logger)
        self.readers = (0..<Self.readerConnections).map { _ in
            PostgresHeldConnection(configuration: held, exclusive: false, logger: logger)
        }
        self.readReplica = readReplica
        self.running = Mutex(nil)
        self.logger = logger
    }

    /// Runs the connection pool (and the replica's, and its monitor) until a graceful shutdown or cancellation;
    /// then its connections close, and the held ones (batches, point reads) with them.
    public func run() async {
        if let readReplica {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.client.run() }
                group.addTask { await readReplica.run(primary: self.client) }
                await group.next()  // the primary's pool has stopped: so does the replica's
                group.cancelAll()
            }
        } else {
            await client.run()
        }
        await closeHeldConnections()
    }

    private func closeHeldConnections() async {
        await batches.close()
        for reader in readers { await reader.close() }
    }

    public var reader: any SQLDatabase {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max
        return HeldPostgresDatabase(connection: readers[index % readers.count], logger: logger)
    }

    /// Lists, searches and reports: the replica when there is one, else the pool (a long report must not hold up
    /// the point reads queued on a held connection).
    public var laggingReader: any SQLDatabase {
        guard let readReplica else { return PooledPostgresDatabase(client: client, logger: logger) }
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

    public func batchTransaction<T: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await batches.transaction(body)
    }

    public func batchStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        try await batches.withDatabase(body)
    }

    /// Closes the batch connection and stops the pool `connect` started (a pool run as a service stops with its
    /// service group).
    public func shutdown() async {
        await closeHeldConnections()
        guard let task = running.withLock({ $0 }) else { return }
        task.cancel()
        await task.value
    }
}

/// A `SQLDatabase` on PostgreSQL defined by its async `execute` alone: the dialect, no query logging, and the
/// future-based `execute` SQLKit also asks for, run as a task.
protocol PostgresQueryRunner: SQLDatabase {}

extension PostgresQueryRunner {
    var eventLoop: any EventLoop { PostgresClient.defaultEventLoopGroup.any() }
    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(
        sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }
}

/// A `SQLDatabase` whose queries queue on one held connection (the primary's point reads).
struct HeldPostgresDatabase: PostgresQueryRunner {
    let connection: PostgresHeldConnection
    let logger: Logger

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await connection.withDatabase { db in try await db.execute(sql: query, onRow) }
    }
}

/// A `SQLDatabase` whose every query borrows a connection from the pool (reads outside transactions).
struct PooledPostgresDatabase: PostgresQueryRunner {
    let client: PostgresClient
    let logger: Logger

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
        }
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

    /// What a URL names, before it becomes a pool's or a single connection's configuration.
    private struct Target {
        enum Encryption { case none, ifOffered, required, verified }
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String?
        var encryption: Encryption
    }

    private static func target(from text: String, variable: String) throws -> Target {
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
        let encryption: Target.Encryption
        switch sslMode {
        case "disable": encryption = .none
        case "allow", "prefer": encryption = .ifOffered
        case "require": encryption = .required
        case "verify-ca", "verify-full": encryption = .verified
        default: throw invalid("unknown sslmode '\(sslMode)'")
        }
        return Target(
            host: host, port: components.port ?? 5432, user: user, password: components.password,
            database: database.isEmpty ? nil : database, encryption: encryption)
    }

    /// The pool's configuration.
    static func configuration(
        from text: String, variable: String = "DATABASE_URL"
    ) throws -> PostgresClient.Configuration {
        let target = try target(from: text, variable: variable)
        let tls: PostgresClient.Configuration.TLS
        switch target.encryption {
        case .none: tls = .disable
        case .ifOffered: tls = .prefer(unverified())
        case .required: tls = .require(unverified())
        case .verified: tls = .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password,
            database: target.database, tls: tls
        )
    }

    /// The same URL as a single connection's configuration (the batch connection, outside the pool).
    static func connectionConfiguration(
        from text: String, variable: String = "DATABASE_URL"
    ) throws -> PostgresConnection.Configuration {
        let target = try target(from: text, variable: variable)
        let tls: PostgresConnection.Configuration.TLS
        switch target.encryption {
        case .none: tls = .disable
        case .ifOffered: tls = .prefer(try NIOSSLContext(configuration: unverified()))
        case .required: tls = .require(try NIOSSLContext(configuration: unverified()))
        case .verified: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password,
            database: target.database, tls: tls)
    }

    /// libpq's `require`: encrypted, but the server certificate is not checked (managed databases' usual setting).
    private static func unverified() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
