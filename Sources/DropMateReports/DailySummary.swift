/// The day at a glance: the report's Summary sheet, and what the H5 page shows.
///
/// Definitions (all over the orders *placed* on the report's day):
/// - `confirmed`, `delivered`, `cancelled`: orders that reached that point (a confirmed order later
///   cancelled counts in both `confirmed` and `cancelled`; a cancelled order never counts as delivered).
/// - `revenueFen`: the sum of `totalFen` over every order **not cancelled**, whether delivered yet or not.
/// - delivery time: confirmation → delivery, over delivered orders that have both times.
///   `p90` is the nearest-rank 90th percentile (the smallest time at least 90 % of deliveries beat or equal).
/// - `onTimeRate`: delivered orders with a promised time that arrived at or before it, over those with one.
/// - `etaMeanAbsoluteErrorMinutes`: mean of |delivery − first ETA| over delivered orders with a first ETA.
/// Averages and rates are `nil` when nothing was there to measure; the files then leave the cell blank.
public struct DailySummary: Sendable, Hashable {
    public var placed = 0
    public var confirmed = 0
    public var delivered = 0
    public var cancelled = 0
    /// Cancellations per reason, most frequent first.
    public var cancelledByReason: [ReasonCount] = []
    public var revenueFen = 0
    /// The delivery fees within `revenueFen` (orders not cancelled).
    public var deliveryFeesFen = 0
    public var averageDeliverySeconds: Double?
    public var p90DeliverySeconds: Int?
    public var onTimeRate: Double?
    public var etaMeanAbsoluteErrorMinutes: Double?
    /// Deliveries of the day's orders that happened after the business day ended (not in any hour bucket).
    public var deliveredAfterDay = 0
    /// The five best-selling items by quantity.
    public var topItems: [ItemStats] = []
    public var extras = DayExtras()
    /// The day's WeChat Pay figures; `nil` when payment is off and nothing was paid (the Summary then shows none).
    public var payments: PaymentTotals?

    public init() {}
}

/// How many cancellations gave one reason.
public struct ReasonCount: Sendable, Hashable {
    public var reason: String
    public var count: Int
}

/// One courier's day.
public struct CourierStats: Sendable, Hashable {
    public var name: String
    /// Orders of the day assigned to this courier.
    public var assigned = 0
    public var deliveries = 0
    /// Deliveries at or before the promised time, over deliveries with a promised time.
    public var onTimeRate: Double?
    public var averageDeliverySeconds: Double?
    /// Sum of known road distances of this courier's deliveries, in metres.
    public var distanceMetres = 0
    /// Deliveries whose distance was known (so a reader can tell 0 m from "unknown").
    public var deliveriesWithDistance = 0

    public init(
        name: String, assigned: Int = 0, deliveries: Int = 0, onTimeRate: Double? = nil,
        averageDeliverySeconds: Double? = nil, distanceMetres: Int = 0, deliveriesWithDistance: Int = 0
    ) {
        self.name = name
        self.assigned = assigned
        self.deliveries = deliveries
        self.onTimeRate = onTimeRate
        self.averageDeliverySeconds = averageDeliverySeconds
        self.distanceMetres = distanceMetres
        self.deliveriesWithDistance = deliveriesWithDistance
    }
}

/// One merchant's day.
public struct MerchantStats: Sendable, Hashable {
    public var name: String
    public var orders = 0
    public var delivered = 0
    public var cancelled = 0
    /// Totals of the merchant's orders not cancelled (same rule as ``DailySummary/revenueFen``).
    public var revenueFen = 0
    /// The delivery fees within `revenueFen`.
    public var deliveryFeesFen = 0

    public init(
        name: String, orders: Int = 0, delivered: Int = 0, cancelled: Int = 0, revenueFen: Int = 0,
        deliveryFeesFen: Int = 0
    ) {
        self.deliveryFeesFen = deliveryFeesFen
        self.name = name
        self.orders = orders
        self.delivered = delivered
        self.cancelled = cancelled
        self.revenueFen = revenueFen
    }
}

/// One item's day, over orders not cancelled.
public struct ItemStats: Sendable, Hashable {
    public var name: String
    public var quantity = 0
    public var orders = 0
    /// Σ quantity × unit price.
    public var revenueFen = 0

    public init(name: String, quantity: Int = 0, orders: Int = 0, revenueFen: Int = 0) {
        self.name = name
        self.quantity = quantity
        self.orders = orders
        self.revenueFen = revenueFen
    }
}

/// Orders placed and deliveries made in one local hour of the business day.
public struct HourStats: Sendable, Hashable {
    /// 0…23, local time in the business zone.
    public var hour: Int
    public var placed = 0
    public var delivered = 0

    public init(hour: Int, placed: Int = 0, delivered: Int = 0) {
        self.hour = hour
        self.placed = placed
        self.delivered = delivered
    }
}

/// Everything the aggregates sheets are written from.
public struct DailyAggregates: Sendable {
    public var summary: DailySummary
    /// Busiest first (by deliveries, then name).
    public var couriers: [CourierStats]
    /// Highest revenue first.
    public var merchants: [MerchantStats]
    /// Highest quantity first.
    public var items: [ItemStats]
    /// Exactly 24 entries, hour 0 first.
    public var hours: [HourStats]
}
