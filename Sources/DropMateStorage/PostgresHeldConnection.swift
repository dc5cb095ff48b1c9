import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// A PostgreSQL connection held open across queries instead of leased from the pool for each: group-committed
/// batches write through one, and the primary's point reads (`PostgresBackend.reader`) through a few.
///
/// Why not the pool for these: postgres-nio's pool starts a keep-alive and an idle timer (each a sleeping task on a
/// Dispatch timer) every time a connection is handed back, and cancels them on the next lease. A cancelled sleep's
/// timer still fires when it was due, 30 and 60 seconds later. At a few thousand leases a second (every first contact
/// reads the database) the timers' scheduling, firing and thread wake-ups cost more than the queries: the webhook at
/// 100,000 customers spent a fifth of the server's CPU on them (BENCHMARKS.md, session 10).
///
/// The connection opens on first use and again after it failed. One left unused for `idleLimit` is replaced before it
/// is used (a quiet night's NAT or proxy may have dropped it without a word), so it needs no keep-alive either.
/// `exclusive` connections run one body at a time (a transaction must not interleave with another's statements);
/// shared ones let postgres-nio queue concurrent queries on the one connection.
final class PostgresHeldConnection: Sendable {
    private struct Held {
        var connection: PostgresConnection
        var lastUsed: ContinuousClock.Instant
    }

    private let configuration: PostgresConnection.Configuration
    private let exclusive: Bool
    private let idleLimit: Duration
    private let logger: Logger
    /// Held while a body runs (exclusive) or while the connection is checked and replaced (shared).
    private let turn = AsyncLock()
    private let held = Mutex<Held?>(nil)
    private let closed = Atomic<Bool>(false)
    private static let nextID = Atomic<Int>(1)

    init(
        configuration: PostgresConnection.Configuration, exclusive: Bool, idleLimit: Duration = .seconds(30),
        logger: Logger
    ) {
        self.configuration = configuration
        self.exclusive = exclusive
        self.idleLimit = idleLimit
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. Only on an exclusive
    /// connection.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        precondition(exclusive, "a transaction needs a connection of its own")
        return try await withConnection { connection in
            let db = connection.sql(queryLogLevel: nil, logger: self.logger)
            try await db.raw("BEGIN").run()
            let result: T
            do {
                result = try await body(db)
            } catch {
                // A connection that cannot even roll back is closed; the next use opens another.
                do { try await db.raw("ROLLBACK").run() } catch { try? await connection.close() }
                throw error
            }
            try await db.raw("COMMIT").run()
            return result
        }
    }

    /// Runs `body` on the connection (statements outside an explicit transaction).
    func withDatabase<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil, logger: self.logger))
        }
    }

    /// Closes the connection; later uses fail with `Closed`.
    func close() async {
        closed.store(true, ordering: .relaxed)
        await turn.withLock {
            if let connection = held.withLock({ $0.take()?.connection }) { try? await connection.closeGracefully() }
        }
    }

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the database connection was closed (shutting down)" }
    }

    private func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        if exclusive {
            return try await turn.withLock { try await run(body, on: try await usableConnection()) }
        }
        let connection = try await turn.withLock { try await usableConnection() }
        return try await run(body, on: connection)
    }

    private func run<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T, on connection: PostgresConnection
    ) async throws -> T {
        do {
            let value = try await body(connection)
            held.withLock { if $0?.connection === connection { $0?.lastUsed = .now } }
            return value
        } catch {
            if connection.isClosed { held.withLock { if $0?.connection === connection { $0 = nil } } }
            throw error
        }
    }

    /// The held connection if it is open and was used lately; else a new one. Called holding `turn`.
    private func usableConnection() async throws -> PostgresConnection {
        guard !closed.load(ordering: .relaxed) else { throw Closed() }
        let now = ContinuousClock.now
        let (current, stale): (PostgresConnection?, PostgresConnection?) = held.withLock { held in
            guard let kept = held else { return (nil, nil) }
            if !kept.connection.isClosed && now - kept.lastUsed < idleLimit {
                held?.lastUsed = now  // a shared connection's long query still counts as use
                return (kept.connection, nil)
            }
            held = nil
            return (nil, kept.connection)
        }
        if let current { return current }
        if let stale { Task { try? await stale.closeGracefully() } }  // a shared one may still finish a query
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue, logger: logger)
        held.withLock { $0 = Held(connection: connection, lastUsed: now) }
        return connection
    }
}
