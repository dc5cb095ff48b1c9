import DropMateCore

/// An order as the API shows it. Phone numbers follow `PhoneReader`'s rule (whole for admins, and for the courier
/// an order is dispatched to until it is delivered; masked otherwise); addresses are whole for staff who dispatch
/// and deliver.
struct OrderView: Encodable {
    struct Line: Encodable {
        var itemId: String
        var name: String
        var quantity: Int
        var unitPriceFen: Int
        /// The customer's note for this line ("不要香菜"), when there is one.
        var note: String?
    }

    var id: Int64
    var status: String
    var customer: String
    var merchantId: String
    var courierId: Int64?
    var courierName: String?
    var lines: [Line]
    /// The customer's note for the whole order, when there is one.
    var note: String?
    /// The items alone; `total_fen` adds the delivery fee.
    var itemsTotalFen: Int
    var deliveryFeeFen: Int
    var totalFen: Int
    /// Straight-line metres from the shop to a WeChat location; absent with `distance_unknown` true for a typed
    /// address nobody measured (staff check it).
    var distanceMetres: Int?
    var distanceUnknown: Bool
    /// Taken while the shop was closed: made when it opens at this time.
    var scheduledFor: String?
    var phone: String
    var address: String
    var latitude: Double?
    var longitude: Double?
    var createdAt: String?
    var confirmedAt: String?
    var dispatchedAt: String?
    var pickedUpAt: String?
    var deliveredAt: String?
    var cancelledAt: String?
    var cancelReason: String?
    var promisedAt: String?
    var latestEta: String?
    /// WeChat Pay's state of the order; absent when payment is off.
    var payment: PaymentView?

    init(_ order: Order, for identity: StaffIdentity, utcOffset: Int) {
        id = order.id
        status = order.status.rawValue
        customer = order.customer
        merchantId = order.merchantID
        courierId = order.courierID
        courierName = order.courierName
        lines = order.lines.map {
            Line(
                itemId: $0.itemID, name: $0.name.zh, quantity: $0.quantity, unitPriceFen: $0.unitPrice.fen,
                note: $0.note)
        }
        note = order.note
        itemsTotalFen = order.itemsTotal.fen
        deliveryFeeFen = order.deliveryFee.fen
        totalFen = order.total.fen
        distanceMetres = order.distanceMetres
        distanceUnknown = order.distanceMetres == nil
        scheduledFor = APIJSON.time(order.scheduledFor, utcOffset: utcOffset)
        phone = order.phone(shownTo: identity.phoneReader)
        address = order.address.text
        latitude = order.address.coordinate?.latitude
        longitude = order.address.coordinate?.longitude
        createdAt = APIJSON.time(order.createdAt, utcOffset: utcOffset)
        confirmedAt = APIJSON.time(order.confirmedAt, utcOffset: utcOffset)
        dispatchedAt = APIJSON.time(order.dispatchedAt, utcOffset: utcOffset)
        pickedUpAt = APIJSON.time(order.pickedUpAt, utcOffset: utcOffset)
        deliveredAt = APIJSON.time(order.deliveredAt, utcOffset: utcOffset)
        cancelledAt = APIJSON.time(order.cancelledAt, utcOffset: utcOffset)
        cancelReason = order.cancelReason
        promisedAt = APIJSON.time(order.promisedAt, utcOffset: utcOffset)
        latestEta = APIJSON.time(order.latestETA, utcOffset: utcOffset)
    }
}

extension StaffIdentity {
    /// Who the caller is to `PhoneReader`'s rule.
    var phoneReader: PhoneReader {
        switch account.role {
        case .admin: .admin
        case .dispatcher: .dispatcher
        case .courier: .courier(id: account.courierID)
        }
    }
}

/// One order with its history and board posts.
struct OrderDetailView: Encodable {
    struct Event: Encodable { var status: String; var at: String? }
    struct Post: Encodable { var id: Int64; var body: String; var createdAt: String? }

    var order: OrderView
    var history: [Event]
    var posts: [Post]
}
