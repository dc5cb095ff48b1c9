import DropMateCore
import SQLKit

/// Merchants and ads as staff edit them. Every write carries its audit entry into the same transaction.
public struct SQLCatalogStore: Sendable {
    let backend: any SQLBackend

    public init(backend: any SQLBackend) { self.backend = backend }

    /// An ad: the catalog item customers see, whether it is switched on, its active window and its image.
    public struct Ad: Sendable, Hashable {
        public var item: CatalogItem
        public var active: Bool
        /// Shown from (Unix seconds; nil: already).
        public var startsAt: Int64?
        /// Shown until (nil: no end).
        public var endsAt: Int64?
        /// The image's object-storage key.
        public var imageKey: String?

        public init(
            item: CatalogItem, active: Bool = true, startsAt: Int64? = nil, endsAt: Int64? = nil,
            imageKey: String? = nil
        ) {
            self.item = item
            self.active = active
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.imageKey = imageKey
        }

        /// Whether customers see it at `now`.
        public func isShown(at now: Int64) -> Bool {
            active && (startsAt ?? .min) <= now && now < (endsAt ?? .max)
        }
    }

    public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
        case exists(String)
        case unknownMerchant(String)
        case merchantHasAds(String)
        public var description: String {
            switch self {
            case .exists(let id): "\(id) already exists"
            case .unknownMerchant(let id): "merchant \(id) does not exist"
            case .merchantHasAds(let id): "merchant \(id) still has ads; delete or move them first"
            }
        }
    }

    // MARK: Merchants

    public func merchants() async throws -> [(merchant: Merchant, active: Bool)] {
        try await Self.merchants(in: backend.reader)
    }

    static func merchants(in db: any SQLDatabase) async throws -> [(merchant: Merchant, active: Bool)] {
        try await db.raw("SELECT data, active FROM merchants ORDER BY id").all().map {
            (
                try JSONColumn.decode(Merchant.self, from: $0.decode(column: "data", as: String.self)),
                try $0.decode(column: "active", as: Int64.self) != 0
            )
        }
    }

    public func merchant(id: String) async throws -> (merchant: Merchant, active: Bool)? {
        try await backend.reader.raw("SELECT data, active FROM merchants WHERE id = \(bind: id)").first().map {
            (
                try JSONColumn.decode(Merchant.self, from: $0.decode(column: "data", as: String.self)),
                try $0.decode(column: "active", as: Int64.self) != 0
            )
        }
    }

    /// Creates (`isNew`) or replaces a merchant.
    public func save(_ merchant: Merchant, active: Bool, isNew: Bool, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            let exists = try await db.raw("SELECT id FROM merchants WHERE id = \(bind: merchant.id)").first() != nil
            if isNew, exists { throw CatalogError.exists("merchant \(merchant.id)") }
            if !isNew, !exists { throw CatalogError.unknownMerchant(merchant.id) }
            let data = try JSONColumn.encode(merchant)
            if isNew {
                try await db.raw(
                    "INSERT INTO merchants (id, data, updated_at, active) VALUES (\(bind: merchant.id), \(bind: data), \(bind: now), \(bind: active ? 1 : 0))"
                ).run()
            } else {
                try await db.raw(
                    "UPDATE merchants SET data = \(bind: data), active = \(bind: active ? 1 : 0), updated_at = \(bind: now) WHERE id = \(bind: merchant.id)"
                ).run()
            }
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Archives a merchant (orders still name it): it must have no ads left.
    public func archiveMerchant(id: String, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            guard try await db.raw("SELECT id FROM merchants WHERE id = \(bind: id)").first() != nil else {
                throw CatalogError.unknownMerchant(id)
            }
            guard
                try await db.raw("SELECT id FROM catalog_items WHERE merchant_id = \(bind: id) LIMIT 1").first() == nil
            else { throw CatalogError.merchantHasAds(id) }
            try await db.raw("UPDATE merchants SET active = 0, updated_at = \(bind: now) WHERE id = \(bind: id)").run()
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    // MARK: Ads

    public func ads() async throws -> [Ad] {
        try await Self.ads(in: backend.reader)
    }

    static func ads(in db: any SQLDatabase) async throws -> [Ad] {
        try await db.raw("SELECT \(unsafeRaw: Self.adColumns) FROM catalog_items ORDER BY position, id").all().map(
            Self.ad)
    }

    public func ad(id: String) async throws -> Ad? {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.adColumns) FROM catalog_items WHERE id = \(bind: id)")
            .first().map(Self.ad)
    }

    /// Creates (`isNew`) or replaces an ad; its merchant must exist and be active. `soldOut`: also set the sold-out
    /// mark (its own column), in the same transaction; nil leaves it as it is.
    public func save(_ ad: Ad, isNew: Bool, soldOut: Bool? = nil, now: Int64, audit: AuditEntry) async throws {
        try await backend.transaction { db in
            guard
                let merchant = try await db.raw("SELECT active FROM merchants WHERE id = \(bind: ad.item.merchantID)")
                    .first(),
                try merchant.decode(column: "active", as: Int64.self) != 0
            else { throw CatalogError.unknownMerchant(ad.item.merchantID) }
            let exists = try await db.raw("SELECT id FROM catalog_items WHERE id = \(bind: ad.item.id)").first() != nil
            if isNew, exists { throw CatalogError.exists("ad \(ad.item.id)") }
            let data = try JSONColumn.encode(ad.item)
            if exists {
                try await db.raw(
                    """
                    UPDATE catalog_items SET merchant_id = \(bind: ad.item.merchantID), position = \(bind: ad.item.position), active = \(bind: ad.active ? 1 : 0),
                        starts_at = \(bind: ad.startsAt), ends_at = \(bind: ad.endsAt), image_key = \(bind: ad.imageKey), data = \(bind: data), updated_at = \(bind: now)
                    WHERE id = \(bind: ad.item.id)
                    """
                ).run()
            } else {
                try await db.raw(
                    """
                    INSERT INTO catalog_items (id, merchant_id, position, active, starts_at, ends_at, image_key, data, updated_at)
                    VALUES (\(bind: ad.item.id), \(bind: ad.item.merchantID), \(bind: ad.item.position), \(bind: ad.active ? 1 : 0), \(bind: ad.startsAt),
                            \(bind: ad.endsAt), \(bind: ad.imageKey), \(bind: data), \(bind: now))
                    """
                ).run()
            }
            if let soldOut {
                try await db.raw(
                    "UPDATE catalog_items SET sold_out = \(bind: soldOut ? 1 : 0) WHERE id = \(bind: ad.item.id)"
                ).run()
            }
            try await SQLStaffStore.append(audit, in: db)
        }
    }

    /// Deletes an ad (orders keep their own copy of what was ordered). False when there was none.
    public func deleteAd(id: String, audit: AuditEntry) async throws -> Bool {
        try await backend.transaction { db in
            guard try await db.raw("DELETE FROM catalog_items WHERE id = \(bind: id) RETURNING id").first() != nil
            else { return false }
            try await SQLStaffStore.append(audit, in: db)
            return true
        }
    }

    static let adColumns = "data, active, starts_at, ends_at, image_key, sold_out"

    static func ad(_ row: any SQLRow) throws -> Ad {
        Ad(
            item: try item(row),
            active: try row.decode(column: "active", as: Int64.self) != 0,
            startsAt: try row.decode(column: "starts_at", as: Int64?.self),
            endsAt: try row.decode(column: "ends_at", as: Int64?.self),
            imageKey: try row.decode(column: "image_key", as: String?.self))
    }

    /// An item from a row with `data` and `sold_out` (its sold-out mark lives in the column, not the JSON).
    static func item(_ row: any SQLRow) throws -> CatalogItem {
        var item = try JSONColumn.decode(CatalogItem.self, from: row.decode(column: "data", as: String.self))
        item.soldOut = try row.decode(column: "sold_out", as: Int64.self) != 0 ? true : nil
        return item
    }
}
