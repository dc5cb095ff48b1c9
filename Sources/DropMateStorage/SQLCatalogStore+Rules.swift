import DropMateCore
import SQLKit

/// Shop rules and sold-out marks. The rules are one JSON value per merchant (`merchant_rules.data`); the pause
/// switch has columns of its own, so pausing and editing the rules never overwrite each other.
extension SQLCatalogStore {
    /// The merchant's rules with its pause; nil when none were ever set (the merchant is then unrestricted).
    public func rules(merchantID: String) async throws -> ShopRules? {
        try await backend.reader.raw(
            "SELECT data AS rules, paused, paused_until FROM merchant_rules WHERE merchant_id = \(bind: merchantID)"
        )
        .first().flatMap(Self.rules)
    }

    /// Replaces a merchant's rules (not its pause) and its preparation time.
    public func saveRules(
        _ rules: ShopRules, preparationMinutes: Int, merchantID: String, now: Int64, audit: AuditEntry
    ) async throws {
        try await backend.transaction { db in
            guard let row = try await db.raw("SELECT data FROM merchants WHERE id = \(bind: merchantID)").first() else {
                throw CatalogError.unknownMerchant(merchantID)
            }
            var merchant = try JSONColumn.decode(Merchant.self, from: row.decode(column: "data", as: String.self))
            merchant.preparationMinutes = preparationMinutes
            merchant.rules = nil
            try await db.raw(
                "UPDATE merchants SET data = \(bind: try JSONColumn.encode(merchant)), updated_at = \(bind: now) WHERE id = \(bind: merchantID)"
            ).run()
            try await db.raw(
                """
                INSERT INTO merchant_rules (merchant_id, data, paused, paused_until, updated_at) VALUES (\(bind: merchantID), \(bind: try Self.rulesData(rules)), 0, NULL, \(bind: now))
                ON CONFLICT (merchant_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Pauses (`.until`, `.untilResumed`) or resumes (`.off`) a merchant, keeping its rules.
    public func setPause(_ pause: ShopPause, merchantID: String, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            guard try await db.raw("SELECT id FROM merchants WHERE id = \(bind: merchantID)").first() != nil else {
                throw CatalogError.unknownMerchant(merchantID)
            }
            let (paused, until): (Int64, Int64?) =
                switch pause {
                case .off: (0, nil)
                case .untilResumed: (1, nil)
                case .until(let end): (1, end)
                }
            try await db.raw(
                """
                INSERT INTO merchant_rules (merchant_id, data, paused, paused_until, updated_at)
                VALUES (\(bind: merchantID), \(bind: try Self.rulesData(.unrestricted)), \(bind: paused), \(bind: until), \(bind: now))
                ON CONFLICT (merchant_id) DO UPDATE SET paused = excluded.paused, paused_until = excluded.paused_until, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Marks an ad sold out (估清) or back. False when there is no such ad.
    public func setSoldOut(_ soldOut: Bool, adID: String, now: Int64, audit: AuditEntry) async throws -> Bool {
        try await backend.transaction { db in
            guard
                try await db.raw(
                    "UPDATE catalog_items SET sold_out = \(bind: soldOut ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: adID) RETURNING id"
                ).first() != nil
            else {
                return false
            }
            try await SQLStaffStore.append(audit, in: db)
            return true
        }
    }

    /// The rules as stored: everything but the pause, which lives in its columns.
    static func rulesData(_ rules: ShopRules) throws -> String {
        var stored = rules
        stored.pause = .off
        return try JSONColumn.encode(stored)
    }

    /// Rules from a row with `rules` (JSON, null when the merchant has none), `paused` and `paused_until`.
    static func rules(_ row: any SQLRow) throws -> ShopRules? {
        guard let data = try row.decode(column: "rules", as: String?.self) else { return nil }
        var rules = try JSONColumn.decode(ShopRules.self, from: data)
        if try row.decode(column: "paused", as: Int64?.self) ?? 0 != 0 {
            rules.pause = try row.decode(column: "paused_until", as: Int64?.self).map(ShopPause.until) ?? .untilResumed
        }
        return rules
    }
}
