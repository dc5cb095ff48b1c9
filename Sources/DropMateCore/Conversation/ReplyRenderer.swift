import DropMateCivilTime

/// Turns semantic replies into the text customers read. Every customer-facing string lives in `Replies`.
public struct ReplyRenderer: Sendable {
    /// Seconds east of UTC for the business's clock times (Asia/Shanghai: +8 h).
    public var utcOffsetSeconds: Int
    /// The signed, expiring confirmation link for an order awaiting confirmation.
    public var confirmationLink: @Sendable (Order) -> String?
    /// The ad page for a catalog item (the featured news article's link).
    public var adLink: @Sendable (CatalogItem) -> String
    /// The signed, expiring tracking page of a dispatched order.
    public var trackingLink: @Sendable (Order) -> String?
    /// The signed, expiring menu page for a customer (their OpenID), made at a time (nil: no pages).
    public var menuLink: @Sendable (String, Int64) -> String?

    public init(
        utcOffsetSeconds: Int = 8 * 3600,
        confirmationLink: @escaping @Sendable (Order) -> String? = { _ in nil },
        adLink: @escaping @Sendable (CatalogItem) -> String = { _ in "" },
        trackingLink: @escaping @Sendable (Order) -> String? = { _ in nil },
        menuLink: @escaping @Sendable (String, Int64) -> String? = { _, _ in nil }
    ) {
        self.menuLink = menuLink
        self.trackingLink = trackingLink
        self.utcOffsetSeconds = utcOffsetSeconds
        self.confirmationLink = confirmationLink
        self.adLink = adLink
    }

    /// The message for `replies`: a news article alone, else the texts joined by blank lines; nil for none.
    public func render(_ replies: [Reply], language: Language, catalog: Catalog) -> OutgoingMessage? {
        if replies.count == 1, case .featuredAd(let item) = replies[0] {
            return .news(
                title: "\(item.name(language)) \(item.price)", description: item.description(language),
                pictureURL: item.pictureURL, url: adLink(item))
        }
        let texts = replies.map { text(for: $0, language: language, catalog: catalog) }.filter { !$0.isEmpty }
        return texts.isEmpty ? nil : .text(texts.joined(separator: "\n\n"))
    }

    /// One reply's text.
    public func text(for reply: Reply, language: Language, catalog: Catalog) -> String {
        Replies(language: language, catalog: catalog, renderer: self).text(for: reply)
    }

    /// An order's status line ("订单 #1001：骑手 王师傅 正在取餐，预计 12:17 送达。"): what chat, pushes and pages all say.
    public func statusLine(_ order: Order, eta: Int64?, language: Language, catalog: Catalog) -> String {
        text(for: .orderStatus([OrderStatusLine(order: order, eta: eta)]), language: language, catalog: catalog)
    }

    /// "12:35" in the business's time zone.
    public func clockTime(_ unixSeconds: Int64) -> String {
        let local = unixSeconds + Int64(utcOffsetSeconds)
        let minutesOfDay = Int(((local % 86_400) + 86_400) % 86_400) / 60
        let hours = minutesOfDay / 60, minutes = minutesOfDay % 60
        return "\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    }

    /// "11-25" (month and day) in the business's time zone.
    public func monthDay(_ unixSeconds: Int64) -> String {
        let local = CivilTime(unixSeconds + Int64(utcOffsetSeconds))
        return "\(CivilTime.two(local.month))-\(CivilTime.two(local.day))"
    }

    /// "2026-11-25 12:35" in the business's time zone: a time that may be days old (a board post) says its date.
    public func dateTime(_ unixSeconds: Int64) -> String {
        let local = CivilTime(unixSeconds + Int64(utcOffsetSeconds))
        return "\(local.date.text) \(clockTime(unixSeconds))"
    }
}
