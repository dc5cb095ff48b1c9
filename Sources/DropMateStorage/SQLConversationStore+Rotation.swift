import DropMateCore
import SQLKit

/// `dropmate rotate-key`: reseals personal data under the current key, bound to its row (and seals any left from before sealing).
extension SQLConversationStore {
    /// What a rotation changed, per table.
    public struct Rotation: Sendable, Equatable, CustomStringConvertible {
        public var orders = 0
        public var customers = 0
        public var answers = 0
        public var couriers = 0
        public init() {}
        public var description: String {
            "orders \(orders), customers \(customers), answers \(answers), couriers \(couriers)"
        }
    }

    /// Reseals every value not under the current key, `batch` rows at a time. Safe while serving: each row is
    /// replaced only if it still holds what was read (a row the app rewrote meanwhile is already current).
    public func rotatePersonalData(batch: Int = 500) async throws -> Rotation {
        var rotation = Rotation()
        rotation.orders = try await reseal(
            table: "orders", key: "id", numericKey: true, column: "data", batch: batch, as: { .order(Int64($0) ?? 0) }
        ) { old, new, db in
            let order = try self.sealer.decode(Order.self, from: new, as: .order(Int64(old.key) ?? 0))
            return try await db.raw(
                "UPDATE orders SET data = \(bind: new), phone_hash = \(bind: self.sealer.phoneHash(order.phone)) WHERE id = \(bind: Int64(old.key) ?? 0) AND data = \(bind: old.value) RETURNING id"
            ).first() != nil
        }
        rotation.customers = try await reseal(
            table: "customers", key: "openid", numericKey: false, column: "state", batch: batch,
            as: { .customerState($0) }
        ) { old, new, db in
            try await db.raw(
                "UPDATE customers SET state = \(bind: new) WHERE openid = \(bind: old.key) AND state = \(bind: old.value) RETURNING openid"
            ).first() != nil
        }
        rotation.answers = try await reseal(
            table: "handled_messages", key: "key", numericKey: false, column: "reply", batch: batch, as: { .answer($0) }
        ) { old, new, db in
            try await db.raw(
                "UPDATE handled_messages SET reply = \(bind: new) WHERE key = \(bind: old.key) AND reply = \(bind: old.value) RETURNING key"
            ).first() != nil
        }
        rotation.couriers = try await reseal(
            table: "couriers", key: "id", numericKey: true, column: "phone", batch: batch, as: { _ in .courierPhone }
        ) { old, new, db in
            try await db.raw(
                "UPDATE couriers SET phone = \(bind: new) WHERE id = \(bind: Int64(old.key) ?? 0) AND phone = \(bind: old.value) RETURNING id"
            ).first() != nil
        }
        return rotation
    }

    /// Walks `table` in primary-key order (each page starts where the last ended, on the key's own index),
    /// resealing each `column` value that needs it, as the field `field(row key)`, through `replace` (compare-and-set).
    /// Values from before sealing (plain text) are sealed here: the one place plain text is read where a sealed
    /// value belongs. Unbound `v1` values are sealed again bound to their row.
    private func reseal(
        table: String, key: String, numericKey: Bool, column: String, batch: Int,
        as field: @escaping @Sendable (String) -> SealedField,
        replace:
            @escaping @Sendable (_ old: (key: String, value: String), _ new: String, any SQLDatabase) async throws ->
            Bool
    ) async throws -> Int {
        var after: String?, changed = 0
        while true {
            let start: SQLQueryString =
                numericKey
                ? "\(ident: key) > \(bind: after.flatMap { Int64($0) } ?? Int64.min)"
                : "\(ident: key) > \(bind: after ?? "")"
            let rows = try await backend.reader.raw(
                """
                SELECT \(ident: key) AS k, \(ident: column) AS v FROM \(ident: table)
                WHERE \(start) AND \(ident: column) IS NOT NULL ORDER BY \(ident: key) LIMIT \(bind: batch)
                """
            ).all()
            guard !rows.isEmpty else { return changed }
            var stale: [(key: String, value: String)] = []
            for row in rows {
                let rowKey =
                    numericKey
                    ? String(try row.decode(column: "k", as: Int64.self)) : try row.decode(column: "k", as: String.self)
                let value = (key: rowKey, value: try row.decode(column: "v", as: String.self))
                after = value.key
                if sealer.needsResealing(value.value) { stale.append(value) }
            }
            guard !stale.isEmpty else { continue }
            let sealer = sealer, toReseal = stale
            changed += try await backend.transaction { db in
                var count = 0
                for old in toReseal
                where try await replace(
                    old,
                    try sealer.seal(try sealer.openForResealing(old.value, as: field(old.key)), as: field(old.key)), db)
                { count += 1 }
                return count
            }
        }
    }
}
