import DropMateCore
import SQLKit

extension SQLConversationStore {
    /// Writes a batch of units inside one transaction: multi-row statements for the per-message rows.
    static func write(_ units: [UnitOfWork], to db: any SQLDatabase) async throws {
        let handled = units.compactMap { unit in unit.handled.map { (unit, $0) } }
        if !handled.isEmpty {
            var insert = db.insert(into: "handled_messages").columns("key", "reply", "created_at")
            for (unit, entry) in handled {
                insert = insert.values(SQLBind(entry.key), SQLBind(try ReplyColumn.encode(entry.message)), SQLBind(unit.now))
            }
            // The latest record for a key wins: a key is processed once, so the only rewrite is a late
            // reply's answer becoming `success` once that reply has been queued as a push.
            try await insert.onConflict(with: ["key"]) { $0.set(excludedValueOf: "reply") }.run()
        }
        let states = units.filter { $0.state != nil }
        if !states.isEmpty {
            var upsert = db.insert(into: "customers").columns("openid", "state", "expires_at", "updated_at")
            for unit in states {
                upsert = upsert.values(SQLBind(unit.customer), SQLBind(try unit.encodedState ?? JSONColumn.encode(unit.state!)), SQLBind(unit.expiresAt), SQLBind(unit.now))
            }
            try await upsert.onConflict(with: ["openid"]) {
                $0.set(excludedValueOf: "state").set(excludedValueOf: "expires_at").set(excludedValueOf: "updated_at")
            }.run()
        }
        for unit in units {
            for write in unit.orders { try await store(write, now: unit.now, in: db) }
            for post in unit.posts {
                try await db.raw("""
                    INSERT INTO board_posts (customer, order_id, body, created_at)
                    VALUES (\(bind: post.customer), \(bind: post.orderID), \(bind: post.body), \(bind: post.createdAt))
                    """).run()
            }
            for job in unit.jobs { try await SQLJobQueue.insert(job, now: unit.now, in: db) }
        }
    }

    static func store(_ write: OrderWrite, now: Int64, in db: any SQLDatabase) async throws {
        let order = write.order
        let data = try JSONColumn.encode(order)
        if write.isNew {
            try await db.raw("""
                INSERT INTO orders (id, customer, merchant_id, status, total_fen, created_at, promised_at, latitude, longitude, data, updated_at)
                VALUES (\(bind: order.id), \(bind: order.customer), \(bind: order.merchantID), \(bind: order.status.rawValue), \(bind: order.total.fen),
                        \(bind: order.createdAt), \(bind: order.promisedAt), \(bind: order.address.coordinate?.latitude), \(bind: order.address.coordinate?.longitude),
                        \(bind: data), \(bind: now))
                """).run()
        } else {
            try await db.raw("""
                UPDATE orders SET status = \(bind: order.status.rawValue), promised_at = \(bind: order.promisedAt), data = \(bind: data), updated_at = \(bind: now)
                WHERE id = \(bind: order.id)
                """).run()
        }
        try await db.raw("INSERT INTO order_events (order_id, status, at) VALUES (\(bind: order.id), \(bind: order.status.rawValue), \(bind: now))").run()
    }
}
