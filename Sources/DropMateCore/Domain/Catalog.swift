/// A business that prepares what customers order, with the place couriers pick up from.
public struct Merchant: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: LocalizedText
    public var location: Coordinate
    /// Typical minutes from confirmation until the food is ready for pickup.
    public var preparationMinutes: Int
    /// When the shop takes orders, in the business's time zone; nil: around the clock.
    public var openingHours: OpeningHours?

    public init(id: String, name: LocalizedText, location: Coordinate, preparationMinutes: Int, openingHours: OpeningHours? = nil) {
        self.id = id
        self.name = name
        self.location = location
        self.preparationMinutes = preparationMinutes
        self.openingHours = openingHours
    }
}

/// A shop's daily hours, as minutes after local midnight ("10:00-22:00"; closing before opening runs past midnight).
public struct OpeningHours: Sendable, Hashable, Codable {
    public var opens: Int
    public var closes: Int

    public init(opens: Int, closes: Int) {
        self.opens = opens
        self.closes = closes
    }

    /// "10:00-22:00" (or "10:00–22:00"); nil for anything else, or a day with no hours (opening at closing time).
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "–" }).map { String($0.filter { $0 != " " }) }
        guard parts.count == 2, let opens = Self.minutes(parts[0]), let closes = Self.minutes(parts[1]), opens != closes else { return nil }
        self.init(opens: opens, closes: closes)
    }

    static func minutes(_ text: String) -> Int? {
        let pieces = text.split(separator: ":")
        guard pieces.count == 2, pieces[1].count == 2, let hours = Int(pieces[0]), let minutes = Int(pieces[1]),
              (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }

    /// "10:00-22:00".
    public var text: String {
        func clock(_ value: Int) -> String { (value / 60 < 10 ? "0" : "") + "\(value / 60):" + (value % 60 < 10 ? "0" : "") + "\(value % 60)" }
        return "\(clock(opens))-\(clock(closes))"
    }
}

/// Text shown to customers, in Chinese and English.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The text in `language`.
    public func callAsFunction(_ language: Language) -> String { language == .zh ? zh : en }
}

/// An advertised item a customer can order.
public struct CatalogItem: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var merchantID: String
    public var name: LocalizedText
    public var description: LocalizedText
    public var price: Money
    /// Extra names customers use ("tea", "牛肉拉面"); matched case-insensitively.
    public var aliases: [String]
    /// Shown as the single news article for "today's special".
    public var isFeatured: Bool
    public var pictureURL: String
    /// Ordering position in the ad list.
    public var position: Int

    public init(
        id: String, merchantID: String, name: LocalizedText, description: LocalizedText, price: Money,
        aliases: [String] = [], isFeatured: Bool = false, pictureURL: String = "", position: Int = 0
    ) {
        self.id = id
        self.merchantID = merchantID
        self.name = name
        self.description = description
        self.price = price
        self.aliases = aliases
        self.isFeatured = isFeatured
        self.pictureURL = pictureURL
        self.position = position
    }
}

/// The active ads and their merchants, as the conversation sees them.
public struct Catalog: Sendable, Hashable {
    public let merchants: [Merchant]
    /// Active items, in display order.
    public let items: [CatalogItem]
    /// Each item's names and aliases as customers' text is matched against them (normalized once, here).
    let matchNames: [[String]]

    public init(merchants: [Merchant], items: [CatalogItem]) {
        self.merchants = merchants.sorted { $0.id < $1.id }
        self.items = items.sorted { ($0.position, $0.id) < ($1.position, $1.id) }
        self.matchNames = self.items.map { item in ([item.name.zh, item.name.en] + item.aliases).map { TextNormalizer.normalize($0) } }
    }

    public func merchant(id: String) -> Merchant? { merchants.first { $0.id == id } }

    /// Merchants ordered by their first ad's position, as the menu lists them.
    public var merchantsInAdOrder: [Merchant] {
        merchants.sorted { lhs, rhs in
            let left = items.firstIndex { $0.merchantID == lhs.id } ?? Int.max
            let right = items.firstIndex { $0.merchantID == rhs.id } ?? Int.max
            return (left, lhs.id) < (right, rhs.id)
        }
    }
    public func item(id: String) -> CatalogItem? { items.first { $0.id == id } }
    /// The item for today's special news reply: the first featured item, else the first item.
    public var featured: CatalogItem? { items.first(where: \.isFeatured) ?? items.first }
}
