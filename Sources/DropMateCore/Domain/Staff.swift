/// What a staff member may do. Every API endpoint names the roles it admits.
public enum StaffRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything, including staff accounts and the audit log.
    case admin
    /// Orders, couriers, board moderation, merchants and ads, reports.
    case dispatcher
    /// Their own deliveries and position.
    case courier
}

/// A staff account (the password hash never leaves the store).
public struct StaffAccount: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var username: String
    public var role: StaffRole
    /// For couriers: the courier record they are.
    public var courierID: Int64?
    /// A WeChat user who gets staff notices (daily reports) when `notifyReports` is on.
    public var wechatOpenID: String?
    public var notifyReports: Bool
    public var active: Bool
    /// Whether a new confirmed (or, with payment required, paid) order is pushed to `wechatOpenID`.
    public var notifyOrders: Bool

    public init(
        id: Int64, username: String, role: StaffRole, courierID: Int64? = nil, wechatOpenID: String? = nil,
        notifyReports: Bool = false, active: Bool = true,
        notifyOrders: Bool = false
    ) {
        self.notifyOrders = notifyOrders
        self.id = id
        self.username = username
        self.role = role
        self.courierID = courierID
        self.wechatOpenID = wechatOpenID
        self.notifyReports = notifyReports
        self.active = active
    }
}

/// One line of the append-only audit log: who changed what, when, from what to what.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var actorID: Int64?
    /// The staff member's username (kept even if the account is removed later).
    public var actor: String
    public var role: String
    /// "order.dispatch", "ad.update", "staff.create"…
    public var action: String
    /// "order:1001", "ad:beef-noodles"…
    public var target: String
    /// Short summaries, never secrets or full phone numbers.
    public var before: String?
    public var after: String?
    public var at: Int64

    public init(
        actorID: Int64?, actor: String, role: String, action: String, target: String, before: String? = nil,
        after: String? = nil, at: Int64
    ) {
        self.actorID = actorID
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        self.at = at
    }
}
