import Foundation

/// One line of an order: what was bought, how many, at what unit price.
public struct ReportItem: Sendable, Hashable {
    /// The item's name as shown on the menu (may be Chinese).
    public var name: String
    /// How many of this item the order holds.
    public var quantity: Int
    /// Price of one unit in fen (1/100 yuan).
    public var unitPriceFen: Int

    public init(name: String, quantity: Int, unitPriceFen: Int) {
        self.name = name
        self.quantity = quantity
        self.unitPriceFen = unitPriceFen
    }

    /// `quantity × unitPriceFen`.
    public var lineTotalFen: Int { quantity * unitPriceFen }
}

/// One order of the report's day, as the caller reads it from the database.
///
/// The report trusts the caller to pass only orders *placed* on the report's business day,
/// with the phone already masked (see ``maskPhone(_:)``) and the address already cut to
/// district level (see ``districtLevel(_:)``): the report never sees more than it prints.
public struct ReportOrder: Sendable {
    /// The order's public id (shown as text, never as a number).
    public var id: String
    public var placedAt: Date
    public var confirmedAt: Date?
    public var dispatchedAt: Date?
    public var pickedUpAt: Date?
    public var deliveredAt: Date?
    public var cancelledAt: Date?
    /// Why the order was cancelled; `nil` on a cancelled order is reported as ``ReportOrder/unspecifiedCancelReason``.
    public var cancelReason: String?
    public var merchantName: String
    public var courierName: String?
    public var items: [ReportItem]
    /// The order's total in fen, as charged (may differ from the sum of items: fees, discounts).
    public var totalFen: Int
    /// The delivery fee in fen, part of `totalFen` (0: free delivery).
    public var deliveryFeeFen: Int
    /// The delivery time promised when the order was confirmed; on-time means delivered by it.
    public var promisedAt: Date?
    /// The first ETA the customer was given; ETA accuracy compares it with the delivery.
    public var firstEtaAt: Date?
    /// The customer's phone, already masked by the caller.
    public var maskedPhone: String
    /// The delivery address, already truncated to district level by the caller.
    public var districtAddress: String
    /// Customer-written text (the order's note and its lines' notes); neutralised against formula injection when written.
    public var note: String
    /// Road distance of the delivery in metres, when known.
    public var distanceMetres: Int?

    /// The label a cancellation without a reason is counted under.
    public static let unspecifiedCancelReason = "unspecified"

    public init(
        id: String, placedAt: Date, confirmedAt: Date? = nil, dispatchedAt: Date? = nil,
        pickedUpAt: Date? = nil, deliveredAt: Date? = nil, cancelledAt: Date? = nil,
        cancelReason: String? = nil, merchantName: String, courierName: String? = nil,
        items: [ReportItem], totalFen: Int, promisedAt: Date? = nil, firstEtaAt: Date? = nil,
        maskedPhone: String = "", districtAddress: String = "", note: String = "",
        distanceMetres: Int? = nil, deliveryFeeFen: Int = 0
    ) {
        self.deliveryFeeFen = deliveryFeeFen
        self.id = id
        self.placedAt = placedAt
        self.confirmedAt = confirmedAt
        self.dispatchedAt = dispatchedAt
        self.pickedUpAt = pickedUpAt
        self.deliveredAt = deliveredAt
        self.cancelledAt = cancelledAt
        self.cancelReason = cancelReason
        self.merchantName = merchantName
        self.courierName = courierName
        self.items = items
        self.totalFen = totalFen
        self.promisedAt = promisedAt
        self.firstEtaAt = firstEtaAt
        self.maskedPhone = maskedPhone
        self.districtAddress = districtAddress
        self.note = note
        self.distanceMetres = distanceMetres
    }
}

extension ReportOrder {
    /// Cancelled wins over delivered: an order is cancelled if it has a cancellation time.
    public var isCancelled: Bool { cancelledAt != nil }
    /// Delivered and not cancelled.
    public var isDelivered: Bool { deliveredAt != nil && !isCancelled }

    /// Seconds from confirmation to delivery, when both happened in that order.
    public var deliverySeconds: Int? {
        guard isDelivered, let confirmedAt, let deliveredAt, deliveredAt >= confirmedAt else { return nil }
        return Int((deliveredAt.timeIntervalSince(confirmedAt)).rounded())
    }

    /// Minutes after the promised time the order was delivered (negative when early).
    public var minutesLate: Double? {
        guard isDelivered, let promisedAt, let deliveredAt else { return nil }
        return deliveredAt.timeIntervalSince(promisedAt) / 60
    }

    /// A short word for where the order ended up.
    public var status: String {
        if isCancelled { return "cancelled" }
        if deliveredAt != nil { return "delivered" }
        if pickedUpAt != nil { return "picked up" }
        if dispatchedAt != nil { return "dispatched" }
        if confirmedAt != nil { return "confirmed" }
        return "placed"
    }
}

/// Day-level counts that do not come from orders: the caller reads them from the push,
/// SMS, board and job tables.
public struct DayExtras: Sendable, Hashable {
    public var pushesSent: Int
    public var pushesFailed: Int
    public var smsSent: Int
    public var boardPosts: Int
    public var deadJobs: Int

    public init(pushesSent: Int = 0, pushesFailed: Int = 0, smsSent: Int = 0, boardPosts: Int = 0, deadJobs: Int = 0) {
        self.pushesSent = pushesSent
        self.pushesFailed = pushesFailed
        self.smsSent = smsSent
        self.boardPosts = boardPosts
        self.deadJobs = deadJobs
    }
}
