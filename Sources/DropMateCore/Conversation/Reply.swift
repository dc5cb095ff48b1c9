/// What DropMate says, as meaning rather than text; `ReplyRenderer` turns it into Chinese or English.
public enum Reply: Sendable, Hashable {
    case welcome
    case greeting
    case help
    /// Anything DropMate did not understand.
    case fallback
    case emptyMessage
    /// An image, video, link… that DropMate cannot read.
    case unsupportedMessage
    /// The active ads with prices.
    case adList
    /// The signed link to the menu page (photos, sold-out marks, a cart) for `customer`, made at `at`.
    case menuPage(customer: String, at: Int64)
    /// Today's special as a single news article.
    case featuredAd(CatalogItem)
    case noAds
    case unknownItems([String])
    /// Near-names the parser would not take by itself: "您是说牛肉面吗？", and what a yes adds (the message's clear lines
    /// and the suggested items).
    case didYouMean([ItemSuggestion], adding: [OrderLine])
    /// A misspelt name was taken as this item ("beef noodels" → beef noodles): said before the draft's summary.
    case understoodAs(typed: String, item: LocalizedText)
    /// The draft after an edit ("改成3份", "去掉奶茶").
    case draftChanged(OrderDraft)
    /// An edit with no draft to apply it to.
    case nothingToEdit
    /// An edit names an item that is not in the draft.
    case itemNotInOrder(LocalizedText)
    /// "改成3份" with several items in the order: which one becomes `quantity` (never guessed).
    case whichItemToChange(quantity: Int, items: [LocalizedText])
    case quantityOutOfRange(item: LocalizedText, quantity: Int, max: Int)
    case oneMerchantPerOrder
    /// The draft's items and total so far.
    case draftSummary(OrderDraft)
    case askAddress(previous: DeliveryAddress?)
    case addressTooShort
    case addressSaved(DeliveryAddress)
    case askPhone
    case invalidPhone
    case phoneSaved(PhoneNumber)
    case locationSaved(DeliveryAddress)
    /// The order exists; confirm or cancel it (with the signed link).
    case orderSummary(Order, eta: Int64)
    case orderConfirmed(Order, eta: Int64)
    case orderCancelled(Order)
    case draftCancelled
    case nothingToCancel
    case nothingToConfirm
    case cannotCancel(Order)
    /// Status and ETA of each order asked about.
    case orderStatus([OrderStatusLine])
    case noOrders
    case orderNotFound(Int64)
    /// Where the customer is in an interrupted draft.
    case draftReminder(OrderDraft)
    /// An order summary still waits for "确认 / confirm".
    case pendingReminder(orderID: Int64)
    case boardPosted(orderID: Int64?)
    case boardPostEmpty
    /// A public post waits for staff to approve it before it shows on the board.
    case boardPostHeld
    case boardPostTooLong(max: Int)
    case board([BoardPost])
    /// A push: staff answered the customer's board post (in the customer's language only).
    case boardReply(String)
    case draftExpired
    case orderExpired(Order)
    /// A push after staff changed an order.
    case statusChanged(Order, eta: Int64?)
    /// The customer sent more messages than the rate limit allows; this one was not acted on.
    case slowDown
    /// A push: the order's arrival moved (a courier's position, a late kitchen).
    case etaChanged(Order, eta: Int64)
    /// What a courier's chat says.
    case courier(CourierReply)
    /// Answers to questions, handoffs and cancel confirmations.
    case answer(CustomerAnswer)
    /// What the shop's rules say (closed, paused, sold out, too far, below the minimum): Replies+Rules.
    case rules(RulesReply)
}

/// What DropMate says to couriers.
public enum CourierReply: Sendable, Hashable {
    case help
    case bound(name: String)
    /// A staff member bound their WeChat for notices (new orders, daily reports).
    case staffBound(username: String)
    case bindingFailed
    /// Too many wrong binding codes from this WeChat user lately.
    case bindingLockedOut
    case unbound
    /// The deliveries in progress.
    case deliveries([Order])
    case actionDone(CourierAction, Order)
    case notYours(orderID: Int64)
    case refused(CourierAction, Order)
    /// "取件" without a number while several (or no) deliveries could be meant: the ones that could be.
    case whichOrder(CourierAction, [Order])
    case positionSaved(activeDeliveries: Int)
    case invalidPosition
    /// A push: staff gave the courier a delivery.
    case newDelivery(Order)
}

/// One order's status for an ETA answer.
public struct OrderStatusLine: Sendable, Hashable {
    public var order: Order
    /// Expected arrival, nil once delivered or cancelled.
    public var eta: Int64?

    public init(order: Order, eta: Int64?) {
        self.order = order
        self.eta = eta
    }
}

/// A rendered reply, as the WeChat adapter sends it.
public enum OutgoingMessage: Sendable, Hashable, Codable {
    case text(String)
    case news(title: String, description: String, pictureURL: String, url: String)
}
