import DropMateCore
import DropMateStorage
import Foundation

/// A staff member's own WeChat for notices, bound the way couriers bind: a one-time code (8 characters from the
/// unambiguous alphabet, 30 minutes, the same per-code and per-user failure limits, `BindingCodePolicy`) issued
/// here or by `dropmate staff bind-code USERNAME`, then sent in chat as "绑定 CODE". Nobody pastes an OpenID.
/// Office staff manage their own binding and subscriptions; admins anyone's.
public struct StaffWeChatBinding: Sendable {
    let store: any BindingCodeReads
    let staff: SQLStaffStore
    let clock: @Sendable () -> Int64
    let policy = BindingCodePolicy.standard

    public init(store: any BindingCodeReads, staff: SQLStaffStore, clock: @escaping @Sendable () -> Int64) {
        self.store = store
        self.staff = staff
        self.clock = clock
    }

    /// A fresh code for staff member `staffID` (any earlier one stops working); nil when there is no such active
    /// admin or dispatcher. `code` is for tests; production draws a random one, unlike any outstanding code.
    public func issue(
        staffID: Int64, code fixed: String? = nil, audit: AuditEntry
    ) async throws -> (code: String, expiresAt: Int64)? {
        var code = fixed ?? policy.randomCode()
        while fixed == nil, try await store.bindingCodeInUse(code) { code = policy.randomCode() }
        let now = clock()
        let expiresAt = now + policy.validFor
        guard
            try await staff.issueBindingCode(staffID: staffID, code: code, expiresAt: expiresAt, now: now, audit: audit)
        else { return nil }
        return (code, expiresAt)
    }
}

extension AppDependencies {
    /// Staff members' WeChat binding codes.
    public var staffWeChat: StaffWeChatBinding { StaffWeChatBinding(store: store, staff: staff, clock: clock) }
}

extension StaffAPI {
    struct Subscriptions: Decodable { var notifyOrders: Bool; var notifyReports: Bool }

    /// Admins act for anyone; a dispatcher only for themselves (checked before an idempotent answer is replayed).
    static func selfOrAdmin(_ call: APICall) throws {
        let id = try call.parameter("id")
        guard call.identity.account.role == .admin || id == call.identity.account.id else {
            throw APIError(
                status: .forbidden, code: "not_your_account", message: "only admins manage other staff members' WeChat")
        }
    }

    func addStaffWeChatRoutes(_ api: APIRouter) {
        let binding = StaffWeChatBinding(store: store, staff: staff, clock: clock)
        api.on(
            .post, "/staff/:id/binding-code", roles: Self.office, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "A one-time code the staff member sends in WeChat as \"绑定 CODE\" to receive staff notices there (eight characters, valid 30 minutes, dead after 10 wrong codes from anyone; the old one stops working). Admins for anyone, dispatchers for themselves.",
                answer: .created("The code.", "BindingCode"),
                errors: [404]), authorize: { try Self.selfOrAdmin($0) }
        ) { call in
            let id = try call.parameter("id")
            let audit = call.identity.audit(
                "staff.binding_code", target: "staff:\(id)", after: "new WeChat binding code", at: clock())
            guard let code = try await binding.issue(staffID: id, audit: audit) else {
                throw APIError.notFound("staff \(id) (an active admin or dispatcher; couriers bind as couriers)")
            }
            return try .json(
                BindingCode(code: code.code, expiresAt: APIJSON.time(code.expiresAt, utcOffset: utcOffset)),
                status: .created)
        }
        api.on(
            .put, "/staff/:id/subscriptions", roles: Self.office, idempotent: true, maxBody: 1024,
            doc: APIDoc(
                "Which notices the staff member gets in their bound WeChat (new orders, daily reports). Admins for anyone, dispatchers for themselves.",
                body: .json("Subscriptions"),
                answer: .ok("The account.", "Staff"),
                errors: [404]), authorize: { try Self.selfOrAdmin($0) }
        ) { call in
            let id = try call.parameter("id")
            let request = try APIJSON.decode(Subscriptions.self, from: call.body)
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            func text(_ orders: Bool, _ reports: Bool) -> String {
                "new orders \(orders ? "on" : "off"), reports \(reports ? "on" : "off")"
            }
            let now = clock()
            _ = try await staff.setSubscriptions(
                staffID: id, notifyOrders: request.notifyOrders, notifyReports: request.notifyReports, now: now,
                audit: call.identity.audit(
                    "staff.subscriptions", target: "staff:\(id)",
                    before: text(account.notifyOrders, account.notifyReports),
                    after: text(request.notifyOrders, request.notifyReports), at: now))
            guard let updated = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            return try .json(StaffView(updated))
        }
        api.on(
            .delete, "/staff/:id/wechat", roles: Self.office, maxBody: 1024,
            doc: APIDoc(
                "Unbind the staff member's WeChat (and drop an outstanding binding code); nothing is pushed to them any more. Admins for anyone, dispatchers for themselves.",
                answer: .ok("The account.", "Staff"),
                errors: [404]), authorize: { try Self.selfOrAdmin($0) }
        ) { call in
            let id = try call.parameter("id")
            guard let account = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            let now = clock()
            _ = try await staff.unbindWeChat(
                staffID: id, now: now,
                audit: call.identity.audit(
                    "staff.wechat_unbind", target: "staff:\(id)",
                    before: account.wechatOpenID == nil ? "not bound" : "bound", after: "not bound", at: now))
            guard let updated = try await staff.account(id: id) else { throw APIError.notFound("staff \(id)") }
            return try .json(StaffView(updated))
        }
    }
}

extension AppDependencies {
    /// `dropmate staff bind-code USERNAME`: a binding code for an admin or dispatcher, audited as "cli".
    public func staffBindingCode(
        username: String
    ) async throws -> (account: StaffAccount, code: String, expiresAt: Int64) {
        guard let found = try await staff.account(username: username) else {
            throw StaffCreationError(description: "no staff member \(username)")
        }
        let account = found.account
        guard account.active, account.role != .courier else {
            throw StaffCreationError(
                description:
                    "\(username) is \(account.active ? "a courier account (couriers bind with `dropmate courier code`)" : "inactive")"
            )
        }
        let audit = AuditEntry(
            actorID: nil, actor: "cli", role: "admin", action: "staff.binding_code", target: "staff:\(account.id)",
            after: "new WeChat binding code", at: clock())
        guard let code = try await staffWeChat.issue(staffID: account.id, audit: audit) else {
            throw StaffCreationError(description: "no staff member \(username)")
        }
        return (account, code.code, code.expiresAt)
    }
}
