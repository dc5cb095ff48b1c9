import DropMateCore
import SQLKit

/// Staff accounts, their tokens, the audit log and replayable idempotent answers, on either database.
public struct SQLStaffStore: Sendable {
    let backend: any SQLBackend

    public init(backend: any SQLBackend) { self.backend = backend }

    /// Why a staff write was refused.
    public enum StaffError: Error, Sendable, Equatable, CustomStringConvertible {
        case usernameTaken(String)
        public var description: String {
            switch self { case .usernameTaken(let name): "the username \(name) is taken" }
        }
    }

    // MARK: Accounts

    /// A new account; `audit` is written in the same transaction.
    public func create(username: String, passwordHash: String, role: StaffRole, courierID: Int64?, now: Int64, audit: AuditEntry?) async throws -> StaffAccount {
        try await backend.transaction { db in
            guard try await db.raw("SELECT id FROM staff WHERE username = \(bind: username)").first() == nil else { throw StaffError.usernameTaken(username) }
            let row = try await db.raw("""
                INSERT INTO staff (username, password_hash, role, courier_id, active, created_at, updated_at)
                VALUES (\(bind: username), \(bind: passwordHash), \(bind: role.rawValue), \(bind: courierID), 1, \(bind: now), \(bind: now)) RETURNING id
                """).first()
            let account = StaffAccount(id: try row!.decode(column: "id", as: Int64.self), username: username, role: role, courierID: courierID)
            if var audit {
                audit.target = "staff:\(account.id)"
                try await Self.append(audit, in: db)
            }
            return account
        }
    }

    /// The account and its password hash, by username (active or not).
    public func account(username: String) async throws -> (account: StaffAccount, passwordHash: String)? {
        guard let row = try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns), password_hash FROM staff WHERE username = \(bind: username)").first() else { return nil }
        return (try Self.account(row), try row.decode(column: "password_hash", as: String.self))
    }

    public func account(id: Int64) async throws -> StaffAccount? {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns) FROM staff WHERE id = \(bind: id)").first().map(Self.account)
    }

    public func accounts() async throws -> [StaffAccount] {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns) FROM staff ORDER BY id").all().map(Self.account)
    }

    /// Replaces a password hash (a rehash at login, or a reset).
    public func setPasswordHash(_ hash: String, staffID: Int64, now: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw("UPDATE staff SET password_hash = \(bind: hash), updated_at = \(bind: now) WHERE id = \(bind: staffID)").run()
        }
    }

    /// Staff with a bound WeChat account who asked for report notices.
    public func reportSubscribers() async throws -> [StaffAccount] {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns) FROM staff WHERE active = 1 AND notify_reports = 1 AND wechat_openid IS NOT NULL ORDER BY id")
            .all().map(Self.account)
    }

    /// Sets who gets report notices in WeChat; `audit` in the same transaction.
    public func setNotifications(staffID: Int64, wechatOpenID: String?, notifyReports: Bool, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            try await db.raw("""
                UPDATE staff SET wechat_openid = \(bind: wechatOpenID), notify_reports = \(bind: notifyReports ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: staffID)
                """).run()
            try await Self.append(audit, in: db)
        }
    }

    // MARK: Tokens

    /// Stores a token by its hash. `kind` is "api" (automation, no expiry unless given) or "refresh".
    public func storeToken(staffID: Int64, kind: String, tokenHash: String, name: String?, expiresAt: Int64?, now: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw("""
                INSERT INTO staff_tokens (staff_id, kind, token_hash, name, expires_at, revoked, created_at)
                VALUES (\(bind: staffID), \(bind: kind), \(bind: tokenHash), \(bind: name), \(bind: expiresAt), 0, \(bind: now))
                """).run()
        }
    }

    /// The active account a live, unrevoked token of `kind` belongs to.
    public func account(tokenHash: String, kind: String, now: Int64) async throws -> StaffAccount? {
        try await backend.reader.raw("""
            SELECT \(unsafeRaw: Self.columns.split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM staff_tokens t JOIN staff s ON s.id = t.staff_id
            WHERE t.token_hash = \(bind: tokenHash) AND t.kind = \(bind: kind) AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > \(bind: now)) AND s.active = 1
            """).first().map(Self.account)
    }

    /// Revokes a token (a used refresh token, or one an admin withdraws).
    public func revokeToken(hash: String) async throws {
        try await backend.transaction { db in try await db.raw("UPDATE staff_tokens SET revoked = 1 WHERE token_hash = \(bind: hash)").run() }
    }

    // MARK: Audit

    /// Appends one entry inside the caller's transaction.
    public static func append(_ entry: AuditEntry, in db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO audit_log (actor_id, actor, role, action, target, before_summary, after_summary, at)
            VALUES (\(bind: entry.actorID), \(bind: entry.actor), \(bind: entry.role), \(bind: entry.action), \(bind: entry.target),
                    \(bind: entry.before), \(bind: entry.after), \(bind: entry.at))
            """).run()
    }

    /// Appends one entry on its own.
    public func append(_ entry: AuditEntry) async throws {
        try await backend.transaction { db in try await Self.append(entry, in: db) }
    }

    /// Entries newest first, before `beforeID` when paging.
    public func audit(limit: Int, beforeID: Int64?) async throws -> [(id: Int64, entry: AuditEntry)] {
        try await backend.reader.raw("""
            SELECT id, actor_id, actor, role, action, target, before_summary, after_summary, at FROM audit_log
            WHERE id < \(bind: beforeID ?? Int64.max) ORDER BY id DESC LIMIT \(bind: limit)
            """).all().map { row in
            (try row.decode(column: "id", as: Int64.self), AuditEntry(
                actorID: try row.decode(column: "actor_id", as: Int64?.self), actor: try row.decode(column: "actor", as: String.self),
                role: try row.decode(column: "role", as: String.self), action: try row.decode(column: "action", as: String.self),
                target: try row.decode(column: "target", as: String.self), before: try row.decode(column: "before_summary", as: String?.self),
                after: try row.decode(column: "after_summary", as: String?.self), at: try row.decode(column: "at", as: Int64.self)))
        }
    }

    // MARK: Idempotency

    /// An answer given before for this staff member's `key`: its request fingerprint, status and body.
    public func idempotentAnswer(staffID: Int64, key: String) async throws -> (requestHash: String, status: Int, body: String)? {
        guard let row = try await backend.reader.raw("""
            SELECT request_hash, status, body FROM idempotency_keys WHERE staff_id = \(bind: staffID) AND key = \(bind: key)
            """).first() else { return nil }
        return (try row.decode(column: "request_hash", as: String.self), try row.decode(column: "status", as: Int.self), try row.decode(column: "body", as: String.self))
    }

    /// Keeps an answer for replays; the first one stored for a key wins.
    public func storeIdempotentAnswer(staffID: Int64, key: String, requestHash: String, status: Int, body: String, now: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw("""
                INSERT INTO idempotency_keys (staff_id, key, request_hash, status, body, created_at)
                VALUES (\(bind: staffID), \(bind: key), \(bind: requestHash), \(bind: status), \(bind: body), \(bind: now))
                ON CONFLICT (staff_id, key) DO NOTHING
                """).run()
        }
    }

    static let columns = "id, username, role, courier_id, wechat_openid, notify_reports, active"

    static func account(_ row: any SQLRow) throws -> StaffAccount {
        StaffAccount(
            id: try row.decode(column: "id", as: Int64.self), username: try row.decode(column: "username", as: String.self),
            role: StaffRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .courier,
            courierID: try row.decode(column: "courier_id", as: Int64?.self), wechatOpenID: try row.decode(column: "wechat_openid", as: String?.self),
            notifyReports: try row.decode(column: "notify_reports", as: Int64.self) != 0, active: try row.decode(column: "active", as: Int64.self) != 0
        )
    }
}
