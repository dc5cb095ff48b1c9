import DropMateStorage
import Foundation
import Logging

/// Fresh, empty PostgreSQL databases on the server DATABASE_URL names (CI starts a throwaway one).
enum PostgresTestDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap {
        $0.hasPrefix("postgres") ? $0 : nil
    }

    /// Creates a migrated database of its own and returns its URL.
    static func create() async throws -> String {
        let url = try await createEmpty()
        // As a deployment does: `dropmate migrate` before the servers start.
        let backend = try await PostgresBackend.connect(url: url, logger: Logger(label: "test"))
        do { try await Migrations.migrate(backend, now: 0) } catch {
            await backend.shutdown()
            throw error
        }
        await backend.shutdown()
        return url
    }

    /// Creates an empty database of its own (no schema) and returns its URL.
    static func createEmpty() async throws -> String {
        guard let serverURL else { throw Unavailable() }
        let admin = try await PostgresBackend.connect(url: serverURL, logger: Logger(label: "test"))
        let name = "dm_app_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        do {
            try await admin.singleStatement { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
        var components = URLComponents(string: serverURL)!
        components.path = "/" + name
        return components.string!
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "DATABASE_URL names no PostgreSQL server" }
    }
}
