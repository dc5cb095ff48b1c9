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
    /// "您是说牛肉面吗？" was asked: what a yes adds (the message's clear lines and the near-names asked about).
    public var suggested: SuggestedOrder?
    /// A confirmed order the customer asked to change: a yes cancels it and opens the changed draft.
    public var amendAsked: AmendQuestion?
    /// The last few lines of the conversation, oldest first, for staff notices ("> " the customer, "< " DropMate).
    /// Bounded (`StepInProgress.recentLimit` lines of `StepInProgress.recentLength` characters) and only kept on turns whose state is
    /// written anyway (`needsSaving`), so it never adds a write.
    public var recent: [String]?

    /// A customer DropMate has never heard from.
    public static func new(at now: Int64) -> ConversationState {
        ConversationState(
            language: .zh, profile: CustomerProfile(), draft: nil, pendingOrderID: nil, lastActivityAt: now,
            hasOrders: false)
    }

    public init(
        language: Language, profile: CustomerProfile, draft: OrderDraft?, pendingOrderID: Int64?, lastActivityAt: Int64,
        hasOrders: Bool
    ) {
        self.language = language
        self.profile = profile
        self.draft = draft
        self.pendingOrderID = pendingOrderID
        self.lastActivityAt = lastActivityAt
        self.hasOrders = hasOrders
    }

    /// Seconds the stored activity time may lag behind: a step that changes nothing but `lastActivityAt` (by less
    /// than this) writes no customer row.
    public static let activityLag: Int64 = 60

    /// Whether this state (after a step) must be written, compared with `old` (before it). Everything is, except a
    /// bare `lastActivityAt` bump of under `activityLag`: only draft expiry reads it, and 30-minute expiry does not need
    /// it to the second. Chit-chat ("菜单", "到哪了"), even mid-draft, thus writes no customer row per message.
    public func needsSaving(comparedWith old: ConversationState) -> Bool {
        guard lastActivityAt - old.lastActivityAt < Self.activityLag else { return true }
        var touched = old
        touched.lastActivityAt = lastActivityAt
        return touched != self
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

/// "您是说牛肉面吗？": what the customer's yes adds, kept by item id (small: it is stored with the state).
public struct SuggestedOrder: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        public var itemID: String
        public var quantity: Int
        public var note: String?

        public init(itemID: String, quantity: Int, note: String? = nil) {
            self.itemID = itemID
            self.quantity = quantity
            self.note = note
        }
    }

    /// The message's clear lines, then the near-names' items, in the order named.
    public var lines: [Line]
    public var note: String?
    public var address: String?
    public var phone: PhoneNumber?
    public var askedAt: Int64

    public init(lines: [Line], note: String? = nil, address: String? = nil, phone: PhoneNumber? = nil, askedAt: Int64) {
        self.lines = lines
        self.note = note
        self.address = address
        self.phone = phone
        self.askedAt = askedAt
    }

    /// Seconds a "是" still answers the question.
    public static let validFor: Int64 = 10 * 60
}

/// "要取消 #1004 并按修改后的内容重新下单吗？": the confirmed order, and the draft (and phone) a yes puts in its place.
public struct AmendQuestion: Sendable, Hashable, Codable {
    public var orderID: Int64
    public var askedAt: Int64
    /// The order as changed; its address is nil when the customer still has to give the new one ("地址错了").
    public var draft: OrderDraft
    /// The new phone, if the change was one.
    public var phone: PhoneNumber?
    /// Whether the customer still has to give the new phone ("电话错了").
    public var asksPhone: Bool?

    public init(orderID: Int64, askedAt: Int64, draft: OrderDraft, phone: PhoneNumber? = nil, asksPhone: Bool? = nil) {
        self.orderID = orderID
        self.askedAt = askedAt
        self.draft = draft
        self.phone = phone
        self.asksPhone = asksPhone
    }

    /// Seconds a "确定" still answers the question.
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
    /// The typed address the map provider was already asked about for this draft (found or not), so it is asked once.
    public var geocodedText: String?

    public init(merchantID: String, lines: [OrderLine], note: String? = nil, address: DeliveryAddress? = nil) {
        self.merchantID = merchantID
        self.lines = lines
        self.note = note
        self.address = address
    }

    public var total: Money { lines.reduce(.zero) { $0 + $1.total } }
}
