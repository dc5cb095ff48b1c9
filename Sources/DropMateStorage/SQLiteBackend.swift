import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// The embedded database: one SQLite file in WAL mode, one writer connection and a few readers.
///
/// Commits do not fsync (`synchronous=NORMAL` in WAL mode): a killed process loses nothing, a power
/// cut may lose the last moments but never corrupts. A background checkpoint four times a second, on its own
/// connection and thread, copies the WAL into the database so that the writer's own automatic checkpoint
/// finds little left to do; that one completes, so the WAL is reset and reused in place instead of growing
/// (growing it made every frame write allocate and zero new file blocks).
public final class SQLiteBackend: SQLBackend {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let checkpointer: SQLiteConnection
    private let checkpoints: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)

    /// Opens (creating if needed) the database at `path`.
    public static func open(path: String, readers readerCount: Int = 2, logger: Logger) async throws -> SQLiteBackend {
        // The writer and the checkpointer each get a thread of their own, so commits never queue behind
        // reads or a checkpoint's fsync; readers share NIO's thread pool.
        let writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        let checkpointThread = NIOThreadPool(numberOfThreads: 1)
        checkpointThread.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let writer = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: writerThread, logger: logger, on: eventLoop)
        for pragma in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000",
            "PRAGMA foreign_keys=ON",
            "PRAGMA journal_size_limit=67108864",
        ] {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, readerCount) {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await reader.query("PRAGMA busy_timeout=5000")
            readers.append(reader)
        }
        let checkpointer = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: checkpointThread, logger: logger, on: eventLoop)
        _ = try await checkpointer.query("PRAGMA busy_timeout=5000")
        let backend = SQLiteBackend(
            writer: writer, readers: readers, checkpointer: checkpointer, threads: [writerThread, checkpointThread])
        backend.checkpoints.withLock { $0 = Task { [checkpointer] in await Self.checkpointContinuously(checkpointer) } }
        return backend
    }

    private let threads: [NIOThreadPool]

    private init(
        writer: SQLiteConnection, readers: [SQLiteConnection], checkpointer: SQLiteConnection, threads: [NIOThreadPool]
    ) {
        self.writer = writer
        self.readers = readers
        self.checkpointer = checkpointer
        self.threads = threads
    }

    /// Copies the WAL into the database file four times a second without blocking anyone (PASSIVE), so the
    /// writer's own automatic checkpoint finds little left to copy.
    private static func checkpointContinuously(_ connection: SQLiteConnection) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            _ = try? await connection.query("PRAGMA wal_checkpoint(PASSIVE)")
        }
    }

    public var reader: any SQLDatabase {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return readers[abs(index) % readers.count].sql(queryLogLevel: nil)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            let db = writer.sql(queryLogLevel: nil)
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

    public func singleStatement(_ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        try await writeLock.withLock { try await body(writer.sql(queryLogLevel: nil)) }
    }

    public func shutdown() async {
        if let task = checkpoints.withLock({ $0.take() }) {
            task.cancel()
            await task.value
        }
        _ = try? await checkpointer.query("PRAGMA wal_checkpoint(TRUNCATE)")
        for connection in readers + [writer, checkpointer] { try? await connection.close() }
        for thread in threads { try? await thread.shutdownGracefully() }
    }
}
