/// A business that prepares what customers order, with the place couriers pick up from.
public struct Merchant: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: LocalizedText
    public var location: Coordinate
    /// Typical minutes from confirmation until the food is ready for pickup.
    public var preparationMinutes: Int
    /// Hours, radius, minimum, fee, pause; nil: none set (`ShopRules.unrestricted`). Stored in their own table and
    /// set on the merchant when the catalog loads (absent from merchants stored before rules existed).
    public var rules: ShopRules?

    public init(id: String, name: LocalizedText, location: Coordinate, preparationMinutes: Int, rules: ShopRules? = nil)
    {
        self.id = id
        self.name = name
        self.location = location
        self.preparationMinutes = preparationMinutes
        self.rules = rules
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
    /// 估清: marked sold out by staff (nil: not). Stored in its own column and set when the catalog loads.
    public var soldOut: Bool?

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
    /// Every name and alias as scalars, longest first, with its item's index: what the order parser looks for.
    let itemNames: [ItemName]
    /// The first scalar of every name in `itemNames`.
    let itemStarters: Set<Unicode.Scalar>

    public init(merchants: [Merchant], items: [CatalogItem]) {
        self.merchants = merchants.sorted { $0.id < $1.id }
        self.items = items.sorted { ($0.position, $0.id) < ($1.position, $1.id) }
        self.matchNames = self.items.map { item in
            ([item.name.zh, item.name.en] + item.aliases).map { TextNormalizer.normalize($0) }
        }
        var seen = Set<ItemName>()
        self.itemNames = matchNames.enumerated()
            .flatMap { index, names in
                names.filter { !$0.isEmpty }.map { ItemName(scalars: Array($0.unicodeScalars), item: index) }
            }
            .filter { seen.insert($0).inserted }
            .enumerated().sorted { ($0.element.scalars.count, $1.offset) > ($1.element.scalars.count, $0.offset) }.map(
                \.element)
        self.itemStarters = Set(itemNames.map { $0.scalars[0] })
    }

    /// Two catalogs are equal when their merchants and items are: the rest is derived from them.
    public static func == (lhs: Catalog, rhs: Catalog) -> Bool {
        lhs.merchants == rhs.merchants && lhs.items == rhs.items
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(merchants)
        hasher.combine(items)
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

/// One way of naming a catalog item, as the order parser compares it.
struct ItemName: Sendable, Hashable {
    var scalars: [Unicode.Scalar]
    /// Index into `Catalog.items`.
    var item: Int
}
