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

    public init(
        utcOffsetSeconds: Int = 8 * 3600,
        confirmationLink: @escaping @Sendable (Order) -> String? = { _ in nil },
        adLink: @escaping @Sendable (CatalogItem) -> String = { _ in "" },
        trackingLink: @escaping @Sendable (Order) -> String? = { _ in nil }
    ) {
        self.trackingLink = trackingLink
        self.utcOffsetSeconds = utcOffsetSeconds
        self.confirmationLink = confirmationLink
        self.adLink = adLink
    }

    /// The message for `replies`: a news article alone, else the texts joined by blank lines; nil for none.
    public func render(_ replies: [Reply], language: Language, catalog: Catalog) -> OutgoingMessage? {
        if replies.count == 1, case .featuredAd(let item) = replies[0] {
            return .news(title: "\(item.name(language)) \(item.price)", description: item.description(language), pictureURL: item.pictureURL, url: adLink(item))
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
        return "\(local.year)-\(CivilTime.two(local.month))-\(CivilTime.two(local.day)) \(clockTime(unixSeconds))"
    }
}

/// A calendar date and time of day from seconds since 1970 at some offset (days-from-civil inverted, proleptic
/// Gregorian): no formatter object and no time-zone database, cheap enough for every field of every answer.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// `local`: Unix seconds already shifted into the wanted time zone.
    public init(_ local: Int64) {
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = Int(local - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        hour = seconds / 3600
        minute = seconds / 60 % 60
        second = seconds % 60
    }

    /// "07", "12".
    public static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
