/// Something that happened to a customer's conversation.
public enum ConversationInput: Sendable, Hashable {
    /// A text message (or a voice message's recognised text).
    case text(String)
    /// A WeChat location message the customer sent.
    case location(Coordinate, label: String)
    /// The location WeChat reports by itself (the LOCATION event): remembered silently.
    case reportedLocation(Coordinate)
    /// A menu button.
    case click(key: String)
    case subscribed
    case unsubscribed
    /// A message kind DropMate cannot read (image, video, link…).
    case unsupported(kind: String)
    /// Feedback for `.placeOrder`: the order now exists, awaiting confirmation.
    case orderPlaced(Order)
    /// The customer confirmed through the signed link's page.
    case confirmationLinkUsed(orderID: Int64)
    /// Staff changed one of the customer's orders (dispatched, delivered, cancelled).
    case orderChanged(Order)
    /// Time passed with no message: lets an idle draft expire with a notice.
    case tick
    /// Feedback for `.bindCourier`: what the attempt with `code` found.
    case courierBound(BindingAttempt, code: String)
    /// Feedback for `.courierAction`: what became of the courier's delivery.
    case courierActionDone(CourierActionResult)
    /// An ETA refresh worked out that `order` now arrives at `eta`.
    case etaRefreshed(Order, eta: Int64)
    /// Staff wrote to the customer (`POST /api/v1/customers/{openid}/messages`): it is pushed; a handoff carries on
    /// from now (the person is talking), or ends when `endsHandoff`.
    case staffMessage(String, endsHandoff: Bool)
    /// Feedback for `.geocode`: where the map provider put the typed address `text` (nil: it could not, failed or was
    /// too slow; the address is then taken with its distance unknown).
    case addressGeocoded(text: String, Coordinate?)
    /// The customer sent a cart from the menu page: it becomes their draft, as if typed in the chat.
    case cart(Cart)
    /// The customer tapped 再来一单 on the tracking page of their order `orderID`: as "再来一单" in the chat, for that order.
    case reorderFromPage(orderID: Int64)
}

/// A cart from the menu page: item ids and quantities, one merchant. Never prices: those come from the catalog.
public struct Cart: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        public var itemID: String
        public var quantity: Int

        public init(itemID: String, quantity: Int) {
            self.itemID = itemID
            self.quantity = quantity
        }
    }

    public var merchantID: String
    public var lines: [Line]

    public init(merchantID: String, lines: [Line]) {
        self.merchantID = merchantID
        self.lines = lines
    }

    /// Most lines a cart may have (a shop's whole menu fits).
    public static let maximumLines = 50
}

/// What became of a courier's "取件 / 送达".
public enum CourierActionResult: Sendable, Hashable {
    /// Done (or already done before): the order as it now stands.
    case done(CourierAction, Order)
    case notFound(orderID: Int64)
    /// The order is someone else's delivery.
    case notYours(orderID: Int64)
    /// The order's status does not allow it (cancelled, not dispatched yet…).
    case refused(CourierAction, Order)
}

/// What the machine may look at; gathered by the engine before each step.
public struct ConversationFacts: Sendable {
    /// Unix seconds, from the injected clock.
    public var now: Int64
    public var catalog: Catalog
    /// The customer's recent orders, newest first (empty unless the engine was asked to load them).
    public var orders: [Order]
    /// The latest public board posts, newest first (loaded only for a board view).
    public var board: [BoardPost]
    public var rules: ConversationRules
    public var eta: ETAEstimator
    /// A courier's deliveries in progress, oldest first (loaded only for couriers).
    public var deliveries: [Order]
    /// The business holds public board posts for staff to approve before anyone else sees them (loaded only for a
    /// message that may be a post; the store holds them regardless, this only lets the reply say so).
    public var boardHoldsPosts = false
    /// Whether a map provider geocodes typed addresses (`.geocode`); without one they stay unmeasured.
    public var geocodes: Bool

    public init(
        now: Int64, catalog: Catalog, orders: [Order] = [], board: [BoardPost] = [], rules: ConversationRules = .init(),
        eta: ETAEstimator = .init(),
        deliveries: [Order] = [], geocodes: Bool = false
    ) {
        self.geocodes = geocodes
        self.now = now
        self.catalog = catalog
        self.orders = orders
        self.board = board
        self.rules = rules
        self.eta = eta
        self.deliveries = deliveries
    }

    public func order(id: Int64) -> Order? { orders.first { $0.id == id } }
}

/// The business's limits on conversations.
public struct ConversationRules: Sendable, Hashable {
    /// Largest quantity of one item per order.
    public var maxQuantity: Int
    /// Seconds of silence after which a draft or unconfirmed order lapses.
    public var draftTTL: Int64
    /// Seconds the bot keeps out of the way after a customer asked for a person (`DROPMATE_HANDOFF_MINUTES`).
    public var handoff: Int64
    /// Seconds before another "催单" from the same customer tells staff again (one is enough to act on).
    public var hurryRepeat: Int64 = 10 * 60
    /// The business time zone the shops' opening hours are in.
    public var businessTime: BusinessTime = .shanghai
    /// When a refreshed ETA is pushed to the customer.
    public var etaPush: ETAPushRules

    public init(
        maxQuantity: Int = 20, draftTTL: Int64 = 30 * 60, etaPush: ETAPushRules = .init(), handoff: Int64 = 30 * 60
    ) {
        self.handoff = handoff
        self.maxQuantity = maxQuantity
        self.draftTTL = draftTTL
        self.etaPush = etaPush
    }
}

/// What the engine must do after a step. The machine never does I/O itself.
public enum ConversationEffect: Sendable, Hashable {
    /// Allocate an order number and store a new order awaiting confirmation; feed back `.orderPlaced`.
    case placeOrder(OrderRequest)
    /// Store an order whose status the machine changed (confirmed, cancelled…).
    case saveOrder(Order)
    /// Store a board post.
    case post(BoardPostRequest)
    /// Tell the customer something out of band (customer-service or template message, via the job queue).
    case push([Reply])
    /// Try a binding code (counting a failure against this user and every outstanding code); feed back `.courierBound`.
    case bindCourier(code: String)
    /// Record that this chat's WeChat user works as courier `courierID`, using up `code`.
    case saveCourierBinding(courierID: Int64, code: String)
    /// Record that this chat's WeChat user is staff member `staffID`'s WeChat for notices, using up `code`.
    case saveStaffBinding(staffID: Int64, username: String, code: String)
    /// This chat's WeChat user stops working as courier `courierID` (only their own binding is touched).
    case unbindCourier(courierID: Int64)
    /// Apply a courier's action to one of their deliveries (under its customer's lock); feed back `.courierActionDone`.
    case courierAction(orderID: Int64, CourierAction)
    /// Store the courier's position and refresh the ETAs of their deliveries.
    case courierMoved(courierID: Int64, Coordinate)
    /// Store an order's ETA bookkeeping (no status change, no history entry).
    case noteETA(Order)
    /// Tell staff (a `staff-notice` job, committed with the step).
    case notifyStaff(StaffNotice)
    /// Ask the map provider where the typed address `text` is, within a deadline short enough for WeChat's 5 s
    /// window; feed back `.addressGeocoded` (nil on failure or timeout).
    case geocode(text: String)
}

/// A new order as the machine asks for it; the engine gives it a number.
public struct OrderRequest: Sendable, Hashable {
    public var customer: String
    public var merchantID: String
    public var lines: [OrderLine]
    public var address: DeliveryAddress
    public var phone: PhoneNumber
    public var language: Language
    /// The note for the whole order, if the customer gave one.
    public var note: String? = nil
    /// What the merchant's rules charge for delivery, how far it goes (nil: unmeasured) and, for an order taken while
    /// the shop is closed, when it opens to make it (`RulesVerdict`).
    public var deliveryFee: Money = .zero
    public var distanceMetres: Int? = nil
    public var scheduledFor: Int64? = nil

    /// The order this request becomes once numbered.
    public func order(id: Int64, createdAt: Int64) -> Order {
        var order = Order(
            id: id, customer: customer, merchantID: merchantID, lines: lines, address: address, phone: phone,
            language: language, createdAt: createdAt)
        order.note = note
        order.deliveryFee = deliveryFee
        order.distanceMetres = distanceMetres
        order.scheduledFor = scheduledFor
        return order
    }
}

/// A board post as the machine asks for it; the engine gives it an id.
public struct BoardPostRequest: Sendable, Hashable {
    public var customer: String
    public var orderID: Int64?
    public var body: String
    /// A public post held for review (not shown until staff approve it).
    public var held = false
}

/// The result of one step: the next state, what to answer now, and what to do.
public struct ConversationStep: Sendable, Hashable {
    public var state: ConversationState
    /// The passive reply, rendered in `state.language`. Empty means acknowledge silently.
    public var replies: [Reply]
    public var effects: [ConversationEffect]

    public init(state: ConversationState, replies: [Reply] = [], effects: [ConversationEffect] = []) {
        self.state = state
        self.replies = replies
        self.effects = effects
    }
}

/// Which facts a step needs, so the engine loads no more than that.
public struct FactNeeds: Sendable, Hashable {
    public var orders: Bool
    public var board: Bool
    /// The courier's deliveries in progress (for couriers only).
    public var deliveries: Bool = false
    /// Whether the business holds public board posts for review (for a message that may be a post).
    public var boardModeration: Bool = false
}
