/// What DropMate says to questions, handoffs and cancel confirmations; rendered in `Replies+Questions.swift`.
public enum CustomerAnswer: Sendable, Hashable {
    /// The courier calls the customer; the courier's own number is not given out (see `PhoneReader`).
    case courierWillCall(Order, phone: PhoneNumber?)
    /// No order of the customer's is with a courier yet.
    case noCourierYet
    /// Prices of the items asked about.
    case itemPrices([CatalogItem])
    /// The open draft's total (there is no separate delivery fee).
    case draftTotal(OrderDraft)
    /// An order's total.
    case orderTotal(Order)
    /// The menu's prices (nothing more specific to say); no separate delivery fee.
    case menuPrices
    /// Which shops take orders when; shops with no hours configured take them around the clock.
    case openingHours([Merchant])
    case payment
    /// The featured ads.
    case recommendations([CatalogItem])
    case thanks
    /// A person will reply (within `minutes`); staff were told.
    case handoffStarted(minutes: Int64)
    /// Said once while a person is handling the chat.
    case handoffWaiting
    /// The customer asked for the bot back.
    case handoffEnded
    /// Staff were told to hurry the order along.
    case hurried
    /// Staff were told a moment ago; they are not told again yet.
    case hurriedAlready
    /// A refund or an invoice: a person handles it (the chat is handed over).
    case personHandles(refund: Bool, minutes: Int64)
    /// "确定取消订单 #1004 吗？"
    case confirmCancel(Order)
    /// Anything but a yes after `confirmCancel`: the order stands.
    case cancelKept(Order)
    /// "到哪了 / 多久能到" while the order is still a draft: what it has, what is missing, and about how many minutes
    /// it would take if placed now (nil: unknown shop).
    case draftStatus(OrderDraft, minutes: Int?)
    /// A person's words from staff (a push), and whether the bot is back now.
    case fromStaff(String, handoffEnded: Bool)
    /// "不是" after "您是说…吗？": nothing was added. (Rendered in `Replies+Amend.swift`, as are the cases below.)
    case suggestionDeclined
    /// An order awaiting confirmation was changed: it is void, and the changed one is shown to confirm.
    case orderVoided(Order)
    /// A confirmed order is not changed in place: "要取消 #1004 并按修改后的内容重新下单吗？", with the change.
    case offerReorder(Order, AmendQuestion)
    /// Anything but a yes after `offerReorder`: the order stands as it was.
    case changeKept(Order)
    /// The order is with a courier: too late to change it here (a person can help).
    case tooLateToChange(Order)
}
