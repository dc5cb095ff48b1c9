/// A courier: a person who delivers, known to staff, and bound to a WeChat user once they send their binding code.
public struct Courier: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    public var phone: PhoneNumber?
    /// The WeChat user who works as this courier (nil until bound).
    public var openID: String?
    /// Where the courier last said they were.
    public var position: CourierPosition?
    /// Inactive couriers get no new deliveries and their chat is a customer's again.
    public var active: Bool

    public init(
        id: Int64, name: String, phone: PhoneNumber? = nil, openID: String? = nil, position: CourierPosition? = nil,
        active: Bool = true
    ) {
        self.id = id
        self.name = name
        self.phone = phone
        self.openID = openID
        self.position = position
        self.active = active
    }
}

/// A courier's reported position and when it was reported.
public struct CourierPosition: Sendable, Hashable, Codable {
    public var coordinate: Coordinate
    /// Unix seconds.
    public var at: Int64

    public init(coordinate: Coordinate, at: Int64) {
        self.coordinate = coordinate
        self.at = at
    }

    /// Whether the position is recent enough to plan with at `now`.
    public func isFresh(at now: Int64, maxAge: Int64 = 15 * 60) -> Bool { now - at <= maxAge }
}

/// What a courier does to one of their deliveries.
public enum CourierAction: String, Sendable, Hashable, Codable {
    /// "取件 / picked up #1001": the courier has the food.
    case pickUp = "pick_up"
    /// "送达 / delivered #1001".
    case deliver

    /// The order command the action stands for.
    public var command: OrderCommand {
        switch self {
        case .pickUp: .pickUp
        case .deliver: .deliver
        }
    }
}
