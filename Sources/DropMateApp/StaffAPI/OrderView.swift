import DropMateCore
import DropMateDataProtection

/// An order as the API shows it. Phone numbers are masked unless the caller's role needs them (admins, and the
/// courier delivering it); addresses are whole for staff who dispatch and deliver.
struct OrderView: Encodable {
    struct Line: Encodable {
        var itemId: String
        var name: String
        var quantity: Int
        var unitPriceFen: Int
    }

    var id: Int64
    var status: String
    var customer: String
    var merchantId: String
    var courierId: Int64?
    var courierName: String?
    var lines: [Line]
    var totalFen: Int
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

    init(_ order: Order, for identity: StaffIdentity) {
        let sees = identity.account.role == .admin || (identity.account.role == .courier && identity.account.courierID == order.courierID)
        id = order.id
        status = order.status.rawValue
        customer = order.customer
        merchantId = order.merchantID
        courierId = order.courierID
        courierName = order.courierName
        lines = order.lines.map { Line(itemId: $0.itemID, name: $0.name.zh, quantity: $0.quantity, unitPriceFen: $0.unitPrice.fen) }
        totalFen = order.total.fen
        phone = sees ? order.phone.digits : order.phone.masked
        address = order.address.text
        latitude = order.address.coordinate?.latitude
        longitude = order.address.coordinate?.longitude
        createdAt = APIJSON.time(order.createdAt)
        confirmedAt = APIJSON.time(order.confirmedAt)
        dispatchedAt = APIJSON.time(order.dispatchedAt)
        pickedUpAt = APIJSON.time(order.pickedUpAt)
        deliveredAt = APIJSON.time(order.deliveredAt)
        cancelledAt = APIJSON.time(order.cancelledAt)
        cancelReason = order.cancelReason
        promisedAt = APIJSON.time(order.promisedAt)
        latestEta = APIJSON.time(order.latestETA)
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
