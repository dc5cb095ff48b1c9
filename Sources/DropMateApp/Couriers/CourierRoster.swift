import DropMateCore
import DropMateStorage

/// Staff's side of couriers: create them, issue binding codes, recognise their app's token.
public struct CourierRoster: Sendable {
    let store: SQLConversationStore
    let clock: @Sendable () -> Int64

    public init(store: SQLConversationStore, clock: @escaping @Sendable () -> Int64) {
        self.store = store
        self.clock = clock
    }

    /// A new courier with a fresh API token (returned once, stored only as its hash).
    public func create(name: String, phone: PhoneNumber?, audit: AuditEntry? = nil) async throws -> (courier: Courier, apiToken: String) {
        let token = SecretToken.generate(prefix: "dmc_")
        let courier = try await store.createCourier(name: name, phone: phone, apiTokenHash: SecretToken.hash(token), now: clock(), audit: audit)
        return (courier, token)
    }

    /// A fresh six-digit binding code for courier `courierID`, valid for `validFor` seconds; the courier sends
    /// "绑定 CODE" to the Official Account. `code` is for tests; production draws a random one.
    public func issueBindingCode(courierID: Int64, validFor: Int64 = 86_400, code fixed: String? = nil, audit: AuditEntry? = nil) async throws -> String {
        var code = fixed ?? Self.randomBindingCode()
        while fixed == nil, try await store.bindingCodeInUse(code) { code = Self.randomBindingCode() }
        let now = clock()
        guard try await store.issueBindingCode(courierID: courierID, code: code, expiresAt: now + validFor, now: now, audit: audit) else {
            throw EngineError.courierNotFound(courierID)
        }
        return code
    }

    /// The active courier whose app sent `token`.
    public func courier(apiToken token: String) async throws -> Courier? {
        try await store.courier(apiTokenHash: SecretToken.hash(token))
    }

    /// Six random digits.
    static func randomBindingCode() -> String {
        String(format: "%06d", Int.random(in: 0..<1_000_000))
    }

    /// Every courier.
    public func all() async throws -> [Courier] { try await store.couriers() }
}
