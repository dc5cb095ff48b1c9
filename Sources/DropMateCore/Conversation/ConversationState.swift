/// Everything DropMate remembers about one customer's conversation. Stored as one row per OpenID.
public struct ConversationState: Sendable, Hashable, Codable {
    /// The language the customer last wrote in; replies follow it.
    public var language: Language
    /// Remembered between orders.
    public var profile: CustomerProfile
    /// An order being put together (items, then address, then phone).
    public var draft: OrderDraft?
    /// An order shown in a summary and waiting for "确认 / confirm".
    public var pendingOrderID: Int64?
    /// Unix seconds of the customer's last message, click or event.
    public var lastActivityAt: Int64
    /// Whether the customer ever placed an order (so the engine knows to load them).
    public var hasOrders: Bool
    /// Set once this WeChat user bound themselves to a courier record: their chat is then a courier's.
    public var courierID: Int64?
    /// True once the customer wrote a message with intent in `language` (`Language.intended`): from then on only
    /// such a message changes it. Before that, any Latin or CJK text does (a first "hi" gets English).
    public var languageSettled: Bool?
    /// A person is answering this customer until then (Unix seconds): the bot keeps out of the way.
    public var handoffUntil: Int64?
    /// Whether "已转人工，请稍候" was already said during this handoff (it is said once).
    public var handoffAcknowledged: Bool?
    /// A confirmed order the customer asked to cancel: the next message cancels it only if it is a yes.
    public var cancelAsked: CancelQuestion?
    /// When staff were last told this customer is hurrying an order ("催单"): they are told again only after
    /// `ConversationRules.hurryRepeat`.
    public var hurriedAt: Int64?

    /// A customer DropMate has never heard from.
    public static func new(at now: Int64) -> ConversationState {
        ConversationState(language: .zh, profile: CustomerProfile(), draft: nil, pendingOrderID: nil, lastActivityAt: now, hasOrders: false)
    }

    public init(language: Language, profile: CustomerProfile, draft: OrderDraft?, pendingOrderID: Int64?, lastActivityAt: Int64, hasOrders: Bool) {
        self.language = language
        self.profile = profile
        self.draft = draft
        self.pendingOrderID = pendingOrderID
        self.lastActivityAt = lastActivityAt
        self.hasOrders = hasOrders
    }

    /// When an idle draft or unconfirmed order lapses, if there is one.
    public func expiresAt(ttl: Int64) -> Int64? {
        draft != nil || pendingOrderID != nil ? lastActivityAt + ttl : nil
    }
}

/// "确定取消订单 #1004 吗？": asked at `askedAt`, answered by the customer's next message (within `CancelQuestion.validFor`).
public struct CancelQuestion: Sendable, Hashable, Codable {
    public var orderID: Int64
    public var askedAt: Int64

    public init(orderID: Int64, askedAt: Int64) {
        self.orderID = orderID
        self.askedAt = askedAt
    }

    /// Seconds a "确定" still answers the question; later it is an ordinary message.
    public static let validFor: Int64 = 10 * 60
}

/// What a customer told us once and should not have to repeat.
public struct CustomerProfile: Sendable, Hashable, Codable {
    public var phone: PhoneNumber?
    public var lastAddress: DeliveryAddress?
    /// The last WeChat location the customer sent or reported, used when they say "here / 这里".
    public var lastLocation: DeliveryAddress?

    public init(phone: PhoneNumber? = nil, lastAddress: DeliveryAddress? = nil, lastLocation: DeliveryAddress? = nil) {
        self.phone = phone
        self.lastAddress = lastAddress
        self.lastLocation = lastLocation
    }
}

/// An order being put together in chat; it becomes an `Order` once it has an address and a phone.
public struct OrderDraft: Sendable, Hashable, Codable {
    public var merchantID: String
    public var lines: [OrderLine]
    /// A note for the whole order (one that followed no item).
    public var note: String?
    public var address: DeliveryAddress?

    public init(merchantID: String, lines: [OrderLine], note: String? = nil, address: DeliveryAddress? = nil) {
        self.merchantID = merchantID
        self.lines = lines
        self.note = note
        self.address = address
    }

    public var total: Money { lines.reduce(.zero) { $0 + $1.total } }
}
