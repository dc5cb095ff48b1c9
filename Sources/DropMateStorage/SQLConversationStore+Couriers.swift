import DropMateCore
import SQLKit

/// Couriers: the reads a conversation needs, and what staff and the worker do with them.
extension SQLConversationStore {
    public func deliveries(courierID: Int64) async throws -> [Order] {
        try await backend.reader.raw(
            """
            SELECT id, data FROM orders WHERE courier_id = \(bind: courierID) AND status = \(bind: OrderStatus.dispatched.rawValue) ORDER BY id
            """
        ).all().map(decodeOrder)
    }

    public func courier(id: Int64) async throws -> Courier? {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.courierColumns) FROM couriers WHERE id = \(bind: id)")
            .first().map(courier(row:))
    }

    public func attemptBinding(
        code: String, openID: String, now: Int64, policy: BindingCodePolicy
    ) async throws -> BindingAttempt {
        try await backend.transaction { db in
            let cutoff = now - policy.userWindow
            if let row = try await db.raw(
                "SELECT failures, window_start FROM courier_binding_attempts WHERE openid = \(bind: openID)"
            ).first(),
                try row.decode(column: "window_start", as: Int64.self) > cutoff,
                try row.decode(column: "failures", as: Int64.self) >= policy.maxFailuresPerUser
            {
                return .lockedOut
            }
            // The attempt is charged to every outstanding code before any is compared: the rows stay locked until
            // commit, so attempts in parallel (from other users, on other replicas) are counted one after another.
            try await db.raw(
                "UPDATE couriers SET binding_failures = binding_failures + 1 WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now)"
            ).run()
            try await db.raw(
                "UPDATE staff SET binding_failures = binding_failures + 1 WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now)"
            ).run()
            if let courier = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.courierColumns) FROM couriers
                WHERE binding_code = \(bind: code) AND binding_expires_at > \(bind: now) AND binding_failures <= \(bind: policy.maxFailuresPerCode) AND active = 1
                """
            ).first().map(courier(row:)) {
                // A right code: the other codes get their charge back (it was no failure).
                try await db.raw(
                    """
                    UPDATE couriers SET binding_failures = binding_failures - 1
                    WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now) AND id <> \(bind: courier.id)
                    """
                ).run()
                try await db.raw(
                    "UPDATE staff SET binding_failures = binding_failures - 1 WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now)"
                ).run()
                return .matched(courier)
            }
            // A staff member's code (office roles only: a courier account's WeChat is bound as a courier).
            if let row = try await db.raw(
                """
                SELECT id, username FROM staff
                WHERE binding_code = \(bind: code) AND binding_expires_at > \(bind: now) AND binding_failures <= \(bind: policy.maxFailuresPerCode)
                      AND active = 1 AND role <> 'courier'
                """
            ).first() {
                let id = try row.decode(column: "id", as: Int64.self)
                try await db.raw(
                    "UPDATE couriers SET binding_failures = binding_failures - 1 WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now)"
                ).run()
                try await db.raw(
                    """
                    UPDATE staff SET binding_failures = binding_failures - 1
                    WHERE binding_code IS NOT NULL AND binding_expires_at > \(bind: now) AND id <> \(bind: id)
                    """
                ).run()
                return .staff(id: id, username: try row.decode(column: "username", as: String.self))
            }
            try await db.raw(
                """
                INSERT INTO courier_binding_attempts (openid, failures, window_start) VALUES (\(bind: openID), 1, \(bind: now))
                ON CONFLICT (openid) DO UPDATE SET
                    failures = CASE WHEN courier_binding_attempts.window_start <= \(bind: cutoff) THEN 1 ELSE courier_binding_attempts.failures + 1 END,
                    window_start = CASE WHEN courier_binding_attempts.window_start <= \(bind: cutoff) THEN \(bind: now) ELSE courier_binding_attempts.window_start END
                """
            ).run()
            return .refused
        }
    }

    /// The active courier whose API token hashes to `tokenHash`.
    public func courier(apiTokenHash tokenHash: String) async throws -> Courier? {
        try await backend.reader.raw(
            "SELECT \(unsafeRaw: Self.courierColumns) FROM couriers WHERE api_token_hash = \(bind: tokenHash) AND active = 1"
        )
        .first().map(courier(row:))
    }

    /// Every courier, by id.
    public func couriers() async throws -> [Courier] {
        try await backend.reader.raw("SELECT \(unsafeRaw: Self.courierColumns) FROM couriers ORDER BY id").all().map(
            courier(row:))
    }

    /// A new active courier; `apiTokenHash` is the SHA-256 of the token their app will send.
    public func createCourier(
        name: String, phone: PhoneNumber?, apiTokenHash: String, now: Int64, audit: AuditEntry? = nil
    ) async throws -> Courier {
        let row = try await backend.transaction { db in
            let row = try await db.raw(
                """
                INSERT INTO couriers (name, phone, api_token_hash, active, created_at, updated_at)
                VALUES (\(bind: name), \(bind: try phone.map { try sealer.seal($0.digits, as: .courierPhone) }), \(bind: apiTokenHash), 1, \(bind: now), \(bind: now)) RETURNING id
                """
            ).first()
            if var audit, let id = try row?.decode(column: "id", as: Int64.self) {
                audit.target = "courier:\(id)"
                try await SQLStaffStore.append(audit, in: db)
            }
            return row
        }
        return Courier(id: try row!.decode(column: "id", as: Int64.self), name: name, phone: phone)
    }

    /// Gives courier `id` a fresh one-time binding code (any earlier one stops working). False when there is no such courier.
    public func issueBindingCode(
        courierID id: Int64, code: String, expiresAt: Int64, now: Int64, audit: AuditEntry? = nil
    ) async throws -> Bool {
        try await backend.transaction { db in
            let found =
                try await db.raw(
                    """
                    UPDATE couriers SET binding_code = \(bind: code), binding_expires_at = \(bind: expiresAt), binding_failures = 0, updated_at = \(bind: now)
                    WHERE id = \(bind: id) RETURNING id
                    """
                ).first() != nil
            if found, let audit { try await SQLStaffStore.append(audit, in: db) }
            return found
        }
    }

    /// Switches courier `id` on or off; nil when there is no such courier. Switching off also drops their WeChat
    /// binding and any outstanding binding code (their chat is a customer's from its next message), and their
    /// app token is refused while they are off. Switching on restores the app token (unless revoked); WeChat
    /// needs a new binding code.
    public func setCourierActive(id: Int64, active: Bool, now: Int64, audit: AuditEntry?) async throws -> Courier? {
        try await backend.transaction { db in
            let changes =
                active ? "active = 1" : "active = 0, openid = NULL, binding_code = NULL, binding_expires_at = NULL"
            guard
                let row = try await db.raw(
                    """
                    UPDATE couriers SET \(unsafeRaw: changes), updated_at = \(bind: now) WHERE id = \(bind: id) RETURNING \(unsafeRaw: Self.courierColumns)
                    """
                ).first()
            else { return nil }
            if let audit { try await SQLStaffStore.append(audit, in: db) }
            return try courier(row: row)
        }
    }

    /// Renames courier `id` and sets or clears their phone number, audited in the same transaction; nil when there is
    /// no such courier.
    public func updateCourier(
        id: Int64, name: String, phone: PhoneNumber?, now: Int64, audit: AuditEntry?
    ) async throws -> Courier? {
        let sealedPhone = try phone.map { try sealer.seal($0.digits, as: .courierPhone) }
        return try await backend.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE couriers SET name = \(bind: name), phone = \(bind: sealedPhone), updated_at = \(bind: now) WHERE id = \(bind: id)
                    RETURNING \(unsafeRaw: Self.courierColumns)
                    """
                ).first()
            else { return nil }
            if let audit { try await SQLStaffStore.append(audit, in: db) }
            return try courier(row: row)
        }
    }

    /// Replaces courier `id`'s app token by the one hashing to `tokenHash` (nil: no token works any more). The old
    /// token stops working with this commit. False when there is no such courier.
    public func replaceCourierToken(id: Int64, tokenHash: String?, now: Int64, audit: AuditEntry?) async throws -> Bool
    {
        try await backend.transaction { db in
            let found =
                try await db.raw(
                    """
                    UPDATE couriers SET api_token_hash = \(bind: tokenHash), updated_at = \(bind: now) WHERE id = \(bind: id) RETURNING id
                    """
                ).first() != nil
            if found, let audit { try await SQLStaffStore.append(audit, in: db) }
            return found
        }
    }

    /// Whether `code` is some courier's or staff member's binding code right now (so a new one is not a duplicate).
    public func bindingCodeInUse(_ code: String) async throws -> Bool {
        if try await backend.reader.raw("SELECT id FROM couriers WHERE binding_code = \(bind: code)").first() != nil {
            return true
        }
        return try await backend.reader.raw("SELECT id FROM staff WHERE binding_code = \(bind: code)").first() != nil
    }

    /// Confirmed and dispatched orders, oldest first: the ones whose ETA a scheduled refresh looks at.
    public func ordersInProgress(limit: Int) async throws -> [Int64] {
        try await backend.reader.raw(
            """
            SELECT id FROM orders WHERE status IN (\(bind: OrderStatus.confirmed.rawValue), \(bind: OrderStatus.dispatched.rawValue)) ORDER BY id LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    static let courierColumns = "id, name, phone, openid, latitude, longitude, position_at, active"

    func courier(row: any SQLRow) throws -> Courier {
        var position: CourierPosition?
        if let latitude = try row.decode(column: "latitude", as: Double?.self),
            let longitude = try row.decode(column: "longitude", as: Double?.self),
            let at = try row.decode(column: "position_at", as: Int64?.self)
        {
            position = CourierPosition(coordinate: Coordinate(latitude: latitude, longitude: longitude), at: at)
        }
        return Courier(
            id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
            phone: try row.decode(column: "phone", as: String?.self).flatMap {
                PhoneNumber(try sealer.open($0, as: .courierPhone))
            }, openID: try row.decode(column: "openid", as: String?.self),
            position: position, active: try row.decode(column: "active", as: Int64.self) != 0
        )
    }
}
