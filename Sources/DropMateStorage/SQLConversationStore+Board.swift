import DropMateCore
import SQLKit

/// The message board as staff moderate it.
extension SQLConversationStore {
    /// A post with its moderation state (the type lives with the `BoardModeration` port).
    public typealias ModeratedPost = DropMateCore.ModeratedPost

    /// The `business_settings` row that says public posts wait for review ("1") or not.
    static let holdPostsSetting = "board.hold_posts"

    public func boardHoldsPosts() async throws -> Bool {
        try await Self.boardHoldsPosts(in: backend.reader)
    }

    static func boardHoldsPosts(in db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT value FROM business_settings WHERE name = \(bind: holdPostsSetting)").first()?.decode(
            column: "value", as: String.self) == "1"
    }

    /// Holds public posts for review from now on (or publishes them at once again), audited in the same transaction.
    /// Posts already held stay held until staff approve or reject them.
    public func setBoardHoldsPosts(_ hold: Bool, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            try await db.raw("DELETE FROM business_settings WHERE name = \(bind: Self.holdPostsSetting)").run()
            try await db.raw(
                """
                INSERT INTO business_settings (name, value, updated_at) VALUES (\(bind: Self.holdPostsSetting), \(bind: hold ? "1" : "0"), \(bind: now))
                """
            ).run()
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Posts newest first. `state`: "visible", "held", "hidden", "removed", "rejected" or nil for all. Lists read
    /// through `SQLReadModel`.
    static func boardPosts(
        state: String?, orderID: Int64?, limit: Int, offset: Int, onlyID: Int64? = nil, in db: any SQLDatabase
    ) async throws -> [ModeratedPost] {
        var conditions: SQLQueryString = "1 = 1"
        switch state {
        case "visible": conditions = "\(conditions) AND moderation IS NULL"
        case let state?: conditions = "\(conditions) AND moderation = \(bind: state)"
        case nil: break
        }
        if let orderID { conditions = "\(conditions) AND order_id = \(bind: orderID)" }
        if let onlyID { conditions = "\(conditions) AND id = \(bind: onlyID)" }
        return try await db.raw(
            """
            SELECT \(unsafeRaw: Self.boardPostColumns), moderation, moderation_reason FROM board_posts WHERE \(conditions)
            ORDER BY id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
            """
        ).all().map { row in
            ModeratedPost(
                post: try Self.boardPost(row),
                moderation: try row.decode(column: "moderation", as: String?.self),
                reason: try row.decode(column: "moderation_reason", as: String?.self))
        }
    }

    /// One post as moderation reads it before and after a change (fresh: the primary).
    public func boardPost(id: Int64) async throws -> ModeratedPost? {
        try await Self.boardPosts(state: nil, orderID: nil, limit: 1, offset: 0, onlyID: id, in: backend.reader).first
    }

    /// Hides or removes a post (nil: shows it again), with the reason, audited in the same transaction. `onlyFrom`:
    /// change it only while it is in that state ("held": approving or rejecting a post waiting for review).
    public func moderate(
        postID: Int64, as moderation: String?, reason: String?, onlyFrom: String?, audit: AuditEntry
    ) async throws -> Bool {
        try await backend.transaction { db in
            var condition: SQLQueryString = ""
            if let onlyFrom { condition = "AND moderation = \(bind: onlyFrom)" }
            guard
                try await db.raw(
                    """
                    UPDATE board_posts SET moderation = \(bind: moderation), moderation_reason = \(bind: reason), hidden = \(bind: moderation == nil ? 0 : 1)
                    WHERE id = \(bind: postID) \(condition) RETURNING id
                    """
                ).first() != nil
            else { return false }
            try await SQLStaffStore.append(audit, in: db)
            return true
        }
    }

    /// Stores a staff reply and the push that carries it to the customer, audited, in one transaction.
    public func reply(
        toPost postID: Int64, staffID: Int64, body: String, push: NewJob, audit: AuditEntry, now: Int64
    ) async throws {
        let sealer = sealer
        try await backend.transaction { db in
            try await db.raw(
                """
                INSERT INTO board_replies (post_id, staff_id, body, created_at) VALUES (\(bind: postID), \(bind: staffID), \(bind: body), \(bind: now))
                """
            ).run()
            try await SQLJobQueue.insert(push, now: now, in: db, sealer: sealer)
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Replies to a post, oldest first.
    public func replies(toPost postID: Int64) async throws -> [(body: String, at: Int64)] {
        try await backend.reader.raw(
            "SELECT body, created_at FROM board_replies WHERE post_id = \(bind: postID) ORDER BY id"
        ).all().map {
            (try $0.decode(column: "body", as: String.self), try $0.decode(column: "created_at", as: Int64.self))
        }
    }
}
