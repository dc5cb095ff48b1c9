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
            switch self {
            case .usernameTaken(let name): "the username \(name) is taken"
            }
        }
    }

    // MARK: Accounts

    /// A new account; `audit` is written in the same transaction.
    public func create(
        username: String, passwordHash: String, role: StaffRole, courierID: Int64?, now: Int64, audit: AuditEntry?
    ) async throws -> StaffAccount {
        try await backend.transaction { db in
            guard try await db.raw("SELECT id FROM staff WHERE username = \(bind: username)").first() == nil else {
                throw StaffError.usernameTaken(username)
            }
            let row = try await db.raw(
                """
                INSERT INTO staff (username, password_hash, role, courier_id, active, created_at, updated_at)
                VALUES (\(bind: username), \(bind: passwordHash), \(bind: role.rawValue), \(bind: courierID), 1, \(bind: now), \(bind: now)) RETURNING id
                """
            ).first()
            let account = StaffAccount(
                id: try row!.decode(column: "id", as: Int64.self), username: username, role: role, courierID: courierID)
            if var audit {
                audit.target = "staff:\(account.id)"
                try await Self.append(audit, in: db)
            }
            return account
        }
    }

    /// The account and its password hash, by username (active or not).
    public func account(username: String) async throws -> (account: StaffAccount, passwordHash: String)? {
        guard
            let row = try await backend.reader.raw(
                "SELECT \(unsafeRaw: Self.columns), password_hash FROM staff WHERE username = \(bind: username)"
            ).first()
        else { return nil }
        return (try Self.account(row), try row.decode(column: "password_hash", as: String.self))
    }

    public func account(id: Int64) async throws -> StaffAccount? {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns) FROM staff WHERE id = \(bind: id)").first().map(
            Self.account)
    }

    /// The account and its token version (access tokens minted under an older version are dead).
    public func session(id: Int64) async throws -> (account: StaffAccount, tokenVersion: Int64)? {
        guard
            let row = try await backend.reader.raw(
                "SELECT \(unsafeRaw: Self.columns), token_version FROM staff WHERE id = \(bind: id)"
            ).first()
        else { return nil }
        return (try Self.account(row), try row.decode(column: "token_version", as: Int64.self))
    }

    public func accounts() async throws -> [StaffAccount] {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.columns) FROM staff ORDER BY id").all().map(Self.account)
    }

    /// Replaces a password hash (a rehash at login, or a reset).
    public func setPasswordHash(_ hash: String, staffID: Int64, now: Int64) async throws {
        try await backend.transaction { db in
            try await db.raw(
                "UPDATE staff SET password_hash = \(bind: hash), updated_at = \(bind: now) WHERE id = \(bind: staffID)"
            ).run()
        }
    }

    /// Sets a new password hash and ends every session of the account: its token version moves on (access tokens
    /// die) and its refresh tokens are revoked; `audit` in the same transaction. Returns the new token version.
    @discardableResult
    public func changePassword(staffID: Int64, hash: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        try await backend.transaction { db in
            try await db.raw(
                "UPDATE staff SET password_hash = \(bind: hash), updated_at = \(bind: now) WHERE id = \(bind: staffID)"
            ).run()
            let version = try await Self.endSessions(staffID: staffID, in: db)
            try await Self.append(audit, in: db)
            return version
        }
    }

    /// Deactivates or reactivates an account. Deactivating ends its sessions (a reactivated member logs in again);
    /// while inactive, its API tokens are refused too. `audit` in the same transaction; false when no such account.
    public func setActive(_ active: Bool, staffID: Int64, now: Int64, audit: AuditEntry) async throws -> Bool {
        try await backend.transaction { db in
            guard
                try await db.raw(
                    "UPDATE staff SET active = \(bind: active ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: staffID) RETURNING id"
                ).first() != nil
            else {
                return false
            }
            if !active { _ = try await Self.endSessions(staffID: staffID, in: db) }
            try await Self.append(audit, in: db)
            return true
        }
    }

    /// How many active admins there are (the last one may not be deactivated).
    public func activeAdminCount() async throws -> Int {
        let row = try await backend.reader.raw("SELECT COUNT(*) AS n FROM staff WHERE role = 'admin' AND active = 1")
            .first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    static func endSessions(staffID: Int64, in db: any SQLDatabase) async throws -> Int64 {
        try await db.raw(
            "UPDATE staff_tokens SET revoked = 1 WHERE staff_id = \(bind: staffID) AND kind = 'refresh' AND revoked = 0"
        ).run()
        let row = try await db.raw(
            "UPDATE staff SET token_version = token_version + 1 WHERE id = \(bind: staffID) RETURNING token_version"
        ).first()
        return try row?.decode(column: "token_version", as: Int64.self) ?? 0
    }

    /// Staff with a bound WeChat account who asked for report notices.
    public func reportSubscribers() async throws -> [StaffAccount] {
        try await backend.reader.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM staff WHERE active = 1 AND notify_reports = 1 AND wechat_openid IS NOT NULL ORDER BY id"
        )
        .all().map(Self.account)
    }

    /// Sets who gets report notices in WeChat; `audit` in the same transaction.
    public func setNotifications(
        staffID: Int64, wechatOpenID: String?, notifyReports: Bool, now: Int64, audit: AuditEntry
    ) async throws {
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE staff SET wechat_openid = \(bind: wechatOpenID), notify_reports = \(bind: notifyReports ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: staffID)
                """
            ).run()
            try await Self.append(audit, in: db)
        }
    }

    // MARK: Tokens

    /// Stores a token by its hash and returns its id. `kind` is "api" (automation, no expiry unless given) or
    /// "refresh" (in `family`: every refresh token descending from one login shares it).
    @discardableResult
    public func storeToken(
        staffID: Int64, kind: String, tokenHash: String, name: String?, expiresAt: Int64?, family: String? = nil,
        now: Int64,
        audit: AuditEntry? = nil
    ) async throws -> Int64 {
        try await backend.transaction { db in
            let row = try await Self.insertToken(
                staffID: staffID, kind: kind, tokenHash: tokenHash, name: name, expiresAt: expiresAt, family: family,
                now: now, in: db)
            if let audit { try await Self.append(audit, in: db) }
            return row
        }
    }

    static func insertToken(
        staffID: Int64, kind: String, tokenHash: String, name: String?, expiresAt: Int64?, family: String?, now: Int64,
        in db: any SQLDatabase
    ) async throws -> Int64 {
        let row = try await db.raw(
            """
            INSERT INTO staff_tokens (staff_id, kind, token_hash, name, expires_at, revoked, created_at, family)
            VALUES (\(bind: staffID), \(bind: kind), \(bind: tokenHash), \(bind: name), \(bind: expiresAt), 0, \(bind: now), \(bind: family)) RETURNING id
            """
        ).first()
        return try row?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// What became of a refresh token presented for spending.
    public enum RefreshOutcome: Sendable, Equatable {
        /// Spent now, by this caller alone; its successor is stored in the same family. `tokenVersion` is the
        /// account's, read under the same lock a password change or deactivation takes.
        case spent(staffID: Int64, tokenVersion: Int64)
        /// It had been spent before: the whole family is revoked now (a stolen token, or a replay).
        case reused(staffID: Int64)
        /// Unknown, expired or revoked.
        case invalid
    }

    /// Spends a refresh token atomically (one conditional UPDATE: of any number of parallel callers exactly one
    /// wins) and stores its successor in the same family; a token spent before revokes its whole family.
    public func spendRefreshToken(
        hash: String, successorHash: String, expiresAt: Int64, now: Int64
    ) async throws -> RefreshOutcome {
        try await backend.transaction { db in
            // The account's row first, as every session-ending write takes it first: on PostgreSQL a password change
            // waits for this spend (and then revokes its successor) or this spend sees the token revoked.
            guard
                let account = try await db.raw(
                    """
                    UPDATE staff SET token_version = token_version WHERE id = (SELECT staff_id FROM staff_tokens WHERE token_hash = \(bind: hash) AND kind = 'refresh')
                    RETURNING token_version
                    """
                ).first()
            else { return .invalid }
            let version = try account.decode(column: "token_version", as: Int64.self)
            if let row = try await db.raw(
                """
                UPDATE staff_tokens SET revoked = 1, spent_at = \(bind: now)
                WHERE token_hash = \(bind: hash) AND kind = 'refresh' AND revoked = 0 AND spent_at IS NULL AND expires_at > \(bind: now)
                RETURNING staff_id, COALESCE(family, token_hash) AS family
                """
            ).first() {
                let staffID = try row.decode(column: "staff_id", as: Int64.self)
                let family = try row.decode(column: "family", as: String.self)
                _ = try await Self.insertToken(
                    staffID: staffID, kind: "refresh", tokenHash: successorHash, name: nil, expiresAt: expiresAt,
                    family: family, now: now, in: db)
                return .spent(staffID: staffID, tokenVersion: version)
            }
            guard
                let row = try await db.raw(
                    """
                    SELECT staff_id, COALESCE(family, token_hash) AS family, spent_at FROM staff_tokens WHERE token_hash = \(bind: hash) AND kind = 'refresh'
                    """
                ).first(), try row.decode(column: "spent_at", as: Int64?.self) != nil
            else { return .invalid }
            let family = try row.decode(column: "family", as: String.self)
            try await db.raw(
                "UPDATE staff_tokens SET revoked = 1 WHERE (family = \(bind: family) OR token_hash = \(bind: family)) AND revoked = 0"
            ).run()
            return .reused(staffID: try row.decode(column: "staff_id", as: Int64.self))
        }
    }

    /// The active account an unrevoked API token belongs to, and the token's id.
    public func apiTokenAccount(tokenHash: String, now: Int64) async throws -> (account: StaffAccount, tokenID: Int64)?
    {
        guard
            let row = try await backend.reader.raw(
                """
                SELECT \(unsafeRaw: Self.prefixedColumns), t.id AS token_id
                FROM staff_tokens t JOIN staff s ON s.id = t.staff_id
                WHERE t.token_hash = \(bind: tokenHash) AND t.kind = 'api' AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > \(bind: now)) AND s.active = 1
                """
            ).first()
        else { return nil }
        return (try Self.account(row), try row.decode(column: "token_id", as: Int64.self))
    }

    /// A staff member's API tokens (never the tokens themselves: only their hashes are stored).
    public func apiTokens(staffID: Int64) async throws -> [(id: Int64, name: String?, createdAt: Int64, revoked: Bool)]
    {
        try await backend.reader.raw(
            """
            SELECT id, name, created_at, revoked FROM staff_tokens WHERE staff_id = \(bind: staffID) AND kind = 'api' ORDER BY id
            """
        ).all().map { row in
            (
                try row.decode(column: "id", as: Int64.self), try row.decode(column: "name", as: String?.self),
                try row.decode(column: "created_at", as: Int64.self),
                try row.decode(column: "revoked", as: Int64.self) != 0
            )
        }
    }

    /// Revokes one of a staff member's API tokens; false when it is not theirs or already revoked. `audit` in the
    /// same transaction.
    public func revokeAPIToken(id: Int64, staffID: Int64, audit: AuditEntry) async throws -> Bool {
        try await backend.transaction { db in
            guard
                try await db.raw(
                    """
                    UPDATE staff_tokens SET revoked = 1 WHERE id = \(bind: id) AND staff_id = \(bind: staffID) AND kind = 'api' AND revoked = 0 RETURNING id
                    """
                ).first() != nil
            else { return false }
            try await Self.append(audit, in: db)
            return true
        }
    }

    /// The active account a live, unrevoked token of `kind` belongs to.
    public func account(tokenHash: String, kind: String, now: Int64) async throws -> StaffAccount? {
        try await backend.reader.raw(
            """
            SELECT \(unsafeRaw: Self.prefixedColumns)
            FROM staff_tokens t JOIN staff s ON s.id = t.staff_id
            WHERE t.token_hash = \(bind: tokenHash) AND t.kind = \(bind: kind) AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > \(bind: now)) AND s.active = 1
            """
        ).first().map(Self.account)
    }

    // MARK: Audit

    /// Appends one entry inside the caller's transaction.
    public static func append(_ entry: AuditEntry, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO audit_log (actor_id, actor, role, action, target, before_summary, after_summary, at)
            VALUES (\(bind: entry.actorID), \(bind: entry.actor), \(bind: entry.role), \(bind: entry.action), \(bind: entry.target),
                    \(bind: entry.before), \(bind: entry.after), \(bind: entry.at))
            """
        ).run()
    }

    /// Appends one entry on its own.
    public func append(_ entry: AuditEntry) async throws {
        try await backend.transaction { db in try await Self.append(entry, in: db) }
    }

    /// Entries newest first, before `beforeID` when paging.
    public func audit(limit: Int, beforeID: Int64?) async throws -> [(id: Int64, entry: AuditEntry)] {
        try await Self.audit(limit: limit, beforeID: beforeID, in: backend.reader)
    }

    static func audit(
        limit: Int, beforeID: Int64?, in db: any SQLDatabase
    ) async throws -> [(id: Int64, entry: AuditEntry)] {
        try await db.raw(
            """
            SELECT id, actor_id, actor, role, action, target, before_summary, after_summary, at FROM audit_log
            WHERE id < \(bind: beforeID ?? Int64.max) ORDER BY id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            (
                try row.decode(column: "id", as: Int64.self),
                AuditEntry(
                    actorID: try row.decode(column: "actor_id", as: Int64?.self),
                    actor: try row.decode(column: "actor", as: String.self),
                    role: try row.decode(column: "role", as: String.self),
                    action: try row.decode(column: "action", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    before: try row.decode(column: "before_summary", as: String?.self),
                    after: try row.decode(column: "after_summary", as: String?.self),
                    at: try row.decode(column: "at", as: Int64.self))
            )
        }
    }

    // MARK: Idempotency

    /// What a principal's `Idempotency-Key` stands for when a request arrives.
    public enum IdempotencyClaim: Sendable, Equatable {
        /// The key is new: it is now held for this request, until ``finishIdempotentRequest`` or ``releaseIdempotencyKey``.
        case claimed
        /// The key's request is still running (a parallel retry): its fingerprint.
        case inFlight(requestHash: String)
        /// Answered before: fingerprint, status and body as stored (the caller seals and opens it).
        case answered(requestHash: String, status: Int, body: String)
    }

    /// Claims `principal`'s `key` for a request with fingerprint `requestHash`, or says what it already stands for.
    /// The claim is one conditional INSERT, so of parallel requests with one key exactly one runs. Answers older than
    /// `notBefore`, and claims abandoned before `abandonedBefore` (a process that died mid-request), are forgotten.
    public func claimIdempotencyKey(
        principal: String, key: String, requestHash: String, now: Int64, notBefore: Int64,
        abandonedBefore: Int64
    ) async throws -> IdempotencyClaim {
        try await backend.transaction { db in
            try await db.raw(
                """
                DELETE FROM api_idempotency WHERE created_at < \(bind: notBefore) OR (status = 0 AND created_at < \(bind: abandonedBefore))
                """
            ).run()
            if try await db.raw(
                """
                INSERT INTO api_idempotency (principal, key, request_hash, status, body, created_at)
                VALUES (\(bind: principal), \(bind: key), \(bind: requestHash), 0, '', \(bind: now))
                ON CONFLICT (principal, key) DO NOTHING RETURNING status
                """
            ).first() != nil {
                return .claimed
            }
            guard
                let row = try await db.raw(
                    """
                    SELECT request_hash, status, body FROM api_idempotency WHERE principal = \(bind: principal) AND key = \(bind: key)
                    """
                ).first()
            else { return .inFlight(requestHash: requestHash) }
            let hash = try row.decode(column: "request_hash", as: String.self),
                status = try row.decode(column: "status", as: Int.self)
            return status == 0
                ? .inFlight(requestHash: hash)
                : .answered(requestHash: hash, status: status, body: try row.decode(column: "body", as: String.self))
        }
    }

    /// Keeps the answer to a claimed key for the principal's replays.
    public func finishIdempotentRequest(principal: String, key: String, status: Int, body: String) async throws {
        try await backend.transaction { db in
            try await db.raw(
                """
                UPDATE api_idempotency SET status = \(bind: status), body = \(bind: body) WHERE principal = \(bind: principal) AND key = \(bind: key) AND status = 0
                """
            ).run()
        }
    }

    /// Gives a claimed key up (the request failed on our side: a retry should run it again).
    public func releaseIdempotencyKey(principal: String, key: String) async throws {
        try await backend.transaction { db in
            try await db.raw(
                "DELETE FROM api_idempotency WHERE principal = \(bind: principal) AND key = \(bind: key) AND status = 0"
            ).run()
        }
    }

    static let columns = "id, username, role, courier_id, wechat_openid, notify_reports, active, notify_orders"
    static let prefixedColumns = columns.split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespaces) }
        .joined(separator: ", ")

    static func account(_ row: any SQLRow) throws -> StaffAccount {
        StaffAccount(
            id: try row.decode(column: "id", as: Int64.self),
            username: try row.decode(column: "username", as: String.self),
            role: StaffRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .courier,
            courierID: try row.decode(column: "courier_id", as: Int64?.self),
            wechatOpenID: try row.decode(column: "wechat_openid", as: String?.self),
            notifyReports: try row.decode(column: "notify_reports", as: Int64.self) != 0,
            active: try row.decode(column: "active", as: Int64.self) != 0,
            notifyOrders: try row.decode(column: "notify_orders", as: Int64.self) != 0
        )
    }
}
