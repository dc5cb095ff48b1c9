import Foundation
import Logging
import SQLKit
import Testing

@testable import DropMateStorage

/// The connections PostgreSQL's group commits and point reads hold instead of leasing from the pool: they survive the
/// server dropping them, a failed batch leaves nothing behind, and a connection left idle is replaced before use.
@Suite(.enabled(if: BackendKind.postgresURL != nil, "DATABASE_URL names no PostgreSQL"))
struct PostgresHeldConnectionTests {
    private static func count(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM held_probe").first()!.decode(column: "n", as: Int.self)
    }

    private static func makeTable(_ database: TestDatabase) async throws {
        try await database.backend.singleStatement { db in
            try await db.raw("CREATE TABLE held_probe (n INTEGER NOT NULL)").run()
        }
    }

    @Test func batchesAndReadsComeBackAfterTheServerDroppedTheirConnections() async throws {
        let database = try await TestDatabase.make(.postgres)
        defer { Task { await database.backend.shutdown() } }
        try await Self.makeTable(database)
        try await database.backend.batchStatement { db in try await db.raw("INSERT INTO held_probe VALUES (1)").run() }
        #expect(try await Self.count(database.backend.reader) == 1)

        // An operator (or a failover) ends every other session on this database, the held ones included.
        try await database.backend.singleStatement { db in
            try await db.raw(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """
            ).run()
        }
        try await Task.sleep(for: .milliseconds(300))  // the terminations' messages reach the clients

        try await database.backend.batchTransaction { db in
            try await db.raw("INSERT INTO held_probe VALUES (2)").run()
        }
        for _ in 0..<PostgresBackend.readerConnections {  // every reader connection was replaced, not only one
            #expect(try await Self.count(database.backend.reader) == 2)
        }
    }

    @Test func aBatchThatThrowsIsRolledBackAndTheConnectionServesTheNext() async throws {
        let database = try await TestDatabase.make(.postgres)
        defer { Task { await database.backend.shutdown() } }
        try await Self.makeTable(database)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await database.backend.batchTransaction { db in
                try await db.raw("INSERT INTO held_probe VALUES (1)").run()
                throw Refused()
            }
        }
        try await database.backend.batchTransaction { db in
            try await db.raw("INSERT INTO held_probe VALUES (2)").run()
        }
        let values = try await database.backend.reader.raw("SELECT n FROM held_probe").all().map {
            try $0.decode(column: "n", as: Int.self)
        }
        #expect(values == [2])
    }

    @Test func aConnectionIdleLongerThanTheLimitIsReplacedBeforeUse() async throws {
        let configuration = try PostgresURL.connectionConfiguration(from: BackendKind.postgresURL!)
        let connection = PostgresHeldConnection(
            configuration: configuration, exclusive: false, idleLimit: .milliseconds(200), logger: Logger(label: "test")
        )
        defer { Task { await connection.close() } }
        func serverProcess() async throws -> Int {
            try await connection.withDatabase { db in
                try await db.raw("SELECT pg_backend_pid() AS pid").first()!.decode(column: "pid", as: Int.self)
            }
        }
        let first = try await serverProcess()
        #expect(try await serverProcess() == first)  // used again within the limit: the same session
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await serverProcess() != first)
    }

    @Test func concurrentReadsShareTheHeldConnections() async throws {
        let database = try await TestDatabase.make(.postgres)
        defer { Task { await database.backend.shutdown() } }
        let backend = database.backend
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 1...64 {
                group.addTask {
                    try await backend.reader.raw("SELECT \(bind: n) + 1 AS m").first()!.decode(
                        column: "m", as: Int.self)
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sums == (2...65).reduce(0, +))
    }

    @Test func aClosedConnectionRefusesWork() async throws {
        let configuration = try PostgresURL.connectionConfiguration(from: BackendKind.postgresURL!)
        let connection = PostgresHeldConnection(
            configuration: configuration, exclusive: true, logger: Logger(label: "test"))
        try await connection.withDatabase { db in try await db.raw("SELECT 1").run() }
        await connection.close()
        await #expect(throws: PostgresHeldConnection.Closed.self) {
            try await connection.withDatabase { db in try await db.raw("SELECT 1").run() }
        }
    }
}
