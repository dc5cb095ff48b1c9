import SQLKit

/// A SQL database DropMate can run on: a way to read and a way to write atomically.
///
/// SQLite and PostgreSQL each provide one; every store is written once against this seam.
public protocol SQLBackend: Sendable {
    /// A database handle for reads outside a transaction (committed data only), on the primary: it sees every
    /// write that has committed. A turn's state, dedupe, an order just written, whatever a write follows, and every
    /// authentication check read here.
    var reader: any SQLDatabase { get }
    /// A handle for reads that may lag a little behind the last writes (lists, searches, reports, the public board):
    /// PostgreSQL's read replica while it answers and keeps up, else the same as `reader`. Only `SQLReadModel` reads
    /// here, so whether a read may be stale is decided by the type a caller holds, not by convention.
    var laggingReader: any SQLDatabase { get }
    /// Runs `body` in one transaction on one connection; commits when it returns, rolls back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body`, which issues exactly one statement, on the write path without an explicit transaction
    /// (a single statement is atomic by itself, and saves the BEGIN and COMMIT round trips).
    func singleStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws
    /// Like `transaction`, for a group commit's batch: PostgreSQL runs batches on a connection of their own
    /// (`PostgresBatchConnection`), SQLite on its one writer like every write.
    func batchTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Like `singleStatement`, for a group commit's batch of one statement.
    func batchStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws
    /// Closes every connection.
    func shutdown() async
}

extension SQLBackend {
    /// One database (SQLite, or PostgreSQL without a replica): reads that may lag read the primary too.
    public var laggingReader: any SQLDatabase { reader }

    public func batchTransaction<T: Sendable>(
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await transaction(body)
    }

    public func batchStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        try await singleStatement(body)
    }

    /// Whether the backend is SQLite (for the few DDL words that differ).
    var isSQLite: Bool { reader.dialect.name == "sqlite" }
}
