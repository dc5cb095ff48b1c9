import Foundation
import Logging
import SQLKit
import SQLiteKit
import Synchronization

/// The embedded database: one SQLite file in WAL mode, one writer connection and a few readers.
public final class SQLiteBackend: SQLBackend {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)

    /// Opens (creating if needed) the database at `path`.
    public static func open(path: String, readers readerCount: Int = 2, logger: Logger) async throws -> SQLiteBackend {
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"] {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, readerCount) {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await reader.query("PRAGMA busy_timeout=5000")
            readers.append(reader)
        }
        return SQLiteBackend(writer: writer, readers: readers)
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
    }

    public var reader: any SQLDatabase {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return readers[abs(index) % readers.count].sql()
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            let db = writer.sql()
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func shutdown() async {
        for connection in readers + [writer] { try? await connection.close() }
    }
}
