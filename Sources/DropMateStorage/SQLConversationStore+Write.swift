import DropMateCore
import SQLKit

extension SQLConversationStore {
    /// Writes a batch of units inside one transaction: multi-row statements for the per-message rows.
    static func write(_ units: [UnitOfWork], sealer: PIISealer, to db: any SQLDatabase) async throws {
        let handled = try units.compactMap { unit in
            try unit.handled.map {
                HandledRows.Row(
                    key: $0.key, reply: try sealer.seal(ReplyColumn.encode($0.message), as: .answer($0.key)),
                    at: unit.now)
            }
        }
        if !handled.isEmpty { try await db.execute(sql: HandledRows(rows: handled)) { _ in } }
        let states = units.filter { $0.state != nil }
        if !states.isEmpty {
            var upsert = db.insert(into: "customers").columns("openid", "state", "expires_at", "updated_at")
            for unit in states {
                upsert = upsert.values(
                    SQLBind(unit.customer),
                    SQLBind(try unit.encodedState ?? sealer.encode(unit.state!, as: .customerState(unit.customer))),
                    SQLBind(unit.expiresAt), SQLBind(unit.now))
            }
            try await upsert.onConflict(with: ["openid"]) {
                $0.set(excludedValueOf: "state").set(excludedValueOf: "expires_at").set(excludedValueOf: "updated_at")
            }.run()
        }
        for unit in units {
            for write in unit.orders { try await store(write, sealer: sealer, now: unit.now, in: db) }
            for post in unit.posts {
                // The setting is read again here, in the transaction that stores the post: a public post is held
                // whenever the business holds posts, whatever the reply was told (a setting changed a moment ago).
                var held = false
                if post.orderID == nil {
                    held = post.held
                    if !held { held = try await Self.boardHoldsPosts(in: db) }
                }
                try await db.raw(
                    """
                    INSERT INTO board_posts (customer, order_id, body, created_at, moderation, hidden)
                    VALUES (\(bind: post.customer), \(bind: post.orderID), \(bind: post.body), \(bind: post.createdAt),
                            \(bind: held ? "held" : nil as String?), \(bind: held ? 1 : 0))
                    """
                ).run()
            }
            for job in unit.jobs { try await SQLJobQueue.insert(job, now: unit.now, in: db, sealer: sealer) }
            for write in unit.couriers { try await store(write, now: unit.now, in: db) }
            for entry in unit.audit { try await SQLStaffStore.append(entry, in: db) }
        }
    }

    static func store(_ write: OrderWrite, sealer: PIISealer, now: Int64, in db: any SQLDatabase) async throws {
        let order = write.order
        let data = try sealer.encode(order, as: .order(order.id))
        let phoneHash = sealer.phoneHash(order.phone)
        // The delivery location is personal data too: it lives only inside the sealed document (the plain
        // latitude/longitude columns of schema step 1 stay empty).
        if write.isNew {
            try await db.raw(
                """
                INSERT INTO orders (id, customer, merchant_id, status, total_fen, created_at, promised_at, latitude, longitude, data, updated_at, phone_hash)
                VALUES (\(bind: order.id), \(bind: order.customer), \(bind: order.merchantID), \(bind: order.status.rawValue), \(bind: order.total.fen),
                        \(bind: order.createdAt), \(bind: order.promisedAt), NULL, NULL, \(bind: data), \(bind: now), \(bind: phoneHash))
                """
            ).run()
        } else {
            try await db.raw(
                """
                UPDATE orders SET status = \(bind: order.status.rawValue), promised_at = \(bind: order.promisedAt), courier_id = \(bind: order.courierID),
                                  data = \(bind: data), phone_hash = \(bind: phoneHash), updated_at = \(bind: now)
                WHERE id = \(bind: order.id)
                """
            ).run()
        }
        guard write.logsEvent else { return }
        try await db.raw(
            "INSERT INTO order_events (order_id, status, at) VALUES (\(bind: order.id), \(bind: order.status.rawValue), \(bind: now))"
        ).run()
    }

    static func store(_ write: CourierWrite, now: Int64, in db: any SQLDatabase) async throws {
        switch write {
        case .binding(let courierID, let openID, let code):
            // One courier per WeChat user: a user who binds again leaves their previous courier record.
            try await db.raw(
                "UPDATE couriers SET openid = NULL, updated_at = \(bind: now) WHERE openid = \(bind: openID) AND id <> \(bind: courierID)"
            ).run()
            let bound = try await db.raw(
                """
                UPDATE couriers SET openid = \(bind: openID), binding_code = NULL, binding_expires_at = NULL, binding_failures = 0, updated_at = \(bind: now)
                WHERE id = \(bind: courierID) AND binding_code = \(bind: code) AND active = 1 RETURNING id
                """
            ).first()
            // Someone else used the code first: the whole step fails, and WeChat's retry finds the code spent.
            guard bound != nil else { throw CourierBindingRaced(courierID: courierID) }
            try await db.raw("DELETE FROM courier_binding_attempts WHERE openid = \(bind: openID)").run()
        case .staffBinding(let staffID, let username, let openID, let code):
            // One staff account per WeChat user: binding again moves the notices to the new account.
            try await db.raw(
                "UPDATE staff SET wechat_openid = NULL, updated_at = \(bind: now) WHERE wechat_openid = \(bind: openID) AND id <> \(bind: staffID)"
            ).run()
            let bound = try await db.raw(
                """
                UPDATE staff SET wechat_openid = \(bind: openID), binding_code = NULL, binding_expires_at = NULL, binding_failures = 0, updated_at = \(bind: now)
                WHERE id = \(bind: staffID) AND binding_code = \(bind: code) AND active = 1 RETURNING role
                """
            ).first()
            guard let bound else { throw StaffBindingRaced(staffID: staffID) }
            try await db.raw("DELETE FROM courier_binding_attempts WHERE openid = \(bind: openID)").run()
            try await SQLStaffStore.append(
                AuditEntry(
                    actorID: staffID, actor: username, role: try bound.decode(column: "role", as: String.self),
                    action: "staff.wechat_bind", target: "staff:\(staffID)", after: "WeChat bound with a binding code",
                    at: now), in: db)
        case .unbinding(let courierID, let openID):
            // Only the sender's own binding: a replaced courier's "解绑" leaves the courier's current binding alone.
            try await db.raw(
                "UPDATE couriers SET openid = NULL, updated_at = \(bind: now) WHERE id = \(bind: courierID) AND openid = \(bind: openID)"
            ).run()
        case .position(let courierID, let position):
            try await db.raw(
                """
                UPDATE couriers SET latitude = \(bind: position.coordinate.latitude), longitude = \(bind: position.coordinate.longitude),
                                    position_at = \(bind: position.at), updated_at = \(bind: now)
                WHERE id = \(bind: courierID) AND active = 1 AND (position_at IS NULL OR position_at <= \(bind: position.at))
                """
            ).run()
        }
    }
}

/// A staff member's binding code was used by two people at once (or they were deactivated meanwhile); the second
/// step is rolled back, and WeChat's retry finds the code spent.
public struct StaffBindingRaced: Error, Sendable, CustomStringConvertible {
    public var staffID: Int64
    public var description: String { "staff \(staffID)'s binding code was used concurrently" }
}

/// A binding code was used by two people at once; the second one's step is rolled back.
public struct CourierBindingRaced: Error, Sendable, CustomStringConvertible {
    public var courierID: Int64
    public var description: String { "courier \(courierID)'s binding code was used concurrently" }
}

/// `INSERT INTO handled_messages … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET reply = EXCLUDED.reply`, written
/// straight to the serializer: every webhook message adds a row, and SQLKit's insert builder spent ~1.3 µs a
/// message building and walking its expression tree. Placeholders and quoting still come from the dialect.
///
/// The latest record for a key wins: a key is processed once, so the only rewrite is a late reply's answer
/// becoming `success` once that reply has been queued as a push.
struct HandledRows: SQLExpression {
    struct Row {
        var key: String
        var reply: String
        var at: Int64
    }

    var rows: [Row]

    func serialize(to serializer: inout SQLSerializer) {
        // The quoted names, written once per statement (not per row).
        func name(_ identifier: String) -> String {
            var quoted = SQLSerializer(database: serializer.database)
            SQLIdentifier(identifier).serialize(to: &quoted)
            return quoted.sql
        }
        let (key, reply) = (name("key"), name("reply"))
        serializer.write("INSERT INTO \(name("handled_messages")) (\(key), \(reply), \(name("created_at"))) VALUES ")
        for (index, row) in rows.enumerated() {
            serializer.write(index == 0 ? "(" : ", (")
            serializer.write(bind: row.key)
            serializer.write(", ")
            serializer.write(bind: row.reply)
            serializer.write(", ")
            serializer.write(bind: row.at)
            serializer.write(")")
        }
        serializer.write(" ON CONFLICT (\(key)) DO UPDATE SET \(reply) = EXCLUDED.\(reply)")
    }
}
