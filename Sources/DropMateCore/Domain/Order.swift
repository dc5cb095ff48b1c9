/// Where an order is in its life. The only moves are the ones `Order` allows.
public enum OrderStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Summary shown; waiting for the customer to confirm in chat or through the signed link.
    case awaitingConfirmation = "awaiting_confirmation"
    case confirmed
    case dispatched
    case delivered
    case cancelled

    /// Delivered and cancelled orders never change again.
    public var isFinal: Bool { self == .delivered || self == .cancelled }
}

/// One line of an order: an item, its quantity, the price it was ordered at and the customer's note for it.
public struct OrderLine: Sendable, Hashable, Codable {
    public var itemID: String
    public var name: LocalizedText
    public var quantity: Int
    public var unitPrice: Money
    /// The customer's instruction for this line ("不要香菜", "去冰", "no cilantro"), as typed. Orders stored before
    /// notes existed have no such field and decode with nil.
    public var note: String?

    public init(itemID: String, name: LocalizedText, quantity: Int, unitPrice: Money, note: String? = nil) {
        self.itemID = itemID
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.note = note
    }

    public var total: Money { unitPrice * quantity }
}

/// Where to deliver: what the customer typed, or a WeChat location (label plus coordinates).
public struct DeliveryAddress: Sendable, Hashable, Codable {
    public var text: String
    /// Known when the customer shared a WeChat location; the ETA is then exact.
    public var coordinate: Coordinate?

    public init(text: String, coordinate: Coordinate? = nil) {
        self.text = text
        self.coordinate = coordinate
    }
}

/// A customer's order and its timeline.
public struct Order: Sendable, Hashable, Codable, Identifiable {
    /// The order number customers see ("#1001").
    public var id: Int64
    /// The customer's OpenID.
    public var customer: String
    public var merchantID: String
    public var lines: [OrderLine]
    /// A note for the whole order ("不要辣", "多给点餐具"), nil for none (and in orders stored before notes existed).
    public var note: String?
    public var address: DeliveryAddress
    public var phone: PhoneNumber
    public var status: OrderStatus
    public var language: Language
    public var createdAt: Int64
    public var confirmedAt: Int64?
    public var dispatchedAt: Int64?
    public var deliveredAt: Int64?
    public var cancelledAt: Int64?
    public var cancelReason: String?
    /// The first delivery time promised at confirmation (kept for on-time and ETA-accuracy figures).
    public var promisedAt: Int64?
    /// Road metres from the merchant, when a map provider measured them (else the estimator's straight-line guess).
    public var routeMetres: Double?
    /// The courier it is assigned to, once dispatched.
    public var courierID: Int64?
    public var courierName: String?
    /// When the courier said they had the food ("取件 / picked up").
    public var pickedUpAt: Int64?
    /// The latest arrival an ETA refresh worked out from the courier's position (nil: the estimator's guess stands).
    public var latestETA: Int64?
    /// The arrival last told to the customer and when, so ETA pushes go out only on a real shift, and not too often.
    public var notifiedETA: Int64?
    public var notifiedAt: Int64?
    /// What delivery costs on top of the items (zero: free delivery, and in orders stored before fees existed).
    public var deliveryFee: Money
    /// Straight-line metres from the shop when the address had a coordinate; nil: nobody could measure it (a typed
    /// address), which staff see as `distance_unknown`.
    public var distanceMetres: Int?
    /// Taken while the shop was closed, to be made when it opens at this time (the merchant takes orders for later).
    public var scheduledFor: Int64?

    public init(
        id: Int64, customer: String, merchantID: String, lines: [OrderLine], address: DeliveryAddress,
        phone: PhoneNumber, language: Language, createdAt: Int64
    ) {
        self.id = id
        self.customer = customer
        self.merchantID = merchantID
        self.lines = lines
        self.address = address
        self.phone = phone
        self.status = .awaitingConfirmation
        self.language = language
        self.createdAt = createdAt
        self.deliveryFee = .zero
    }

    /// The items alone (the lines' sum).
    public var itemsTotal: Money { lines.reduce(.zero) { $0 + $1.total } }
    /// What the customer pays: the items plus the delivery fee (what `total_fen` stores and a payment charges).
    public var total: Money { itemsTotal + deliveryFee }

    /// The customer can still cancel by themselves until a courier has it.
    public var isCancellableByCustomer: Bool { status == .awaitingConfirmation || status == .confirmed }
}

/// What may happen to an order. Each is idempotent: repeating it changes nothing.
public enum OrderCommand: Sendable, Hashable {
    case confirm(promisedAt: Int64)
    /// Out for delivery with no courier on record (staff deliver it themselves).
    case dispatch
    /// Out for delivery with this courier; on a dispatched order, hands it to another courier.
    case assign(courierID: Int64, courierName: String)
    /// The courier has the food.
    case pickUp
    case deliver
    case cancel(reason: String)
}

/// Why an order refused a command.
public enum OrderTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAllowed(from: OrderStatus, command: String)

    public var description: String {
        switch self {
        case .notAllowed(let from, let command): "cannot \(command) an order that is \(from.rawValue)"
        }
    }
}

extension Order {
    enum CodingKeys: String, CodingKey {
        case id, customer, merchantID, lines, note, address, phone, status, language, createdAt, confirmedAt,
            dispatchedAt, deliveredAt,
            cancelledAt, cancelReason, promisedAt, routeMetres, courierID, courierName, pickedUpAt, latestETA,
            notifiedETA, notifiedAt,
            deliveryFee, distanceMetres, scheduledFor
    }

    /// Decodes stored orders, including those from before delivery fees (their fee is zero).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        customer = try c.decode(String.self, forKey: .customer)
        merchantID = try c.decode(String.self, forKey: .merchantID)
        lines = try c.decode([OrderLine].self, forKey: .lines)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        address = try c.decode(DeliveryAddress.self, forKey: .address)
        phone = try c.decode(PhoneNumber.self, forKey: .phone)
        status = try c.decode(OrderStatus.self, forKey: .status)
        language = try c.decode(Language.self, forKey: .language)
        createdAt = try c.decode(Int64.self, forKey: .createdAt)
        confirmedAt = try c.decodeIfPresent(Int64.self, forKey: .confirmedAt)
        dispatchedAt = try c.decodeIfPresent(Int64.self, forKey: .dispatchedAt)
        deliveredAt = try c.decodeIfPresent(Int64.self, forKey: .deliveredAt)
        cancelledAt = try c.decodeIfPresent(Int64.self, forKey: .cancelledAt)
        cancelReason = try c.decodeIfPresent(String.self, forKey: .cancelReason)
        promisedAt = try c.decodeIfPresent(Int64.self, forKey: .promisedAt)
        routeMetres = try c.decodeIfPresent(Double.self, forKey: .routeMetres)
        courierID = try c.decodeIfPresent(Int64.self, forKey: .courierID)
        courierName = try c.decodeIfPresent(String.self, forKey: .courierName)
        pickedUpAt = try c.decodeIfPresent(Int64.self, forKey: .pickedUpAt)
        latestETA = try c.decodeIfPresent(Int64.self, forKey: .latestETA)
        notifiedETA = try c.decodeIfPresent(Int64.self, forKey: .notifiedETA)
        notifiedAt = try c.decodeIfPresent(Int64.self, forKey: .notifiedAt)
        deliveryFee = try c.decodeIfPresent(Money.self, forKey: .deliveryFee) ?? .zero
        distanceMetres = try c.decodeIfPresent(Int.self, forKey: .distanceMetres)
        scheduledFor = try c.decodeIfPresent(Int64.self, forKey: .scheduledFor)
    }

    /// The outcome of a command: the order changed, or it already was in that state.
    public enum Transition: Sendable, Hashable {
        case changed(Order)
        case unchanged(Order)

        public var order: Order {
            switch self {
            case .changed(let order), .unchanged(let order): order
            }
        }
    }

    /// Applies `command` at `now`; repeating a command that already took effect is `.unchanged`, not an error.
    public func applying(_ command: OrderCommand, at now: Int64) throws(OrderTransitionError) -> Transition {
        var next = self
        switch (command, status) {
        case (.confirm, .confirmed), (.confirm, .dispatched), (.confirm, .delivered),
            (.dispatch, .dispatched), (.dispatch, .delivered), (.deliver, .delivered), (.cancel, .cancelled),
            (.pickUp, .delivered):
            return .unchanged(self)
        case (.assign(let assigned, _), .dispatched) where assigned == courierID:
            return .unchanged(self)
        case (.pickUp, .dispatched) where pickedUpAt != nil:
            return .unchanged(self)
        case (.assign(let courierID, let name), .confirmed), (.assign(let courierID, let name), .dispatched):
            next.status = .dispatched
            next.dispatchedAt = dispatchedAt ?? now
            next.courierID = courierID
            next.courierName = name
            next.pickedUpAt = nil
            next.latestETA = nil
        case (.pickUp, .dispatched):
            next.pickedUpAt = now
            next.latestETA = nil
        case (.confirm(let promisedAt), .awaitingConfirmation):
            next.status = .confirmed
            next.confirmedAt = now
            next.promisedAt = promisedAt
        case (.dispatch, .confirmed):
            next.status = .dispatched
            next.dispatchedAt = now
            next.latestETA = nil
        case (.deliver, .confirmed), (.deliver, .dispatched):
            next.status = .delivered
            next.dispatchedAt = next.dispatchedAt ?? now
            next.deliveredAt = now
        case (.cancel(let reason), .awaitingConfirmation), (.cancel(let reason), .confirmed),
            (.cancel(let reason), .dispatched):
            next.status = .cancelled
            next.cancelledAt = now
            next.cancelReason = reason
        default:
            throw .notAllowed(from: status, command: command.name)
        }
        return .changed(next)
    }
}

extension OrderCommand {
    /// "confirm", "assign", "pick up"…: for errors and logs.
    public var name: String {
        switch self {
        case .confirm: "confirm"
        case .dispatch: "dispatch"
        case .assign: "assign"
        case .pickUp: "pick up"
        case .deliver: "deliver"
        case .cancel: "cancel"
        }
    }
}
