import DropMateCore
import SQLKit

/// Browser sessions of the web console (`/console`, staff) and the courier web app (`/courier`). Only the SHA-256
/// of each session token is stored, like staff tokens; a session belongs to a staff account (at the account's
/// token version then: a password change or deactivation ends it) or to a courier (signed in with the app token).
extension SQLStaffStore {
    /// A live console session.
    public struct ConsoleSession: Sendable, Equatable {
        public var staffID: Int64?
        public var courierID: Int64?
        public var tokenVersion: Int64
        public var createdAt: Int64
        public var lastSeenAt: Int64
    }

    /// Stores a new session (its token's hash).
    public func createConsoleSession(
        tokenHash: String, staffID: Int64?, courierID: Int64?, tokenVersion: Int64, now: Int64
    ) async throws {
        try await backend.transaction { db in
            // Ended and idle sessions are swept as new ones start: the table holds only live ones and a few stale.
            try await db.raw("DELETE FROM console_sessions WHERE last_seen_at < \(bind: now - 7 * 86_400)").run()
            try await db.raw(
                """
                INSERT INTO console_sessions (token_hash, staff_id, courier_id, token_version, created_at, last_seen_at)
                VALUES (\(bind: tokenHash), \(bind: staffID), \(bind: courierID), \(bind: tokenVersion), \(bind: now), \(bind: now))
                """
            ).run()
        }
    }

    /// The session with this token hash, unless idle since before `idleSince` or started before `startedSince`.
    public func consoleSession(tokenHash: String, idleSince: Int64, startedSince: Int64) async throws -> ConsoleSession?
    {
        guard
            let row = try await backend.reader.raw(
                """
                SELECT staff_id, courier_id, token_version, created_at, last_seen_at FROM console_sessions
                WHERE token_hash = \(bind: tokenHash) AND last_seen_at >= \(bind: idleSince) AND created_at >= \(bind: startedSince)
                """
            ).first()
        else { return nil }
        return ConsoleSession(
            staffID: try row.decode(column: "staff_id", as: Int64?.self),
            courierID: try row.decode(column: "courier_id", as: Int64?.self),
            tokenVersion: try row.decode(column: "token_version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastSeenAt: try row.decode(column: "last_seen_at", as: Int64.self))
    }

    /// Marks the session used now (its idle time starts again).
    public func touchConsoleSession(tokenHash: String, now: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw(
                "UPDATE console_sessions SET last_seen_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)"
            ).run()
        }
    }

    /// Ends the session (sign-out).
    public func endConsoleSession(tokenHash: String) async throws {
        try await backend.transaction { db in
            try await db.raw("DELETE FROM console_sessions WHERE token_hash = \(bind: tokenHash)").run()
        }
    }
}
