import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// A `SQLDatabase` for reads that may lag a little: each query runs on the read replica while its monitor says it
/// serves reads, else on the primary. A query the replica fails (it went away between two checks, or cancelled the
/// query for a conflict with recovery) marks it down and runs again on the primary, so a caller gets an answer
/// whenever the primary can give one.
struct LaggingReadDatabase: PostgresQueryRunner {
    let primary: PostgresClient
    let replica: ReadReplica
    let logger: Logger

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        if replica.status.servesReads {
            do {
                let logger = self.logger
                let rows = try await replica.read { connection in
                    let collected = RowCollector()
                    try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query) { row in
                        collected.append(row)
                    }
                    return collected.rows
                }
                for row in rows { onRow(row) }
                return
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                replica.markDown(error)
            }
        }
        try await PooledPostgresDatabase(client: primary, logger: logger).execute(sql: query, onRow)
    }
}

/// Rows held until the query has finished.
private final class RowCollector: Sendable {
    private let held = Mutex<[any SQLRow]>([])
    func append(_ row: any SQLRow) { held.withLock { $0.append(row) } }
    var rows: [any SQLRow] { held.withLock { $0 } }
}
