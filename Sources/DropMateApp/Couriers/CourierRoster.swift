import DropMateCore
import DropMateEngine
import DropMateStorage

/// Staff's side of couriers: create them, issue binding codes and app tokens, switch them off and on, recognise
/// their app's token. Everything here hands out or takes away courier powers, so the staff API offers it to
/// admins only (see `PhoneReader` for why).
public struct CourierRoster: Sendable {
    let store: SQLConversationStore
    let clock: @Sendable () -> Int64
    /// The same policy the engine counts attempts under.
    let policy = BindingCodePolicy.standard

    public init(store: SQLConversationStore, clock: @escaping @Sendable () -> Int64) {
        self.store = store
        self.clock = clock
    }

    /// A new courier with a fresh API token (returned once, stored only as its hash).
    public func create(
        name: String, phone: PhoneNumber?, audit: AuditEntry? = nil
    ) async throws -> (courier: Courier, apiToken: String) {
        let token = SecretToken.generate(prefix: "dmc_")
        let courier = try await store.createCourier(
            name: name, phone: phone, apiTokenHash: SecretToken.hash(token), now: clock(), audit: audit)
        return (courier, token)
    }

    /// A fresh binding code for courier `courierID` (eight characters, valid for the policy's 30 minutes; any
    /// earlier code stops working); the courier sends "绑定 CODE" to the Official Account. `code` and `validFor`
    /// are for tests; production draws a random code.
    public func issueBindingCode(
        courierID: Int64, validFor: Int64? = nil, code fixed: String? = nil,
        audit: AuditEntry? = nil
    ) async throws -> (code: String, expiresAt: Int64) {
        var code = fixed ?? policy.randomCode()
        while fixed == nil, try await store.bindingCodeInUse(code) { code = policy.randomCode() }
        let now = clock()
        let expiresAt = now + (validFor ?? policy.validFor)
        guard
            try await store.issueBindingCode(
                courierID: courierID, code: code, expiresAt: expiresAt, now: now, audit: audit)
        else {
            throw EngineError.courierNotFound(courierID)
        }
        return (code, expiresAt)
    }

    /// Switches courier `courierID` off (`active` false: their chat is a customer's from its next message, their
    /// app token is refused, they get no deliveries) or on again. Effective with the commit.
    public func setActive(courierID: Int64, _ active: Bool, audit: AuditEntry? = nil) async throws -> Courier {
        guard let courier = try await store.setCourierActive(id: courierID, active: active, now: clock(), audit: audit)
        else {
            throw EngineError.courierNotFound(courierID)
        }
        return courier
    }

    /// Renames courier `courierID` and sets (or, nil, clears) their phone number.
    public func update(
        courierID: Int64, name: String, phone: PhoneNumber?, audit: AuditEntry? = nil
    ) async throws -> Courier {
        guard
            let courier = try await store.updateCourier(
                id: courierID, name: name, phone: phone, now: clock(), audit: audit)
        else {
            throw EngineError.courierNotFound(courierID)
        }
        return courier
    }

    /// A new app token for courier `courierID` (returned once); the old one stops working at once.
    public func reissueToken(courierID: Int64, audit: AuditEntry? = nil) async throws -> String {
        let token = SecretToken.generate(prefix: "dmc_")
        guard
            try await store.replaceCourierToken(
                id: courierID, tokenHash: SecretToken.hash(token), now: clock(), audit: audit)
        else {
            throw EngineError.courierNotFound(courierID)
        }
        return token
    }

    /// Takes courier `courierID`'s app token away: no token works for them until one is reissued.
    public func revokeToken(courierID: Int64, audit: AuditEntry? = nil) async throws {
        guard try await store.replaceCourierToken(id: courierID, tokenHash: nil, now: clock(), audit: audit) else {
            throw EngineError.courierNotFound(courierID)
        }
    }

    /// The active courier whose app sent `token`.
    public func courier(apiToken token: String) async throws -> Courier? {
        try await store.courier(apiTokenHash: SecretToken.hash(token))
    }

    /// Every courier.
    public func all() async throws -> [Courier] { try await store.couriers() }

    /// Courier `id`, if there is one.
    public func courier(id: Int64) async throws -> Courier? { try await store.courier(id: id) }
}
